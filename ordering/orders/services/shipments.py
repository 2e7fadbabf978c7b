"""Shipping (partial shipments per line) and receipt confirmation.

A shipment turns reserved stock into shipped stock (one ``shipment`` movement per
variant) and records carrier, tracking number and date. The shipment that ships the
last outstanding unit moves the order on through the workflow (to receipt
confirmation, or straight to completed when that step is switched off).
"""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ConflictError
from ordering.orders.exceptions import OrderConflictError, OrderError, OrderErrorCode, OrderNotFoundError, OrderPermissionError
from ordering.orders import workflow
from ordering.orders.enums import EventKind, FulfilmentStatus
from ordering.orders.models import Carrier, Order, OrderLine, Shipment, ShipmentLine
from ordering.orders.services import reservations
from roles.permissions import can_reach, has_perm


def _require(actor, perm, order):
    if actor is None:
        return
    if not has_perm(actor, perm):

        raise OrderPermissionError(_("You do not have permission to do this."))
    if not can_reach(actor, order):
        raise OrderNotFoundError(_("No such order."))


def shipment_create(*, actor, order, quantities, carrier_id=None, tracking_number="",
                    shipped_on=None, note=""):
    """Ship ``quantities`` ({order line id: base units}; lines left out ship nothing)."""
    with transaction.atomic():
        order = workflow.lock(order)
        _require(actor, "ship_orders", order)
        if not workflow.is_shippable(order):
            raise OrderConflictError(_("This order is %(status)s: it cannot ship now.") % {
                "status": order.get_status_display().lower()}, code=OrderErrorCode.INVALID_TRANSITION)
        lines = {line.pk: line for line in order.lines.all()}
        wanted, errors = {}, {}
        for key, value in (quantities or {}).items():
            try:
                line = lines.get(int(key))
                quantity = int(str(value).strip() or 0)
            except (TypeError, ValueError):
                errors[str(key)] = [_("Enter a whole number.")]
                continue
            if line is None:
                errors[str(key)] = [_("This line is not on the order.")]
            elif quantity < 0:
                errors[str(key)] = [_("Enter 0 or more.")]
            elif quantity > line.to_ship:
                errors[str(key)] = [_("Only %(n)d left to ship.") % {"n": line.to_ship}]
            elif quantity:
                wanted[line.pk] = quantity
        if errors:
            raise OrderError(_("Check the quantities marked in red."), fields=errors)
        if not wanted:
            raise OrderError(_("Enter how many of at least one line you ship."),
                                   code=OrderErrorCode.EMPTY)
        carrier = None
        if carrier_id not in (None, ""):
            carrier = Carrier.objects.filter(pk=int(carrier_id) if str(carrier_id).isdigit()
                                             else 0).first()
            if carrier is None:
                raise OrderError(_("Choose one of the carriers."),
                                       fields={"carrier": [_("Choose one of the carriers.")]})
        today = timezone.localdate()
        shipped_on = shipped_on or today
        if shipped_on > today + timedelta(days=1):
            raise OrderError(_("The shipping date cannot be in the future."),
                                   fields={"shipped_on": [_("Enter today or an earlier date.")]})
        shipment = Shipment.objects.create(
            order=order, carrier=carrier, carrier_name=carrier.name if carrier else "",
            tracking_number=(tracking_number or "").strip()[:60], shipped_on=shipped_on,
            note=(note or "").strip()[:200],
            created_by=actor if getattr(actor, "pk", None) else None)
        per_variant = defaultdict(int)
        for line_id, quantity in wanted.items():
            line = lines[line_id]
            per_variant[line.variant_id] += quantity
            line.shipped_quantity += quantity
        ShipmentLine.objects.bulk_create([ShipmentLine(shipment=shipment, order_line_id=pk,
                                                       quantity=q) for pk, q in wanted.items()])
        OrderLine.objects.bulk_update(
            [lines[pk] for pk in wanted], ["shipped_quantity"])
        reservations.ship(order, per_variant, actor=actor)
        done = all(line.to_ship == 0 for line in lines.values())
        data = {"shipment": shipment.pk, "carrier": shipment.carrier_name,
                "tracking_number": shipment.tracking_number,
                "lines": {lines[pk].sku_code: q for pk, q in wanted.items()}}
        Order.objects.filter(pk=order.pk).update(
            fulfilment_status=FulfilmentStatus.SHIPPED if done else FulfilmentStatus.PARTIAL,
            shipped_at=timezone.now())
        if done:
            workflow.transition(order=order, action=workflow.SHIPPED, actor=actor, data=data)
        else:
            from ordering.orders.notify import notify_order_event

            notify_order_event(workflow.record(order, EventKind.SHIPPED, actor, data=data))
    return shipment


def receipt_confirm(*, actor, order, automatic=False):
    """The dealer (or staff with ``ship_orders``, or the platform) confirms receipt."""
    reason = _("Confirmed automatically after %(days)d days") % {
        "days": _tenant_days()} if automatic else ""
    return workflow.transition(order=order, action=workflow.RECEIVE, actor=actor, reason=reason)


def _tenant_days():
    from ordering.settings.selectors import tenant_settings

    return tenant_settings().auto_receipt_days or 0


def receipt_confirm_overdue(*, now=None):
    """Confirm receipt of every order shipped more than the tenant's N days ago (0: off).
    Returns how many. Safe to run twice: a confirmed order is skipped."""
    days = _tenant_days()
    if not days:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    confirmed = 0
    for pk in Order.objects.filter(status__in=workflow.ACTIONS[workflow.RECEIVE],
                                    shipped_at__lte=cutoff) \
            .values_list("pk", flat=True):
        try:
            receipt_confirm(actor=None, order=pk, automatic=True)
        except ConflictError:
            continue
        confirmed += 1
    return confirmed
