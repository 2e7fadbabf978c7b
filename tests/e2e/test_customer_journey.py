"""A supplier adds a customer and an ordering login in the dashboard; the dealer signs in
with the initial password, must change it, and lands in the shop; disabling the
customer signs the dealer out."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_supplier_adds_a_customer_and_its_dealer_orders_online(page, browser, live):
    from tests.conftest import OWNER_PASSWORD

    suffix = uuid.uuid4().hex[:6]
    company = f"Harbour Foods {suffix}"
    email = f"buyer-{suffix}@harbour.example"
    sign_in(page, live, "owner@acme.example", OWNER_PASSWORD)
    page.wait_for_url(live.tenant("acme", "/dashboard/"))
    page.get_by_test_id("nav-customers").click()
    page.get_by_test_id("new-customer").click()
    page.get_by_label("Company name").fill(company)
    page.get_by_label("Tags").fill("vip, harbour")
    page.get_by_label("Contact name").fill("Lin Hai")
    page.get_by_label("Contact phone").fill("13600000000")
    page.get_by_label("Credit limit").fill("-5")
    page.get_by_test_id("customer-save").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()  # refused, nothing saved
    page.get_by_label("Credit limit").fill("30000")
    page.get_by_test_id("customer-save").click()
    expect(page.get_by_test_id("customer-name")).to_have_text(company)
    expect(page.get_by_test_id("customer-contacts")).to_contain_text("Lin Hai")

    page.get_by_test_id("add-login").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Buyer role").select_option("order_up_to")
    expect(page.get_by_label("Order limit")).to_be_visible()
    page.get_by_label("Order limit").fill("5000")
    page.get_by_label("Initial password").fill("Harbour-start-2026")
    page.get_by_test_id("subform-save").click()
    logins = page.get_by_test_id("customer-logins")
    expect(logins).to_contain_text(email)
    expect(logins).to_contain_text("primary")
    expect(logins).to_contain_text("Can order")  # the first login is primary and orders freely

    page.get_by_test_id("nav-customers").click()
    page.get_by_placeholder("Name, code, contact or phone").fill(suffix)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("customer-row")).to_have_count(1)

    dealer = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844},
                                 is_mobile=True).new_page()
    sign_in(dealer, live, email, "Harbour-start-2026")
    dealer.wait_for_url(live.tenant("acme", "/password/change/"))
    dealer.get_by_label("Old password").fill("Harbour-start-2026")
    dealer.get_by_label("New password", exact=True).fill("Harbour-mine-2026")
    dealer.get_by_label("New password confirmation").fill("Harbour-mine-2026")
    dealer.get_by_role("button", name="Change my password").click()
    dealer.goto(live.tenant("acme", "/shop/"))
    expect(dealer.get_by_test_id("shop-welcome")).to_be_visible()

    page.get_by_test_id("customer-row").get_by_role("link", name=company).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("disable-customer").click()
    expect(page.get_by_test_id("customer-status")).to_have_text("Disabled")
    dealer.goto(live.tenant("acme", "/shop/"))
    dealer.wait_for_url("**/login/**")
    dealer.context.close()
