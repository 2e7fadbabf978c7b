"""Billing reads."""

from billing.enums import InvoiceStatus, Limit
from billing.models import ConnectedAccount, Drift, Plan, Subscription, SubscriptionChange
from tenants.enums import Plan as PlanCode


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


def plan_name(plan, language):
    """The plan's name in ``language`` (zh-* → Chinese)."""
    return plan.name_zh if (language or "").startswith("zh") else plan.name_en


def public_plan_codes():
    """The codes of the plans on the pricing page (what signup may start from)."""
    return set(Plan.objects.filter(is_public=True).exclude(code=PlanCode.TRIAL)
               .values_list("code", flat=True))


def public_plan_label(code, language):
    """The name of a plan on the pricing page, in ``language``; "" for any other code."""
    plan = Plan.objects.filter(code=code, is_public=True).exclude(code=PlanCode.TRIAL).first()
    return plan_name(plan, language) if plan else ""


def pricing_table(*, currency, language):
    """The public plans with their monthly and yearly price in ``currency`` (CNY first
    when the currency has no price)."""
    rows = []
    for plan in plan_list(public_only=True).exclude(code=PlanCode.TRIAL):
        prices = {p.interval: p for p in plan.prices.all() if p.currency == currency} or \
            {p.interval: p for p in plan.prices.all() if p.currency == "CNY"}
        rows.append({"plan": plan, "name": plan_name(plan, language),
                     "month": prices.get("month"), "year": prices.get("year"),
                     "limits": [(what.label, plan.limit(what)) for what in Limit]})
    return rows


def billing_overview(*, tenant, language):
    """What the tenant's billing page shows: subscription, plan, usage against limits
    (from the hourly count; counted now the first time), plans to choose."""
    from billing.models import Usage
    from billing.services import subscription_ensure, usage_refresh

    subscription = subscription_ensure(tenant=tenant)
    usage = Usage.objects.filter(tenant=tenant).first()
    counts = ({what.value: getattr(usage, what.value) for what in Limit} if usage
              else usage_refresh(tenant=tenant))
    bars = []
    for what in Limit:
        allowed = subscription.plan.limit(what)
        used = counts.get(what.value, 0)
        percent = min(100, round(100 * used / allowed)) if allowed else 0
        bars.append({"key": what.value, "label": what.label, "used": used,
                     "allowed": allowed, "percent": percent})
    return {"subscription": subscription, "plan_name": plan_name(subscription.plan, language),
            "usage": bars, "counted_at": usage.counted_at if usage else None,
            "plans": pricing_table(currency=tenant.currency, language=language)}


def invoices_for(subscription):
    """The subscription's Stripe invoices for a page (number, date, amount, status in the
    reader's language, PDF link), and a warning to show when Stripe could not be asked
    (an empty list and no warning in manual mode or before the first checkout)."""
    from datetime import datetime, timezone as tz

    from billing import stripe_adapter
    from billing.exceptions import BillingError

    if not stripe_adapter.configured() or not subscription.stripe_customer_id:
        return [], ""
    try:
        invoices = stripe_adapter.invoice_list(subscription=subscription)
    except BillingError as exc:
        return [], exc.message
    statuses = dict(InvoiceStatus.choices)
    for invoice in invoices:
        invoice["date"] = datetime.fromtimestamp(invoice["created"], tz=tz.utc) \
            if invoice.get("created") else None
        invoice["status_label"] = statuses.get(invoice["status"], invoice["status"] or "")
    return invoices, ""


def connected_account_for(tenant):
    """The tenant's connected Stripe account (Stripe Connect), or None."""
    return ConnectedAccount.objects.filter(tenant=tenant).first()


def online_payments_ready(tenant):
    """Dealers of ``tenant`` may pay online: the platform has its Stripe keys and the
    tenant's connected account accepts payments (no query without keys)."""
    from billing import connect_adapter

    tenant_id = getattr(tenant, "pk", None)  # None: public, or a schema without a tenant row
    if tenant_id is None or not connect_adapter.configured():
        return False
    return ConnectedAccount.objects.filter(tenant_id=tenant_id, charges_enabled=True).exists()


def billing_notice(*, tenant, can_pay):
    """What the dashboard's banner says about the subscription, or None while it is in
    good standing: past due (with the day the site is paused, for billing by hand) to
    those who can pay; paused or ended to every staff member. No query unless the
    tenant is in one of those states."""
    from billing.lifecycle import suspend_on

    status = getattr(tenant, "status", "")
    if status not in ("past_due", "suspended", "canceled") or (
            status == "past_due" and not can_pay):
        return None
    subscription = Subscription.objects.filter(tenant=tenant).first()
    return {"status": status, "can_pay": can_pay,
            "suspend_on": suspend_on(subscription) if subscription else None}


def webhook_failures_open(*, limit=20):
    """Stripe events (Billing and Connect) whose last delivery failed and that no later
    delivery resolved, newest first: ``(rows, how many in all)``, in one query."""
    from django.db.models import Count, Window

    from billing.models import WebhookFailure

    rows = list(WebhookFailure.objects.filter(resolved_at__isnull=True)
                .annotate(total=Window(Count("id"))).order_by("-last_failed_at", "-id")[:limit])
    return rows, (rows[0].total if rows else 0)
