import time

import pytest

from billing.models import Drift, Subscription, WebhookEvent
from billing.reconcile import reconcile_all
from tests.billing.conftest import event, signed
from tests.billing.stripe_fake import subscription as stripe_sub
from tests.conftest import TenantClient

pytestmark = pytest.mark.django_db
URL = "/billing/stripe/webhook/"


def post(payload, signature):
    return TenantClient("localhost").post(URL, payload, content_type="application/json",
                                          HTTP_STRIPE_SIGNATURE=signature)


def deliver(evt, **kwargs):
    return post(*signed(evt, **kwargs))


def test_bad_signature_or_stale_timestamp_is_400_and_no_effect(fake_stripe, acme_sub):
    fake_stripe.subscriptions["sub_1"] = stripe_sub()
    evt = event("evt_1", "customer.subscription.updated", stripe_sub())
    assert deliver(evt, secret="whsec_wrong").status_code == 400
    assert deliver(evt, timestamp=time.time() - 301).status_code == 400
    assert not WebhookEvent.objects.filter(event_id="evt_1").exists()
    acme_sub.refresh_from_db()
    assert acme_sub.status == "trial"


def test_same_event_twice_one_effect(fake_stripe, acme_sub):
    fake_stripe.subscriptions["sub_1"] = stripe_sub()
    evt = event("evt_2", "customer.subscription.updated", stripe_sub())
    assert deliver(evt).json() == {"received": "applied"}
    assert deliver(evt).json() == {"received": "duplicate"}
    acme_sub.refresh_from_db()
    assert (acme_sub.status, acme_sub.plan.code) == ("active", "pro")
    assert acme_sub.changes.count() == 1


def test_updated_active_before_created_incomplete_still_ends_active(fake_stripe, acme_sub):
    fake_stripe.subscriptions["sub_1"] = stripe_sub(status="active")
    deliver(event("evt_u", "customer.subscription.updated", stripe_sub(status="active")))
    deliver(event("evt_c", "customer.subscription.created", stripe_sub(status="incomplete")))
    acme_sub.refresh_from_db()
    acme_sub.tenant.refresh_from_db()
    assert acme_sub.status == acme_sub.tenant.status == "active"


def test_handler_failure_answers_500_and_the_retry_succeeds(fake_stripe, acme_sub):
    fake_stripe.subscriptions["sub_1"] = stripe_sub()
    fake_stripe.fail_next = 3  # the library retries twice
    evt = event("evt_f", "invoice.paid", {"id": "in_1", "object": "invoice",
                                          "customer": "cus_1", "subscription": "sub_1"})
    assert deliver(evt).status_code == 500
    assert not WebhookEvent.objects.filter(event_id="evt_f").exists()
    assert deliver(evt).status_code == 200
    acme_sub.refresh_from_db()
    assert acme_sub.status == "active"


def test_unknown_customer_is_stored_and_harmless(fake_stripe, acme_sub):
    evt = event("evt_x", "invoice.payment_failed", {"id": "in_9", "object": "invoice",
                                                    "customer": "cus_nobody"})
    assert deliver(evt).status_code == 200
    stored = WebhookEvent.objects.get(event_id="evt_x")
    assert not stored.handled and stored.tenant is None
    acme_sub.refresh_from_db()
    assert acme_sub.status == "trial"


def test_checkout_completed_maps_customer_and_activates(fake_stripe, acme):
    fake_stripe.subscriptions["sub_7"] = stripe_sub(sub_id="sub_7", customer="cus_7",
                                                    status="trialing",
                                                    trial_end=int(time.time()) + 14 * 86400)
    deliver(event("evt_cs", "checkout.session.completed", {
        "id": "cs_1", "object": "checkout.session", "customer": "cus_7",
        "subscription": "sub_7", "client_reference_id": str(acme.pk)}))
    subscription = Subscription.objects.get(tenant=acme)
    assert (subscription.stripe_customer_id, subscription.stripe_subscription_id) == \
        ("cus_7", "sub_7")
    assert subscription.had_trial and subscription.status == "trial"


def test_reconciliation_heals_a_missed_webhook(fake_stripe, acme_sub):
    acme_sub.stripe_subscription_id = "sub_1"
    acme_sub.save()
    fake_stripe.subscriptions["sub_1"] = stripe_sub(status="past_due")
    checked, repaired, failed, _ = reconcile_all()
    assert repaired == 1 and failed == 0
    acme_sub.refresh_from_db()
    assert acme_sub.status == "past_due"
    assert Drift.objects.filter(subscription=acme_sub, field="status",
                                stripe="past_due").exists()
    assert reconcile_all()[1] == 0  # healed: nothing to repair the second time


def test_checkout_session_offers_a_trial_once(fake_stripe, acme_sub):
    from urllib.parse import parse_qs

    from billing.stripe_adapter import checkout_session_create

    session = checkout_session_create(subscription=acme_sub, price_id="price_pro_m",
                                      success_url="https://a/ok", cancel_url="https://a/no")
    assert session["url"].startswith("https://checkout.stripe.com/")
    sent = parse_qs(fake_stripe.requests[-1][2])
    assert sent["subscription_data[trial_period_days]"] == ["14"]
    assert sent["subscription_data[trial_settings][end_behavior][missing_payment_method]"] == \
        ["pause"]
    acme_sub.had_trial = True
    checkout_session_create(subscription=acme_sub, price_id="price_pro_m",
                            success_url="https://a/ok", cancel_url="https://a/no")
    assert "subscription_data[trial_period_days]" not in parse_qs(fake_stripe.requests[-1][2])
