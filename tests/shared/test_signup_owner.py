"""Signup shows every error at once (issue 10, item 12), and says so when the e-mail
already owns a site, offering to e-mail it the sites it owns (item 18)."""

import re

import pytest
from django.core import mail

from core.exceptions import ApplicationError
from tenants.exceptions import SubdomainError
from tenants.models import Tenant
from tenants.services import owner_sites_send, signup_validate, tenant_provision

GOOD = {"name": "Sunrise Foods", "slug": "sunrise", "owner_name": "Li Na",
        "owner_email": "li.na@sunrise.example", "owner_password": "Sunrise-pass-2026",
        "language": "zh-hans"}


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()


def _existing(slug="harbour", email="boss@harbour.example", name="Harbour Foods"):
    return tenant_provision(name=name, slug=slug, owner_email=email,
                            owner_password="Harbour-pass-2026").tenant


# --- every error at once -------------------------------------------------------------

def test_the_service_reports_every_problem_at_once(db):
    with pytest.raises(SubdomainError) as info:  # the subdomain's own error, kept
        signup_validate(name=" ", slug="www", owner_email="nope", owner_password="123")
    assert info.value.code == "reserved"
    assert set(info.value.fields) == {"name", "slug", "owner_email", "owner_password"}
    with pytest.raises(ApplicationError) as info:
        signup_validate(name="Ok", slug="fine-slug", owner_email="nope", owner_password="123")
    assert set(info.value.fields) == {"owner_email", "owner_password"}


def test_the_signup_page_shows_all_its_errors_at_once(public_client):
    response = public_client.post("/signup/", {**GOOD, "name": "", "slug": "www",
                                               "owner_email": "not-an-email",
                                               "owner_password": "123"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "slug", "owner_email", "owner_password"}
    body = response.content.decode()
    assert "reserved" in body and "This password is too short" in body
    assert not Tenant.objects.filter(slug="www").exists()


def test_a_valid_form_with_a_taken_subdomain_and_weak_password_shows_both(public_client):
    response = public_client.post("/signup/", {**GOOD, "slug": "acme",
                                               "owner_password": "password"})
    assert set(response.context["form"].errors) == {"slug", "owner_password"}


# --- an e-mail that already owns a site ----------------------------------------------

def test_signup_says_when_the_email_already_owns_a_site(public_client):
    _existing(email=GOOD["owner_email"])
    response = public_client.post("/signup/", GOOD)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="existing-owner"' in body and "already owns an Orderline site" in body
    assert 'action="/signup/sites/"' in body
    assert not Tenant.objects.filter(slug="sunrise").exists()
    # allowed once confirmed: another company, another site, the same owner e-mail
    response = public_client.post("/signup/", {**GOOD, "create_another": "on"})
    assert response.status_code == 302
    assert Tenant.objects.get(slug="sunrise").owner_email == GOOD["owner_email"]


def test_a_new_email_signs_up_without_the_notice(public_client):
    _existing()
    response = public_client.post("/signup/", GOOD)
    assert response.status_code == 302


def test_e_mail_me_my_sites_sends_the_list_to_that_address_only(
        public_client, django_capture_on_commit_callbacks):
    _existing(email="owner@two.example")
    _existing(slug="second-site", email="owner@two.example", name="Second Site")
    _existing(slug="not-mine", email="someone@else.example", name="Not Mine")
    with django_capture_on_commit_callbacks(execute=True):
        response = public_client.post("/signup/sites/", {"email": "Owner@two.example"})
    assert response.status_code == 200
    assert 'data-testid="owner-sites-sent"' in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@two.example"]
    assert "https://harbour.localhost/" in message.body
    assert "https://second-site.localhost/" in message.body
    assert "not-mine" not in message.body


def test_the_answer_is_the_same_for_an_address_that_owns_nothing(
        public_client, django_capture_on_commit_callbacks):
    _existing(email="owner@two.example")
    with django_capture_on_commit_callbacks(execute=True):
        owner = public_client.post("/signup/sites/", {"email": "owner@two.example"})
        nobody = public_client.post("/signup/sites/", {"email": "nobody@two.example"})
    assert owner.status_code == nobody.status_code == 200
    def page(response):  # the answer, without the address typed and the CSRF tokens
        body = response.content.decode().replace("owner@two.example", "X")
        return re.sub(r"[A-Za-z0-9]{64}", "T", body.replace("nobody@two.example", "X"))

    assert page(owner) == page(nobody)
    assert [m.to for m in mail.outbox] == [["owner@two.example"]]


def test_reminders_are_rate_limited_per_address_and_per_client(db, settings,
                                                               django_capture_on_commit_callbacks):
    settings.SITES_REMINDERS_PER_HOUR = 2
    _existing(email="owner@two.example")
    with django_capture_on_commit_callbacks(execute=True):
        sent = [owner_sites_send(email="owner@two.example", ip=f"203.0.113.{n}")
                for n in range(4)]
    assert sent == [True, True, False, False]  # silently: the page answers the same
    assert len(mail.outbox) == 2
    for n in range(6):
        owner_sites_send(email=f"x{n}@nobody.example", ip="203.0.113.99")
    with pytest.raises(ApplicationError) as info:
        owner_sites_send(email="x9@nobody.example", ip="203.0.113.99")
    assert info.value.code == "throttled"


def test_the_find_my_sites_page_refuses_a_bad_address(public_client):
    response = public_client.post("/signup/sites/", {"email": "nope"})
    assert response.status_code == 400
    assert public_client.get("/signup/").content.decode().count('href="/signup/sites/"') == 1
