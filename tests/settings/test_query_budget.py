"""The business settings cost no query on a warm request and one on a cold one (the
whole request, however often it reads them). Warm counts are unchanged by the move from
the public Tenant row: /dashboard/ 5 (owner), /shop/catalog/ 9."""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from ordering.settings.selectors import CACHE_KEY


SETTINGS_TABLE = "tenant_settings_tenantsettings"


def _get(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def _settings_reads(queries):
    return sum(SETTINGS_TABLE in sql for sql in queries)


def _measure(client, path):
    client.get(path)
    warm = _get(client, path)
    with tenant_context(client.tenant):
        cache.delete(CACHE_KEY)
    cold = _get(client, path)
    return warm, cold


def test_shop_catalog_reads_the_settings_from_the_cache(acme, acme_client, login_as):
    from ordering.customers.services.customers import customer_create
    from ordering.customers.services.logins import login_create

    with tenant_context(acme):
        customer = customer_create(actor=None, name="Budget Dealer Co")
        login = login_create(actor=None, customer=customer, email="budget@dealer.example",
                             password="Dealer-pass-2026", site_url="http://acme.localhost")
        login.user.must_change_password = False
        login.user.save(update_fields=["must_change_password"])
    login_as(acme_client, acme, login.user)
    acme_client.tenant = acme
    warm, cold = _measure(acme_client, "/shop/catalog/")
    assert _settings_reads(warm) == 0
    assert _settings_reads(cold) == 1  # once per request, however often it is read


def test_dashboard_pages_read_the_settings_from_the_cache(acme, acme_client, login_as):
    with tenant_context(acme):
        owner = get_user_model().objects.get(email="owner@acme.example")
    login_as(acme_client, acme, owner)
    acme_client.tenant = acme
    for path in ("/dashboard/", "/dashboard/orders/settings/", "/dashboard/catalog/settings/"):
        warm, cold = _measure(acme_client, path)
        assert _settings_reads(warm) == 0, path
        assert _settings_reads(cold) <= 1, path
