"""Plan limits, checked by the services that create staff, customers, SKUs and orders.

``limit_check(tenant, what)`` is the one call: it refuses when the tenant's status does
not allow the write (the entitlement table) and when one more ``what`` would exceed the
plan. It counts only the thing it guards, with one indexed ``COUNT`` in the tenant's
schema, at creation time (never per request). The models are looked up by label so
billing imports nothing from the apps that call it.
"""

from django.apps import apps
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language, gettext as _

from billing.enums import Limit
from billing.exceptions import BillingError, BillingErrorCode
from billing.lifecycle import entitlement

BILLING_URL = "/dashboard/billing/"

# what → (model label, filter) counted in the tenant's schema
COUNTED = {
    Limit.STAFF: ("roles.User", {"kind": "staff", "is_active": True}),
    Limit.CUSTOMERS: ("customers.Customer", {}),
    Limit.SKUS: ("catalog.Variant", {"is_active": True}),
    Limit.ORDERS: ("orders.Order", {}),
}


def usage_count(what, *, now=None):
    """How many ``what`` the current schema has (orders: this calendar month)."""
    what = Limit(what)
    if what == Limit.STORAGE:
        from billing.models import Usage

        usage = Usage.objects.filter(tenant_id=connection.tenant.pk).first()
        return usage.storage if usage else 0
    label, filters = COUNTED[what]
    queryset = apps.get_model(label).objects.filter(**filters)
    if what == Limit.ORDERS:
        now = timezone.localtime(now or timezone.now())
        queryset = queryset.filter(created_at__gte=now.replace(day=1, hour=0, minute=0,
                                                               second=0, microsecond=0))
    return queryset.count()


def write_check(tenant, *, ordering=False):
    """Refuse a write the tenant's status does not allow."""
    if tenant is None or getattr(tenant, "is_public", True):
        return
    rights = entitlement(tenant.status)
    if ordering and not rights.can_order:
        raise BillingError(BillingErrorCode.ORDERING_PAUSED,
                           _("Ordering is paused for this site until its subscription is "
                             "paid. Your orders and data are kept."),
                           upgrade_url=BILLING_URL)
    if not ordering and not rights.can_write:
        raise BillingError(BillingErrorCode.READ_ONLY,
                           _("This site is read-only until its subscription is paid. An "
                             "administrator can pay on the billing page."),
                           upgrade_url=BILLING_URL)


def _limit_message(plan, what, allowed, used, actor):
    """The refusal in the words of whoever met it, and the billing page's address when
    they can act on it: a dealer is told the supplier cannot take more orders, staff
    without the billing permission are told to ask an administrator, and an
    administrator (or an API key, which speaks for the tenant) gets the upgrade link."""
    from billing.selectors import plan_name
    from roles.enums import UserKind
    from roles.permissions import has_perm

    numbers = {"plan": plan_name(plan, get_language()), "allowed": allowed,
               "what": what.label, "used": used}
    kind = getattr(actor, "kind", None)
    if kind == UserKind.DEALER:
        if what == Limit.ORDERS:
            return _("The supplier cannot take more orders online this month. Please "
                     "contact the supplier to place this order."), ""
        return _("The supplier's plan does not allow this now. Please contact the "
                 "supplier."), ""
    if kind == UserKind.STAFF and not has_perm(actor, "manage_billing"):
        return _("Your plan %(plan)s allows %(allowed)s %(what)s and this site has "
                 "%(used)s. Ask an administrator to upgrade the plan.") % numbers, ""
    return _("Your plan %(plan)s allows %(allowed)s %(what)s and this site has %(used)s. "
             "Upgrade your plan on the billing page to add more.") % numbers, BILLING_URL


def limit_check(tenant, what, *, adding=1, actor=None):
    """Refuse adding ``adding`` more ``what`` beyond the tenant's plan, with an upgrade
    link for whoever may upgrade (``actor``: the user asking; None: an API key or the
    system)."""
    what = Limit(what)
    if tenant is None or getattr(tenant, "is_public", True):
        return
    write_check(tenant, ordering=what == Limit.ORDERS)
    from billing.selectors import plan_for_tenant

    plan = plan_for_tenant(tenant)
    allowed = plan.limit(what) if plan else None
    if allowed is None or adding <= 0:
        return
    used = usage_count(what)
    if used + adding > allowed:
        message, upgrade_url = _limit_message(plan, what, allowed, used, actor)
        raise BillingError(BillingErrorCode.LIMIT_REACHED, message, upgrade_url=upgrade_url,
                           limit=what.value, allowed=allowed, used=used)
