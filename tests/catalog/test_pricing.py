"""The price engine (ordering.catalog.pricing): every rule, their precedence and the
rounding, with exact Decimal results; the explanation names the rule that decided;
``prices_for`` runs a constant number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ordering.catalog.models import VariantUnit
from ordering.catalog.pricing import money, price_for, prices_for
from ordering.catalog.services import products as catalog
from ordering.customers.models import Customer
from ordering.customers.services import customers as customer_services

D = Decimal


@pytest.fixture
def world(in_acme):
    class World:
        pass

    w = World()
    w.piece = catalog.unit_get_or_create("piece")
    w.box = catalog.unit_get_or_create("box")
    w.level = customer_services.level_create(actor=None, name="Wholesale", price_percent=80)
    w.full = customer_services.level_create(actor=None, name="Retail", price_percent=100)
    w.customer = _customer("Wholesale buyer", w.level)
    w.other = _customer("Second wholesale buyer", w.level)
    w.retail = _customer("Retail buyer", w.full)
    w.product = catalog.product_create(actor=None, name="Mineral water", code="WATER",
                                       unit=w.piece)
    w.variant = catalog.variant_save(actor=None, product=w.product, code="WATER-500",
                                     list_price="50.00", min_quantity=6, order_multiple=3)
    return w


def _customer(name, level):
    customer = customer_services.customer_create(actor=None, name=name, level=level)
    return Customer.objects.select_related("level").get(pk=customer.pk)


def _variant(w, code, price, **values):
    return catalog.variant_save(actor=None, product=w.product, code=code, list_price=price,
                                **values)


def test_without_a_customer_the_list_price(world):
    price = price_for(None, world.variant)
    assert price.price == price.unit_price == price.list_price == D("50.00")
    assert price.rule == "list"
    assert price.explanation == ["List price 50.00"]


def test_a_level_at_100_percent_pays_the_list_price(world):
    price = price_for(world.retail, world.variant)
    assert price.price == D("50.00") and price.rule == "list"


def test_level_default_percentage(world):
    price = price_for(world.customer, world.variant)
    assert price.price == D("40.00")
    assert price.rule == "level"
    assert price.explanation == ["List price 50.00", "Wholesale: 80% of list price = 40.00"]


def test_level_fixed_price(world):
    catalog.level_price_set(actor=None, variant=world.variant, level=world.level, price="42.50")
    price = price_for(world.customer, world.variant)
    assert price.price == D("42.50") and price.rule == "level"
    assert price.explanation[-1] == "Wholesale price 42.50"
    # a fixed level price equal to the list price is still the level's rule
    catalog.level_price_set(actor=None, variant=world.variant, level=world.full, price="50.00")
    assert price_for(world.retail, world.variant).rule == "level"


def test_level_percentage_override_for_one_variant(world):
    catalog.level_price_set(actor=None, variant=world.variant, level=world.level, percent="75")
    price = price_for(world.customer, world.variant)
    assert price.price == D("37.50")
    assert price.explanation[-1] == "Wholesale: 75% of list price = 37.50"
    other = _variant(world, "WATER-1L", "50.00")
    assert price_for(world.customer, other).price == D("40.00")  # the level default


def test_level_price_removed_falls_back_to_the_default(world):
    catalog.level_price_set(actor=None, variant=world.variant, level=world.level, price="1.00")
    catalog.level_price_set(actor=None, variant=world.variant, level=world.level)
    assert price_for(world.customer, world.variant).price == D("40.00")


def test_a_customers_special_price_beats_its_level(world):
    catalog.level_price_set(actor=None, variant=world.variant, level=world.level, price="42.50")
    catalog.customer_price_set(actor=None, variant=world.variant, customer=world.customer,
                               price="44.44")
    price = price_for(world.customer, world.variant)
    assert price.price == D("44.44")  # even above the level price: it replaces it
    assert price.rule == "customer"
    assert price.explanation[-1] == "Your special price 44.44"
    # the other customer of the level keeps the level price
    assert price_for(world.other, world.variant).price == D("42.50")


def test_the_highest_applicable_break_applies(world):
    catalog.quantity_breaks_set(actor=None, variant=world.variant, breaks=[
        {"min_quantity": 10, "price": "39.00"}, {"min_quantity": 50, "price": "35.00"},
        {"min_quantity": 100, "price": "30.00"}])
    at = {q: price_for(world.customer, world.variant, quantity=q) for q in (9, 10, 49, 50, 99,
                                                                              100, 1000)}
    assert [at[q].price for q in (9, 10, 49, 50, 99, 100, 1000)] == [
        D("40.00"), D("39.00"), D("39.00"), D("35.00"), D("35.00"), D("30.00"), D("30.00")]
    assert at[9].rule == "level" and at[50].rule == "break"
    assert at[50].explanation[-1] == "From 50: 35.00 each"


def test_variant_breaks_beat_product_breaks(world):
    catalog.quantity_breaks_set(actor=None, product=world.product,
                                breaks=[{"min_quantity": 10, "price": "20.00"}])
    plain = _variant(world, "WATER-1L", "50.00")
    assert price_for(world.customer, plain, quantity=10).price == D("20.00")
    catalog.quantity_breaks_set(actor=None, variant=world.variant,
                                breaks=[{"min_quantity": 10, "price": "38.00"}])
    # the variant's own breaks win, even though the product's is lower
    assert price_for(world.customer, world.variant, quantity=10).price == D("38.00")
    # and a variant break that does not apply yet does not bring the product's back
    assert price_for(world.customer, world.variant, quantity=5).price == D("40.00")


def test_a_break_never_raises_the_price(world):
    catalog.customer_price_set(actor=None, variant=world.variant, customer=world.customer,
                               price="25.00")
    catalog.quantity_breaks_set(actor=None, variant=world.variant,
                                breaks=[{"min_quantity": 10, "price": "30.00"}])
    price = price_for(world.customer, world.variant, quantity=20)
    assert price.price == D("25.00") and price.rule == "customer"
    assert not any("From 10" in note for note in price.explanation)
    # the retail customer (50.00) does get the break
    assert price_for(world.retail, world.variant, quantity=20).price == D("30.00")


def test_a_percentage_break_applies_on_top_of_the_level_or_customer_price(world):
    catalog.quantity_breaks_set(actor=None, variant=world.variant,
                                breaks=[{"min_quantity": 10, "discount_percent": "10"}])
    level = price_for(world.customer, world.variant, quantity=10)
    assert level.price == D("36.00")  # 10 % off the level's 40.00, not off the list
    assert level.explanation == ["List price 50.00", "Wholesale: 80% of list price = 40.00",
                                 "From 10: 10% off = 36.00"]
    catalog.customer_price_set(actor=None, variant=world.variant, customer=world.customer,
                               price="30.00")
    assert price_for(world.customer, world.variant, quantity=10).price == D("27.00")
    assert price_for(world.retail, world.variant, quantity=10).price == D("45.00")


def test_a_larger_unit_costs_factor_base_units_and_counts_them_for_breaks(world):
    variant = catalog.variant_save(actor=None, product=world.product, code="WATER-CAN",
                                   list_price="1.60", units=[(world.box, 12)])
    box = VariantUnit.objects.select_related("unit").get(variant=variant)
    price = price_for(world.customer, variant, unit=box)
    assert price.unit_price == D("1.28") and price.price == D("15.36")
    assert price.factor == 12 and price.quantity == 12 and price.rule == "unit"
    assert price.explanation[-1] == "box of 12: 15.36"
    catalog.quantity_breaks_set(actor=None, variant=variant,
                                breaks=[{"min_quantity": 24, "price": "1.00"}])
    # one box = 12 pieces: no break; two boxes = 24 pieces: the break
    assert price_for(world.customer, variant, quantity=1, unit=box).price == D("15.36")
    two = price_for(world.customer, variant, quantity=2, unit=box)
    assert two.quantity == 24 and two.unit_price == D("1.00") and two.price == D("12.00")
    assert two.line_total(2) == D("24.00")


def test_rounding_is_half_up_once_per_base_unit(world):
    half = customer_services.level_create(actor=None, name="Half", price_percent=50)
    customer = _customer("Half buyer", half)
    variant = _variant(world, "WATER-ODD", "10.05")
    assert price_for(customer, variant).price == D("5.03")  # 5.025 → 5.03 (not 5.02)
    third = customer_services.level_create(actor=None, name="Third", price_percent="33.33")
    variant = catalog.variant_save(actor=None, product=world.product, code="WATER-ONE",
                                   list_price="1.00", units=[(world.box, 12)])
    box = VariantUnit.objects.get(variant=variant)
    price = price_for(_customer("Third buyer", third), variant, unit=box)
    # 0.3333 → 0.33 per piece, then × 12 = 3.96 (not 4.00 from rounding the box)
    assert price.unit_price == D("0.33") and price.price == D("3.96")
    catalog.quantity_breaks_set(actor=None, variant=world.variant,
                                breaks=[{"min_quantity": 10, "discount_percent": "12.5"}])
    catalog.customer_price_set(actor=None, variant=world.variant, customer=world.customer,
                               price="0.99")
    assert price_for(world.customer, world.variant, quantity=10).price == D("0.87")  # 0.86625
    assert money("2.675") == D("2.68") and money("-0.005") == D("-0.01")


def test_order_rules_come_with_the_price(world):
    price = price_for(world.customer, world.variant)
    assert (price.min_quantity, price.order_multiple) == (6, 3)


def test_prices_for_matches_price_for_and_honours_quantities(world):
    variants = [_variant(world, f"W-{n}", f"{n}.10") for n in range(1, 6)]
    catalog.quantity_breaks_set(actor=None, product=world.product,
                                breaks=[{"min_quantity": 10, "discount_percent": "50"}])
    prices = prices_for(world.customer, variants, quantities={variants[0].pk: 10})
    for variant in variants:
        quantity = 10 if variant.pk == variants[0].pk else 1
        assert prices[variant.pk] == price_for(world.customer, variant, quantity=quantity)
    assert prices[variants[0].pk].price == D("0.44")  # 1.10 × 80 % = 0.88, half off
    assert prices[variants[1].pk].price == D("1.68")  # 2.10 × 80 %


@pytest.mark.parametrize("count", [1, 50])
def test_prices_for_takes_three_queries_however_many_variants(world, count):
    variants = [_variant(world, f"Q-{n}", "10.00") for n in range(count)]
    for variant in variants[::7]:
        catalog.level_price_set(actor=None, variant=variant, level=world.level, price="7.00")
        catalog.customer_price_set(actor=None, variant=variant, customer=world.customer,
                                   price="6.00")
    catalog.quantity_breaks_set(actor=None, product=world.product,
                                breaks=[{"min_quantity": 5, "price": "1.00"}])
    with CaptureQueriesContext(connection) as queries:
        prices = prices_for(world.customer, variants)
    assert len(queries) == 3
    assert len(prices) == count
    assert prices[variants[0].pk].price == D("6.00")
    if count > 1:
        assert prices[variants[1].pk].price == D("8.00")
    with CaptureQueriesContext(connection) as queries:
        prices_for(None, variants)
    assert len(queries) == 1  # list prices: only the breaks are read
