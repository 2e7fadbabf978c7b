"""The dealer's cart: kept per ordering login, priced live by the price engine.

Adding merges into the line of the same variant and unit. Lines that can no longer be
ordered (off the shelf, below the minimum, out of stock) stay in the cart with their
problem, so the dealer sees why; checkout refuses them with the same message.
"""

from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ordering.orders.exceptions import OrderError, OrderErrorCode, OrderNotFoundError, OrderPermissionError
from ordering.catalog.storefront import MAX_QUANTITY
from ordering.orders.models import CartLine, CartTemplate
from ordering.orders.services import lines as line_service

MAX_CART_LINES = 300


def _orderer(login):
    if login is None:
        raise OrderPermissionError(_("Sign in with your company's ordering login."))
    if not login.can_order:
        raise OrderPermissionError(_("Your login can only view; it cannot order."))
    return login


def _quantity(value):
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        raise OrderError(_("Enter a whole number."),
                               fields={"quantity": [_("Enter a whole number.")]}) from None
    if quantity <= 0 or quantity > MAX_QUANTITY:
        raise OrderError(_("Enter a quantity from 1 to %(n)s.") % {"n": f"{MAX_QUANTITY:,}"},
                               fields={"quantity": [_("Enter a quantity above zero.")]})
    return quantity


@transaction.atomic
def cart_add(*, login, lines):
    """Add ``[{"variant", "unit", "quantity"}]`` (merging with lines already there). Lines
    the customer may not order at all (unknown, hidden, wrong unit) are refused with one
    field error each, keyed by their ``key``; nothing is added then."""
    _orderer(login)
    resolved, unknown = line_service.resolve(login.customer, lines)
    if unknown:
        raise OrderError(_("Some lines cannot be added."),
                               fields={str(k): [m] for k, m in unknown})
    if not resolved:
        raise OrderError(_("Enter a quantity for at least one product."), code=OrderErrorCode.EMPTY)
    too_many = {str(line.key if line.key is not None else line.variant.code):
                [_("Enter at most %(n)s.") % {"n": f"{MAX_QUANTITY // line.factor:,}"}]
                for line in resolved if line.base_quantity > MAX_QUANTITY}
    if too_many:
        raise OrderError(_("Some quantities are too large."), fields=too_many)
    have = {(r["variant_id"], r["unit_id"]): r["quantity"]
            for r in CartLine.objects.filter(login=login).values("variant_id", "unit_id",
                                                                  "quantity")}
    for line in resolved:
        cap = MAX_QUANTITY // line.factor
        if have.get(_slot(line), 0) + line.quantity > cap:
            raise OrderError(_("%(code)s: at most %(n)s in the cart.") % {
                "code": line.variant.code, "n": f"{cap:,}"}, fields={"quantity": [_("Too many.")]})
    if len(have) + len({_slot(line) for line in resolved} - set(have)) > MAX_CART_LINES:
        raise OrderError(_("A cart holds at most %(n)d lines.") % {"n": MAX_CART_LINES})
    _merge(login, resolved)
    return len(resolved)


def _slot(line):
    return line.variant.pk, line.unit.pk if line.unit else None


def _merge(login, lines):
    """Add the lines in one statement: new ones are inserted, the same variant and unit
    already in the cart (also one added at the same moment: a double click) adds up."""
    table = connection.ops.quote_name(CartLine._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (login_id, variant_id, unit_id, quantity, added_at) "
            f"SELECT %s, v, u, q, %s FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) "
            f"AS t(v, u, q) ON CONFLICT ON CONSTRAINT cart_line_unique "
            f"DO UPDATE SET quantity = {table}.quantity + EXCLUDED.quantity",
            [login.pk, timezone.now(), [line.variant.pk for line in lines],
             [line.unit.pk if line.unit else None for line in lines],
             [line.quantity for line in lines]])


def _line(login, line_id):
    line = CartLine.objects.filter(login=login, pk=line_id).first()
    if line is None:
        raise OrderNotFoundError(_("This line is no longer in your cart."))
    return line


@transaction.atomic
def cart_update(*, login, line_id, quantity, unit=""):
    """Set a line's quantity, and optionally its unit (a VariantUnit id, or "" / None
    for the base unit when ``unit`` is given as such)."""
    _orderer(login)
    line = _line(login, line_id)
    line.quantity = _quantity(quantity)
    if unit != "":
        from ordering.catalog.models import VariantUnit

        unit_id = line_service._int(unit) if unit not in (None, "base") else None
        if unit not in (None, "base") and unit_id is None:
            raise OrderError(_("Choose a unit."), fields={"unit": [_("Choose a unit.")]})
        if unit_id is not None and not VariantUnit.objects.filter(
                pk=unit_id, variant_id=line.variant_id).exists():
            raise OrderError(_("This product is not sold in that unit."),
                                   fields={"unit": [_("Choose a unit.")]})
        other = CartLine.objects.filter(login=login, variant_id=line.variant_id,
                                        unit_id=unit_id).exclude(pk=line.pk).first()
        if other is not None:  # switching onto a unit already in the cart: merge
            other.quantity += line.quantity
            other.save(update_fields=["quantity"])
            line.delete()
            return other
        line.unit_id = unit_id
    line.save(update_fields=["quantity", "unit"])
    return line


def cart_remove(*, login, line_id):
    _orderer(login)
    CartLine.objects.filter(login=login, pk=line_id).delete()


def cart_clear(*, login):
    _orderer(login)
    CartLine.objects.filter(login=login).delete()


def quick_order(*, login, text="", rows=None):
    """Paste ``SKU,qty[,unit]`` lines (or rows read from a sheet): good lines go into the
    cart, bad ones come back as ``[(row, message)]``. Returns ``(added, errors)``."""
    _orderer(login)
    parse_errors = []
    if rows is None:
        rows, parse_errors = line_service.parse_quick_order(text)
    raw, code_errors = line_service.rows_to_raw(rows)
    resolved, unknown = line_service.resolve(login.customer, raw)
    errors = parse_errors + code_errors + [(k, m) for k, m in unknown]
    good = [{"variant": line.variant.pk, "unit": line.unit.pk if line.unit else None,
             "quantity": line.quantity} for line in resolved]
    if not good and not errors:
        raise OrderError(_("Paste at least one line: SKU code, quantity."), code=OrderErrorCode.EMPTY)
    added = cart_add(login=login, lines=good) if good else 0
    return added, sorted(errors, key=lambda e: e[0] or 0)


def quick_order_rows_from_file(*, content, extension):
    """Rows of an uploaded sheet: the first columns are SKU code, quantity, unit."""
    from ordering import spreadsheets

    dataset = spreadsheets.read_file(content=content, extension=extension,
                                     max_rows=line_service.MAX_LINES)
    rows = []
    for number, values in enumerate(dataset, start=2):
        values = list(values) + ["", "", ""]
        code = str(values[0] or "").strip()
        if not code:
            continue
        rows.append({"code": code, "quantity": values[1], "unit": str(values[2] or "").strip(),
                     "row": number})
    good, errors = [], []
    for row in rows:
        try:
            number = Decimal(str(row["quantity"]).strip())
            quantity = int(number) if number == number.to_integral_value() else 0
        except (InvalidOperation, TypeError, ValueError):
            quantity = 0
        if quantity <= 0:
            errors.append((row["row"], _("“%(value)s” is not a quantity.") % {
                "value": row["quantity"]}))
            continue
        good.append({**row, "quantity": quantity})
    return good, errors


def reorder(*, login, order):
    """Put a past order's lines into the cart (at today's prices). Lines no longer
    available come back as errors: ``(added, [(sku, message)])``."""
    _orderer(login)
    if order.customer_id != login.customer_id:
        raise OrderNotFoundError(_("No such order."))
    raw = [{"variant": line.variant_id, "unit": _unit_id(line), "quantity": line.quantity,
            "key": line.sku_code} for line in order.lines.all()]
    return _add_available(login, raw)


def _unit_id(order_line):
    if order_line.factor == 1:
        return None
    from ordering.catalog.models import VariantUnit

    unit = VariantUnit.objects.filter(variant_id=order_line.variant_id,
                                      factor=order_line.factor).first()
    return unit.pk if unit else None


def _add_available(login, raw):
    resolved, unknown = line_service.resolve(login.customer, raw)
    good = [{"variant": line.variant.pk, "unit": line.unit.pk if line.unit else None,
             "quantity": line.quantity} for line in resolved]
    added = cart_add(login=login, lines=good) if good else 0
    return added, unknown


def template_save(*, login, name):
    """Save the cart's lines as a template of the login's company."""
    _orderer(login)
    name = (name or "").strip()[:60]
    if not name:
        raise OrderError(_("Name the template."), fields={"name": [_("Name the template.")]})
    lines = [{"variant": r.variant_id, "unit": r.unit_id, "quantity": r.quantity}
             for r in CartLine.objects.filter(login=login)]
    if not lines:
        raise OrderError(_("Your cart is empty."), code=OrderErrorCode.EMPTY)
    return CartTemplate.objects.create(customer=login.customer, name=name, lines=lines,
                                       created_by=login.user)


def template_apply(*, login, template_id):
    _orderer(login)
    template = CartTemplate.objects.filter(pk=template_id, customer=login.customer).first()
    if template is None:
        raise OrderNotFoundError(_("No such template."))
    return _add_available(login, [{**line, "key": line["variant"]} for line in template.lines])


def template_delete(*, login, template_id):
    _orderer(login)
    CartTemplate.objects.filter(pk=template_id, customer=login.customer).delete()
