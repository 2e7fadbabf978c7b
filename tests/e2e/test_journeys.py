"""User journeys in a real browser."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from roles.services import user_create
from tenants.models import Tenant

pytestmark = pytest.mark.e2e


def _dealer(slug, language="en"):
    email = f"dealer-{uuid.uuid4().hex[:8]}@{slug}.example"
    with tenant_context(Tenant.objects.get(slug=slug)):
        user_create(email=email, password="Dealer-pass-2026", name="Riverside Trading",
                    kind="dealer", language=language)
    return email


def test_supplier_signs_up_and_arrives_signed_in_on_its_dashboard(page, live):
    slug = f"e2e-{uuid.uuid4().hex[:6]}"
    page.goto(live.url(path="/"))
    page.get_by_role("link", name="Start your free trial").click()
    page.get_by_label("Company name").fill("Harbour Foods")

    subdomain = page.locator("input[name=slug]")
    subdomain.fill("acme")
    expect(page.get_by_test_id("slug-bad")).to_contain_text("already taken")
    subdomain.fill(slug)
    expect(page.get_by_test_id("slug-ok")).to_contain_text("is available")

    page.get_by_label("Your name").fill("Harbour Owner")
    page.get_by_label("Work e-mail").fill(f"owner@{slug}.example")
    page.get_by_label("Password").fill("Harbour-pass-2026")
    page.get_by_label("Default language of your site").select_option("en")
    page.get_by_role("button", name="Create my site").click()

    page.wait_for_url(live.tenant(slug, "/dashboard/"))
    expect(page.get_by_test_id("dashboard-welcome")).to_contain_text("Harbour Owner")
    expect(page.get_by_test_id("checklist")).to_be_visible()
    expect(page.locator(".ol-sidebar")).to_contain_text("Harbour Foods")
    tenant = Tenant.objects.get(slug=slug)
    with tenant_context(tenant):
        assert get_user_model().objects.get().email == f"owner@{slug}.example"


def test_signup_shows_errors_on_the_page(page, live):
    page.goto(live.url(path="/signup/"))
    page.get_by_label("Company name").fill("Bad Co")
    page.locator("input[name=slug]").fill("www")
    page.get_by_label("Your name").fill("Someone")
    page.get_by_label("Work e-mail").fill("someone@bad.example")
    page.get_by_label("Password").fill("Good-pass-2026")
    page.get_by_role("button", name="Create my site").click()
    expect(page.locator("#slug-check")).to_contain_text("reserved")
    assert page.url == live.url(path="/signup/")


def test_demo_dealer_signs_in_on_acme_and_sees_the_shop(phone, live):
    email = _dealer("acme")
    phone.goto(live.tenant("acme", "/"))
    phone.wait_for_url(live.tenant("acme", "/login/"))
    expect(phone.get_by_test_id("tenant-name")).to_have_text("Acme Beverages")
    phone.get_by_label("E-mail or mobile phone").fill(email)
    phone.get_by_label("Password").fill("Dealer-pass-2026")
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url(live.tenant("acme", "/shop/"))
    expect(phone.get_by_test_id("shop-welcome")).to_contain_text("Riverside Trading")
    expect(phone.locator(".ol-tabbar")).to_be_visible()  # the phone tab bar


def test_switching_the_language_to_chinese(page, live):
    email = _dealer("acme")
    page.goto(live.tenant("acme", "/login/"))
    page.get_by_label("E-mail or mobile phone").fill(email)
    page.get_by_label("Password").fill("Dealer-pass-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live.tenant("acme", "/shop/"))
    page.get_by_test_id("language-switcher").get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("shop-welcome")).to_contain_text("您好")
    page.reload()
    expect(page.get_by_test_id("shop-welcome")).to_contain_text("您好")  # kept on the account


def test_wrong_password_message_in_the_browser(page, live):
    page.goto(live.tenant("globex", "/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")  # globex's default
    page.locator("input[name=username]").fill("nobody@globex.example")
    page.locator("input[name=password]").fill("wrong-password")
    page.get_by_test_id("login-form").locator("button[type=submit]").click()
    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.get_by_test_id("language-switcher")).to_contain_text("English")
