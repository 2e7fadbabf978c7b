"""Stripe webhook handling: each event stored once under its id in the same
transaction as its effect; the effect re-reads the subscription from Stripe and applies
the newest state, so arrival order does not matter."""

import logging

from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from billing import stripe_adapter
from billing.enums import EventSource
from billing.models import Subscription, WebhookEvent, WebhookFailure
from billing.services import subscription_apply_stripe, subscription_ensure
from billing.webhook_failures import apply_recording_failures

log = logging.getLogger(__name__)

SUBSCRIPTION_EVENTS = {
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.trial_will_end",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.finalized",
}


def _subscription_id(event_type, obj):
    if event_type.startswith("customer.subscription."):
        return obj.get("id")
    if event_type.startswith("invoice."):
        parent = ((obj.get("parent") or {}).get("subscription_details") or {})
        return obj.get("subscription") or parent.get("subscription")
    if event_type == "checkout.session.completed":
        return obj.get("subscription")
    return None


def _subscription_for(event_type, obj):
    """Our subscription this event is about (None: unknown customer)."""
    customer = obj.get("customer")
    if event_type == "checkout.session.completed":
        tenant_id = obj.get("client_reference_id") or (obj.get("metadata") or {}).get(
            "tenant_id")
        if tenant_id and str(tenant_id).isdigit():
            from tenants.models import Tenant

            tenant = Tenant.objects.filter(pk=int(tenant_id)).first()
            if tenant is not None:
                subscription = subscription_ensure(tenant=tenant)
                Subscription.objects.filter(pk=subscription.pk).update(
                    stripe_customer_id=customer or subscription.stripe_customer_id)
                subscription.refresh_from_db()
                return subscription
    if not customer:
        return None
    return Subscription.objects.select_related("tenant", "plan").filter(
        stripe_customer_id=customer).first()


def event_process(event):
    """Apply one verified event. Returns "duplicate", "ignored" or "applied"; raises on
    failure (the transaction, event row included, rolls back so Stripe retries). A
    failure is recorded after that rollback, outside it (``billing.webhook_failures``),
    for the health page; a later success resolves it."""
    return apply_recording_failures(_event_apply, event, source=WebhookFailure.Source.BILLING)


def _event_apply(event):
    event_type = event.get("type", "")
    obj = (event.get("data") or {}).get("object") or {}
    with transaction.atomic():
        try:
            with transaction.atomic():
                # Blocks on the unique index while another delivery of the same event
                # is in flight; once that commits, this one is a duplicate.
                stored = WebhookEvent.objects.create(event_id=event["id"], type=event_type,
                                                     payload=event)
        except IntegrityError:
            return "duplicate"
        if event_type not in SUBSCRIPTION_EVENTS:
            return "ignored"
        subscription = _subscription_for(event_type, obj)
        if subscription is None:
            log.info("stripe event %s for an unknown customer, stored", event["id"])
            return "ignored"
        stored.tenant = subscription.tenant
        with tenant_context(subscription.tenant):
            stripe_id = _subscription_id(event_type, obj) or subscription.stripe_subscription_id
            if stripe_id:
                # Never trust the event's copy: the newest state comes from Stripe.
                newest = stripe_adapter.subscription_retrieve(stripe_id)
                subscription_apply_stripe(subscription=subscription, stripe_subscription=newest,
                                          source=EventSource.WEBHOOK,
                                          reason=f"{event_type} {event['id']}")
        stored.handled = True
        stored.save(update_fields=["tenant", "handled"])
        return "applied"
