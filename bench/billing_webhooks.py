"""Billing benchmark: Stripe webhook handling time and the reconciliation cost.

    .venv/bin/python -m bench.billing_webhooks --events 1000 --reconcile 200

Provisions a throwaway tenant with a Stripe customer, replays ``--events`` signed
events through the real endpoint (signature check, insert-once, re-read of the
subscription from Stripe, lifecycle transition; one in ten is a duplicate delivery),
Stripe answered in-process by recorded responses (no network: add Stripe's own
latency, typically 150-400 ms per re-read, to these numbers). Prints median and p99
milliseconds. Then times ``--reconcile`` reconciliations of the subscription and
prints the cost per 1,000 tenants (our side, plus how many Stripe calls that is).
Deletes the tenant afterwards.
"""

import json
import statistics
import time

from bench._common import main, throwaway_tenant

STATUSES = ("trialing", "active", "past_due", "active", "unpaid", "active")
TYPES = ("customer.subscription.updated", "invoice.paid", "invoice.payment_failed",
         "customer.subscription.created", "invoice.finalized")


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def run(events, reconcile):
    import logging

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from billing import stripe_adapter
    from billing.models import WebhookEvent
    from tests.billing.stripe_fake import FakeStripe

    logging.getLogger("stripe").setLevel(logging.WARNING)
    settings.STRIPE_SECRET_KEY = "sk_test_bench"
    settings.STRIPE_WEBHOOK_SECRET = secret = "whsec_bench"
    fake = FakeStripe()
    stripe_adapter.HTTP_CLIENT = fake
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    with throwaway_tenant("Billing bench", "billbench") as provisioned:
        try:
            _measure(provisioned.tenant, fake, client, secret, events, reconcile)
        finally:
            connection.set_schema_to_public()
            WebhookEvent.objects.filter(event_id__startswith=f"evt_{provisioned.tenant.slug}_") \
                .delete()


def _measure(tenant, fake, client, secret, events, reconcile):
    import stripe
    from django.db import connection

    from billing.models import Subscription, WebhookEvent
    from billing.reconcile import subscription_reconcile
    from billing.services import subscription_ensure
    from tests.billing.stripe_fake import subscription as stripe_sub

    connection.set_schema_to_public()
    subscription = subscription_ensure(tenant=tenant)
    tag = tenant.slug
    Subscription.objects.filter(pk=subscription.pk).update(
        stripe_customer_id=f"cus_{tag}", stripe_subscription_id=f"sub_{tag}")
    timings, sent = [], []
    for i in range(events):
        if i % 10 == 9:
            event = sent[-1]  # a duplicate delivery
        else:
            status = STATUSES[i % len(STATUSES)]
            fake.subscriptions[f"sub_{tag}"] = stripe_sub(
                sub_id=f"sub_{tag}", customer=f"cus_{tag}", status=status)
            kind = TYPES[i % len(TYPES)]
            obj = (stripe_sub(sub_id=f"sub_{tag}", customer=f"cus_{tag}", status=status)
                   if kind.startswith("customer.") else
                   {"id": f"in_{i}", "object": "invoice", "customer": f"cus_{tag}",
                    "subscription": f"sub_{tag}"})
            event = {"id": f"evt_{tag}_{i}", "object": "event", "type": kind,
                     "created": int(time.time()), "data": {"object": obj}}
        sent.append(event)
        payload = json.dumps(event)
        stamp = int(time.time())
        signature = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload}", secret)
        started = time.perf_counter()
        response = client.post("/billing/stripe/webhook/", payload,
                               content_type="application/json",
                               HTTP_STRIPE_SIGNATURE=f"t={stamp},v1={signature}")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    print(f"webhooks: {events} events, median {statistics.median(timings):.1f} ms, "
          f"p99 {_percentile(timings, 0.99):.1f} ms "
          f"(stored {WebhookEvent.objects.filter(event_id__startswith=f'evt_{tag}_').count()})")
    subscription.refresh_from_db()
    calls_before = len(fake.requests)
    started = time.perf_counter()
    for i in range(reconcile):
        fake.subscriptions[f"sub_{tag}"] = stripe_sub(
            sub_id=f"sub_{tag}", customer=f"cus_{tag}", status=STATUSES[i % 2])
        subscription_reconcile(subscription=subscription)
    per = (time.perf_counter() - started) / reconcile
    calls = (len(fake.requests) - calls_before) / reconcile
    print(f"reconciliation: {per * 1000:.1f} ms per tenant on our side (half of them "
          f"repairing drift), {per * 1000:.1f} s per 1,000 tenants, "
          f"{calls * 1000:.0f} Stripe calls per 1,000 tenants (+ Stripe latency each; "
          f"Stripe's rate limit is 100 reads/s in live mode)")


if __name__ == "__main__":
    main(__doc__, run,
         ("--events", {"type": int, "default": 1000}),
         ("--reconcile", {"type": int, "default": 200}))
