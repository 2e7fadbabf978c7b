"""Catalog business rules at the service layer: products and variants, generated
combinations, units, sanitised descriptions, stock movements and their ledger,
overselling, settings."""

from decimal import Decimal

import pytest

from core.exceptions import ApplicationError, PermissionDeniedError
from ordering.catalog.enums import MovementKind, StockDisplay, StockState
from ordering.catalog.models import Product, StockMovement, Variant
from ordering.catalog.services import products as catalog
from ordering.catalog.services.settings import catalog_settings_update
from ordering.settings.services import settings_update
from ordering.catalog.selectors import stock_for_dealer, stock_state
from ordering.catalog.exceptions import InsufficientStockError
from ordering.catalog.services.stock import stock_move
from tests.factories.roles import staff_with_roles


def _product(code="JUICE-1", **values):
    unit = catalog.unit_get_or_create("bottle")
    return catalog.product_create(actor=None, name=values.pop("name", "Orange juice"),
                                  code=code, unit=unit, **values)


def _variant(product, code="JUICE-1-500", price="3.50", **values):
    return catalog.variant_save(actor=None, product=product, code=code, list_price=price,
                                **values)


def test_product_codes_and_variant_codes_are_unique_case_insensitively(in_acme):
    product = _product()
    with pytest.raises(ApplicationError) as error:
        _product(code="juice-1")
    assert "code" in error.value.fields
    _variant(product)
    with pytest.raises(ApplicationError) as error:
        _variant(product, code="juice-1-500")
    assert "code" in error.value.fields
    assert Variant.objects.filter(product=product).count() == 1


def test_description_is_sanitised(in_acme):
    product = _product(description='<p onclick="x()">Fresh <script>alert(1)</script>'
                                   '<a href="javascript:evil()">x</a><strong>100%</strong></p>')
    assert "script" not in product.description and "onclick" not in product.description
    assert "javascript" not in product.description
    assert "<strong>100%</strong>" in product.description


def test_generating_colour_by_size_makes_every_combination_once(in_acme):
    product = _product(code="TEE", name="T-shirt")
    made = catalog.variants_generate(actor=None, product=product, list_price="59",
                                     specs=[("Colour", ["Red", "Blue"]),
                                            ("Size", ["S", "M", "L"])])
    assert len(made) == 6
    assert {v.code for v in made} == {f"TEE-{n}" for n in range(1, 7)}
    again = catalog.variants_generate(actor=None, product=product, list_price="59",
                                      specs=[("Colour", ["Red", "Blue", "Black"]),
                                             ("Size", ["S", "M", "L"])])
    assert len(again) == 3  # only the black ones are new
    assert product.variants.count() == 9
    combos = {tuple(sorted(v.spec_values.values_list("value", flat=True)))
              for v in product.variants.all()}
    assert len(combos) == 9


def test_larger_units_need_a_factor_of_two_or_more(in_acme):
    product = _product()
    box = catalog.unit_get_or_create("case")
    variant = _variant(product, units=[(box, 24)])
    assert variant.units.get().factor == 24
    with pytest.raises(ApplicationError):
        _variant(product, code="OTHER", units=[(box, 1)])
    with pytest.raises(ApplicationError):
        _variant(product, code="OTHER2", units=[(product.unit, 6)])


def test_catalog_writes_need_their_permission(in_acme):
    rep = staff_with_roles("sales_rep")
    with pytest.raises(PermissionDeniedError):
        catalog.product_create(actor=rep, name="Nope", code="NOPE",
                               unit=catalog.unit_get_or_create("piece"))
    assert not Product.objects.filter(code="NOPE").exists()
    product = _product()
    variant = _variant(product)
    with pytest.raises(PermissionDeniedError):
        catalog.products_change_prices(actor=rep, product_ids=[product.pk], percent=10)
    variant.refresh_from_db()
    assert variant.list_price == Decimal("3.50")


def test_bulk_price_change_and_shelf(in_acme):
    product = _product()
    variant = _variant(product, price="10.00")
    assert catalog.products_change_prices(actor=None, product_ids=[product.pk], percent="7.5") == 1
    variant.refresh_from_db()
    assert variant.list_price == Decimal("10.75")
    with pytest.raises(ApplicationError):
        catalog.products_change_prices(actor=None, product_ids=[product.pk], percent="-95")
    assert catalog.products_set_shelf(actor=None, product_ids=[product.pk], on_shelf=False) == 1
    assert not Product.objects.get(pk=product.pk).on_shelf


def test_stock_movements_keep_the_ledger_and_refuse_overselling(in_acme):
    variant = _variant(_product())
    stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=10)
    stock_move(actor=None, variant=variant, kind=MovementKind.RESERVATION, quantity=8)
    with pytest.raises(InsufficientStockError):
        stock_move(actor=None, variant=variant, kind=MovementKind.RESERVATION, quantity=3)
    stock_move(actor=None, variant=variant, kind=MovementKind.SHIPMENT, quantity=5)
    stock_move(actor=None, variant=variant, kind=MovementKind.RELEASE, quantity=3)
    with pytest.raises(ApplicationError):
        stock_move(actor=None, variant=variant, kind=MovementKind.ADJUSTMENT, on_hand_change=2)
    stock_move(actor=None, variant=variant, kind=MovementKind.ADJUSTMENT, on_hand_change=-1,
               reason="Broken bottle")
    variant.refresh_from_db()
    assert (variant.on_hand, variant.reserved, variant.available) == (4, 0, 4)
    ledger = list(StockMovement.objects.filter(variant=variant).order_by("id"))
    assert [m.kind for m in ledger] == ["receipt", "reservation", "shipment", "release",
                                        "adjustment"]
    assert sum(m.on_hand_change for m in ledger) == variant.on_hand
    assert ledger[-1].on_hand_after == 4
    with pytest.raises(ValueError):
        StockMovement.objects.filter(pk=ledger[0].pk).update(reason="rewritten")


def test_the_database_refuses_negative_available_stock_without_overselling(in_acme):
    from django.db import IntegrityError, transaction

    variant = _variant(_product())
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(reserved=5)


def test_overselling_allows_reservations_beyond_stock_and_cannot_be_switched_off_then(
        in_acme, acme):
    variant = _variant(_product())
    catalog_settings_update(actor=None, stock_display=StockDisplay.EXACT,
                            allow_oversell=True)
    stock_move(actor=None, variant=variant, kind=MovementKind.RESERVATION, quantity=5)
    variant.refresh_from_db()
    assert variant.available == -5
    with pytest.raises(ApplicationError) as error:
        catalog_settings_update(actor=None, stock_display=StockDisplay.EXACT,
                                allow_oversell=False)
    assert "allow_oversell" in error.value.fields
    stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=5)
    catalog_settings_update(actor=None, stock_display=StockDisplay.LEVEL,
                            allow_oversell=False)
    assert not Variant.objects.get(pk=variant.pk).oversell


def test_what_dealers_see_of_stock(in_acme):
    assert stock_state(0) == StockState.OUT and stock_state(3) == StockState.LOW
    assert stock_state(500) == StockState.IN_STOCK
    settings_update(actor=None, stock_display=StockDisplay.EXACT)
    assert stock_for_dealer(42) == {"quantity": 42, "state": StockState.IN_STOCK}
    settings_update(actor=None, stock_display=StockDisplay.LEVEL)
    assert stock_for_dealer(42) == {"state": StockState.IN_STOCK}
    settings_update(actor=None, stock_display=StockDisplay.HIDDEN)
    assert stock_for_dealer(42) is None
