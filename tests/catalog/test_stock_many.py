"""Several variants moved at once: one UPDATE, one ledger insert, all or nothing."""

import pytest

from ordering.catalog.enums import MovementKind
from ordering.catalog.models import StockMovement, Variant
from ordering.catalog.services import products as catalog
from ordering.catalog.exceptions import InsufficientStockError
from ordering.catalog.services.stock import stock_move, stock_move_many


def _variant(code, stock):
    product = catalog.product_create(actor=None, name=code, code=code,
                                     unit=catalog.unit_get_or_create("piece"))
    variant = catalog.variant_save(actor=None, product=product, code=f"{code}-1",
                                   list_price="1.00")
    stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=stock)
    return variant


def test_reserve_several_variants_in_one_go(in_acme):
    a, b = _variant("MA", 10), _variant("MB", 5)
    rows = stock_move_many(actor=None, kind=MovementKind.RESERVATION,
                           quantities={b.pk: 5, a.pk: 3}, reference="SO-1")
    assert [(r.variant_id, r.reserved_change, r.reserved_after) for r in rows] == sorted(
        [(a.pk, 3, 3), (b.pk, 5, 5)])
    assert StockMovement.objects.filter(reference="SO-1").count() == 2


def test_one_variant_short_moves_nothing_and_names_it(in_acme):
    a, b = _variant("NA", 10), _variant("NB", 2)
    with pytest.raises(InsufficientStockError) as error:
        stock_move_many(actor=None, kind=MovementKind.RESERVATION,
                        quantities={a.pk: 3, b.pk: 3})
    assert "NB-1" in error.value.message and "2 available" in error.value.message
    assert Variant.objects.get(pk=a.pk).reserved == 0
    assert not StockMovement.objects.filter(kind=MovementKind.RESERVATION).exists()


def test_quantities_must_be_positive(in_acme):
    a = _variant("PA", 10)
    with pytest.raises(Exception):
        stock_move_many(actor=None, kind=MovementKind.RESERVATION, quantities={a.pk: 0})
    assert stock_move_many(actor=None, kind=MovementKind.RESERVATION, quantities={}) == []
