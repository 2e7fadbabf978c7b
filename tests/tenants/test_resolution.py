"""Tenant resolution: routing by host, the cache, unknown hosts, suspended tenants."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenants.enums import TenantStatus
from tenants.models import Domain
from tenants.services import tenant_set_status
from tests.conftest import TenantClient
from tests.factories import UserFactory


def _tenant_queries(queries):
    return [q["sql"] for q in queries
            if "tenants_domain" in q["sql"] or "tenants_tenant" in q["sql"]]


def test_warm_tenant_request_makes_zero_domain_or_tenant_queries(acme_client):
    acme_client.get("/login/")  # cold: resolves and caches
    with CaptureQueriesContext(connection) as ctx:
        response = acme_client.get("/login/")
    assert response.status_code == 200
    assert _tenant_queries(ctx.captured_queries) == []


def test_warm_signed_in_dashboard_request_makes_zero_tenant_queries(acme, acme_client, login_as):
    with tenant_context(acme):
        user = UserFactory()
    login_as(acme_client, acme, user)
    acme_client.get("/dashboard/")
    with CaptureQueriesContext(connection) as ctx:
        assert acme_client.get("/dashboard/").status_code == 200
    assert _tenant_queries(ctx.captured_queries) == []


def test_cold_request_resolves_with_one_query(acme_client):
    with CaptureQueriesContext(connection) as ctx:
        acme_client.get("/login/")
    assert len(_tenant_queries(ctx.captured_queries)) == 1


def test_status_change_invalidates_the_cached_tenant(acme, acme_client):
    assert acme_client.get("/login/").status_code == 200
    tenant_set_status(tenant=acme, status=TenantStatus.SUSPENDED)
    response = acme_client.get("/shop/")
    assert response.status_code == 403
    assert b'data-testid="tenant-suspended"' in response.content


def test_domain_change_invalidates_the_cache(acme, db):
    client = TenantClient("shop.acme-drinks.test.localhost")
    assert client.get("/login/").status_code == 404  # unknown, and cached as unknown
    Domain.objects.create(domain="shop.acme-drinks.test.localhost", tenant=acme, is_primary=False)
    assert client.get("/login/").status_code == 200
    response = client.get("/login/")
    assert acme.name.encode() in response.content


def test_unknown_subdomain_gets_the_public_404_page(db):
    response = TenantClient("nobody.localhost").get("/dashboard/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "nobody.localhost" in body
    assert "Orderline" in body
    assert "signup/" in body  # the public site's navigation, not a tenant's


def test_unknown_host_outside_base_domain_is_refused(db):
    response = TenantClient("evil.example.com").get("/")
    assert response.status_code == 404  # not in ALLOWED_HOSTS: nothing is served


def test_base_domain_and_www_are_the_public_site(db):
    for host in ("localhost", "www.localhost"):
        response = TenantClient(host).get("/")
        assert response.status_code == 200
        assert b"signup" in response.content


def test_suspended_tenant_staff_read_only(acme, acme_client, login_as):
    """The entitlement table (billing.lifecycle): suspended staff read, never write."""
    with tenant_context(acme):
        staff = UserFactory()
    tenant_set_status(tenant=acme, status=TenantStatus.SUSPENDED)
    login_as(acme_client, acme, staff)
    assert acme_client.get("/dashboard/").status_code == 200
    assert acme_client.post("/dashboard/customers/new/", {}).status_code == 403
    assert acme_client.get("/dashboard/billing/").status_code == 403  # no billing permission
    assert TenantClient("acme.localhost").get("/login/").status_code == 200  # sign-in stays open


def test_suspended_tenant_administrator_still_reaches_billing(acme, acme_client, login_as):
    with tenant_context(acme):
        from django.contrib.auth import get_user_model

        owner = get_user_model().objects.get(email="owner@acme.example")
    tenant_set_status(tenant=acme, status=TenantStatus.SUSPENDED)
    login_as(acme_client, acme, owner)
    response = acme_client.get("/dashboard/billing/")
    assert response.status_code == 200
    assert b'data-testid="billing-suspended"' in response.content


def test_reactivated_tenant_serves_again(acme, acme_client):
    tenant_set_status(tenant=acme, status=TenantStatus.SUSPENDED)
    assert acme_client.get("/shop/").status_code == 403
    tenant_set_status(tenant=acme, status=TenantStatus.ACTIVE)
    assert acme_client.get("/shop/").status_code == 302  # to the login page again
