"""The tenant's order settings: workflow steps, stock reservation, automatic receipt,
minimum order; the payment methods offered at checkout; its shipping methods and
carriers."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from core.background import enqueue_on_commit
from ordering.orders.exceptions import OrderError
from ordering.customers.services.guards import require_perm
from ordering.orders import workflow
from ordering.orders.enums import PaymentMethod, ReserveAt
from ordering.orders.models import Carrier, PaymentOption, ShippingMethod
from ordering.settings.services import settings_update
from roles.services.audit import audit_record


def _money(value, field):
    try:
        amount = Decimal(str(value).strip() or "0")
    except InvalidOperation:
        raise OrderError(_("Enter an amount."), fields={field: [_("Enter an amount.")]}) \
            from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise OrderError(_("Enter an amount of 0 or more."),
                               fields={field: [_("Enter an amount of 0 or more.")]})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def order_settings_update(*, actor, workflow_off, reserve_stock_at, auto_receipt_days,
                          min_order_amount, quoted_skip_review=None, ip=None):
    """Change the workflow. Orders waiting at a step now switched off move on after the
    commit (``workflow.advance_switched_off``, in the background). ``quoted_skip_review``
    (None: unchanged): orders from an accepted quotation pass order review at once."""
    require_perm(actor, "manage_settings")
    off = sorted(set(workflow_off or ()))
    unknown = [step for step in off if step not in workflow.SKIPPABLE]
    if unknown:
        raise OrderError(_("Only order review, finance review, outbound review and "
                                 "receipt confirmation can be switched off."),
                               fields={"workflow_off": [_("Choose from the list.")]})
    if reserve_stock_at not in ReserveAt.values:
        raise OrderError(_("Choose when stock is reserved."),
                               fields={"reserve_stock_at": [_("Choose from the list.")]})
    try:
        days = int(auto_receipt_days)
    except (TypeError, ValueError):
        days = -1
    if not 0 <= days <= 90:
        raise OrderError(_("Enter 0 (never) to 90 days."),
                               fields={"auto_receipt_days": [_("Enter 0 (never) to 90 days.")]})
    minimum = _money(min_order_amount, "min_order_amount")
    extra = {} if quoted_skip_review is None else {"quoted_skip_review": bool(quoted_skip_review)}
    row, before = settings_update(actor=actor, action="orders.settings", ip=ip,
                                  workflow_off=off, reserve_stock_at=reserve_stock_at,
                                  auto_receipt_days=days, min_order_amount=minimum, **extra)
    if set(off) - set(before["workflow_off"] or ()):
        from ordering.orders.tasks import advance_switched_off_task

        enqueue_on_commit(advance_switched_off_task)
    return row


@transaction.atomic
def payment_methods_update(*, actor, methods, ip=None):
    """Choose which payment methods dealers are offered at checkout (at least one).
    Every method keeps a row (offered or not), in the catalog's order."""
    from ordering.orders.selectors import available_payment_methods

    require_perm(actor, "manage_settings")
    chosen = set(methods or ())
    available = available_payment_methods()
    unknown = chosen - set(available)
    if unknown:
        raise OrderError(_("Choose from the list."),
                               fields={"methods": [_("Choose from the list.")]})
    if not chosen:
        raise OrderError(_("Offer at least one payment method."),
                               fields={"methods": [_("Offer at least one payment method.")]})
    before = offered_payment_methods_now()
    # a method the tenant cannot offer now (online payment before its Stripe account
    # accepts payments) keeps its row as it was
    for position, value in enumerate(PaymentMethod.values):
        if value in available:
            PaymentOption.objects.update_or_create(
                method=value, defaults={"is_active": value in chosen, "position": position})
    after = [value for value in PaymentMethod.values if value in chosen]
    audit_record(actor=actor, action="orders.payment_methods", before={"methods": before},
                 after={"methods": after}, ip=ip)
    return after


def offered_payment_methods_now():
    from ordering.orders.selectors import offered_payment_methods

    return offered_payment_methods()


def _name(value):
    name = (value or "").strip()[:60]
    if not name:
        raise OrderError(_("Enter a name."), fields={"name": [_("Enter a name.")]})
    return name


@transaction.atomic
def shipping_method_save(*, actor, name, fee, is_active=True, position=0, method=None, ip=None):
    require_perm(actor, "manage_settings")
    method = method or ShippingMethod()
    method.name, method.fee = _name(name), _money(fee, "fee")
    method.is_active, method.position = bool(is_active), int(position or 0)
    method.save()
    audit_record(actor=actor, action="orders.shipping_method", obj=method,
                 after={"name": method.name, "fee": str(method.fee),
                        "active": method.is_active}, ip=ip)
    return method


@transaction.atomic
def carrier_save(*, actor, name, tracking_url="", is_active=True, position=0, carrier=None,
                 ip=None):
    require_perm(actor, "manage_settings")
    carrier = carrier or Carrier()
    carrier.name = _name(name)
    url = (tracking_url or "").strip()[:200]
    if url and not url.startswith(("https://", "http://")):
        raise OrderError(_("The tracking link must start with https://."),
                               fields={"tracking_url": [_("Start with https://.")]})
    if Carrier.objects.filter(name__iexact=carrier.name).exclude(pk=carrier.pk).exists():
        raise OrderError(_("A carrier of this name exists."),
                               fields={"name": [_("A carrier of this name exists.")]})
    carrier.tracking_url, carrier.is_active = url, bool(is_active)
    carrier.position = int(position or 0)
    carrier.save()
    audit_record(actor=actor, action="orders.carrier", obj=carrier,
                 after={"name": carrier.name, "active": carrier.is_active}, ip=ip)
    return carrier
