"""The tenant lifecycle: one table of transitions, one table of entitlements, one
function that changes a subscription's status (and the tenant's copy of it).

    trial ──► active ──► past_due ──► suspended ──► canceled
      │          ▲           │             │             │
      └──────────┴───────────┴─────────────┴─────────────┘  reactivation on payment

Nothing else writes ``Subscription.status`` or ``Tenant.status`` for billing.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.enums import BillingStatus as S, EventSource
from billing.exceptions import BillingError, BillingErrorCode


@dataclass(frozen=True)
class Entitlement:
    staff_sign_in: bool
    dealer_sign_in: bool
    can_order: bool   # dealers (and staff on their behalf) place orders
    can_write: bool   # staff change data; False: read-only
    billing_open: bool = True  # administrators reach the billing page


# Who may do what in every status. The middleware and the services read this table,
# nothing else decides. Suspended and canceled tenants lose no data.
ENTITLEMENTS = {
    S.TRIAL: Entitlement(staff_sign_in=True, dealer_sign_in=True, can_order=True,
                         can_write=True),
    S.ACTIVE: Entitlement(staff_sign_in=True, dealer_sign_in=True, can_order=True,
                          can_write=True),
    # grace period: everything works, administrators see a banner
    S.PAST_DUE: Entitlement(staff_sign_in=True, dealer_sign_in=True, can_order=True,
                            can_write=True),
    # staff read-only, dealers see "ordering paused"
    S.SUSPENDED: Entitlement(staff_sign_in=True, dealer_sign_in=True, can_order=False,
                             can_write=False),
    # data kept for the retention period: staff may read and export, dealers are out
    S.CANCELED: Entitlement(staff_sign_in=True, dealer_sign_in=False, can_order=False,
                            can_write=False),
}

# from → the statuses it may move to
TRANSITIONS = {
    S.TRIAL: {S.ACTIVE, S.PAST_DUE, S.SUSPENDED, S.CANCELED},
    S.ACTIVE: {S.TRIAL, S.PAST_DUE, S.SUSPENDED, S.CANCELED},
    S.PAST_DUE: {S.ACTIVE, S.TRIAL, S.SUSPENDED, S.CANCELED},  # trial extended in Stripe
    S.SUSPENDED: {S.ACTIVE, S.TRIAL, S.CANCELED},
    S.CANCELED: {S.ACTIVE, S.TRIAL},
}

# Stripe's subscription status → ours
STRIPE_STATUS = {
    "trialing": S.TRIAL,
    "active": S.ACTIVE,
    "past_due": S.PAST_DUE,
    "unpaid": S.SUSPENDED,
    "paused": S.SUSPENDED,  # a trial that ended without a payment method
    "incomplete": S.TRIAL,
    "incomplete_expired": S.CANCELED,
    "canceled": S.CANCELED,
}


def retention_ends_on(subscription):
    """The first day operators may delete a canceled tenant: ``TENANT_RETENTION_DAYS``
    after it was canceled (None while it is not canceled). Until then its data is kept
    whole and a payment brings it back."""
    if subscription.status != S.CANCELED or subscription.status_changed_at is None:
        return None
    return timezone.localdate(subscription.status_changed_at
                              + timedelta(days=settings.TENANT_RETENTION_DAYS))


def deletion_allowed(subscription, *, today=None):
    """Whether operators may delete the tenant now (canceled, retention over)."""
    ends = retention_ends_on(subscription)
    return ends is not None and (today or timezone.localdate()) >= ends


def entitlement(status):
    """The entitlement row for a status (an unknown status gets the strictest one)."""
    return ENTITLEMENTS.get(status, ENTITLEMENTS[S.CANCELED])


def transition(*, subscription, to, source, reason="", actor=None, plan=None):
    """Move ``subscription`` to ``to`` (and optionally to ``plan``), lock first, validate
    against ``TRANSITIONS``, write a ``SubscriptionChange`` and the tenant's copy.

    Moving to the current status with the current plan does nothing and returns False.
    """
    from billing.models import Subscription, SubscriptionChange

    with transaction.atomic():
        locked = Subscription.objects.select_for_update().select_related(
            "tenant", "plan").get(pk=subscription.pk)
        to = S(to)
        new_plan = plan or locked.plan
        if locked.status == to and new_plan.pk == locked.plan_id:
            _refresh(subscription, locked)
            return False
        if locked.status != to and to not in TRANSITIONS[S(locked.status)]:
            raise BillingError(
                BillingErrorCode.INVALID_TRANSITION,
                _("A subscription cannot go from %(from)s to %(to)s.")
                % {"from": S(locked.status).label, "to": to.label})
        SubscriptionChange.objects.create(
            subscription=locked, from_status=locked.status, to_status=to,
            from_plan=locked.plan.code, to_plan=new_plan.code, source=EventSource(source),
            reason=reason[:200], actor_email=getattr(actor, "email", "") or "")
        if locked.status != to:
            locked.status_changed_at = timezone.now()
        locked.status = to
        locked.plan = new_plan
        locked.save()
        tenant = locked.tenant
        before = tenant.status
        if tenant.status != to or tenant.plan != new_plan.code:
            tenant.status = to
            tenant.plan = new_plan.code
            tenant.save(update_fields=["status", "plan", "updated_at"])
        if before != to and (to in TOLD or (to == S.ACTIVE and before in TOLD)):
            _tell_owner(locked, to)
        _refresh(subscription, locked)
        return True


# the statuses the owner is told of by e-mail (and of the way back to active)
TOLD = {S.PAST_DUE, S.SUSPENDED, S.CANCELED}


def suspend_on(subscription):
    """When a past-due subscription billed by hand is paused (None for Stripe's, which
    follows Stripe's retries)."""
    from billing.services import GRACE_DAYS

    if subscription.status != S.PAST_DUE or not subscription.manual \
            or subscription.current_period_end is None:
        return None
    return (subscription.current_period_end + timedelta(days=GRACE_DAYS)).date()


def _tell_owner(subscription, status):
    """E-mail the site's owner what the new status means and where to pay (after the
    transaction commits; once per change)."""
    from core.mail import email_send

    tenant = subscription.tenant
    if not tenant.owner_email:
        return
    when = suspend_on(subscription)
    email_send(to=tenant.owner_email, template="email/billing_status",
               context={"name": tenant.name, "status": str(status),
                        "suspend_on": when.isoformat() if when else "",
                        "url": f"https://{tenant.host}/dashboard/billing/"},
               language=tenant.default_language)


def _refresh(target, source):
    if target is not source:
        for field in ("status", "plan", "plan_id", "status_changed_at", "had_trial"):
            setattr(target, field, getattr(source, field))
