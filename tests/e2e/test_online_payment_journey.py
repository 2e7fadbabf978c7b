"""A dealer pays an order online on a phone (390 px): the pay page shows Stripe's Payment
Element for the supplier's connected account, paying makes the PaymentIntent there,
Stripe brings the dealer back to the result page, and Stripe's event confirms the
payment. The pages fit the screen in English and in Chinese.

Stripe.js is answered by a stand-in at js.stripe.com (the browser never reaches Stripe)
and the server's Stripe API calls by the in-memory client of the finance tests."""

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.conftest import TenantClient
from tests.e2e.conftest import sign_in
from tests.finance.stripe_connect import (WEBHOOK_URL, connect_event, connect_tenant,  # noqa: F401
                                          fake_connect, sign)

pytestmark = pytest.mark.e2e
PASSWORD = "Online-buyer-2026"

# Stands in for https://js.stripe.com/<release>/stripe.js: what the pay page calls.
STRIPE_JS = """
window.Stripe = function (key, options) {
  window.olStripe = {key: key, options: options};
  return {
    elements: function (settings) {
      window.olStripe.elements = settings;
      return {
        create: function () {
          return {
            on: function (event, callback) { if (event === "ready") setTimeout(callback, 0); },
            mount: function (box) {
              box.innerHTML = '<div data-testid="stand-in-element">●●●● 4242</div>';
            }
          };
        },
        submit: function () { return Promise.resolve({}); }
      };
    },
    confirmPayment: function (args) {
      window.location.assign(args.confirmParams.return_url + "?redirect_status=succeeded");
      return new Promise(function () {});
    }
  };
};
window.Stripe.version = "endive";
"""


@pytest.fixture
def buyer(fake_connect):
    """acme's Stripe account accepts payments; a dealer with an unpaid order of 48.00
    (committed data; the account and its events are removed afterwards)."""
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.services import products as catalog
    from ordering.catalog.services.stock import stock_move
    from ordering.customers.services import contacts as contact_services
    from ordering.customers.services import customers as customer_services
    from ordering.customers.services import logins as login_services
    from ordering.orders.services.checkout import order_place
    from billing.models import ConnectedAccount, ConnectEvent
    from tenants.models import Tenant

    tag = uuid.uuid4().hex[:6]
    acme = Tenant.objects.get(slug="acme")
    connected = connect_tenant(fake_connect, acme, account_id=f"acct_e2e_{tag}")
    with tenant_context(acme):
        customer = customer_services.customer_create(actor=None, name=f"Pier Shop {tag}")
        login = login_services.login_create(actor=None, customer=customer,
                                            email=f"pay-{tag}@pier.example", password=PASSWORD,
                                            language="en", site_url="http://acme.localhost")
        get_user_model().objects.filter(pk=login.user_id).update(must_change_password=False)
        address = contact_services.address_save(actor=None, customer=customer, recipient="Wu",
                                                phone="13700000000", address=f"{tag} Pier Road")
        piece = catalog.unit_get_or_create("piece")
        product = catalog.product_create(actor=None, name=f"Pier tea {tag}", code=f"PT-{tag}",
                                         unit=piece, on_shelf=True)
        variant = catalog.variant_save(actor=None, product=product, code=f"PT-{tag}-1",
                                       list_price="12.00")
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=20)
        order = order_place(actor=login.user, lines=[{"variant": variant.pk, "quantity": 4}],
                            address_id=address.pk, payment_method="online").order
    try:
        yield {"email": login.user.email, "user": login.user, "order": order,
               "account": connected.account_id, "acme": acme}
    finally:
        ConnectEvent.objects.filter(account_id=connected.account_id).delete()
        ConnectedAccount.objects.filter(pk=connected.pk).delete()
        get_user_model().objects.filter(pk=login.user_id).update(is_active=False)


def _fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide"


def test_a_dealer_pays_an_order_online_on_a_phone(phone, live, buyer, fake_connect):
    from ordering.finance.models import Payment

    phone.route("https://js.stripe.com/**", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=STRIPE_JS))
    order = buyer["order"]
    sign_in(phone, live, buyer["email"], PASSWORD)
    phone.wait_for_url("**/shop/")
    phone.goto(live.tenant("acme", f"/shop/orders/{order.pk}/"))
    phone.get_by_test_id("order-pay-online").click()
    phone.wait_for_url(f"**/shop/orders/{order.pk}/pay/")
    expect(phone.get_by_test_id("stand-in-element")).to_be_visible()
    expect(phone.get_by_test_id("pay-submit")).to_be_enabled()
    expect(phone.get_by_test_id("pay-amount")).to_contain_text("48.00")
    stripe = phone.evaluate("window.olStripe")
    assert stripe["key"] == "pk_test_platform"
    assert stripe["options"] == {"stripeAccount": buyer["account"], "locale": "en"}
    assert stripe["elements"]["amount"] == 4800 and stripe["elements"]["currency"] == "cny"
    _fits(phone)

    phone.get_by_test_id("pay-submit").click()
    phone.wait_for_url("**/shop/pay/*/done/**")
    expect(phone.get_by_test_id("pay-done")).to_have_attribute("data-status", "pending")
    _fits(phone)
    with tenant_context(buyer["acme"]):
        payment = Payment.objects.get(customer=order.customer)
    (_m, _p, headers, params), = fake_connect.calls("post", "/v1/payment_intents")
    assert headers["Stripe-Account"] == buyer["account"] and params["amount"] == "4800"

    # Stripe tells the platform the money arrived
    event = connect_event(f"evt_e2e_{uuid.uuid4().hex[:8]}", "payment_intent.succeeded",
                          fake_connect.succeed(payment.stripe_payment_intent),
                          account=buyer["account"])
    payload = json.dumps(event)
    response = TenantClient("localhost").post(WEBHOOK_URL, payload,
                                              content_type="application/json",
                                              HTTP_STRIPE_SIGNATURE=sign(payload))
    assert response.json() == {"received": "applied"}
    phone.reload()
    expect(phone.get_by_test_id("pay-done")).to_have_attribute("data-status", "confirmed")
    phone.goto(live.tenant("acme", f"/shop/orders/{order.pk}/"))
    expect(phone.get_by_test_id("order-payment-method")).to_contain_text("Paid")
    expect(phone.get_by_test_id("order-pay-online")).to_have_count(0)

    # the other pages, in both languages, fit the phone
    for language in ("en", "zh-hans"):
        phone.get_by_test_id("language-switcher").first.locator(
            f"button[value='{language}']").click()
        expect(phone.locator("html")).to_have_attribute("lang", language)
        for path in ("/shop/pay/", "/shop/pay/?purpose=topup&amount=100",
                     f"/shop/pay/{payment.pk}/done/", f"/shop/orders/{order.pk}/"):
            phone.goto(live.tenant("acme", path))
            expect(phone.locator("html")).to_have_attribute("lang", language)
            _fits(phone)


@pytest.fixture
def not_connected(fake_connect):
    """acme has not connected a Stripe account yet; whatever the test connects is removed."""
    from billing.models import ConnectedAccount
    from tenants.models import Tenant

    acme = Tenant.objects.get(slug="acme")
    assert not ConnectedAccount.objects.filter(tenant=acme).exists()
    yield acme
    ConnectedAccount.objects.filter(tenant=acme).delete()


def test_the_owner_connects_the_stripe_account_on_a_phone(phone, live, not_connected,
                                                          fake_connect):
    from billing.models import ConnectedAccount
    from tests.conftest import OWNER_PASSWORD

    phone.route("https://connect.stripe.com/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<h1>Stripe onboarding</h1>"))
    sign_in(phone, live, "owner@acme.example", OWNER_PASSWORD)
    phone.wait_for_url("**/dashboard/")
    phone.goto(live.tenant("acme", "/dashboard/settings/online-payments/"))
    expect(phone.get_by_test_id("connect-status")).to_have_attribute("data-status",
                                                                     "not_connected")
    _fits(phone)
    phone.get_by_test_id("connect-start").click()
    phone.wait_for_url("https://connect.stripe.com/setup/s/**")
    account_id = ConnectedAccount.objects.get(tenant=not_connected).account_id
    assert phone.url == f"https://connect.stripe.com/setup/s/{account_id}/x"
    fake_connect.account(account_id)  # the owner finished; Stripe lets it take payments
    phone.goto(live.tenant("acme", "/dashboard/settings/online-payments/return/"))
    phone.wait_for_url("**/dashboard/settings/online-payments/")
    expect(phone.get_by_test_id("connect-status")).to_have_attribute("data-status", "active")
    expect(phone.get_by_test_id("connect-offered")).to_be_visible()
    for language in ("zh-hans", "en"):
        phone.get_by_test_id("language-switcher").first.locator(
            f"button[value='{language}']").click()
        expect(phone.locator("html")).to_have_attribute("lang", language)
        _fits(phone)
