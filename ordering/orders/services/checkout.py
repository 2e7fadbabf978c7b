"""Placing an order: from a dealer's cart, or by staff on a dealer's behalf (代下单).

``order_place`` is the one way an order comes to be. In one transaction it checks the
orderer, the lines (through ``lines.resolve``, the cart's own check), the address,
shipping and payment method, the minimum order amount and the login's order limit;
writes the order and its lines; submits it through the workflow (which reserves stock
when the tenant reserves at submission) and only then takes the day's next order
number, so the counter row is locked for the shortest time and numbers stay gap-free.

**Idempotency.** The same orderer sending the same ``idempotency_key`` again gets the
first order back (a double click, a retry, a repeated API call), also when the
requests race: the unique index on (placed_by, idempotency_key) lets one insert win;
the others wait for it, fail, and read the winner. The same key with a different
request is refused (422).
"""

import hashlib
import json
from datetime import timedelta
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.limits import limit_check
from ordering.orders.exceptions import (IdempotencyMismatch, OrderConflictError, OrderError,
                                        OrderErrorCode, OrderNotFoundError, OrderPermissionError)
from core.money import format_money
from core.sequences import next_day_number
from ordering.catalog.pricing import money
from ordering.customers.enums import CustomerStatus
from ordering.customers.services.guards import login_of, require_customer
from ordering.orders import hooks, workflow
from ordering.orders.enums import PaymentMethod
from ordering.orders.models import (MAX_AMOUNT, CartLine, Order, OrderDayCounter, OrderLine,
                                    ShippingMethod)
from ordering.orders.services import lines as line_service
from ordering.settings.selectors import tenant_settings
from roles.enums import UserKind

MAX_REMARK = 1000
MAX_DELIVERY_DAYS = 366


MAX_KEY = 80


def normal_key(value):
    """The Idempotency-Key / form token as stored (stripped; None when empty). Longer
    keys are refused rather than cut, so a retry always finds the first order."""
    key = (value or "").strip()
    if len(key) > MAX_KEY:
        raise OrderError(_("The Idempotency-Key may be at most %(n)d characters.") % {
            "n": MAX_KEY}, code=OrderErrorCode.INVALID_IDEMPOTENCY_KEY)
    return key or None


def request_hash(payload):
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str)
                          .encode()).hexdigest()


def _existing(actor, key, digest):
    order = Order.objects.filter(placed_by=actor, idempotency_key=key).first()
    if order is not None and order.request_hash != digest:
        raise IdempotencyMismatch(_("This Idempotency-Key was used for a different order."))
    return order


def _orderer(actor, customer):
    """(login, on_behalf) for an actor who may order for ``customer``."""
    if actor is not None and getattr(actor, "kind", None) == UserKind.DEALER:
        login = login_of(actor)
        if login is None or not actor.is_active:
            raise OrderPermissionError(_("Sign in with your company's ordering login."))
        if customer is not None and customer.pk != login.customer_id:
            raise OrderNotFoundError(_("No such customer."))
        if not login.can_order:
            raise OrderPermissionError(_("Your login can only view; it cannot order."))
        return login, False
    require_customer(actor, "place_orders", customer)
    login = customer.logins.filter(is_primary=True).first()
    return login, actor is not None


def _next_number():
    """SO-YYYYMMDD-NNNN, the day's next number (gap-free)."""
    return next_day_number(OrderDayCounter, "SO")


def _field_error(field, message):
    return OrderError(message, fields={field: [message]})


def _check_details(customer, *, address_id, shipping_method_id, payment_method, delivery_date,
                   remark):
    address = customer.addresses.filter(pk=line_service._int(address_id) or 0) \
        .select_related("region").first() if address_id not in (None, "") else None
    if address is None:
        raise _field_error("address", _("Choose a shipping address."))
    method = None
    if shipping_method_id not in (None, ""):
        method = ShippingMethod.objects.filter(pk=line_service._int(shipping_method_id) or 0,
                                               is_active=True).first()
        if method is None:
            raise _field_error("shipping_method", _("Choose one of the shipping methods."))
    elif ShippingMethod.objects.filter(is_active=True).exists():
        raise _field_error("shipping_method", _("Choose a shipping method."))
    if payment_method not in PaymentMethod.values:
        raise _field_error("payment_method", _("Choose how you will pay."))
    from ordering.orders.selectors import offered_payment_methods

    if payment_method not in offered_payment_methods():
        raise _field_error("payment_method", _("This payment method is not offered."))
    today = timezone.localdate()
    if delivery_date is not None:
        if delivery_date < today:
            raise _field_error("delivery_date", _("The delivery date cannot be in the past."))
        if delivery_date > today + timedelta(days=MAX_DELIVERY_DAYS):
            raise _field_error("delivery_date", _("Choose a delivery date within a year."))
    if len(remark or "") > MAX_REMARK:
        raise _field_error("remark", _("Keep the remark under %(n)d characters.") % {
            "n": MAX_REMARK})
    return address, method


class Quoted(NamedTuple):
    """Terms agreed in a quotation (``ordering.quotes``) that an order keeps exactly:
    ``prices`` per unit by ``(variant id, unit id or None)`` (no engine price, no
    promotion for those lines), the quoted ``shipping_fee`` (None: the shipping
    method's), the ``quotation`` row the order refers to and the ``note`` its lines
    show ("Quoted price, Q-…")."""

    prices: dict
    shipping_fee: object
    quotation: object
    note: str


class Placed(NamedTuple):
    """What placing an order did: the order, and whether this call created it (False: a
    repeated ``Idempotency-Key`` returned the first order)."""

    order: Order
    created: bool


def order_place(*, actor, customer=None, lines, address_id, payment_method,
                shipping_method_id=None, delivery_date=None, remark="", attachment=None,
                idempotency_key=None, from_cart=False, use_rebate=False, quoted=None):
    """Place an order: ``Placed(order, created)`` (the first order again, ``created``
    False, for a repeated key, also when two requests with it raced).

    ``lines``: ``[{"variant", "unit", "quantity"}]``. A dealer orders for its own company
    (``customer`` may be omitted); staff need ``place_orders`` on ``customer``.
    ``from_cart``: the dealer's cart lines are removed in the same transaction.
    ``use_rebate``: the customer's rebate balance pays what the tenant allows of it.
    ``quoted``: a ``Quoted`` — the lines it prices keep exactly the quoted prices.
    """
    if customer is None:
        login = login_of(actor)
        if login is None:
            raise OrderPermissionError(_("Sign in with your company's ordering login."))
        customer = login.customer
    key = normal_key(idempotency_key)
    digest = request_hash({"customer": customer.pk, "lines": [
        [str(raw.get("variant")), str(raw.get("unit") or ""), str(raw.get("quantity"))]
        for raw in lines], "address": str(address_id), "shipping": str(shipping_method_id or ""),
        "payment": payment_method, "date": str(delivery_date or ""), "remark": remark or "",
        **({"rebate": True} if use_rebate else {}),
        **({"quoted": [quoted.quotation.pk, sorted(
            [str(k), str(v)] for k, v in quoted.prices.items()), str(quoted.shipping_fee)]}
           if quoted is not None else {})})
    if key and actor is not None:
        first = _existing(actor, key, digest)
        if first is not None:
            return Placed(first, False)
    try:
        with transaction.atomic():
            return Placed(_place(actor, customer, lines, address_id=address_id,
                                 payment_method=payment_method,
                                 shipping_method_id=shipping_method_id,
                                 delivery_date=delivery_date, remark=remark,
                                 attachment=attachment, key=key, digest=digest,
                                 from_cart=from_cart, use_rebate=bool(use_rebate),
                                 quoted=quoted), True)
    except IntegrityError:
        if key and actor is not None:  # the same key raced us and won
            first = _existing(actor, key, digest)
            if first is not None:
                return Placed(first, False)
        raise


# what an order_submitted hook may set on the order (ordering.orders.hooks)
SUBMIT_FIELDS = ("amount_paid", "payment_status", "credit_hold", "due_on", "rebate_used")


def _place(actor, customer, raw_lines, *, address_id, payment_method, shipping_method_id,
           delivery_date, remark, attachment, key, digest, from_cart, use_rebate, quoted=None):
    limit_check(connection.tenant, "orders", actor=actor)
    login, on_behalf = _orderer(actor, customer)
    if customer.status != CustomerStatus.ACTIVE:
        raise OrderConflictError(_("This customer account is not active."))
    if len(raw_lines) > line_service.MAX_LINES:
        raise OrderError(_("An order has at most %(n)d lines.") % {
            "n": line_service.MAX_LINES})
    address, method = _check_details(customer, address_id=address_id,
                                     shipping_method_id=shipping_method_id,
                                     payment_method=payment_method, delivery_date=delivery_date,
                                     remark=remark)
    resolved, unknown = line_service.resolve(customer, raw_lines)
    if quoted is not None:
        line_service.apply_quoted(resolved, quoted.prices, quoted.note)
    problems = {str(k): [m] for k, m in unknown}
    problems.update({str(line.key if line.key is not None else line.variant.code): [line.problem]
                     for line in resolved if line.problem})
    if problems:
        first = next(iter(problems.values()))[0]
        raise OrderError(_("Some lines cannot be ordered: %(problem)s") % {
            "problem": first}, code=OrderErrorCode.INVALID_LINES, fields={"lines": problems})
    if not resolved:
        raise OrderError(_("Your order has no lines."), code=OrderErrorCode.EMPTY)
    subtotal = money(line_service.total(resolved))
    tenant = connection.tenant
    minimum = tenant_settings().min_order_amount or 0
    if subtotal < minimum:
        raise OrderError(_("The minimum order is %(amount)s; this order comes to "
                                 "%(total)s.") % {"amount": format_money(minimum), "total": format_money(subtotal)},
                               code=OrderErrorCode.BELOW_MINIMUM)
    if login is not None and not on_behalf and login.order_limit is not None \
            and subtotal > login.order_limit:
        raise OrderError(_("Your login may order up to %(limit)s per order.") % {
            "limit": format_money(login.order_limit)}, code=OrderErrorCode.OVER_ORDER_LIMIT)
    fee = money(method.fee) if method else money(0)
    if quoted is not None and quoted.shipping_fee is not None:
        fee = money(quoted.shipping_fee)
    if subtotal + fee >= MAX_AMOUNT:  # more than the order's money columns hold
        raise OrderError(_("The order's total is too large."), code=OrderErrorCode.TOO_LARGE)
    region = address.region
    order = Order.objects.create(
        customer=customer, login=login, placed_by=actor if getattr(actor, "pk", None) else None,
        on_behalf=on_behalf, payment_method=payment_method, recipient=address.recipient,
        phone=address.phone, region_name=str(region) if region else "", address=address.address,
        postal_code=address.postal_code, delivery_date=delivery_date, shipping_method=method,
        shipping_method_name=method.name if method else "", shipping_fee=fee,
        remark=(remark or "").strip(), subtotal=subtotal, total=subtotal + fee,
        currency=tenant.currency, idempotency_key=key if actor is not None else None,
        request_hash=digest, quotation=quoted.quotation if quoted is not None else None)
    if attachment is not None:
        order.attachment.save(attachment.name, attachment, save=False)
        order.save(update_fields=["attachment"])
    OrderLine.objects.bulk_create([OrderLine(
        order=order, variant=line.variant, product_name=line.variant.product.name,
        sku_code=line.variant.code, spec_label=line.spec_label, unit_name=line.unit_name,
        base_unit_name=line.base_unit_name, factor=line.factor, quantity=line.quantity,
        base_quantity=line.base_quantity, unit_price=line.unit_price,
        list_price=money(line.price.list_price * line.factor), price_rule=line.price.rule,
        price_note="; ".join(map(str, line.price.dealer_explanation))[:200], line_total=line.total,
        # a zero price waits for staff to set it, unless a quotation agreed it (a free sample)
        price_pending=line.unit_price == 0 and line.price.rule != "quoted",
        position=index) for index, line in enumerate(resolved)])
    order = workflow.transition(order=order, action=workflow.SUBMIT, actor=actor)
    if from_cart and login is not None and not on_behalf:
        CartLine.objects.filter(login=login).delete()
    order.number = _next_number()
    # finance posts the charge, checks credit and may pay at once (prepaid, rebate): it
    # sets the order's money fields in memory, saved here with the number
    hooks.run("order_submitted", order=order, actor=actor, use_rebate=use_rebate)
    Order.objects.filter(pk=order.pk).update(
        number=order.number, **{name: getattr(order, name) for name in SUBMIT_FIELDS})
    return order


def cart_checkout(*, actor, address_id, payment_method, shipping_method_id=None,
                  delivery_date=None, remark="", attachment=None, idempotency_key=None,
                  use_rebate=False):
    """Order what is in the dealer's cart (then empty it): ``Placed(order, created)``."""
    login = login_of(actor)
    if login is None:
        raise OrderPermissionError(_("Sign in with your company's ordering login."))
    raw = [{"variant": r.variant_id, "unit": r.unit_id, "quantity": r.quantity, "key": r.pk}
           for r in CartLine.objects.filter(login=login).order_by("added_at", "id")]
    key = normal_key(idempotency_key)
    if not raw:
        if key:  # a double click after the first click emptied the cart
            first = Order.objects.filter(placed_by=actor, idempotency_key=key).first()
            if first is not None:
                return Placed(first, False)
        raise OrderError(_("Your cart is empty."), code=OrderErrorCode.EMPTY)
    return order_place(actor=actor, customer=login.customer, lines=raw, address_id=address_id,
                       payment_method=payment_method, shipping_method_id=shipping_method_id,
                       delivery_date=delivery_date, remark=remark, attachment=attachment,
                       idempotency_key=idempotency_key, from_cart=True,
                       use_rebate=use_rebate)
