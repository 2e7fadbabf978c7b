"""One price for the same quantity in any unit, on every surface (issue 10, item 1).

An acme-like bottle sold by the case of 24 (8.90 list, a level price of 6.94, product
breaks 48+ 3% off and 240+ 6% off): one case costs 24 bottles at 6.94 = 166.56, two
cases 48 bottles at 6.73 = 161.52 a case, ten cases 240 bottles at 6.52 = 156.48 a case.
The product page, the order grid, the cart, quick order, checkout, an order placed on
the dealer's behalf, an amendment and the API all agree, and the break is chosen on the
variant's base quantity once (two cases used to get the 240+ price: 2 × 24 × 24)."""

from decimal import Decimal

import pytest

from ordering.catalog.enums import MovementKind
from ordering.catalog.models import VariantUnit
from ordering.catalog.pricing import price_for
from ordering.catalog.services import products as catalog
from ordering.catalog.services.stock import stock_move
from ordering.catalog.storefront import dealer_product, grid_lines
from ordering.customers.models import Customer
from ordering.orders import selectors as order_selectors
from ordering.orders.enums import PaymentMethod
from ordering.orders.models import Order
from ordering.orders.services import amendments, cart, checkout
from tests.conftest import TenantClient, host_of
from tests.orders.conftest import place

D = Decimal
API = "/api/v1"
JSON = "application/json"
# cases → the price of one case
CASE = {1: D("166.56"), 2: D("161.52"), 9: D("161.52"), 10: D("156.48")}
BOTTLE = {24: D("6.94"), 48: D("6.73"), 216: D("6.73"), 240: D("6.52")}


@pytest.fixture
def water(shop):
    """The 1.5 L bottle, sold by the bottle and by the case of 24, with a level price
    for the shop's level and two product breaks; plenty in stock."""
    bottle = catalog.unit_get_or_create("bottle")
    product = catalog.product_create(actor=None, name="Sunpeak Mineral Water 1.5L",
                                     code="BV0108", unit=bottle, on_shelf=True)
    variant = catalog.variant_save(actor=None, product=product, code="BV0108-1.5L",
                                   list_price="8.90", units=[(shop.case, 24)])
    catalog.quantity_breaks_set(actor=None, product=product, breaks=[
        {"min_quantity": 48, "discount_percent": "3"},
        {"min_quantity": 240, "discount_percent": "6"}])
    catalog.level_price_set(actor=None, variant=variant, level=shop.level, price="6.94")
    stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=5000)
    shop.water = variant
    shop.water_case = VariantUnit.objects.select_related("unit").get(variant=variant)
    return shop


def _customer(shop):
    return Customer.objects.select_related("level").get(pk=shop.customer.pk)


def _cart_prices(shop):
    view = order_selectors.cart_view(login=shop.dana)
    return {(line.unit.pk if line.unit else None): line for line in view.lines}


def test_the_engine_prices_cases_on_their_bottles(water):
    customer = _customer(water)
    for cases, price in CASE.items():
        assert price_for(customer, water.water, quantity=cases, unit=water.water_case) \
            .price == price
        bottles = price_for(customer, water.water, quantity=cases * 24)
        assert bottles.price * 24 == price and bottles.price == BOTTLE[cases * 24]


def test_the_product_page_and_the_grid(water):
    detail = dealer_product(water.dana, water.water.product_id)
    offer = detail.offers[0]
    (unit, per_case), = offer.units
    assert unit.factor == 24 and per_case.price == CASE[1]
    assert offer.price.price * 24 == CASE[1]
    # the volume prices a dealer reads: 48+ and 240+, per bottle
    assert [(tier.quantity, tier.price) for tier in offer.breaks] == [
        (48, BOTTLE[48]), (240, BOTTLE[240])]
    for bottles, price in BOTTLE.items():
        line, = grid_lines(water.dana, water.water.product_id, {water.water.pk: bottles})
        assert line["price"].price == price


def test_the_cart_and_quick_order(water):
    for cases, price in CASE.items():
        cart.cart_clear(login=water.dana)
        cart.cart_add(login=water.dana, lines=[{"variant": water.water.pk,
                                                "unit": water.water_case.pk,
                                                "quantity": cases}])
        line = _cart_prices(water)[water.water_case.pk]
        assert line.unit_price == price and line.total == price * cases
        cart.cart_clear(login=water.dana)
        added, errors = cart.quick_order(login=water.dana, text=f"BV0108-1.5L, {cases}, case")
        assert (added, errors) == (1, [])
        assert _cart_prices(water)[water.water_case.pk].unit_price == price
        cart.cart_clear(login=water.dana)
        cart.cart_add(login=water.dana, lines=[{"variant": water.water.pk,
                                                "quantity": cases * 24}])
        assert _cart_prices(water)[None].unit_price * 24 == price


def test_a_case_and_bottles_share_one_break_on_their_bottles(water):
    """1 case + 24 bottles = 48 bottles: the 48+ break for both lines, not 240+."""
    cart.cart_add(login=water.dana, lines=[
        {"variant": water.water.pk, "unit": water.water_case.pk, "quantity": 1},
        {"variant": water.water.pk, "quantity": 24}])
    lines = _cart_prices(water)
    assert lines[water.water_case.pk].unit_price == D("161.52")
    assert lines[None].unit_price == D("6.73")


def test_checkout_an_order_on_behalf_and_an_amendment(water):
    for cases in (1, 2, 10):
        cart.cart_clear(login=water.dana)
        cart.cart_add(login=water.dana, lines=[{"variant": water.water.pk,
                                                "unit": water.water_case.pk,
                                                "quantity": cases}])
        order, _created = checkout.cart_checkout(
            actor=water.dana.user, address_id=water.address.pk,
            payment_method=PaymentMethod.TRANSFER, shipping_method_id=water.truck.pk)
        line = order.lines.get()
        assert (line.factor, line.base_quantity) == (24, cases * 24)
        assert line.unit_price == CASE[cases] and line.line_total == CASE[cases] * cases
        assert line.list_price == D("8.90") * 24
    behalf = place(water, actor=water.staff.admin, customer=water.customer, lines=[
        {"variant": water.water.pk, "unit": water.water_case.pk, "quantity": 2}])
    assert behalf.lines.get().unit_price == CASE[2]
    order = place(water)  # 10 bottles of juice
    amended = amendments.order_amend(actor=water.staff.admin, order=order, add=[
        {"variant": water.water.pk, "unit": water.water_case.pk, "quantity": 2}],
        reason="Two cases by phone")
    added = amended.lines.get(variant=water.water)
    assert added.unit_price == CASE[2] and added.line_total == CASE[2] * 2
    assert "From 48: 3% off = 6.73" in added.price_note
    assert "case of 24: 161.52" in added.price_note and "240" not in added.price_note


def test_the_api_and_the_pages(water, login_as, acme):
    dana = login_as(TenantClient(host_of(acme)), acme, water.dana.user)
    admin = login_as(TenantClient(host_of(acme)), acme, water.staff.admin)
    for cases in (1, 2, 10):
        dana.delete(f"{API}/cart/")
        response = dana.post(f"{API}/cart/", {"lines": [
            {"variant": water.water.pk, "unit": water.water_case.pk, "quantity": cases}]},
            content_type=JSON)
        assert response.status_code == 201, response.content
        line, = response.json()["lines"]
        assert D(line["unit_price"]) == CASE[cases]
        dana.delete(f"{API}/cart/")
        quick = dana.post(f"{API}/cart/quick-order/", {"text": f"BV0108-1.5L,{cases},case"},
                          content_type=JSON)
        assert quick.status_code == 200, quick.content
        line, = quick.json()["lines"]
        assert D(line["unit_price"]) == CASE[cases]
    checkout_body = {"address": water.address.pk, "payment_method": "transfer",
                     "shipping_method": water.truck.pk}
    ordered = dana.post(f"{API}/cart/checkout/", checkout_body, content_type=JSON)
    assert ordered.status_code == 201, ordered.content
    line, = ordered.json()["lines"]
    assert D(line["unit_price"]) == CASE[10] and line["base_quantity"] == 240
    staff = admin.post(f"{API}/orders/", {
        "customer": water.customer.pk, **checkout_body,
        "lines": [{"variant": water.water.pk, "unit": water.water_case.pk, "quantity": 2}]},
        content_type=JSON)
    assert staff.status_code == 201, staff.content
    line, = staff.json()["lines"]
    assert D(line["unit_price"]) == CASE[2]
    order = place(water)
    amended = admin.post(f"{API}/orders/{order.pk}/amend/", {
        "add": [{"variant": water.water.pk, "unit": water.water_case.pk, "quantity": 2}],
        "reason": "Two cases by phone"}, content_type=JSON)
    assert amended.status_code == 200, amended.content
    line = next(l for l in amended.json()["lines"] if l["sku_code"] == "BV0108-1.5L")
    assert D(line["unit_price"]) == CASE[2]
    # the staff order page explains the price with the break that applied
    page = admin.get(f"/dashboard/orders/{staff.json()['id']}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "From 48: 3% off = 6.73" in html and "case of 24: 161.52" in html
    assert "From 240" not in html
    # the dealer's product page: 1 case = 24 bottles at the base price
    product = dana.get(f"/shop/catalog/{water.water.product_id}/")
    assert product.status_code == 200
    assert "166.56" in product.content.decode()
    assert Order.objects.filter(customer=water.customer).count() == 3
