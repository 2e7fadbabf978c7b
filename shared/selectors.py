"""Reads of the operator console: a tenant with its subscription, usage, changes and
audit trail; the plans' price grid; billing drift; the platform audit log; the health
page (the platform's, with billing's failed webhooks). The platform metrics are read in
``shared.metrics``."""

from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from billing import lifecycle
from billing.enums import BillingStatus
from billing.models import Drift, SubscriptionChange
from billing.selectors import (billing_overview, invoices_for, plan_list, plan_name,
                               webhook_failures_open)
from core.text import whole_number
from shared.models import PlatformAudit
from tenants.enums import Currency
from tenants.models import Tenant


def tenant_get(*, pk):
    pk = whole_number(pk)
    if pk is None:
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
    all_plans = list(plan_list())
    plans = {plan.code: plan_name(plan, language) for plan in all_plans}
    statuses = dict(BillingStatus.choices)
    for change in changes:  # in the reader's language
        change.from_label = statuses.get(change.from_status, change.from_status)
        change.to_label = statuses.get(change.to_status, change.to_status)
        change.from_plan_label = plans.get(change.from_plan, change.from_plan)
        change.to_plan_label = plans.get(change.to_plan, change.to_plan)
    invoices, invoice_warning = invoices_for(subscription)
    return {"tenant": tenant, **overview, "changes": changes, "all_plans": all_plans,
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
                "activity": (F("usage__last_activity_at").desc(nulls_last=True), "-created_at"),
                # tenants not counted yet come last
                "orders": (F("usage__orders").desc(nulls_last=True), "-created_at"),
                "storage": (F("usage__storage").desc(nulls_last=True), "-created_at")}


# the tenant list's "last activity" filter: key → (label, days); the latest sign-in or
# order, as the hourly usage count saw it
ACTIVITY_FILTERS = {"7d": 7, "30d": 30, "idle30": -30, "never": None}


def ops_tenant_list(*, query="", status="", plan="", sort="newest", created_from=None,
                    created_to=None, activity=""):
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
    if created_from:
        qs = qs.filter(created_at__date__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__date__lte=created_to)
    if activity in ACTIVITY_FILTERS:
        days = ACTIVITY_FILTERS[activity]
        if days is None:
            qs = qs.filter(Q(usage__isnull=True) | Q(usage__last_activity_at__isnull=True))
        else:
            since = timezone.now() - timedelta(days=abs(days))
            qs = qs.filter(usage__last_activity_at__gte=since) if days > 0 else \
                qs.filter(usage__last_activity_at__lt=since)
    return qs.order_by(*TENANT_SORTS.get(sort, TENANT_SORTS["newest"]), "-id")


def operator_list():
    """The operators with their role, whether their authenticator is set up and how many
    backup codes they have left (three queries whatever their number)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Exists, OuterRef
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from roles.enums import UserKind
    from shared.models import OperatorProfile, OperatorRole

    users = list(get_user_model().objects.filter(kind=UserKind.OPERATOR).annotate(
        enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .order_by("-is_active", "email"))
    roles = dict(OperatorProfile.objects.values_list("user_id", "role"))
    codes = dict(StaticToken.objects.values("device__user_id").annotate(n=Count("id"))
                 .values_list("device__user_id", "n"))
    labels = dict(OperatorRole.choices)
    for user in users:
        user.operator_role = roles.get(user.pk, OperatorRole.ADMIN)
        user.role_label = labels[user.operator_role]
        user._operator_role = user.operator_role
        user.backup_codes = codes.get(user.pk, 0)
    return users


def operator_get(*, pk):
    from django.contrib.auth import get_user_model

    from roles.enums import UserKind

    return get_user_model().objects.filter(kind=UserKind.OPERATOR,
                                           pk=whole_number(pk) or 0).first()


# --- tenant exports ------------------------------------------------------------------


def tenant_exports(tenant, *, limit=5):
    """The tenant's latest exports, newest first (the tenant page's export card)."""
    from shared.models import TenantExport

    return list(TenantExport.objects.filter(tenant=tenant).order_by("-created_at", "-id")
                [:limit])


def export_get(*, pk, tenant=None):
    from shared.models import TenantExport

    qs = TenantExport.objects.select_related("tenant").filter(pk=pk)
    if tenant is not None:
        qs = qs.filter(tenant=tenant)
    return qs.first()


def export_documents():
    """What an export prints, read in the current tenant schema: every order (with its
    customer and lines) and, per customer, the first and last day of its receivable
    account's entries (its statement of account covers them)."""
    from django.db.models import Max, Min
    from django.utils import timezone

    from ordering.finance.enums import AccountKind
    from ordering.finance.models import Entry
    from ordering.orders.models import Order

    orders = (Order.objects.select_related("customer").prefetch_related("lines")
              .order_by("pk"))
    spans = (Entry.objects.filter(account__kind=AccountKind.RECEIVABLE)
             .values("account__customer").annotate(first=Min("created_at"),
                                                   last=Max("created_at"))
             .order_by("account__customer"))
    from ordering.customers.models import Customer

    customers = Customer.objects.in_bulk([row["account__customer"] for row in spans])
    statements = [(customers[row["account__customer"]], timezone.localdate(row["first"]),
                   max(timezone.localdate(row["last"]), timezone.localdate()))
                  for row in spans if row["account__customer"] in customers]
    return orders, statements


def ops_health(*, now=None):
    """The health page: ``tenants.health.platform_health`` and the Stripe events whose
    handling failed (``billing.webhook_failures``)."""
    from tenants.health import platform_health

    health = platform_health(now=now)
    health.webhook_failures, health.webhook_failures_total = webhook_failures_open()
    return health


ACTIVITY_DAYS = 14


def tenant_activity(tenant, *, days=ACTIVITY_DAYS):
    """The tenant page's recent activity, read from the tenant's schema (one tenant, two
    queries): the last sign-ins, and orders per day over ``days`` days (every day, zero
    included, oldest first, with a bar height in percent)."""
    from django.apps import apps
    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django_tenants.utils import tenant_context

    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    with tenant_context(tenant):
        sign_ins = list(apps.get_model("roles", "LoginLog").objects
                        .order_by("-created_at", "-id")[:10])
        per_day = dict(apps.get_model("orders", "Order").objects
                       .filter(created_at__date__gte=start)
                       .annotate(day=TruncDate("created_at")).values("day")
                       .annotate(n=Count("id")).values_list("day", "n"))
    top = max(per_day.values(), default=0) or 1
    orders = [{"day": start + timedelta(days=n), "count": per_day.get(start + timedelta(days=n), 0)}
              for n in range(days)]
    for row in orders:
        row["percent"] = round(100 * row["count"] / top)
    return {"sign_ins": sign_ins, "orders_per_day": orders,
            "orders_total": sum(row["count"] for row in orders)}
