"""Dashboard, shop and ops pages: who may open what, and what the forms do."""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context

from tenants.models import Tenant
from tests.factories import DealerFactory, OperatorFactory, UserFactory
from tests.factories.users import operator_login


def _owner(tenant):
    with tenant_context(tenant):
        return get_user_model().objects.get(email=f"owner@{tenant.slug}.example")


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("owner", "/dashboard/", 200),
        ("owner", "/dashboard/settings/company/", 200),
        ("owner", "/dashboard/billing/", 200),
        ("owner", "/dashboard/profile/", 200),
        ("owner", "/shop/", 403),
        ("staff", "/dashboard/", 200),
        ("staff", "/dashboard/profile/", 200),
        ("staff", "/dashboard/settings/company/", 403),
        ("staff", "/dashboard/billing/", 403),
        ("staff", "/shop/", 403),
        ("dealer", "/shop/", 200),
        ("dealer", "/dashboard/", 403),
        ("dealer", "/dashboard/settings/company/", 403),
        ("anonymous", "/dashboard/", 302),
        ("anonymous", "/shop/", 302),
    ],
)
def test_who_may_open_which_page(acme, acme_client, login_as, who, path, status):
    users = {
        "owner": lambda: _owner(acme),
        "staff": lambda: UserFactory(),
        "dealer": lambda: DealerFactory(),
    }
    if who != "anonymous":
        with tenant_context(acme):
            login_as(acme_client, acme, users[who]())
    response = acme_client.get(path)
    assert response.status_code == status
    if status == 403:
        assert b'data-testid="forbidden"' in response.content
    if status == 302:
        assert response.url.startswith("/login/?next=")


def test_dashboard_navigation_shows_settings_only_to_administrators(acme, acme_client, login_as):
    login_as(acme_client, acme, _owner(acme))
    assert b"/dashboard/settings/company/" in acme_client.get("/dashboard/").content
    with tenant_context(acme):
        staff = UserFactory()
    login_as(acme_client, acme, staff)
    body = acme_client.get("/dashboard/").content
    assert b"/dashboard/settings/company/" not in body
    assert b"/dashboard/billing/" not in body


def test_company_profile_saves_and_ticks_the_checklist(acme, acme_client, login_as):
    login_as(acme_client, acme, _owner(acme))
    assert "0 of 6 done" in acme_client.get("/dashboard/").content.decode()
    response = acme_client.post("/dashboard/settings/company/", {
        "name": "Acme Drinks Ltd", "default_language": "zh-hans", "currency": "USD"})
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="acme")
    assert (tenant.name, tenant.default_language, tenant.currency, tenant.profile_completed) == (
        "Acme Drinks Ltd", "zh-hans", "USD", True)
    # the cached tenant was dropped: the next page shows the new name at once
    body = acme_client.get("/dashboard/").content.decode()
    assert "Acme Drinks Ltd" in body and "1 of 6 done" in body


def test_company_profile_rejects_bad_input_and_saves_nothing(acme, acme_client, login_as):
    login_as(acme_client, acme, _owner(acme))
    response = acme_client.post("/dashboard/settings/company/", {
        "name": "   ", "default_language": "xx", "currency": "BTC"})
    assert response.status_code == 200
    assert Tenant.objects.get(slug="acme").name == "Acme Beverages"


def test_staff_cannot_post_the_company_profile(acme, acme_client, login_as):
    with tenant_context(acme):
        login_as(acme_client, acme, UserFactory())
    response = acme_client.post("/dashboard/settings/company/", {
        "name": "Hijacked", "default_language": "en", "currency": "CNY"})
    assert response.status_code == 403
    assert Tenant.objects.get(slug="acme").name == "Acme Beverages"


def test_own_profile_update_and_duplicate_phone(acme, acme_client, login_as):
    with tenant_context(acme):
        UserFactory(phone="13900000000")
        me = UserFactory()
    login_as(acme_client, acme, me)
    response = acme_client.post("/dashboard/profile/", {
        "name": "New Name", "phone": "13900000000", "preferred_language": "en"})
    assert response.status_code == 200
    assert "This phone number is used by another account." in response.content.decode()
    response = acme_client.post("/dashboard/profile/", {
        "name": "New Name", "phone": "13911111111", "preferred_language": "zh-hans"})
    assert response.status_code == 302
    with tenant_context(acme):
        me.refresh_from_db()
        assert (me.name, me.phone, me.preferred_language) == ("New Name", "13911111111", "zh-hans")


def test_logout_needs_a_post(acme, acme_client, login_as):
    with tenant_context(acme):
        login_as(acme_client, acme, UserFactory())
    assert acme_client.get("/logout/").status_code == 200  # a confirmation page
    assert acme_client.get("/dashboard/").status_code == 200
    response = acme_client.post("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
    assert acme_client.get("/dashboard/").status_code == 302


def test_ops_console_lists_and_searches_tenants(public_client):
    operator = OperatorFactory()
    operator_login(public_client, operator)
    body = public_client.get("/ops/").content.decode()
    assert "acme.localhost" in body and "globex.localhost" in body
    body = public_client.get("/ops/", {"q": "globex"}).content.decode()
    assert "globex.localhost" in body and "acme.localhost" not in body


def test_tenant_pages_404_for_unknown_paths_in_tenant_look(acme_client):
    response = acme_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Acme Beverages" in response.content.decode()
