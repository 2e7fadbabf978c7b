"""The price engine: the one place that says what a dealer pays.

Every page, the cart, orders, quotations and the API call ``price_for`` (one variant)
or ``prices_for`` (many, in a constant number of queries), so a dealer sees the same
price everywhere. The rules, in order:

1. the variant's list price;
2. the customer's level: the level's own price for this variant (fixed, or a % of
   list), else the level's default % of list;
3. the customer's special price for this variant (replaces 1–2);
4. quantity breaks: the variant's own, else its product's; the highest break not above
   the quantity (in base units) applies — a fixed unit price, or a % off step 3's price;
5. the unit: a larger unit costs ``factor`` base units.

Also returns the minimum order quantity and the order multiple (in base units), and an
explanation of each rule that applied. Money is Decimal with 2 places, rounded half up
once per base unit price.

Quantities: ``compute`` takes the variant's quantity in base units (``base_quantity=``,
it alone chooses the break) and, separately, the ``factor`` of the unit being priced
(it only turns the base-unit price into a price per unit). The two are never
multiplied here: 2 cases of 24 are ``base_quantity=48, factor=24``. ``price_for``
takes a quantity in the unit asked for and converts it once.

Rounding: every step's base-unit price is rounded half up to the cent, and the price
of a unit of ``factor`` is exactly that rounded base-unit price × ``factor``. So the
price of N units of factor F is the price of N × F base units, times F, to the cent.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def money(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Step:
    rule: str  # list | level | customer | break | unit
    price: Decimal  # the unit price after this step (per base unit, except "unit")
    note: str  # for staff: names the list price and percentages
    dealer_note: str = ""  # for the dealer: never the list price or another price


@dataclass(frozen=True)
class Price:
    variant_id: int
    quantity: int  # in base units
    unit_price: Decimal  # per base unit
    price: Decimal  # per unit asked for (unit_price × factor)
    factor: int
    list_price: Decimal
    min_quantity: int
    order_multiple: int
    steps: tuple = field(default_factory=tuple)

    @property
    def rule(self):
        """The rule that decided the price (the last step)."""
        return self.steps[-1].rule

    @property
    def explanation(self):
        """Every step, list price included (staff pages, quotations)."""
        return [step.note for step in self.steps]

    @property
    def dealer_explanation(self):
        """What the dealer may read: how its own price came about, without the list
        price (unless that is its price) or the level percentage behind it."""
        notes = [step.dealer_note for step in self.steps if step.dealer_note]
        return notes or [_("Standard price %(price)s") % {"price": self.unit_price}]

    def line_total(self, units=1):
        return money(self.price * units)


@dataclass
class PriceBook:
    """What ``prices_for`` loaded for one customer and a set of variants."""

    level: object = None
    level_prices: dict = field(default_factory=dict)  # variant_id → LevelPrice
    customer_prices: dict = field(default_factory=dict)  # variant_id → price
    variant_breaks: dict = field(default_factory=dict)  # variant_id → [QuantityBreak]
    product_breaks: dict = field(default_factory=dict)  # product_id → [QuantityBreak]


def load_book(customer, variants):
    """Three queries, however many variants: level prices, customer prices, breaks."""
    from ordering.catalog.models import CustomerPrice, LevelPrice, QuantityBreak

    variant_ids = [v.pk for v in variants]
    product_ids = {v.product_id for v in variants}
    book = PriceBook(level=getattr(customer, "level", None) if customer else None)
    if book.level is not None:
        book.level_prices = {lp.variant_id: lp for lp in LevelPrice.objects.filter(
            level=book.level, variant_id__in=variant_ids)}
    if customer is not None:
        book.customer_prices = dict(CustomerPrice.objects.filter(
            customer=customer, variant_id__in=variant_ids).values_list("variant_id", "price"))
    breaks = QuantityBreak.objects.filter(variant_id__in=variant_ids) | \
        QuantityBreak.objects.filter(product_id__in=product_ids)
    for qb in breaks.order_by("min_quantity"):
        if qb.variant_id:
            book.variant_breaks.setdefault(qb.variant_id, []).append(qb)
        else:
            book.product_breaks.setdefault(qb.product_id, []).append(qb)
    return book


def compute(variant, book, *, base_quantity=None, factor=1, unit_name=""):
    """The price of one unit of ``factor`` base units of ``variant`` from an already
    loaded ``book`` (no queries; the book may also be built in memory).

    ``base_quantity`` is how much of the variant is being bought, in base units, over
    every line and unit (default: one of this unit, i.e. ``factor``); the break is
    chosen on it as it is. ``factor`` never touches the break."""
    factor = int(factor)
    if factor < 1:
        raise ValueError("A unit holds at least one base unit.")
    base_quantity = factor if base_quantity is None else max(int(base_quantity), 1)
    if base_quantity < factor:
        raise ValueError("base_quantity is in base units: at least one unit of "
                         f"{factor} ({base_quantity} given).")
    list_price = money(variant.list_price)
    steps = [Step("list", list_price, _("List price %(price)s") % {"price": list_price})]
    price = list_price
    level = book.level
    if level is not None:
        own = book.level_prices.get(variant.pk)
        if own is not None and own.price is not None:
            price = money(own.price)
            note = _("%(level)s price %(price)s") % {"level": level.name, "price": price}
        else:
            percent = own.percent if own is not None else level.price_percent
            price = money(list_price * Decimal(percent) / HUNDRED)
            note = _("%(level)s: %(percent)s%% of list price = %(price)s") % {
                "level": level.name, "percent": _percent(percent), "price": price}
        if price != list_price or own is not None:
            steps.append(Step("level", price, note, _("%(level)s price %(price)s") % {
                "level": level.name, "price": price}))
    special = book.customer_prices.get(variant.pk)
    if special is not None:
        price = money(special)
        note = _("Your special price %(price)s") % {"price": price}
        steps.append(Step("customer", price, note, note))
    breaks = book.variant_breaks.get(variant.pk) or book.product_breaks.get(variant.product_id)
    applicable = [qb for qb in breaks or () if qb.min_quantity <= base_quantity]
    if applicable:
        qb = applicable[-1]
        if qb.price is not None:
            broken = money(qb.price)
            note = _("From %(n)d: %(price)s each") % {"n": qb.min_quantity, "price": broken}
        else:
            broken = money(price * (HUNDRED - qb.discount_percent) / HUNDRED)
            note = _("From %(n)d: %(percent)s%% off = %(price)s") % {
                "n": qb.min_quantity, "percent": _percent(qb.discount_percent), "price": broken}
        if broken < price:  # a break never raises the price
            price = broken
            steps.append(Step("break", price, note, note))
    unit_price = price
    if factor > 1:
        per_unit = money(unit_price * factor)
        note = _("%(unit)s of %(n)d: %(price)s") % {
            "unit": unit_name or _("unit"), "n": factor, "price": per_unit}
        steps.append(Step("unit", per_unit, note, note))
    else:
        per_unit = unit_price
    return Price(variant_id=variant.pk, quantity=base_quantity, unit_price=unit_price,
                 price=per_unit, factor=factor, list_price=list_price,
                 min_quantity=variant.min_quantity, order_multiple=variant.order_multiple,
                 steps=tuple(steps))


def _percent(value):
    value = Decimal(value).normalize()
    return f"{value:f}"


def prices_for(customer, variants, *, quantities=None):
    """``{variant_id: Price}`` for a customer (None: list prices) and many variants, in
    three queries. ``quantities`` maps variant ids to base-unit quantities (default 1)."""
    variants = list(variants)
    book = load_book(customer, variants)
    quantities = quantities or {}
    return {v.pk: compute(v, book, base_quantity=quantities.get(v.pk, 1)) for v in variants}


def price_for(customer, variant, *, quantity=1, unit=None):
    """The price per ``unit`` (a VariantUnit, or None for the base unit) when buying
    ``quantity`` of that unit (converted to base units here, once)."""
    book = load_book(customer, [variant])
    factor = unit.factor if unit is not None else 1
    return compute(variant, book, base_quantity=max(int(quantity), 1) * factor,
                   factor=factor, unit_name=unit.unit.name if unit is not None else "")
