"""Specifications read in the same order everywhere (issue 10, item 13): the product
page, the order grid, the cart, the order, an amendment, the printed order sheet, the
staff pages and the exports all say 藏青 / L (the product's attribute order), never
L / 藏青, also when the size values were created before the colour values (their ids
and their text would put L first)."""

import pytest
from django.db.models import Prefetch

from ordering.catalog import selectors
from ordering.catalog.enums import MovementKind
from ordering.catalog.models import SpecAttribute, SpecValue, Variant
from ordering.catalog.resources import specs_render
from ordering.catalog.services import products as catalog
from ordering.catalog.services.stock import stock_move
from ordering.catalog.specs import SPEC_VALUES, spec_label, variant_spec_label
from ordering.catalog.storefront import dealer_product
from ordering.orders import selectors as order_selectors
from ordering.orders.services import amendments, cart
from tests.conftest import TenantClient, host_of
from tests.orders.conftest import place

COLOURS = ["黑色", "白色", "藏青"]
SIZES = ["S", "M", "L", "XL"]


def _variant(product, *values):
    found = Variant.objects.filter(product=product)
    for value in values:
        found = found.filter(spec_values__value=value)
    return found.get()


def _garment(shop, *, size_created_first=False):
    """A globex-like T-shirt in colour × size. The size values are created first (lower
    ids), and 藏青 and L share a value position, so ordering by value id, by value
    position or by text gives L / 藏青. The attributes read colour, then size: by their
    creation order at the same position, or (``size_created_first``) by position."""
    if size_created_first:
        size = SpecAttribute.objects.create(name="尺码", position=2)
        colour = SpecAttribute.objects.create(name="颜色", position=1)
    else:
        colour = SpecAttribute.objects.create(name="颜色")
        size = SpecAttribute.objects.create(name="尺码")
    for position, value in enumerate(SIZES):
        SpecValue.objects.create(attribute=size, value=value, position=position)
    for position, value in enumerate(COLOURS):
        SpecValue.objects.create(attribute=colour, value=value, position=position)
    piece = catalog.unit_get_or_create("件")
    product = catalog.product_create(actor=None, name="云裳经典款圆领T恤", code="FZ0001",
                                     unit=piece, on_shelf=True)
    catalog.variants_generate(actor=None, product=product, list_price="39.00",
                              specs=[("颜色", COLOURS), ("尺码", SIZES)])
    for variant in product.variants.all():
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=50)
    return product, _variant(product, "藏青", "L")


def test_the_helper_orders_by_attribute_not_by_value():
    class Attribute:
        def __init__(self, pk, position, name):
            self.pk, self.position, self.name = pk, position, name

    class Value:
        def __init__(self, pk, attribute, value, position=0):
            self.pk, self.attribute, self.value, self.position = pk, attribute, value, position
            self.attribute_id = attribute.pk

    colour, size = Attribute(2, 0, "颜色"), Attribute(1, 1, "尺码")
    values = [Value(1, size, "L", 2), Value(9, colour, "藏青", 2)]
    assert spec_label(values) == "藏青 / L"
    assert spec_label(values, with_names=True) == "颜色: 藏青 / 尺码: L"
    assert spec_label([]) == ""
    # same position: the attribute created first comes first
    colour.position = size.position = 0
    assert spec_label(values) == "L / 藏青"  # 尺码 (pk 1) was created first here
    colour.pk, size.pk = 1, 2
    assert spec_label(values) == "藏青 / L"


@pytest.mark.parametrize("size_created_first", [False, True])
def test_every_surface_reads_colour_then_size(shop, login_as, acme, size_created_first):
    product, navy_l = _garment(shop, size_created_first=size_created_first)
    # the product page and the grid
    detail = dealer_product(shop.dana, product.pk)
    offer = detail.offer(navy_l.pk)
    assert offer.label == "藏青 / L"
    assert [value.value for value in offer.specs] == ["藏青", "L"]
    assert detail.grid.row_attribute.name == "颜色"
    assert [v.value for v in detail.grid.rows] == COLOURS
    assert [v.value for v in detail.grid.columns] == SIZES
    assert all(o.label.split(" / ")[0] in COLOURS for o in detail.offers)
    # the cart
    cart.cart_add(login=shop.dana, lines=[{"variant": navy_l.pk, "quantity": 2}])
    line, = order_selectors.cart_view(login=shop.dana).lines
    assert line.spec_label == "藏青 / L" and line.label == "云裳经典款圆领T恤 藏青 / L"
    # the order, an amendment and the order sheet
    order = place(shop, lines=[{"variant": navy_l.pk, "quantity": 2}])
    assert order.lines.get().spec_label == "藏青 / L"
    navy_xl = _variant(product, "藏青", "XL")
    amended = amendments.order_amend(actor=shop.staff.admin, order=order,
                                     add=[{"variant": navy_xl.pk, "quantity": 1}], reason="x")
    assert sorted(amended.lines.values_list("spec_label", flat=True)) == [
        "藏青 / L", "藏青 / XL"]
    admin = login_as(TenantClient(host_of(acme)), acme, shop.staff.admin)
    for path in (f"/dashboard/orders/{order.pk}/print/", f"/dashboard/orders/{order.pk}/"):
        html = admin.get(path).content.decode()
        assert "藏青 / L" in html and "L / 藏青" not in html
    # the staff pages and the exports
    staff = Variant.objects.prefetch_related(
        Prefetch("spec_values", queryset=SPEC_VALUES)).get(pk=navy_l.pk)
    assert selectors.variant_specs(staff) == "颜色: 藏青 / 尺码: L"
    assert specs_render(staff) == "颜色:藏青;尺码:L"
    # without an ordered prefetch too (values with their attribute, in any order)
    plain = Variant.objects.prefetch_related(Prefetch(
        "spec_values", queryset=SpecValue.objects.select_related("attribute").order_by("-id"))
    ).get(pk=navy_l.pk)
    assert variant_spec_label(plain) == "藏青 / L"
