"""Stripe Connect: the supplier connects its own Stripe account (created by the platform,
onboarded on Stripe's hosted pages through Account Links) so that its dealers can pay
online, the money going straight to the supplier's account. The ``ConnectedAccount``
row mirrors what Stripe says about the account; it is re-read from Stripe on return
from onboarding, on request and on every ``account.updated`` event."""

from django.db import IntegrityError, transaction

from billing import connect_adapter
from billing.enums import ConnectStatus
from billing.models import ConnectedAccount
from roles.permissions import require_perm
from roles.services.audit import audit_record


def account_apply(*, connected, stripe_account):
    """Copy Stripe's view of the account onto ``connected`` (its newest state)."""
    capabilities = stripe_account.get("capabilities") or {}
    values = {
        "charges_enabled": bool(stripe_account.get("charges_enabled")),
        "payouts_enabled": bool(stripe_account.get("payouts_enabled")),
        "details_submitted": bool(stripe_account.get("details_submitted")),
        "capabilities": {name: capabilities[name]
                         for name in connect_adapter.PAYMENT_CAPABILITIES if name in capabilities},
        "disabled_reason": ((stripe_account.get("requirements") or {}).get("disabled_reason")
                            or "")[:100],
    }
    for field, value in values.items():
        setattr(connected, field, value)
    connected.save(update_fields=[*values, "updated_at"])
    return connected


def onboarding_start(*, actor, tenant, return_url, refresh_url, ip=None):
    """Connect (or continue connecting) the tenant's Stripe account: creates the account
    the first time, then returns the URL of Stripe's onboarding for it. Needs
    ``manage_settings``."""
    require_perm(actor, "manage_settings")
    connected = ConnectedAccount.objects.filter(tenant=tenant).first()
    if connected is None:
        stripe_account = connect_adapter.account_create(tenant=tenant)
        try:
            with transaction.atomic():
                connected = ConnectedAccount.objects.create(tenant=tenant,
                                                            account_id=stripe_account["id"])
        except IntegrityError:  # a concurrent click created it (the same account)
            connected = ConnectedAccount.objects.get(tenant=tenant)
        else:
            account_apply(connected=connected, stripe_account=stripe_account)
            audit_record(actor=actor, action="billing.connect_account", obj=tenant,
                         after={"account": connected.account_id}, ip=ip)
    return connect_adapter.account_link_create(account_id=connected.account_id,
                                               refresh_url=refresh_url, return_url=return_url)


def account_refresh(*, tenant):
    """Re-read the tenant's connected account from Stripe (None: not connected)."""
    connected = ConnectedAccount.objects.filter(tenant=tenant).first()
    if connected is None:
        return None
    return account_apply(connected=connected,
                         stripe_account=connect_adapter.account_retrieve(connected.account_id))


def account_deauthorized(*, connected):
    """The supplier disconnected the platform from its Stripe account in Stripe: nothing
    can be charged on it any more."""
    connected.charges_enabled = connected.payouts_enabled = False
    connected.disabled_reason = "deauthorized"
    connected.save(update_fields=["charges_enabled", "payouts_enabled", "disabled_reason",
                                  "updated_at"])


def status_of(connected):
    if connected is None:
        return ConnectStatus.NOT_CONNECTED
    if connected.charges_enabled:
        return ConnectStatus.ACTIVE
    if connected.details_submitted:
        return ConnectStatus.PENDING
    return ConnectStatus.ONBOARDING
