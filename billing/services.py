"""Billing writes: subscriptions, plan changes, Stripe state applied, reminders."""

from datetime import datetime, timedelta, timezone as dt_timezone

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import lifecycle
from billing.enums import BillingStatus, EventSource, Interval, Limit
from billing.exceptions import BillingError, BillingErrorCode
from billing.models import Plan, Subscription, TrialReminder
from tenants.enums import Plan as PlanCode

TRIAL_REMINDER_DAYS = (3, 1)
GRACE_DAYS = 14  # past due → suspended, for subscriptions billed by hand


def subscription_ensure(*, tenant):
    """The tenant's subscription, created from the tenant row the first time."""
    existing = Subscription.objects.select_related("plan", "tenant").filter(tenant=tenant).first()
    if existing:
        return existing
    plan = Plan.objects.filter(code=tenant.plan).first() or Plan.objects.get(code=PlanCode.TRIAL)
    status = tenant.status if tenant.status in BillingStatus.values else BillingStatus.TRIAL
    try:
        with transaction.atomic():
            return Subscription.objects.create(
                tenant=tenant, plan=plan, status=status, trial_ends_at=tenant.trial_ends_at)
    except IntegrityError:  # created by a concurrent request
        return Subscription.objects.select_related("plan", "tenant").get(tenant=tenant)


def downgrade_problems(*, tenant, plan):
    """{limit: (allowed, used)} for every limit ``plan`` would put below current usage."""
    from billing.limits import usage_count
    from django_tenants.utils import tenant_context

    problems = {}
    with tenant_context(tenant):
        for what in Limit:
            allowed = plan.limit(what)
            if allowed is None:
                continue
            used = usage_count(what)
            if used > allowed:
                problems[what.value] = (allowed, used)
    return problems


@transaction.atomic
def plan_assign(*, tenant, plan_code, status=None, period_end=None, interval=Interval.MONTH,
                actor=None, source=EventSource.MANUAL, reason=""):
    """Put ``tenant`` on a plan by hand (manual billing mode, operators).

    The downgrade rule: a plan whose limits are below what the tenant already has is
    refused, with what to remove first; nothing is deleted or made read-only by a plan
    change. Upgrades apply at once.
    """
    plan = Plan.objects.filter(code=plan_code).first()
    if plan is None:
        raise BillingError(BillingErrorCode.UNKNOWN_PLAN,
                           _("There is no plan called %(code)s.") % {"code": plan_code})
    problems = downgrade_problems(tenant=tenant, plan=plan)
    if problems:
        detail = "; ".join(
            _("%(what)s: %(used)s in use, the plan allows %(allowed)s")
            % {"what": Limit(what).label, "used": used, "allowed": allowed}
            for what, (allowed, used) in problems.items())
        raise BillingError(
            BillingErrorCode.DOWNGRADE_BELOW_USAGE,
            _("This site uses more than the plan %(plan)s allows. Remove some first: "
              "%(detail)s.") % {"plan": plan.code, "detail": detail},
            fields={what: [f"{used}/{allowed}"] for what, (allowed, used) in problems.items()})
    subscription = subscription_ensure(tenant=tenant)
    Subscription.objects.filter(pk=subscription.pk).update(
        interval=Interval(interval), manual=source == EventSource.MANUAL,
        **({"current_period_end": period_end} if period_end else {}))
    lifecycle.transition(subscription=subscription, to=status or subscription.status,
                         plan=plan, source=source, actor=actor,
                         reason=reason or f"plan {plan.code}")
    subscription.refresh_from_db()
    return subscription


def _ts(value):
    return datetime.fromtimestamp(value, tz=dt_timezone.utc) if value else None


@transaction.atomic
def subscription_apply_stripe(*, subscription, stripe_subscription, source, reason=""):
    """Make ``subscription`` say what Stripe's subscription object says (the newest
    state, read from Stripe by the caller). Returns {field: (ours, stripe)} changed."""
    data = stripe_subscription
    locked = Subscription.objects.select_for_update().select_related("plan").get(
        pk=subscription.pk)
    price_id = ""
    items = (data.get("items") or {}).get("data") or []
    if items:
        price_id = (items[0].get("price") or {}).get("id", "")
    plan = locked.plan
    if price_id:
        from billing.models import PlanPrice

        price = PlanPrice.objects.select_related("plan").filter(stripe_price_id=price_id).first()
        if price:
            plan = price.plan
            locked.interval = price.interval
    wanted = {
        "stripe_subscription_id": data.get("id"),
        "stripe_status": data.get("status", ""),
        "trial_ends_at": _ts(data.get("trial_end")),
        "current_period_end": _ts(data.get("current_period_end")
                                  or (items[0].get("current_period_end") if items else None)),
        "cancel_at_period_end": bool(data.get("cancel_at_period_end")),
    }
    changed = {}
    for field, value in wanted.items():
        if getattr(locked, field) != value:
            changed[field] = (getattr(locked, field), value)
            setattr(locked, field, value)
    if data.get("trial_end"):
        locked.had_trial = True
    locked.manual = False
    locked.save()
    status = lifecycle.STRIPE_STATUS.get(data.get("status"), locked.status)
    if status != locked.status or plan.pk != locked.plan_id:
        if status != locked.status:
            changed["status"] = (locked.status, status)
        if plan.pk != locked.plan_id:
            changed["plan"] = (locked.plan.code, plan.code)
        lifecycle.transition(subscription=locked, to=status, plan=plan, source=source,
                             reason=reason or f"stripe {data.get('status')}")
    subscription.refresh_from_db()
    return changed


def trial_reminders_send(*, now=None):
    """Send the trial reminders due (3 days and 1 day before the end), each exactly once
    per tenant and trial; expire trials whose end has passed without a Stripe
    subscription (Stripe expires its own). Returns (reminders sent, trials expired)."""
    from core.mail import email_send

    now = now or timezone.now()
    sent = expired = 0
    trials = Subscription.objects.select_related("tenant").filter(
        status=BillingStatus.TRIAL, trial_ends_at__isnull=False)
    for subscription in trials:
        tenant = subscription.tenant
        left = subscription.trial_ends_at - now
        if left <= timedelta(0):
            if not subscription.stripe_subscription_id:
                lifecycle.transition(subscription=subscription, to=BillingStatus.SUSPENDED,
                                     source=EventSource.SYSTEM, reason="trial ended")
                expired += 1
            continue
        for days in sorted(TRIAL_REMINDER_DAYS):
            if left > timedelta(days=days):
                continue
            with transaction.atomic():
                _, created = TrialReminder.objects.get_or_create(
                    tenant=tenant, days_before=days, trial_ends_at=subscription.trial_ends_at)
                if created and tenant.owner_email:
                    email_send(to=tenant.owner_email, template="email/billing_trial_reminder",
                               context={"name": tenant.name, "days": days,
                                        "url": f"https://{tenant.host}/dashboard/billing/"},
                               language=tenant.default_language)
                    sent += 1
            break  # only the nearest reminder
    return sent, expired


def manual_periods_check(*, now=None):
    """Manual billing mode (no Stripe): a paid period that ended makes the subscription
    past due; ``GRACE_DAYS`` later it is suspended. Stripe-billed subscriptions follow
    Stripe (Smart Retries, then unpaid). Returns how many changed."""
    now = now or timezone.now()
    changed = 0
    overdue = Subscription.objects.filter(manual=True, current_period_end__lt=now,
                                          status__in=[BillingStatus.ACTIVE,
                                                      BillingStatus.PAST_DUE])
    for subscription in overdue:
        late = now - subscription.current_period_end
        to = BillingStatus.SUSPENDED if late > timedelta(days=GRACE_DAYS) \
            else BillingStatus.PAST_DUE
        changed += lifecycle.transition(subscription=subscription, to=to,
                                        source=EventSource.SYSTEM, reason="paid period ended")
    return changed


def usage_refresh(*, tenant, now=None):
    """Count the tenant's usage into its ``Usage`` row (for the billing page's bars; the
    limit checks count for themselves). Storage: the tenant's media folder, in MB."""
    import os
    from pathlib import Path

    from django_tenants.utils import tenant_context

    from billing.limits import usage_count
    from billing.models import Usage

    with tenant_context(tenant):
        counts = {what.value: usage_count(what, now=now) for what in Limit
                  if what != Limit.STORAGE}
        last_activity = last_activity_at()
    folder = Path(settings.MEDIA_ROOT) / tenant.schema_name
    size = sum(entry.stat().st_size for entry in folder.rglob("*") if entry.is_file()) \
        if os.path.isdir(folder) else 0
    counts[Limit.STORAGE.value] = size // (1024 * 1024)
    Usage.objects.update_or_create(tenant=tenant, defaults={
        **counts, "last_activity_at": last_activity, "counted_at": now or timezone.now()})
    return counts


def last_activity_at():
    """The current schema's latest sign-in or order (two indexed reads), or None."""
    from django.apps import apps
    from django.db.models import Max

    last_login = apps.get_model("roles", "User").objects.aggregate(at=Max("last_login"))["at"]
    last_order = apps.get_model("orders", "Order").objects.aggregate(at=Max("created_at"))["at"]
    moments = [moment for moment in (last_login, last_order) if moment is not None]
    return max(moments) if moments else None


def stripe_configured():
    return bool(settings.STRIPE_SECRET_KEY)



def checkout_start(*, actor, tenant, plan_code, interval, success_url, cancel_url):
    """Stripe Checkout for ``plan_code`` at ``interval`` in the tenant's currency (the
    administrator with the billing permission); returns the URL to send them to."""
    from billing import stripe_adapter
    from billing.models import PlanPrice
    from roles.permissions import require_perm

    require_perm(actor, "manage_billing")
    price = PlanPrice.objects.filter(plan__code=plan_code, interval=interval,
                                     currency=tenant.currency).exclude(stripe_price_id="") \
        .first() or PlanPrice.objects.filter(plan__code=plan_code, interval=interval,
                                             currency="CNY").exclude(stripe_price_id="").first()
    if price is None:
        raise BillingError(BillingErrorCode.UNKNOWN_PLAN,
                           _("This plan cannot be bought online yet."))
    return stripe_adapter.checkout_session_create(
        subscription=subscription_ensure(tenant=tenant), price_id=price.stripe_price_id,
        success_url=success_url, cancel_url=cancel_url)["url"]


def portal_open(*, actor, tenant, return_url):
    """The Stripe customer portal for the tenant's administrator; returns its URL."""
    from billing import stripe_adapter
    from roles.permissions import require_perm

    require_perm(actor, "manage_billing")
    subscription = subscription_ensure(tenant=tenant)
    if not subscription.stripe_customer_id:
        raise BillingError(BillingErrorCode.STRIPE_NOT_CONFIGURED,
                           _("Subscribe to a plan first; then you can manage billing here."))
    return stripe_adapter.portal_session_create(subscription=subscription,
                                                return_url=return_url)
