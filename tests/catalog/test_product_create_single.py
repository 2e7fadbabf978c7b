"""A product without specifications is created with its price, unit and opening stock on
one form, through one service call (issue 10, item 11)."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError, PermissionDeniedError
from ordering.catalog.enums import MovementKind
from ordering.catalog.models import Product, StockMovement, Variant
from ordering.catalog.services import products as catalog
from tests.factories.roles import staff_with_roles

BASE = "/dashboard/catalog"


def _single(actor=None, **values):
    values = {"name": "Green tea", "code": "TEA-1", "unit": catalog.unit_get_or_create("box"),
              "list_price": "12.50", "opening_stock": 40, **values}
    return catalog.product_create_single(actor=actor, **values)


# --- the service ---------------------------------------------------------------------

def test_one_call_makes_the_product_its_variant_and_a_receipt(in_acme):
    product = _single()
    variant = Variant.objects.get(product=product)
    assert (variant.code, variant.list_price, variant.on_hand, variant.reserved) == (
        "TEA-1", Decimal("12.50"), 40, 0)
    movement = StockMovement.objects.get(variant=variant)
    assert (movement.kind, movement.on_hand_change, movement.on_hand_after) == (
        MovementKind.RECEIPT, 40, 40)
    assert movement.reason == "Opening stock"


def test_no_opening_stock_means_no_movement(in_acme):
    product = _single(opening_stock=0)
    assert Variant.objects.get(product=product).on_hand == 0
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize(("values", "field"), [
    ({"list_price": "-1"}, "list_price"),
    ({"list_price": "abc"}, "list_price"),
    ({"opening_stock": -3}, "opening_stock"),
    ({"opening_stock": "1.5"}, "opening_stock"),
    ({"name": ""}, "name"),
    ({"code": "bad code!"}, "code"),
])
def test_bad_input_saves_nothing(in_acme, values, field):
    with pytest.raises(ApplicationError) as info:
        _single(**values)
    assert field in info.value.fields
    assert not Product.objects.exists() and not Variant.objects.exists()
    assert not StockMovement.objects.exists()


def test_a_taken_code_saves_nothing(in_acme):
    _single()
    with pytest.raises(ApplicationError) as info:
        _single(name="Other", code="tea-1")
    assert "code" in info.value.fields
    assert Product.objects.count() == 1 and StockMovement.objects.count() == 1


def test_opening_stock_needs_the_stock_permission(in_acme):
    # a catalog editor without manage_stock: product yes, stock no
    editor = staff_with_roles("business_lead")
    assert _single(actor=editor).variants.get().on_hand == 40
    rep = staff_with_roles("sales_rep")
    with pytest.raises(PermissionDeniedError):
        _single(actor=rep, code="TEA-2")


# --- the page ------------------------------------------------------------------------

@pytest.fixture
def lead(acme, acme_client, login_as):
    with tenant_context(acme):
        user = staff_with_roles("business_lead")
    return login_as(acme_client, acme, user)


def test_the_form_has_price_unit_and_opening_stock_and_fits_a_phone(lead):
    body = lead.get(f"{BASE}/products/new/").content.decode()
    for name in ("name", "code", "unit", "list_price", "opening_stock", "has_specs"):
        assert f'name="{name}"' in body, name
    assert 'inputmode="decimal"' in body and 'inputmode="numeric"' in body
    # the optional details are folded away so the form is short on a phone
    assert "<details" in body


def test_creating_a_single_variant_product_from_the_page(acme, lead):
    response = lead.post(f"{BASE}/products/new/", {
        "name": "Jasmine tea", "code": "JAS", "unit": "tin", "list_price": "35.00",
        "opening_stock": "120", "on_shelf": "on"})
    assert response.status_code == 302
    with tenant_context(acme):
        product = Product.objects.get(code="JAS")
        assert response.url == f"{BASE}/products/{product.pk}/"
        variant = product.variants.get()
        assert (variant.code, variant.list_price, variant.on_hand) == ("JAS", Decimal("35.00"),
                                                                      120)
        assert StockMovement.objects.filter(variant=variant, kind=MovementKind.RECEIPT,
                                            on_hand_change=120).exists()


def test_a_product_with_specifications_gets_no_variant_yet(acme, lead):
    response = lead.post(f"{BASE}/products/new/", {
        "name": "Tee", "code": "TEE", "unit": "piece", "has_specs": "on", "list_price": "",
        "opening_stock": ""})
    assert response.status_code == 302
    with tenant_context(acme):
        assert not Product.objects.get(code="TEE").variants.exists()


@pytest.mark.parametrize(("values", "message"), [
    ({"list_price": ""}, "Enter the price."),
    ({"opening_stock": "1.5"}, "Whole numbers only."),
    ({"opening_stock": "-3"}, "greater than or equal to 0"),
])
def test_the_page_refuses_bad_price_or_stock(acme, lead, values, message):
    response = lead.post(f"{BASE}/products/new/", {
        "name": "Bad", "code": "BAD", "unit": "tin", "list_price": "5", "opening_stock": "1",
        **values})
    assert response.status_code == 400
    assert message in response.content.decode()
    with tenant_context(acme):
        assert not Product.objects.exists()
