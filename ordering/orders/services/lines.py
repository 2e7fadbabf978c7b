"""Lines a customer asks for, checked and priced: the one check the cart, checkout,
quick order, reorder and orders on a dealer's behalf share.

A raw line is ``{"variant": id, "unit": VariantUnit id or None, "quantity": n}`` in
that unit. ``resolve`` loads everything in a constant number of queries, prices
through the price engine (quantity breaks see a variant's base-unit quantity summed
over its lines) and reports per line what stops it from being ordered.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from ordering.catalog import pricing, specs
from ordering.catalog.models import Variant, VariantUnit
from ordering.catalog.storefront import MAX_QUANTITY, products_visible_to, quantity_problem

MAX_LINES = 500


@dataclass
class Line:
    variant: Variant
    unit: VariantUnit | None
    quantity: int  # in ``unit``
    price: pricing.Price | None = None
    problem: str = ""
    key: object = None  # the caller's handle (cart line id, row number)
    extra: dict = field(default_factory=dict)

    @property
    def factor(self):
        return self.unit.factor if self.unit else 1

    @property
    def base_quantity(self):
        return self.quantity * self.factor

    @property
    def unit_name(self):
        return self.unit.unit.name if self.unit else self.variant.product.unit.name

    @property
    def base_unit_name(self):
        return self.variant.product.unit.name

    @property
    def spec_label(self):
        return specs.variant_spec_label(self.variant)

    @property
    def label(self):
        spec = self.spec_label
        return f"{self.variant.product.name} {spec}".strip() if spec else self.variant.product.name

    @property
    def unit_price(self):
        """Per ``unit`` (the base-unit price × factor)."""
        return self.price.price if self.price else Decimal("0")

    @property
    def total(self):
        return pricing.money(self.unit_price * self.quantity) if self.price else Decimal("0")


def _int(value):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number


def load_variants(ids):
    """Variants with what a line shows (product, base unit, spec values, sales units)."""
    return Variant.objects.filter(pk__in=ids).select_related("product", "product__unit") \
        .prefetch_related(Prefetch("spec_values", queryset=specs.SPEC_VALUES),
                          Prefetch("units", queryset=VariantUnit.objects.select_related("unit")))


def _is_fraction(value):
    """"1.5", "0,5": a number, but not a whole one."""
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return False
    return number.is_finite() and number != number.to_integral_value()


def resolve(customer, raw_lines):
    """``[Line]`` for ``raw_lines`` (merged: the same variant and unit twice is one line),
    each priced or with its ``problem``. Unknown variants and units come back as lines
    with ``variant=None`` skipped: the caller sees them in the second value, a list of
    ``(key, message)``."""
    unknown, wanted = [], []
    for raw in raw_lines:
        variant_id, quantity = _int(raw.get("variant")), _int(raw.get("quantity"))
        unit_id = raw.get("unit")
        unit_id = _int(unit_id) if unit_id not in (None, "") else None
        if variant_id is None:
            unknown.append((raw.get("key"), _("Choose a product.")))
        elif quantity is None and _is_fraction(raw.get("quantity")):
            unknown.append((raw.get("key"), _("Whole numbers only.")))
        elif quantity is None or quantity <= 0:
            unknown.append((raw.get("key"), _("Enter a quantity above zero.")))
        elif quantity > MAX_QUANTITY:
            unknown.append((raw.get("key"), _("Enter at most %(n)s.") % {
                "n": f"{MAX_QUANTITY:,}"}))
        else:
            wanted.append((variant_id, unit_id, quantity, raw.get("key")))
    variants = {v.pk: v for v in load_variants({w[0] for w in wanted})}
    visible = set(products_visible_to(customer.level_id if customer else None).filter(
        pk__in={v.product_id for v in variants.values()}).values_list("pk", flat=True))
    merged = {}
    for variant_id, unit_id, quantity, key in wanted:
        variant = variants.get(variant_id)
        if variant is None:
            unknown.append((key, _("This product is not available.")))
            continue
        if not variant.is_active or variant.product_id not in visible:
            unknown.append((key, _("%(name)s (%(code)s) is no longer available.") % {
                "name": variant.product.name, "code": variant.code}))
            continue
        unit = None
        if unit_id is not None:
            unit = next((u for u in variant.units.all() if u.pk == unit_id), None)
            if unit is None:
                unknown.append((key, _("%(code)s is not sold in that unit.") % {
                    "code": variant.code}))
                continue
        slot = (variant_id, unit_id)
        if slot in merged:
            merged[slot].quantity += quantity
        else:
            merged[slot] = Line(variant=variant, unit=unit, quantity=quantity, key=key)
    lines = list(merged.values())
    _price(customer, lines)
    _check(lines)
    return lines, unknown


def _price(customer, lines):
    base = defaultdict(int)
    for line in lines:
        base[line.variant.pk] += line.base_quantity
    book = pricing.load_book(customer, [line.variant for line in lines])
    for line in lines:
        # the break sees the variant's base quantity over all its lines; the factor
        # only makes the price per unit of this line
        line.price = pricing.compute(line.variant, book,
                                     base_quantity=base[line.variant.pk],
                                     factor=line.factor,
                                     unit_name=line.unit.unit.name if line.unit else "")


def _check(lines):
    """Minimum, multiple and stock look at a variant's base quantity over all its lines."""
    base = defaultdict(int)
    for line in lines:
        base[line.variant.pk] += line.base_quantity
    for line in lines:
        if line.base_quantity > MAX_QUANTITY:
            line.problem = _("Enter at most %(n)s.") % {"n": f"{MAX_QUANTITY:,}"}
            continue
        problem = quantity_problem(line.variant, base[line.variant.pk])
        if problem:
            line.problem = f"{line.variant.code}: {problem}"


def apply_quoted(lines, prices, note):
    """Fix the price of the lines whose ``(variant id, unit id or None)`` is in ``prices``
    (a price per unit agreed in a quotation): the engine's list price is kept, and the
    step ``quoted`` with ``note`` replaces every other step (the line shows no level,
    special or break price it did not get). Lines not in ``prices`` keep the engine's
    price."""
    from dataclasses import replace

    for line in lines:
        slot = (line.variant.pk, line.unit.pk if line.unit else None)
        if slot not in prices or line.price is None:
            continue
        per_unit = pricing.money(prices[slot])
        step = pricing.Step("quoted", per_unit, note, note)
        line.price = replace(line.price, price=per_unit,
                             unit_price=pricing.money(per_unit / line.factor),
                             steps=line.price.steps[:1] + (step,))


def total(lines):
    return sum((line.total for line in lines), Decimal("0"))


def parse_quick_order(text):
    """``SKU,qty[,unit]`` per line (comma, tab, semicolon, space or full-width comma)
    → ``([{"code", "quantity", "unit", "row"}], [(row, message)])``."""
    rows, errors = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        for separator in ("，", "\t", ";", "；"):
            line = line.replace(separator, ",")
        parts = [p.strip() for p in (line.split(",") if "," in line else line.split())]
        parts = [p for p in parts if p != ""]
        if len(parts) < 2 or len(parts) > 3:
            errors.append((number, _("Write the SKU code and the quantity, e.g. “A-100, 12”.")))
            continue
        quantity = _int(parts[1])
        if quantity is None or quantity <= 0:
            errors.append((number, _("“%(value)s” is not a quantity.") % {"value": parts[1]}))
            continue
        if quantity > MAX_QUANTITY:
            errors.append((number, _("Enter at most %(n)s.") % {"n": f"{MAX_QUANTITY:,}"}))
            continue
        rows.append({"code": parts[0], "quantity": quantity,
                     "unit": parts[2] if len(parts) == 3 else "", "row": number})
        if len(rows) > MAX_LINES:
            errors.append((number, _("At most %(n)d lines at once.") % {"n": MAX_LINES}))
            break
    return rows, errors


def rows_to_raw(rows):
    """Quick-order rows (SKU codes, unit names) → raw lines, or errors per row."""
    from django.db.models.functions import Lower

    codes = {row["code"].lower() for row in rows}
    found = {v.code.lower(): v for v in Variant.objects.annotate(lc=Lower("code")).filter(
        lc__in=codes).prefetch_related(Prefetch("units", queryset=VariantUnit.objects
                                                .select_related("unit"))).select_related(
        "product__unit")}
    raw, errors = [], []
    for row in rows:
        variant = found.get(row["code"].lower())
        if variant is None:
            errors.append((row["row"], _("No product with SKU code “%(code)s”.") % {
                "code": row["code"]}))
            continue
        unit_id = None
        name = (row.get("unit") or "").strip().lower()
        if name and name != variant.product.unit.name.lower():
            unit = next((u for u in variant.units.all() if u.unit.name.lower() == name), None)
            if unit is None:
                errors.append((row["row"], _("%(code)s is not sold in “%(unit)s”.") % {
                    "code": variant.code, "unit": row["unit"]}))
                continue
            unit_id = unit.pk
        raw.append({"variant": variant.pk, "unit": unit_id, "quantity": row["quantity"],
                    "key": row["row"]})
    return raw, errors
