import json
import time

import pytest
import stripe

from billing import stripe_adapter
from billing.models import PlanPrice
from billing.services import subscription_ensure
from tests.billing.stripe_fake import FakeStripe

SECRET = "whsec_test"


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    fake = FakeStripe()
    monkeypatch.setattr(stripe_adapter, "HTTP_CLIENT", fake)
    PlanPrice.objects.filter(plan__code="pro", currency="CNY", interval="month").update(
        stripe_price_id="price_pro_m")
    PlanPrice.objects.filter(plan__code="basic", currency="CNY", interval="month").update(
        stripe_price_id="price_basic_m")
    return fake


def signed(event, *, secret=SECRET, timestamp=None):
    payload = json.dumps(event)
    timestamp = int(timestamp or time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload}", secret)
    return payload, f"t={timestamp},v1={signature}"


def event(event_id, event_type, obj):
    return {"id": event_id, "object": "event", "type": event_type, "created": int(time.time()),
            "data": {"object": obj}}


@pytest.fixture
def acme_sub(acme):
    subscription = subscription_ensure(tenant=acme)
    subscription.stripe_customer_id = "cus_1"
    subscription.save()
    return subscription
