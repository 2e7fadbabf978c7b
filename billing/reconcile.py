"""Reconciliation with Stripe: every subscription Stripe knows is compared with ours
and drift is repaired (and recorded for operators); events whose delivery failed are
replayed through the webhook handler (stored once, so a replay is harmless)."""

import logging

from django_tenants.utils import tenant_context

from billing import stripe_adapter
from billing.enums import EventSource
from billing.models import Drift, Subscription
from billing.services import subscription_apply_stripe

log = logging.getLogger(__name__)


def subscription_reconcile(*, subscription):
    """Bring one subscription in line with Stripe; returns the repaired fields."""
    if subscription.stripe_subscription_id:
        theirs = stripe_adapter.subscription_retrieve(subscription.stripe_subscription_id)
    elif subscription.stripe_customer_id:
        theirs = stripe_adapter.subscription_for_customer(subscription.stripe_customer_id)
    else:
        return {}
    if not theirs:
        return {}
    with tenant_context(subscription.tenant):
        changed = subscription_apply_stripe(subscription=subscription, stripe_subscription=theirs,
                                            source=EventSource.RECONCILE, reason="reconciliation")
    Drift.objects.bulk_create([
        Drift(subscription=subscription, field=field, ours=str(ours or "")[:80],
              stripe=str(stripe or "")[:80]) for field, (ours, stripe) in changed.items()])
    return changed


def reconcile_all():
    """One run over every subscription with Stripe ids. Returns (checked, repaired,
    failed, replayed events)."""
    from billing.webhooks import event_process

    if not stripe_adapter.configured():
        return 0, 0, 0, 0
    checked = repaired = failed = replayed = 0
    subscriptions = Subscription.objects.select_related("tenant", "plan").exclude(
        stripe_customer_id__isnull=True, stripe_subscription_id__isnull=True)
    for subscription in subscriptions.iterator(chunk_size=200):
        checked += 1
        try:
            repaired += bool(subscription_reconcile(subscription=subscription))
        except Exception:  # one tenant's trouble must not stop the run
            failed += 1
            log.exception("reconciling subscription %s failed", subscription.pk)
    for event in stripe_adapter.failed_events():
        try:
            replayed += event_process(event) == "applied"
        except Exception:
            failed += 1
            log.exception("replaying stripe event %s failed", event.get("id"))
    return checked, repaired, failed, replayed
