"""Supplier signup on the public site."""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context

from roles.permissions import is_administrator
from tenants.models import Tenant
from tests.conftest import TenantClient

GOOD = {
    "name": "Sunrise Foods",
    "slug": "sunrise",
    "owner_name": "Li Na",
    "owner_email": "li.na@sunrise.example",
    "owner_password": "Sunrise-pass-2026",
    "language": "zh-hans",
}


def test_landing_page_explains_the_product_in_both_languages(public_client):
    english = public_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Start your free trial" in english
    public_client.cookies["django_language"] = "zh-hans"
    chinese = public_client.get("/").content.decode()
    assert 'lang="zh-hans"' in chinese


def test_signup_provisions_a_trial_and_signs_the_owner_in_on_the_new_subdomain(public_client):
    response = public_client.post("/signup/", GOOD)
    assert response.status_code == 302
    assert response.url.startswith("http://sunrise.localhost/login/link/")
    tenant = Tenant.objects.get(slug="sunrise")
    assert tenant.status == "trial"
    assert tenant.default_language == "zh-hans"
    with tenant_context(tenant):
        owner = get_user_model().objects.get()
        assert owner.name == "Li Na"
        assert is_administrator(owner)

    new_site = TenantClient("sunrise.localhost")
    landed = new_site.get(response.url.removeprefix("http://sunrise.localhost"))
    assert landed.status_code == 302 and landed.url == "/dashboard/"
    dashboard = new_site.get("/dashboard/")
    assert dashboard.status_code == 200
    assert "Sunrise Foods" in dashboard.content.decode()


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("ab", "at least 3 characters"),
        ("a" * 31, "at most 30 characters"),
        ("-sunrise", "cannot start or end with a hyphen"),
        ("Sun Rise", "Use only lowercase letters"),
        ("sun--rise", "two hyphens in a row"),
        ("admin", "is reserved"),
        ("acme", "already taken"),
    ],
)
def test_signup_shows_a_clear_message_for_each_bad_subdomain(public_client, slug, message):
    response = public_client.post("/signup/", {**GOOD, "slug": slug})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Tenant.objects.filter(name="Sunrise Foods").exists()


def test_signup_reports_weak_password_and_bad_email_without_creating_anything(public_client):
    response = public_client.post("/signup/", {**GOOD, "owner_password": "123",
                                               "owner_email": "nope"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "valid email" in body.lower() or "valid e-mail" in body.lower()
    assert not Tenant.objects.filter(slug="sunrise").exists()
    response = public_client.post("/signup/", {**GOOD, "owner_password": "123"})
    assert "too short" in response.content.decode()
    assert not Tenant.objects.filter(slug="sunrise").exists()


@pytest.mark.parametrize(
    ("slug", "testid", "text"),
    [("fresh-name", "slug-ok", "fresh-name.localhost is available"),
     ("acme", "slug-bad", "already taken"),
     ("www", "slug-bad", "reserved"),
     ("x", "slug-bad", "at least 3")],
)
def test_live_subdomain_check(public_client, slug, testid, text):
    response = public_client.get("/signup/check/", {"slug": slug}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="{testid}"' in body
    assert text in body


def test_signup_is_not_served_on_tenant_hosts(acme_client):
    assert acme_client.get("/signup/").status_code == 404
    assert acme_client.get("/ops/").status_code == 404


def test_signups_are_throttled_per_client_address(public_client, settings):
    settings.SIGNUPS_PER_IP_PER_HOUR = 2
    for n in range(2):
        response = public_client.post("/signup/", {**GOOD, "slug": f"throttle-{n}",
                                                   "owner_email": f"t{n}@sunrise.example"},
                                      REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 302
    response = public_client.post("/signup/", {**GOOD, "slug": "throttle-2",
                                               "owner_email": "t2@sunrise.example"},
                                  REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert "Too many sites were created" in response.content.decode()
    assert not Tenant.objects.filter(slug="throttle-2").exists()
    response = public_client.post("/signup/", {**GOOD, "slug": "throttle-3"},
                                  REMOTE_ADDR="198.51.100.8")
    assert response.status_code == 302
