"""The price engine and units, property-based (Hypothesis): over random list prices,
level percentages and level prices, customer prices, quantity breaks (fixed prices and
% off), unit factors and quantities, the price of N units of factor F is the price of
N × F base units times F, to the cent, and the break chosen is the highest one not above
N × F base units — chosen on the base quantity once, never on N × F × F.

The price book is built in memory (no database per example)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from ordering.catalog.pricing import PriceBook, compute, money

D = Decimal
PRODUCT_ID = 7
VARIANT_ID = 70

prices = st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2)
percents = st.decimals(min_value=D("0.01"), max_value=D("100"), places=2)
discounts = st.decimals(min_value=D("0"), max_value=D("99.99"), places=2)


@st.composite
def worlds(draw):
    """A variant, a price book for one customer, a unit factor and a quantity of units."""
    variant = SimpleNamespace(pk=VARIANT_ID, product_id=PRODUCT_ID,
                              list_price=draw(prices), min_quantity=1, order_multiple=1)
    book = PriceBook()
    if draw(st.booleans()):
        book.level = SimpleNamespace(name="Level 1", price_percent=draw(percents))
        own = draw(st.sampled_from(["none", "price", "percent"]))
        if own == "price":
            book.level_prices[VARIANT_ID] = SimpleNamespace(price=draw(prices), percent=None)
        elif own == "percent":
            book.level_prices[VARIANT_ID] = SimpleNamespace(price=None, percent=draw(percents))
    if draw(st.booleans()):
        book.customer_prices[VARIANT_ID] = draw(prices)
    minimums = sorted(draw(st.sets(st.integers(min_value=1, max_value=5000), max_size=5)))
    breaks = []
    for minimum in minimums:
        fixed = draw(st.booleans())
        breaks.append(SimpleNamespace(
            min_quantity=minimum, price=draw(prices) if fixed else None,
            discount_percent=None if fixed else draw(discounts),
            variant_id=None, product_id=PRODUCT_ID))
    if breaks:  # the variant's own breaks, else its product's
        if draw(st.booleans()):
            book.variant_breaks[VARIANT_ID] = [SimpleNamespace(**{**vars(qb), "variant_id":
                                                                  VARIANT_ID}) for qb in breaks]
        else:
            book.product_breaks[PRODUCT_ID] = breaks
    factor = draw(st.one_of(st.just(1), st.sampled_from([6, 10, 12, 24, 48]),
                            st.integers(min_value=2, max_value=1000)))
    units = draw(st.integers(min_value=1, max_value=300))
    return variant, book, factor, units


def _expected_base_price(variant, book, base_quantity):
    """The documented rules, written out independently of the engine: every step rounded
    half up to the cent; the highest break not above ``base_quantity``; a break never
    raises the price. Returns (price per base unit, the break that applied or None)."""
    price = money(variant.list_price)
    if book.level is not None:
        own = book.level_prices.get(variant.pk)
        if own is not None and own.price is not None:
            price = money(own.price)
        else:
            percent = own.percent if own is not None else book.level.price_percent
            price = money(money(variant.list_price) * percent / 100)
    if variant.pk in book.customer_prices:
        price = money(book.customer_prices[variant.pk])
    breaks = book.variant_breaks.get(variant.pk) or book.product_breaks.get(variant.product_id)
    below = [qb for qb in breaks or () if qb.min_quantity <= base_quantity]
    chosen = max(below, key=lambda qb: qb.min_quantity) if below else None
    if chosen is not None:
        broken = (money(chosen.price) if chosen.price is not None
                  else money(price * (100 - chosen.discount_percent) / 100))
        if broken < price:
            return broken, chosen
    return price, None


@settings(max_examples=200, deadline=None, database=None)
@given(worlds())
def test_n_units_of_factor_f_cost_n_times_f_base_units(world):
    variant, book, factor, units = world
    base_quantity = units * factor
    with translation.override("en"):
        per_unit = compute(variant, book, base_quantity=base_quantity, factor=factor,
                           unit_name="case")
        per_base = compute(variant, book, base_quantity=base_quantity)
    expected, chosen = _expected_base_price(variant, book, base_quantity)
    # the base-unit price is the documented one, the same whatever the unit
    assert per_base.unit_price == per_unit.unit_price == expected
    # a unit of F costs exactly F base units (the base price is rounded once, then × F)
    assert per_unit.price == per_base.price * factor == expected * factor
    assert per_unit.line_total(units) == per_base.line_total(base_quantity)
    assert per_unit.quantity == per_base.quantity == base_quantity
    assert per_unit.factor == factor
    # the break is chosen on N × F base units, exactly once
    applied = [step for step in per_unit.steps if step.rule == "break"]
    if chosen is None:
        assert applied == []
    else:
        assert len(applied) == 1
        assert applied[0].note.startswith(f"From {chosen.min_quantity}:")
        assert applied[0].price == expected
    if factor > 1:
        assert per_unit.rule == "unit"
        assert per_unit.explanation[-1] == f"case of {factor}: {expected * factor}"


@settings(max_examples=100, deadline=None, database=None)
@given(worlds())
def test_the_unit_does_not_change_which_break_applies(world):
    """Two ways of buying the same base quantity (in units, or in base units) land on
    the same break; buying one unit more or less only moves across a break's edge."""
    variant, book, factor, units = world
    base_quantity = units * factor
    one_unit = compute(variant, book, base_quantity=base_quantity, factor=factor)
    as_bases = compute(variant, book, base_quantity=base_quantity, factor=1)
    assert [s.note for s in one_unit.steps if s.rule == "break"] == \
        [s.note for s in as_bases.steps if s.rule == "break"]


def test_the_engine_cannot_be_handed_a_quantity_in_units():
    """``compute`` only takes ``base_quantity=`` (base units); the old ``quantity=``
    that was multiplied by the factor again is gone, and a base quantity smaller than
    one unit is refused."""
    variant = SimpleNamespace(pk=VARIANT_ID, product_id=PRODUCT_ID, list_price=D("8.90"),
                              min_quantity=1, order_multiple=1)
    with pytest.raises(TypeError):
        compute(variant, PriceBook(), quantity=2, factor=24)
    with pytest.raises(ValueError):
        compute(variant, PriceBook(), base_quantity=2, factor=24)
    # one unit by default
    assert compute(variant, PriceBook(), factor=24).quantity == 24


def test_a_case_of_24_is_priced_on_24_bottles_not_576():
    """The reported case (acme BV0108-1.5L, a level-1 dealer): 8.90 list, level price
    6.94, breaks 48+ 3% off and 240+ 6% off; 1 case = 166.56, 2 cases = 48 bottles at
    6.73 = 161.52 per case, 10 cases = 240 bottles at 6.52 = 156.48 per case."""
    variant = SimpleNamespace(pk=VARIANT_ID, product_id=PRODUCT_ID, list_price=D("8.90"),
                              min_quantity=1, order_multiple=1)
    book = PriceBook(level=SimpleNamespace(name="Level 1 distributor", price_percent=D("82")),
                     level_prices={VARIANT_ID: SimpleNamespace(price=D("6.94"), percent=None)},
                     product_breaks={PRODUCT_ID: [
                         SimpleNamespace(min_quantity=48, price=None, discount_percent=D("3")),
                         SimpleNamespace(min_quantity=240, price=None,
                                         discount_percent=D("6"))]})
    with translation.override("en"):
        at = {cases: compute(variant, book, base_quantity=cases * 24, factor=24,
                             unit_name="case") for cases in (1, 2, 9, 10)}
    assert at[1].price == D("166.56") and at[1].rule == "unit"
    assert at[2].price == D("161.52") and at[9].price == D("161.52")
    assert at[10].price == D("156.48")
    assert at[2].explanation[-2:] == ["From 48: 3% off = 6.73", "case of 24: 161.52"]
    assert at[10].explanation[-2:] == ["From 240: 6% off = 6.52", "case of 24: 156.48"]
