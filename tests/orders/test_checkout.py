"""Placing orders: numbers, lines, prices from the engine, validation, idempotency."""

from decimal import Decimal

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from ordering.catalog.models import Variant
from ordering.orders.enums import EventKind, OrderStatus
from ordering.orders.models import Order
from ordering.orders.exceptions import IdempotencyMismatch
from tests.orders.conftest import place


def test_dealer_order_is_numbered_priced_and_reserves_stock(shop):
    order = place(shop, lines=[{"variant": shop.juice.pk, "quantity": 10},
                               {"variant": shop.juice.pk, "unit": shop.case_unit.pk,
                                "quantity": 1}])
    today = timezone.localdate()
    assert order.number == f"SO-{today:%Y%m%d}-0001"
    assert order.status == OrderStatus.ORDER_REVIEW
    # Gold pays 80 %: 8.00 a bottle, 96.00 a case of 12
    lines = list(order.lines.order_by("position"))
    assert [(l.quantity, l.unit_price, l.line_total) for l in lines] == [
        (10, Decimal("8.00"), Decimal("80.00")), (1, Decimal("96.00"), Decimal("96.00"))]
    assert order.subtotal == Decimal("176.00") and order.shipping_fee == Decimal("15.00")
    assert order.total == Decimal("191.00")
    juice = Variant.objects.get(pk=shop.juice.pk)
    assert (juice.on_hand, juice.reserved) == (100, 22)
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == [EventKind.SUBMITTED, EventKind.STOCK_RESERVED]
    second = place(shop)
    assert second.number == f"SO-{today:%Y%m%d}-0002"


def test_same_idempotency_key_returns_the_first_order_and_a_different_body_is_refused(shop):
    first = place(shop, key="k-1")
    again = place(shop, key="k-1")
    assert again.pk == first.pk and Order.objects.count() == 1
    with pytest.raises(IdempotencyMismatch):
        place(shop, key="k-1", lines=[{"variant": shop.juice.pk, "quantity": 11}])


@pytest.mark.parametrize("lines, message", [
    ([{"variant": "x", "quantity": 1}], "Choose a product"),
    ([{"variant": 1, "quantity": 0}], "above zero"),
])
def test_bad_lines_are_refused_with_nothing_saved(shop, lines, message):
    with pytest.raises(ApplicationError) as error:
        place(shop, lines=lines)
    assert message in str(error.value.fields)
    assert Order.objects.count() == 0


def test_moq_multiple_and_stock_are_checked(shop):
    with pytest.raises(ApplicationError) as error:
        place(shop, lines=[{"variant": shop.cola.pk, "quantity": 4}])
    assert "At least 6" in str(error.value.fields)
    with pytest.raises(ApplicationError) as error:
        place(shop, lines=[{"variant": shop.cola.pk, "quantity": 8}])
    assert "multiples of 6" in str(error.value.fields)
    with pytest.raises(ApplicationError):
        place(shop, lines=[{"variant": shop.juice.pk, "quantity": 101}])
    assert Variant.objects.get(pk=shop.juice.pk).reserved == 0


def test_view_only_login_cannot_order_and_other_companys_address_is_refused(shop):
    with pytest.raises(PermissionDeniedError):
        place(shop, actor=shop.viewer.user)
    with pytest.raises(ApplicationError) as error:
        place(shop, address_id=shop.other_address.pk)
    assert "address" in error.value.fields


def test_staff_order_on_behalf_records_who_placed_it(shop):
    order = place(shop, actor=shop.staff.admin, customer=shop.customer)
    assert order.on_behalf and order.placed_by == shop.staff.admin
    assert order.login == shop.dana
    with pytest.raises(PermissionDeniedError):
        place(shop, actor=shop.staff.finance, customer=shop.customer)


def test_minimum_order_amount(shop):
    from tests.orders.conftest import set_workflow

    set_workflow(shop.tenant, min_order_amount="500")
    with pytest.raises(ApplicationError) as error:
        place(shop)
    assert error.value.code == "below_minimum"


def test_dealer_cannot_order_for_another_company(shop):
    with pytest.raises(NotFoundError):
        place(shop, customer=shop.other)


def test_quick_order_sheet_refuses_fractional_quantities():
    import csv
    import io

    from ordering.orders.services.cart import quick_order_rows_from_file

    text = io.StringIO()
    csv.writer(text).writerows([["SKU", "Quantity"], ["OJ-1", "2.9"], ["CO-1", "6.0"],
                                ["X-1", "two"]])
    rows, errors = quick_order_rows_from_file(content=text.getvalue().encode(), extension="csv")
    assert [(r["code"], r["quantity"]) for r in rows] == [("CO-1", 6)]
    assert [row for row, _m in errors] == [2, 4]


def test_a_product_taken_off_the_shelf_is_named_in_the_cart(shop):
    from ordering.catalog.services import products as catalog
    from ordering.orders import selectors
    from ordering.orders.services import cart

    cart.cart_add(login=shop.dana, lines=[{"variant": shop.cola.pk, "quantity": 6}])
    catalog.products_set_shelf(actor=None, product_ids=[shop.cola.product_id], on_shelf=False)
    view = selectors.cart_view(login=shop.dana)
    assert [m for _k, m in view.unavailable] == ["Cola (CO-1) is no longer available."]
