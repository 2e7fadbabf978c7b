"""Changing an order during order review (改单), and the dealer's answer.

Staff with ``amend_orders`` may change quantities and prices (a changed price needs a
reason), remove and add lines and set the shipping fee while the order waits at order
review. The change is one ``amended`` event whose data is the diff the dealer sees.
When the total rises, the order waits for the dealer to accept it
(``awaiting_dealer``; order review cannot approve until then); the dealer accepts, or
cancels the order. Reserved stock follows the new quantities in the same
transaction. Lines priced 0 (待核价, "price to be confirmed") hold the order at review
until staff set their price here.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from ordering.orders.exceptions import (OrderConflictError, OrderError, OrderErrorCode,
                                        OrderNotFoundError, OrderPermissionError)
from ordering.catalog.pricing import money
from ordering.customers.services.guards import login_of
from ordering.orders import hooks, workflow
from ordering.orders.enums import EventKind
from ordering.orders.models import MAX_AMOUNT, Order, OrderLine
from ordering.orders.services import lines as line_service
from ordering.orders.services import reservations
from ordering.catalog.storefront import MAX_QUANTITY

from roles.permissions import can_reach, has_perm


def _price(value, field):
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise OrderError(_("Enter a price."), fields={field: [_("Enter a price.")]}) from None
    if not price.is_finite() or price < 0 or price >= Decimal("1e10"):
        raise OrderError(_("Enter a price of 0 or more."),
                               fields={field: [_("Enter a price of 0 or more.")]})
    return money(price)


def _line_row(line):
    return {"sku": line.sku_code, "name": line.product_name, "spec": line.spec_label,
            "unit": line.unit_name, "quantity": line.quantity, "price": str(line.unit_price),
            "total": str(line.line_total)}


def order_amend(*, actor, order, changes=None, remove=(), add=(), shipping_fee=None, reason=""):
    """``changes``: {line id: {"quantity"?, "unit_price"?, "price_reason"?}}; ``remove``:
    line ids; ``add``: raw lines priced by the engine; ``shipping_fee``: new fee or None."""
    with transaction.atomic():
        order = workflow.lock(order)
        if actor is not None:
            if not has_perm(actor, "amend_orders"):
                raise OrderPermissionError(_("You do not have permission to do this."))
            if not can_reach(actor, order):
                raise OrderNotFoundError(_("No such order."))
        if not workflow.is_amendable(order):
            raise OrderConflictError(_("Orders can only be changed during order review."),
                                code=OrderErrorCode.INVALID_TRANSITION)
        lines = {line.pk: line for line in order.lines.all()}
        before_rows = {pk: _line_row(line) for pk, line in lines.items()}
        reserved_before = reservations.reserved_quantities(order)
        errors, diff = {}, []
        for key, change in (changes or {}).items():
            line = lines.get(int(key)) if str(key).isdigit() else None
            if line is None:
                errors[str(key)] = [_("This line is not on the order.")]
                continue
            if "quantity" in change and change["quantity"] not in (None, ""):
                try:
                    quantity = int(str(change["quantity"]).strip())
                except ValueError:
                    quantity = 0
                if quantity <= 0:
                    errors[str(key)] = [_("Enter a quantity above zero, or remove the line.")]
                    continue
                if quantity * line.factor > MAX_QUANTITY:
                    errors[str(key)] = [_("Enter at most %(n)s.") % {
                        "n": f"{MAX_QUANTITY // line.factor:,}"}]
                    continue
                line.quantity, line.base_quantity = quantity, quantity * line.factor
            if "unit_price" in change and change["unit_price"] not in (None, ""):
                price = _price(change["unit_price"], str(key))
                if price != line.unit_price:
                    if not (change.get("price_reason") or reason or "").strip():
                        errors[str(key)] = [_("Give a reason for the new price.")]
                        continue
                    line.unit_price, line.price_rule = price, "staff"
                    line.price_note = (change.get("price_reason") or reason).strip()[:200]
                if price > 0:
                    line.price_pending = False
            line.line_total = money(line.unit_price * line.quantity)
            if line.line_total >= MAX_AMOUNT:
                errors[str(key)] = [_("This line's amount is too large.")]
        removed = [lines[pk] for pk in (int(r) for r in remove if str(r).isdigit()) if pk in lines]
        if errors:
            raise OrderError(_("Check the lines marked in red."), fields=errors)
        added_lines = []
        if add:
            resolved, unknown = line_service.resolve(order.customer, list(add))
            if unknown:
                raise OrderError(_("Some lines cannot be added."),
                                       fields={str(k): [m] for k, m in unknown})
            position = max((line.position for line in lines.values()), default=0)
            for offset, line in enumerate(resolved, start=1):
                added_lines.append(OrderLine(
                    order=order, variant=line.variant, product_name=line.variant.product.name,
                    sku_code=line.variant.code, spec_label=line.spec_label,
                    unit_name=line.unit_name, base_unit_name=line.base_unit_name,
                    factor=line.factor, quantity=line.quantity, base_quantity=line.base_quantity,
                    unit_price=line.unit_price, list_price=money(line.price.list_price * line.factor),
                    price_rule=line.price.rule, price_note="; ".join(map(str, line.price.dealer_explanation))[:200],
                    price_pending=line.unit_price == 0, line_total=line.total,
                    position=position + offset))
        if len(lines) - len(removed) + len(added_lines) == 0:
            raise OrderError(_("An order needs at least one line; cancel it instead."))
        fee = order.shipping_fee if shipping_fee in (None, "") else _price(shipping_fee,
                                                                              "shipping_fee")
        kept = [line for pk, line in lines.items() if line not in removed]
        for line in kept:
            if _line_row(line) != before_rows[line.pk]:
                diff.append({"change": "changed", "before": before_rows[line.pk],
                             "after": _line_row(line)})
        diff += [{"change": "removed", "before": before_rows[line.pk]} for line in removed]
        OrderLine.objects.bulk_update(kept, ["quantity", "base_quantity", "unit_price",
                                             "price_rule", "price_note", "price_pending",
                                             "line_total"])
        OrderLine.objects.filter(pk__in=[line.pk for line in removed]).delete()
        OrderLine.objects.bulk_create(added_lines)
        diff += [{"change": "added", "after": _line_row(line)} for line in added_lines]
        if fee != order.shipping_fee:
            diff.append({"change": "shipping_fee", "before": str(order.shipping_fee),
                         "after": str(fee)})
        if not diff:
            raise OrderError(_("Nothing was changed."), code=OrderErrorCode.UNCHANGED)
        old_total = order.total
        subtotal = money(sum((line.line_total for line in kept + added_lines), Decimal("0")))
        total = subtotal + fee
        if total >= MAX_AMOUNT:
            raise OrderError(_("The order's total is too large."), code=OrderErrorCode.TOO_LARGE)
        rises = total > old_total
        Order.objects.filter(pk=order.pk).update(
            subtotal=subtotal, shipping_fee=fee, total=total,
            awaiting_dealer=rises or order.awaiting_dealer)
        reservations.adjust(order, before=reserved_before, actor=actor)
        order.subtotal, order.shipping_fee, order.total = subtotal, fee, total
        hooks.run("order_amended", order=order, previous_total=old_total, actor=actor)
        event = workflow.record(order, EventKind.AMENDED, actor, step=order.status,
                                reason=reason, data={
                                    "diff": diff, "total_before": str(old_total),
                                    "total_after": str(total), "needs_confirmation": rises})
        from ordering.orders.notify import notify_order_event

        notify_order_event(event)
        order = workflow.release_hold(order)
    order.refresh_from_db()
    return order


def amendment_rows(event):
    """An ``amended`` event's diff as rows of a before/after table, for both sides:
    ``{"kind", "label", "sku", "unit", "before", "after"}`` (line rows carry the line's
    values; the shipping-fee row the amounts)."""
    rows = []
    for change in (event.data or {}).get("diff", []):
        kind, before, after = change.get("change"), change.get("before"), change.get("after")
        if kind == "shipping_fee":
            rows.append({"kind": kind, "label": _("Shipping fee"), "sku": "", "unit": "",
                         "before": before, "after": after})
            continue
        line = after or before or {}
        rows.append({"kind": kind, "label": " ".join(
            part for part in (line.get("name", ""), line.get("spec", "")) if part),
            "sku": line.get("sku", ""), "unit": line.get("unit", ""),
            "before": before, "after": after})
    return rows


def amendment_accept(*, actor, order):
    """The dealer accepts the amended order (its total rose)."""
    with transaction.atomic():
        order = workflow.lock(order)
        login = login_of(actor)
        if login is None or login.customer_id != order.customer_id:
            raise OrderNotFoundError(_("No such order."))
        if not login.can_order:
            raise OrderPermissionError(_("Your login can only view."))
        if not workflow.awaits_dealer(order):
            raise OrderConflictError(_("Nothing is waiting for your confirmation."),
                                code=OrderErrorCode.INVALID_TRANSITION)
        Order.objects.filter(pk=order.pk).update(awaiting_dealer=False)
        event = workflow.record(order, EventKind.CONFIRMED, actor, step=order.status)
        from ordering.orders.notify import notify_order_event

        notify_order_event(event)
        order.awaiting_dealer = False
        order = workflow.release_hold(order)
    order.refresh_from_db()
    return order
