"""Reads of the operator console: a tenant with its subscription, usage, changes and
audit trail; the plans' price grid; billing drift; the platform audit log; the health
page (the platform's, with billing's failed webhooks). The platform metrics are read in
``shared.metrics``."""

from django.db.models import F, Q

from billing.enums import BillingStatus
from billing.models import Drift, Plan, SubscriptionChange
from billing import lifecycle
from billing.selectors import billing_overview, invoices_for, plan_name, webhook_failures_open
from shared.models import PlatformAudit
from tenants.enums import Currency
from tenants.models import Tenant


def tenant_get(*, pk):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Tenant.objects.exclude(schema_name="public").prefetch_related("domains").filter(
        pk=pk).first()


def tenant_overview(tenant, *, language):
    """What the tenant page shows: the billing page's figures (subscription, plan, usage
    bars), the subscription's changes, the platform audit records and drift."""
    overview = billing_overview(tenant=tenant, language=language)
    subscription = overview["subscription"]
    changes = list(SubscriptionChange.objects.filter(subscription=subscription)
                   .order_by("-id")[:20])
    plans = {plan.code: plan_name(plan, language) for plan in Plan.objects.all()}
    statuses = dict(BillingStatus.choices)
    for change in changes:  # in the reader's language
        change.from_label = statuses.get(change.from_status, change.from_status)
        change.to_label = statuses.get(change.to_status, change.to_status)
        change.from_plan_label = plans.get(change.from_plan, change.from_plan)
        change.to_plan_label = plans.get(change.to_plan, change.to_plan)
    invoices, invoice_warning = invoices_for(subscription)
    return {"tenant": tenant, **overview, "changes": changes,
            "invoices": invoices, "invoice_warning": invoice_warning,
            "retention_ends_on": lifecycle.retention_ends_on(subscription),
            "deletion_allowed": lifecycle.deletion_allowed(subscription),
            "audit": list(PlatformAudit.objects.filter(tenant_id=tenant.pk)[:20]),
            "drifts": list(Drift.objects.filter(subscription=subscription)[:10])}


def plan_price_keys(plan):
    """``(currency, interval)`` of every price the plan has, and CNY first for both
    intervals (a plan always shows its CNY prices)."""
    keys = [("CNY", "month"), ("CNY", "year")]
    for price in plan.prices.all():
        if (price.currency, price.interval) not in keys:
            keys.append((price.currency, price.interval))
    return [(c, i) for c, i in keys if c in Currency.values]


def drift_list():
    return Drift.objects.select_related("subscription__tenant").order_by("-repaired_at", "-id")


def audit_list(*, query=""):
    qs = PlatformAudit.objects.all()
    if query:
        qs = qs.filter(Q(action__icontains=query) | Q(operator_email__icontains=query)
                       | Q(tenant_label__icontains=query) | Q(reason__icontains=query))
    return qs.order_by("-created_at", "-id")


TENANT_SORTS = {"newest": ("-created_at",), "oldest": ("created_at",), "name": ("name",),
                # tenants not counted yet come last
                "orders": (F("usage__orders").desc(nulls_last=True), "-created_at"),
                "storage": (F("usage__storage").desc(nulls_last=True), "-created_at")}


def ops_tenant_list(*, query="", status="", plan="", sort="newest"):
    """The tenants for the console with their last counted usage (the hourly task's
    figures: nothing is counted per view), searched, filtered and sorted."""
    qs = (Tenant.objects.exclude(schema_name="public").select_related("usage")
          .prefetch_related("domains"))
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(slug__icontains=query)
                       | Q(owner_email__icontains=query))
    if status:
        qs = qs.filter(status=status)
    if plan:
        qs = qs.filter(plan=plan)
    return qs.order_by(*TENANT_SORTS.get(sort, TENANT_SORTS["newest"]), "-id")


def ops_health(*, now=None):
    """The health page: ``tenants.health.platform_health`` and the Stripe events whose
    handling failed (``billing.webhook_failures``)."""
    from tenants.health import platform_health

    health = platform_health(now=now)
    health.webhook_failures, health.webhook_failures_total = webhook_failures_open()
    return health
