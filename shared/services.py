"""What operators do to a tenant from the console, each through the billing lifecycle
(``billing.lifecycle.transition``: the one place a subscription's status changes) and
each written to the platform audit log with the reason, before and after, and the
operator's address. The role table (``shared.operators``) decides who may. The platform
metrics' snapshot is written here too (``platform_metrics_refresh``)."""

import re
import time as clock
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import lifecycle
from billing.enums import BillingStatus as S, EventSource, Interval
from billing.exceptions import BillingError
from billing.models import Plan, PlanPrice
from billing.services import plan_assign, subscription_ensure
from core.exceptions import ApplicationError
from core.text import whole_number
from shared.models import PlatformAudit
from shared.operators import ops_require

MAX_TRIAL_EXTENSION_DAYS = 90


def platform_audit(*, operator, action, tenant=None, reason="", before=None, after=None,
                   ip=None):
    """Append one record to the platform audit log."""
    return PlatformAudit.objects.create(
        operator=operator if getattr(operator, "pk", None) else None,
        operator_email=(getattr(operator, "email", "") or "system")[:254], action=action,
        tenant=tenant, tenant_label=f"{tenant.name} ({tenant.slug})"[:200] if tenant else "",
        reason=(reason or "")[:300], before=before or {}, after=after or {}, ip=ip)


def reason_required(reason, field="reason"):
    """The reason an operator gave (at most 300 characters), or an error on ``field``."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason."), fields={field: [_("Give a reason.")]})
    return reason[:300]



def _state(subscription):
    return {"status": subscription.status, "plan": subscription.plan.code,
            "trial_ends_at": subscription.trial_ends_at.isoformat()
            if subscription.trial_ends_at else "",
            "period_end": subscription.current_period_end.isoformat()
            if subscription.current_period_end else ""}


@transaction.atomic
def tenant_suspend(*, operator, tenant, reason, ip=None):
    """Pause a tenant: staff read-only, dealers cannot order (the entitlement table);
    nothing is deleted."""
    ops_require(operator, "lifecycle")
    reason = reason_required(reason)
    subscription = subscription_ensure(tenant=tenant)
    before = _state(subscription)
    lifecycle.transition(subscription=subscription, to=S.SUSPENDED, source=EventSource.MANUAL,
                         reason=reason, actor=operator)
    subscription.refresh_from_db()
    platform_audit(operator=operator, action="tenant.suspend", tenant=tenant, reason=reason,
                   before=before, after=_state(subscription), ip=ip)
    return subscription


@transaction.atomic
def tenant_reactivate(*, operator, tenant, reason, ip=None):
    """Back to work: to the trial while it has days left, else active."""
    ops_require(operator, "lifecycle")
    reason = reason_required(reason)
    subscription = subscription_ensure(tenant=tenant)
    before = _state(subscription)
    in_trial = (subscription.plan.code == "trial" and subscription.trial_ends_at
                and subscription.trial_ends_at > timezone.now())
    lifecycle.transition(subscription=subscription, to=S.TRIAL if in_trial else S.ACTIVE,
                         source=EventSource.MANUAL, reason=reason, actor=operator)
    subscription.refresh_from_db()
    platform_audit(operator=operator, action="tenant.reactivate", tenant=tenant, reason=reason,
                   before=before, after=_state(subscription), ip=ip)
    return subscription


@transaction.atomic
def trial_extend(*, operator, tenant, days, reason, ip=None):
    """Give a tenant ``days`` more of its trial (from today when it already ended); a
    trial that ended and paused the site starts again."""
    ops_require(operator, "lifecycle")
    reason = reason_required(reason)
    days = whole_number(days) or 0
    if not 1 <= days <= MAX_TRIAL_EXTENSION_DAYS:
        message = _("Extend by 1 to %(n)d days.") % {"n": MAX_TRIAL_EXTENSION_DAYS}
        raise ApplicationError(message, fields={"days": [message]})
    subscription = subscription_ensure(tenant=tenant)
    if subscription.status not in (S.TRIAL, S.SUSPENDED) or subscription.stripe_subscription_id:
        message = _("Only a trial billed by hand can be extended here; a Stripe trial is "
                    "extended in Stripe.")
        raise ApplicationError(message, fields={"days": [message]})
    before = _state(subscription)
    start = max(subscription.trial_ends_at or timezone.now(), timezone.now())
    ends = start + timedelta(days=days)
    type(subscription).objects.filter(pk=subscription.pk).update(trial_ends_at=ends)
    type(tenant).objects.filter(pk=tenant.pk).update(trial_ends_at=ends)
    lifecycle.transition(subscription=subscription, to=S.TRIAL, source=EventSource.MANUAL,
                         reason=reason, actor=operator)
    subscription.refresh_from_db()
    platform_audit(operator=operator, action="tenant.trial_extend", tenant=tenant,
                   reason=reason, before=before, after=_state(subscription), ip=ip)
    return subscription


@transaction.atomic
def tenant_plan_change(*, operator, tenant, plan_code, period_end, reason,
                       interval=Interval.MONTH, ip=None):
    """Put a tenant on a plan until a day, by hand (a payment received outside Stripe):
    active; refused below what the tenant already uses (the billing rule)."""
    ops_require(operator, "billing")
    reason = reason_required(reason)
    if period_end is None or period_end <= timezone.localdate():
        message = _("Give the last day of the paid period (after today).")
        raise ApplicationError(message, fields={"period_end": [message]})
    subscription = subscription_ensure(tenant=tenant)
    before = _state(subscription)
    end = timezone.make_aware(datetime.combine(period_end, time(23, 59, 59)))
    try:
        subscription = plan_assign(tenant=tenant, plan_code=plan_code, status=S.ACTIVE,
                                   period_end=end, interval=interval, actor=operator,
                                   source=EventSource.MANUAL, reason=reason)
    except BillingError as exc:
        raise ApplicationError(exc.message, fields=exc.fields or {"plan": [exc.message]}) \
            from exc
    platform_audit(operator=operator, action="tenant.plan_change", tenant=tenant, reason=reason,
                   before=before, after=_state(subscription), ip=ip)
    return subscription


LIMIT_FIELDS = ("max_staff", "max_customers", "max_skus", "max_orders", "max_storage")


@transaction.atomic
def plan_update(*, operator, plan, limits, prices, is_public, ip=None):
    """Edit a plan: its limits (None: unlimited) and its prices (``{(currency, interval):
    amount}``); audited."""
    ops_require(operator, "billing")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    before = {**{name: getattr(plan, name) for name in LIMIT_FIELDS},
              "is_public": plan.is_public,
              "prices": {f"{p.currency} {p.interval}": str(p.amount) for p in plan.prices.all()}}
    problems = {}
    for name in LIMIT_FIELDS:
        value = limits.get(name)
        if value not in (None, "") and (not str(value).isdigit() or int(value) > 10**9):
            problems[name] = [_("Enter a whole number, or leave it empty for no limit.")]
    cleaned_prices = {}
    for (currency, interval), amount in prices.items():
        try:
            value = Decimal(str(amount)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            value = Decimal("-1")
        if value < 0 or value >= Decimal("1000000"):
            problems[f"price_{currency}_{interval}"] = [_("Enter an amount of 0 or more.")]
        cleaned_prices[(currency, interval)] = value
    if problems:
        raise ApplicationError(next(iter(problems.values()))[0], fields=problems)
    for name in LIMIT_FIELDS:
        value = limits.get(name)
        setattr(plan, name, int(value) if value not in (None, "") else None)
    plan.is_public = bool(is_public)
    plan.save()
    for (currency, interval), amount in cleaned_prices.items():
        PlanPrice.objects.update_or_create(plan=plan, currency=currency, interval=interval,
                                           defaults={"amount": amount})
    after = {**{name: getattr(plan, name) for name in LIMIT_FIELDS}, "is_public": plan.is_public,
             "prices": {f"{c} {i}": str(a) for (c, i), a in cleaned_prices.items()}}
    platform_audit(operator=operator, action="plan.update", reason=plan.code, before=before,
                   after=after, ip=ip)
    return plan


def platform_metrics_refresh(*, now=None):
    """Compute the platform metrics (``shared.metrics``) and write today's snapshot (one
    row per day: a later run of the same day replaces its figures)."""
    from shared import metrics
    from shared.models import PlatformMetric

    now = now or timezone.now()
    started = clock.monotonic()
    payload = metrics.compute(now=now)
    seconds = clock.monotonic() - started
    row, _created = PlatformMetric.objects.update_or_create(
        day=timezone.localdate(now),
        defaults={"computed_at": now, "seconds": round(seconds, 3), "payload": payload})
    return row


def platform_metrics_request(*, operator):
    """An operator asks for the metrics now: the task is queued (it runs at once where
    there is no broker); the page shows the new figures once it has run."""
    from core.background import enqueue_on_commit
    from shared.tasks import platform_metrics_task

    ops_require(operator, "view")
    enqueue_on_commit(platform_metrics_task)


AUDIT_EXPORT_MAX = 50_000


def audit_export(*, operator, query="", ip=None):
    """The platform audit log (as searched) as CSV bytes for a spreadsheet, newest
    first, at most ``AUDIT_EXPORT_MAX`` rows; the export itself is recorded."""
    import json

    import tablib

    from ordering.spreadsheets import CSVFormat
    from shared.selectors import audit_list

    ops_require(operator, "audit")
    dataset = tablib.Dataset(headers=[
        _("When"), _("Operator"), _("Action"), _("Tenant"), _("Reason"), _("Before"),
        _("After"), _("IP address")])
    for row in audit_list(query=query)[:AUDIT_EXPORT_MAX]:
        dataset.append([timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                        row.operator_email, row.action, row.tenant_label, row.reason,
                        json.dumps(row.before, ensure_ascii=False) if row.before else "",
                        json.dumps(row.after, ensure_ascii=False) if row.after else "",
                        row.ip or ""])
    platform_audit(operator=operator, action="audit.export", ip=ip,
                   after={"query": query, "rows": len(dataset)})
    return CSVFormat().export_data(dataset).encode("utf-8"), len(dataset)


# --- a tenant's custom domains and its owner ------------------------------------------

DOMAIN_PATTERN = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                            r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def _domain_error(message):
    return ApplicationError(message, fields={"domain": [message]})


def clean_custom_domain(domain):
    """A host name the tenant may be reached on besides its subdomain: lower case, no
    scheme, port, path or trailing dot; international names in their ASCII form; never
    an address, the platform's own domain or a name of it."""
    from django.conf import settings

    value = (domain or "").strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0].split(":", 1)[0].rstrip(".")
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        raise _domain_error(_("Enter a domain name such as shop.example.com.")) from None
    if not DOMAIN_PATTERN.match(value) or value.replace(".", "").isdigit():
        raise _domain_error(_("Enter a domain name such as shop.example.com."))
    base = settings.BASE_DOMAIN.lower()
    if value == base or value.endswith("." + base):
        raise _domain_error(_("Names under %(base)s are the platform's own; add the "
                              "supplier's domain.") % {"base": base})
    return value


@transaction.atomic
def tenant_domain_add(*, operator, tenant, domain, ip=None):
    """Let the tenant's site answer on ``domain`` too (the supplier points its DNS at
    the platform); audited."""
    from tenants.models import Domain

    ops_require(operator, "domains")
    value = clean_custom_domain(domain)
    if Domain.objects.filter(domain=value).exists():
        raise _domain_error(_("That domain is already in use."))
    added = Domain.objects.create(domain=value, tenant=tenant, is_primary=False)
    platform_audit(operator=operator, action="tenant.domain_add", tenant=tenant, ip=ip,
                   after={"domain": value})
    return added


@transaction.atomic
def tenant_domain_remove(*, operator, tenant, domain, ip=None):
    """Stop answering on a custom domain (never the tenant's own subdomain)."""
    from tenants import cache as tenant_cache
    from tenants.models import Domain

    ops_require(operator, "domains")
    found = Domain.objects.filter(pk=whole_number(domain) or 0, tenant=tenant).first()
    if found is None:
        raise _domain_error(_("No such domain."))
    if found.is_primary or found.domain == tenant.host:
        raise _domain_error(_("The tenant's own subdomain stays."))
    name = found.domain
    found.delete()
    tenant_cache.forget_host(name)
    platform_audit(operator=operator, action="tenant.domain_remove", tenant=tenant, ip=ip,
                   before={"domain": name})
    return name


def owner_invitation_resend(*, operator, tenant, site_url, ip=None):
    """E-mail the tenant's owner a new link to choose a password (the first one was
    lost or expired); audited. ``site_url``: the tenant's address."""
    from django.contrib.auth import get_user_model
    from django_tenants.utils import tenant_context

    from core.mail import email_send
    from roles.enums import UserKind
    from roles.services.accounts import password_link

    ops_require(operator, "owner_invite")
    with tenant_context(tenant):
        owner = get_user_model().objects.filter(email__iexact=tenant.owner_email,
                                                kind=UserKind.STAFF).first()
        if owner is None or not owner.is_active:
            raise ApplicationError(_("The owner's account is not there or is disabled; "
                                     "open the dashboard to look."))
        link = password_link(site_url, owner)
    email_send(to=owner.email, template="email/owner_invite",
               context={"url": link, "name": owner.get_short_name(), "site": site_url,
                        "company": tenant.name},
               language=tenant.default_language or "en")
    platform_audit(operator=operator, action="tenant.owner_invite", tenant=tenant, ip=ip,
                   after={"email": owner.email})
    return owner.email
