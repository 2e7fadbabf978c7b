"""An operator enrols an authenticator at the first sign-in, finds a tenant on the
console, suspends it with a reason (its dealer then sees that ordering is paused),
reactivates it (both actions are in the platform audit log), then opens its owner's
dashboard read-only in a support session: the banner says so, a change is refused, and
ending it leads back to the console."""

import base64
import uuid

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import OperatorFactory
from tests.factories.users import totp_code

pytestmark = pytest.mark.e2e
PASSWORD = "Operator-journey-2026"


@pytest.fixture
def supplier(committed):
    """A tenant of its own (suspending acme would stop the other browser tests) with a
    dealer login."""
    from ordering.customers.services import customers, logins
    from tenants.services import tenant_provision

    tag = uuid.uuid4().hex[:6]
    tenant = tenant_provision(name=f"Quay Supplies {tag}", slug=f"quay{tag}",
                              owner_email=f"owner-{tag}@quay.example",
                              owner_password=PASSWORD, language="en").tenant
    with tenant_context(tenant):
        customer = customers.customer_create(actor=None, name=f"Pier Shop {tag}")
        login = logins.login_create(actor=None, customer=customer,
                                    email=f"pier-{tag}@pier.example", password=PASSWORD,
                                    language="en", site_url="http://quay.localhost")
        get_user_model().objects.filter(pk=login.user_id).update(must_change_password=False)
    return {"tag": tag, "tenant": tenant, "dealer": login.user.email}


def _act(page, form, reason):
    form.get_by_label("Reason (kept in the platform audit log)").fill(reason)
    form.get_by_role("button").click()
    expect(page.locator(".alert-success")).to_be_visible()


def test_operator_suspends_and_reactivates_a_tenant(browser, live, supplier):
    email = f"ops-{supplier['tag']}@orderline.example"
    OperatorFactory(email=email, password=PASSWORD, two_factor=False)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    desk = context.new_page()
    dealer_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    dealer_context.set_default_timeout(15000)
    shop = dealer_context.new_page()
    try:
        # the dealer is signed in on its supplier's shop
        sign_in(shop, live, supplier["dealer"], PASSWORD, slug=f"quay{supplier['tag']}")
        shop.wait_for_url("**/shop/")
        desk.goto(live.url(path="/ops/login/"))
        desk.get_by_label("E-mail or mobile phone").fill(email)
        desk.get_by_label("Password").fill(PASSWORD)
        desk.get_by_test_id("login-form").get_by_role("button", name="Sign in").click()
        # first sign-in: the authenticator is enrolled (the key typed in, as without a
        # camera), then the backup codes are shown once
        expect(desk.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
        desk.get_by_text("Cannot scan? Type this key into the app").click()
        secret = desk.get_by_test_id("totp-secret").inner_text().strip()
        key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
        desk.get_by_label("Code", exact=True).fill(totp_code(key))
        desk.get_by_test_id("totp-confirm").click()
        expect(desk.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
        desk.get_by_test_id("backup-codes-done").click()
        filters = desk.get_by_test_id("tenant-filters")
        filters.get_by_role("searchbox").fill(f"quay{supplier['tag']}")
        filters.get_by_role("button", name="Search").click()
        desk.get_by_test_id("tenant-link").filter(has_text=supplier["tenant"].name).click()
        expect(desk.get_by_test_id("ops-tenant-name")).to_have_text(supplier["tenant"].name)

        _act(desk, desk.get_by_test_id("ops-suspend-form"), "Chargeback under review")
        expect(desk.get_by_test_id("ops-tenant-status")).to_have_text("Suspended")
        expect(desk.get_by_test_id("ops-tenant-audit")).to_contain_text("tenant.suspend")

        shop.reload()
        expect(shop.get_by_text("Ordering is paused")).to_be_visible()

        _act(desk, desk.get_by_test_id("ops-reactivate-form"), "Resolved with the bank")
        expect(desk.get_by_test_id("ops-tenant-status")).not_to_have_text("Suspended")
        shop.goto(live.tenant(f"quay{supplier['tag']}", "/shop/"))
        expect(shop.get_by_text("Ordering is paused")).to_have_count(0)

        desk.get_by_test_id("nav-audit").click()
        rows = desk.get_by_test_id("audit-row").filter(has_text=supplier["tenant"].name)
        expect(rows).to_have_count(2)

        # support: the owner's dashboard, read-only, with the banner on every page
        desk.go_back()
        form = desk.get_by_test_id("ops-impersonate-form")
        form.get_by_label("As staff member").select_option(
            label=f"owner-{supplier['tag']}@quay.example <owner-{supplier['tag']}@quay.example>")
        _act_reason = "Ticket 4711: the owner cannot find the price list"
        form.get_by_label("Reason (kept in the platform audit log)").fill(_act_reason)
        form.get_by_test_id("ops-impersonate-open").click()
        desk.wait_for_url(f"**quay{supplier['tag']}.localhost*/dashboard/")
        banner = desk.get_by_test_id("impersonation-banner")
        expect(banner).to_contain_text(email)
        expect(banner).to_contain_text(f"owner-{supplier['tag']}@quay.example")
        expect(desk.get_by_test_id("impersonation-mode")).to_have_text("Read-only")
        desk.goto(live.tenant(f"quay{supplier['tag']}", "/dashboard/customers/new/"))
        expect(banner).to_be_visible()
        desk.get_by_label("Company name").fill("Added by support")
        desk.get_by_test_id("customer-save").click()
        expect(desk.get_by_test_id("impersonation-refused")).to_contain_text("read-only")
        desk.go_back()
        desk.get_by_test_id("impersonation-end").click()
        desk.wait_for_url("**/ops/tenants/*/")
        expect(desk.get_by_test_id("ops-impersonations")).to_contain_text(
            f"{email} → owner-{supplier['tag']}@quay.example")
    finally:
        context.close()
        dealer_context.close()
