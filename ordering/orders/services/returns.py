"""Returns (退货单): the dealer asks to send back shipped goods; staff review, receive
the goods (back into stock when resaleable) and refund.

    requested → approved → received → completed (refunded)
    requested / approved → rejected (with a reason)

The steps are data in ``ordering.orders.workflow`` (``RETURN_STEPS``), whose
``return_transition`` is the one place a return's status changes.

A line may ask for at most what was shipped less what other returns of the order
already claim (open ones included), checked with the order's row locked, so two
requests at once cannot together exceed it. Receiving moves resaleable goods back into
stock (a ``return`` stock movement) and counts them as returned on the order line.
The refund is recorded (amount, to the prepaid balance or paid outside) and posted on
the customer's ledger by finance (the ``return_refunded`` order hook). Staff need ``manage_returns`` and the customer in
their scope.
"""

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Case, F, Sum, When
from django.utils.translation import gettext as _

from ordering.orders.exceptions import (OrderError, OrderErrorCode, OrderNotFoundError,
                                        OrderPermissionError)
from core.money import format_money
from ordering.catalog.enums import MovementKind
from ordering.catalog.pricing import money
from ordering.catalog.services.stock import stock_move_many
from ordering.customers.services.applications import licence_validate
from ordering.customers.services.guards import login_of
from ordering.orders import hooks, workflow
from ordering.orders.enums import RefundMethod, ReturnCondition, ReturnStatus
from ordering.orders.models import (OrderLine, ReturnEvent, ReturnLine, ReturnPhoto,
                                    ReturnRequest)
from roles.permissions import can_reach, has_perm

MAX_PHOTOS = 6
R = ReturnStatus


def _claimed(order):
    """{order line id: base units claimed by the order's returns that are not rejected}:
    what was asked for while open, what actually came back once received (units that
    never arrived can be asked for again)."""
    claimed = Case(When(request__status__in=(R.RECEIVED, R.COMPLETED),
                        then=F("received_quantity")), default=F("quantity"))
    rows = ReturnLine.objects.filter(request__order=order).exclude(
        request__status=R.REJECTED).values("order_line_id").annotate(n=Sum(claimed))
    return {row["order_line_id"]: row["n"] for row in rows}


def returnable(order):
    """{order line id: base units the dealer may still ask to return}."""
    claimed = _claimed(order)
    return {line.pk: max(line.shipped_quantity - claimed.get(line.pk, 0), 0)
            for line in order.lines.all()}


def _goods_value(return_lines):
    """What the received goods cost: each order line's amount in proportion to the base
    units received (never the rounded per-unit price × quantity, which can exceed what
    was paid for a whole case)."""
    return money(sum((line.order_line.line_total * line.received_quantity
                      / line.order_line.base_quantity for line in return_lines
                      if line.received_quantity), Decimal("0")))


def _record(request, status, actor, note=""):
    event = ReturnEvent.objects.create(request=request, status=status,
                                       actor=actor if getattr(actor, "pk", None) else None,
                                       note=(note or "").strip())
    from ordering.orders.notify import notify_return_event

    notify_return_event(event)
    return event


def return_request(*, actor, order, quantities, reason, photos=()):
    """The dealer asks to return ``quantities`` ({order line id: base units})."""
    login = login_of(actor)
    if login is None or login.customer_id != order.customer_id:
        raise OrderNotFoundError(_("No such order."))
    if not login.can_order:
        raise OrderPermissionError(_("Your login can only view."))
    reason = (reason or "").strip()
    if not reason:
        raise OrderError(_("Say why you return the goods."),
                               fields={"reason": [_("Say why you return the goods.")]})
    photos = [p for p in photos or () if p]
    if len(photos) > MAX_PHOTOS:
        raise OrderError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS},
                               fields={"photos": [_("At most %(n)d photos.") % {"n": MAX_PHOTOS}]})
    for photo in photos:
        licence_validate(photo, field="photos")
    with transaction.atomic():
        order = workflow.lock(order)  # serialises requests against the same order
        left = returnable(order)
        lines = {line.pk: line for line in order.lines.all()}
        wanted, errors = {}, {}
        for key, value in (quantities or {}).items():
            try:
                line_id, quantity = int(key), int(str(value).strip() or 0)
            except (TypeError, ValueError):
                errors[str(key)] = [_("Enter a whole number.")]
                continue
            if line_id not in lines:
                errors[str(key)] = [_("This line is not on the order.")]
            elif quantity < 0:
                errors[str(key)] = [_("Enter 0 or more.")]
            elif quantity > left.get(line_id, 0):
                errors[str(key)] = [_("At most %(n)d can be returned.") % {
                    "n": left.get(line_id, 0)}]
            elif quantity:
                wanted[line_id] = quantity
        if errors:
            raise OrderError(_("Check the quantities marked in red."), fields=errors)
        if not wanted:
            raise OrderError(_("Enter how many of at least one line you return."),
                                   code=OrderErrorCode.EMPTY)
        count = ReturnRequest.objects.filter(order=order).count() + 1
        request = ReturnRequest.objects.create(
            number=f"RT-{order.number or order.pk}-{count}", order=order,
            customer_id=order.customer_id, reason=reason, requested_by=actor)
        ReturnLine.objects.bulk_create([ReturnLine(
            request=request, order_line=lines[pk], quantity=n,
            unit_price=money(lines[pk].unit_price / lines[pk].factor))
            for pk, n in wanted.items()])
        for photo in photos:
            ReturnPhoto.objects.create(request=request, image=photo)
        _record(request, R.REQUESTED, actor, reason)
    return request


def _staff(actor, request):
    if actor is None:
        return
    if not has_perm(actor, "manage_returns"):
        raise OrderPermissionError(_("You do not have permission to do this."))
    if not can_reach(actor, request):
        raise OrderNotFoundError(_("No such return."))


def _lock(request):
    locked = ReturnRequest.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None:
        raise OrderNotFoundError(_("No such return."))
    return locked


@transaction.atomic
def return_approve(*, actor, request, note=""):
    request = _lock(request)
    _staff(actor, request)
    workflow.return_transition(request, R.APPROVED)
    _record(request, R.APPROVED, actor, note)
    return request


@transaction.atomic
def return_reject(*, actor, request, reason):
    request = _lock(request)
    _staff(actor, request)
    if not (reason or "").strip():
        raise OrderError(_("Give a reason."), fields={"reason": [_("Give a reason.")]})
    workflow.return_transition(request, R.REJECTED)
    _record(request, R.REJECTED, actor, reason)
    return request


@transaction.atomic
def return_receive(*, actor, request, received):
    """The goods arrived: ``received`` {return line id: (quantity, condition)}. Resaleable
    quantities go back into stock; every received quantity counts as returned on the
    order line."""
    request = _lock(request)
    _staff(actor, request)
    workflow.return_transition(request, R.RECEIVED)  # first: its refusal is the message
    lines = {line.pk: line for line in request.lines.select_related("order_line")}
    errors, restock = {}, defaultdict(int)
    for key, (quantity, condition) in (received or {}).items():
        line = lines.get(int(key)) if str(key).isdigit() else None
        try:
            quantity = int(quantity)
        except (TypeError, ValueError):
            quantity = -1
        if line is None:
            errors[str(key)] = [_("This line is not on the return.")]
        elif not 0 <= quantity <= line.quantity:
            errors[str(key)] = [_("Enter 0 to %(n)d.") % {"n": line.quantity}]
        elif condition not in ReturnCondition.values:
            errors[str(key)] = [_("Choose the condition.")]
        else:
            line.received_quantity, line.condition = quantity, condition
            if condition == ReturnCondition.GOOD and quantity:
                restock[line.order_line.variant_id] += quantity
    if errors:
        raise OrderError(_("Check the lines marked in red."), fields=errors)
    if set(lines) - {int(k) for k in (received or {}) if str(k).isdigit()}:
        raise OrderError(_("Say what arrived for every line (0 if nothing)."))
    ReturnLine.objects.bulk_update(lines.values(), ["received_quantity", "condition"])
    for line in sorted(lines.values(), key=lambda l: l.order_line_id):
        if line.received_quantity:
            OrderLine.objects.filter(pk=line.order_line_id).update(
                returned_quantity=F("returned_quantity") + line.received_quantity)
    stock_move_many(actor=actor, kind=MovementKind.RETURN, quantities=dict(restock),
                    reference=request.number)
    refund = _goods_value(lines.values())
    ReturnRequest.objects.filter(pk=request.pk).update(refund_amount=refund)
    request.refund_amount = refund
    _record(request, R.RECEIVED, actor)
    return request


@transaction.atomic
def return_refund(*, actor, request, amount=None, method=RefundMethod.RECORDED, reference=""):
    """Record the refund (default: the received goods at the prices ordered) and close."""
    request = _lock(request)
    _staff(actor, request)
    if method not in RefundMethod.values:
        raise OrderError(_("Choose how the refund is paid."),
                               fields={"method": [_("Choose from the list.")]})
    if amount in (None, ""):
        amount = request.refund_amount
    try:
        amount = money(Decimal(str(amount)))
    except (InvalidOperation, ValueError):
        raise OrderError(_("Enter an amount."), fields={"amount": [_("Enter an amount.")]}) \
            from None
    # at most the value of the goods that came back, at the prices ordered
    ceiling = _goods_value(request.lines.select_related("order_line"))
    if amount < 0 or amount > ceiling:
        shown = format_money(ceiling, request.order.currency)
        raise OrderError(_("Refund between 0 and %(max)s.") % {"max": shown},
                               fields={"amount": [_("Refund between 0 and %(max)s.") % {
                                   "max": shown}]})
    workflow.return_transition(request, R.COMPLETED)
    ReturnRequest.objects.filter(pk=request.pk).update(
        refund_amount=amount, refund_method=method, refund_reference=(reference or "")[:60])
    request.refund_amount, request.refund_method = amount, method
    _record(request, R.COMPLETED, actor, _("Refund %(amount)s") % {
        "amount": format_money(amount, request.order.currency)})
    hooks.run("return_refunded", request=request, actor=actor)  # finance: the credit note
    return request
