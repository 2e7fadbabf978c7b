"""Billing reads."""

from billing.models import Drift, Plan, Subscription, SubscriptionChange


def plan_for_tenant(tenant):
    """The Plan row for ``tenant.plan`` (None: unknown code, no limits)."""
    return Plan.objects.filter(code=tenant.plan).first()


def plan_list(*, public_only=False):
    plans = Plan.objects.prefetch_related("prices")
    return plans.filter(is_public=True) if public_only else plans


def subscription_for(tenant):
    return Subscription.objects.select_related("plan", "tenant").filter(tenant=tenant).first()


def subscription_changes(*, subscription):
    return SubscriptionChange.objects.filter(subscription=subscription)


def drift_list(*, limit=100):
    """Drift reconciliation repaired, newest first (for operators)."""
    return Drift.objects.select_related("subscription__tenant")[:limit]
