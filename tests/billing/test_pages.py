"""The billing page and the public pricing page."""

import pytest
from django.contrib.auth import get_user_model

from billing.selectors import subscription_for
from tests.billing.conftest import event, signed
from tests.billing.stripe_fake import subscription as stripe_sub
from tests.conftest import TenantClient
from tests.factories.users import operator_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(in_acme, acme_client, login_as):
    owner = get_user_model().objects.get(email="owner@acme.example")
    return login_as(acme_client, in_acme, owner)


def test_manual_mode_billing_page_shows_usage_bars_and_how_to_pay(owner_client, settings):
    settings.STRIPE_SECRET_KEY = ""
    body = owner_client.get("/dashboard/billing/").content.decode()
    for key in ("staff", "customers", "skus", "orders", "storage"):
        assert f'data-testid="usage-{key}"' in body
    assert 'data-testid="billing-manual"' in body
    assert 'data-testid="checkout-pro"' not in body


def test_checkout_redirects_to_stripe_and_a_signed_webhook_activates(acme, owner_client,
                                                                     fake_stripe):
    body = owner_client.get("/dashboard/billing/").content.decode()
    assert 'data-testid="checkout-pro"' in body
    response = owner_client.post("/dashboard/billing/checkout/",
                                 {"plan": "pro", "interval": "month"})
    assert response.status_code == 302
    assert response.url == "https://checkout.stripe.com/c/pay/cs_1"  # asserted, not followed
    fake_stripe.subscriptions["sub_9"] = stripe_sub(sub_id="sub_9", customer="cus_9")
    payload, signature = signed(event("evt_co", "checkout.session.completed", {
        "id": "cs_1", "object": "checkout.session", "customer": "cus_9",
        "subscription": "sub_9", "client_reference_id": str(acme.pk)}))
    hook = TenantClient("localhost").post("/billing/stripe/webhook/", payload,
                                          content_type="application/json",
                                          HTTP_STRIPE_SIGNATURE=signature)
    assert hook.status_code == 200
    subscription = subscription_for(acme)
    assert (subscription.plan.code, subscription.status) == ("pro", "active")
    page = owner_client.get("/dashboard/billing/").content.decode()
    assert 'data-testid="billing-portal"' in page and "ORD-0001" in page
    portal = owner_client.post("/dashboard/billing/portal/")
    assert portal.url.startswith("https://billing.stripe.com/")


def test_staff_without_the_billing_permission_cannot_start_checkout(acme, acme_client,
                                                                    login_as, fake_stripe):
    from tests.factories.users import UserFactory
    from django_tenants.utils import tenant_context

    with tenant_context(acme):
        staff = UserFactory()
    login_as(acme_client, acme, staff)
    response = acme_client.post("/dashboard/billing/checkout/", {"plan": "pro",
                                                                 "interval": "month"})
    assert response.status_code == 403
    assert not [r for r in fake_stripe.requests if "checkout" in r[1]]


@pytest.mark.parametrize("language, names", [("en", ("Basic", "Pro", "Enterprise")),
                                             ("zh-hans", ("基础版", "专业版", "企业版"))])
def test_pricing_page_lists_the_plans_in_both_languages(db, language, names):
    client = TenantClient("localhost")
    client.cookies["django_language"] = language
    body = client.get("/pricing/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for name in names:
        assert name in body
    assert "899.00" in body and 'data-testid="plan-trial"' not in body


def test_operators_see_the_tenants_invoices_with_date_and_status(acme, acme_sub, fake_stripe):
    from tests.factories import OperatorFactory

    client = TenantClient("localhost")
    operator_login(client, OperatorFactory())
    page = client.get(f"/ops/tenants/{acme.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="invoice-row"' in page and "ORD-0001" in page
    assert "2025-12-06" in page and "Paid" in page and "/invoice/in_1/pdf" in page


def test_invoices_say_so_when_stripe_cannot_be_reached(acme, acme_sub, fake_stripe):
    from billing.selectors import invoices_for

    fake_stripe.fail_next = 5
    invoices, warning = invoices_for(acme_sub)
    assert invoices == [] and warning
