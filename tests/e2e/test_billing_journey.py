"""Billing in the browser: a visitor reads the pricing page in both languages and starts
from a plan; the new site's administrator lands on its billing page with the plan
picked, sees the usage bars, starts Stripe Checkout (the redirect to Stripe is asserted,
not followed), and a signed webhook from Stripe activates the plan."""

import json
import time
import urllib.request
import uuid

import pytest
import stripe
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
PASSWORD = "Billing-journey-2026"
SECRET = "whsec_e2e"


@pytest.fixture
def stripe_on(settings, monkeypatch, committed):
    """Platform keys and a recorded Stripe (no network), and Stripe prices for the plans
    (restored afterwards)."""
    from billing import stripe_adapter
    from billing.models import PlanPrice
    from tests.billing.stripe_fake import FakeStripe

    settings.STRIPE_SECRET_KEY = "sk_test_e2e"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    fake = FakeStripe()
    monkeypatch.setattr(stripe_adapter, "HTTP_CLIENT", fake)
    prices = PlanPrice.objects.filter(plan__code="pro", currency="CNY", interval="month")
    before = list(prices.values_list("pk", "stripe_price_id"))
    prices.update(stripe_price_id="price_pro_m")
    yield fake
    for pk, price_id in before:
        PlanPrice.objects.filter(pk=pk).update(stripe_price_id=price_id)


def _webhook(live, event):
    payload = json.dumps(event)
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload}", SECRET)
    request = urllib.request.Request(live.url("localhost", "/billing/stripe/webhook/"),
                                     data=payload.encode(), method="POST", headers={
                                         "Content-Type": "application/json",
                                         "Stripe-Signature": f"t={timestamp},v1={signature}"})
    with urllib.request.urlopen(request, timeout=15) as response:
        return response.status


def test_pricing_in_both_languages_then_signup_checkout_and_activation(browser, live,
                                                                       stripe_on):
    from tenants.models import Tenant
    from tests.billing.stripe_fake import subscription as stripe_subscription

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        page.goto(live.url("localhost", "/pricing/"))
        for name in ("Basic", "Pro", "Enterprise"):
            expect(page.get_by_text(name, exact=True).first).to_be_visible()
        page.get_by_test_id("language-switcher").first.locator("button[value='zh-hans']").click()
        for name in ("基础版", "专业版", "企业版"):
            expect(page.get_by_text(name).first).to_be_visible()
        page.get_by_test_id("language-switcher").first.locator("button[value='en']").click()

        tag = uuid.uuid4().hex[:6]
        page.goto(live.url("localhost", "/signup/?plan=pro"))
        expect(page.get_by_test_id("signup-plan")).to_contain_text("Pro")
        page.get_by_label("Company name").fill(f"Harbour Foods {tag}")
        page.get_by_label("Subdomain").fill(f"bill{tag}")
        page.get_by_label("Your name").fill("Mei Lin")
        page.get_by_label("Work e-mail").fill(f"mei-{tag}@harbour.example")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Default language of your site").select_option("en")
        page.get_by_role("button", name="Create my site").click()
        page.wait_for_url(f"**bill{tag}.localhost**/dashboard/billing/?plan=pro")
        expect(page.get_by_test_id("chosen-plan")).to_be_visible()
        for key in ("staff", "customers", "skus", "orders", "storage"):
            expect(page.get_by_test_id(f"usage-{key}")).to_be_visible()

        # Checkout: the site answers with a redirect to Stripe; the test reads it and
        # stops there (the browser never leaves for the network)
        sent_to = []

        def to_stripe(route):
            # the browser resolves *.localhost itself; the test's fetch goes to 127.0.0.1
            # with the site's host name
            host = route.request.url.split("/")[2]
            response = route.fetch(
                url=route.request.url.replace(host, f"127.0.0.1:{live.port}"),
                headers={**route.request.headers, "host": host}, max_redirects=0)
            sent_to.append((response.status, response.headers.get("location", "")))
            route.fulfill(status=200, content_type="text/plain", body="on to Stripe")

        page.route("**/dashboard/billing/checkout/", to_stripe)
        page.get_by_test_id("plan-row-pro").get_by_test_id("checkout-pro").click()
        expect(page.get_by_text("on to Stripe")).to_be_visible()
        assert sent_to == [(302, "https://checkout.stripe.com/c/pay/cs_1")]

        # Stripe tells the platform the checkout completed: the plan is active
        tenant = Tenant.objects.get(slug=f"bill{tag}")
        stripe_on.subscriptions["sub_e2e"] = stripe_subscription(sub_id="sub_e2e",
                                                                 customer="cus_e2e")
        status = _webhook(live, {
            "id": f"evt_{tag}", "object": "event", "type": "checkout.session.completed",
            "created": int(time.time()), "data": {"object": {
                "id": "cs_1", "object": "checkout.session", "customer": "cus_e2e",
                "subscription": "sub_e2e", "client_reference_id": str(tenant.pk)}}})
        assert status == 200
        page.goto(live.tenant(f"bill{tag}", "/dashboard/billing/"))
        expect(page.get_by_test_id("tenant-status")).to_have_text("Active")
        expect(page.get_by_test_id("subscription-plan")).to_contain_text("Pro")
    finally:
        context.close()
