"""The same Stripe event delivered by two threads at once has one effect."""

import threading
import uuid

import pytest
from django.db import connections

from billing import stripe_adapter
from billing.models import Subscription, SubscriptionChange, WebhookEvent
from billing.services import subscription_ensure
from billing.webhooks import event_process
from tenants.models import Tenant
from tests.billing.conftest import event
from tests.billing.stripe_fake import FakeStripe, subscription as stripe_sub


@pytest.mark.xdist_group("billing-race")
def test_two_threads_delivering_the_same_event_apply_it_once(committed_db, settings,
                                                             monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    tag = uuid.uuid4().hex[:8]
    fake = FakeStripe()
    fake.subscriptions[f"sub_{tag}"] = stripe_sub(sub_id=f"sub_{tag}", customer=f"cus_{tag}",
                                                  price="price_none")
    monkeypatch.setattr(stripe_adapter, "HTTP_CLIENT", fake)
    globex = Tenant.objects.get(slug="globex")
    subscription = subscription_ensure(tenant=globex)
    before = (subscription.status, subscription.stripe_customer_id, globex.status)
    Subscription.objects.filter(pk=subscription.pk).update(stripe_customer_id=f"cus_{tag}")
    evt = event(f"evt_{tag}", "customer.subscription.updated",
                stripe_sub(sub_id=f"sub_{tag}", customer=f"cus_{tag}"))
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(event_process(evt))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["applied", "duplicate"]
        assert WebhookEvent.objects.filter(event_id=f"evt_{tag}").count() == 1
        assert SubscriptionChange.objects.filter(subscription=subscription,
                                                 reason__contains=f"evt_{tag}").count() == 1
    finally:
        WebhookEvent.objects.filter(event_id=f"evt_{tag}").delete()
        SubscriptionChange.objects.filter(subscription=subscription,
                                          reason__contains=f"evt_{tag}").delete()
        Subscription.objects.filter(pk=subscription.pk).update(
            status=before[0], stripe_customer_id=before[1], stripe_subscription_id=None,
            stripe_status="", current_period_end=None)
        globex.refresh_from_db()
        globex.status = before[2]
        globex.save(update_fields=["status"])
