"""Stripe webhooks that fail are recorded outside the transaction that rolls back (the
event row and its effect still go together, so Stripe retries), shown on the health
page, and resolved by the delivery that goes through. Connect events alike. The metrics
task is among the health page's periodic tasks."""

import pytest

from billing import connect_webhooks
from billing.models import ConnectedAccount, ConnectEvent, WebhookEvent, WebhookFailure
from shared.selectors import ops_health
from tests.billing import conftest as billing_fixtures
from tests.billing.conftest import event
from tests.billing.test_webhooks import deliver
from tests.billing.stripe_fake import subscription as stripe_sub
from tests.ops.test_tenant_actions import _client, _operator

pytestmark = pytest.mark.django_db
# billing's fixtures: a Stripe answered in-process, acme's subscription as Stripe's cus_1
fake_stripe = billing_fixtures.fake_stripe
acme_sub = billing_fixtures.acme_sub


def _health_page():
    return _client(_operator()).get("/ops/health/").content.decode()


def test_a_failed_webhook_shows_on_the_health_page_until_a_retry_succeeds(fake_stripe,
                                                                         acme_sub):
    fake_stripe.subscriptions["sub_1"] = stripe_sub()
    fake_stripe.fail_next = 3  # Stripe's re-read fails (the library retries twice)
    evt = event("evt_health_1", "invoice.paid", {"id": "in_1", "object": "invoice",
                                                 "customer": "cus_1", "subscription": "sub_1"})
    assert deliver(evt).status_code == 500
    # the event and its effect rolled back together; the failure was kept
    assert not WebhookEvent.objects.filter(event_id="evt_health_1").exists()
    acme_sub.refresh_from_db()
    assert acme_sub.status == "trial"
    failure = WebhookFailure.objects.get(event_id="evt_health_1")
    assert (failure.source, failure.type, failure.attempts) == ("billing", "invoice.paid", 1)
    assert failure.error and failure.resolved_at is None

    body = _health_page()
    assert 'data-testid="health-webhook-failure"' in body and "evt_health_1" in body
    assert "Needs attention" in body
    assert not ops_health().ok

    fake_stripe.fail_next = 3
    assert deliver(evt).status_code == 500
    failure.refresh_from_db()
    assert failure.attempts == 2

    assert deliver(evt).status_code == 200  # Stripe's next retry goes through
    failure.refresh_from_db()
    assert failure.resolved_at is not None
    assert "evt_health_1" not in _health_page()
    assert WebhookEvent.objects.filter(event_id="evt_health_1", handled=True).exists()


def test_a_failed_connect_event_is_recorded_and_shown(acme, monkeypatch):
    ConnectedAccount.objects.create(tenant=acme, account_id="acct_health")

    def broken(*, account_id, obj):
        raise RuntimeError("the ledger refused the payment")

    monkeypatch.setitem(connect_webhooks._HANDLERS, "payment_intent.succeeded", broken)
    evt = {"id": "evt_connect_1", "type": "payment_intent.succeeded",
           "account": "acct_health", "data": {"object": {"id": "pi_1"}}}
    with pytest.raises(RuntimeError):
        connect_webhooks.connect_event_process(evt)
    assert not ConnectEvent.objects.filter(event_id="evt_connect_1").exists()
    failure = WebhookFailure.objects.get(event_id="evt_connect_1")
    assert (failure.source, failure.account_id) == ("connect", "acct_health")
    assert "RuntimeError: the ledger refused the payment" == failure.error
    body = _health_page()
    assert "evt_connect_1" in body and "acct_health" in body

    monkeypatch.setitem(connect_webhooks._HANDLERS, "payment_intent.succeeded",
                        lambda *, account_id, obj: "applied")
    assert connect_webhooks.connect_event_process(evt) == "applied"
    failure.refresh_from_db()
    assert failure.resolved_at is not None


def test_the_health_page_lists_the_metrics_task():
    health = ops_health()
    assert "shared.tasks.platform_metrics_task" in [p.task for p in health.periodic]
    assert "shared.tasks.platform_metrics_task" in _health_page()
