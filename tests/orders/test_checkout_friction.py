"""Checkout friction (issue 10, item 12) and the payment methods a supplier offers
(item 10): an address added from checkout comes back selected, the default shipping
method is preselected, a bad quantity is shown on the product page, checkout offers only
the payment methods the supplier chose."""

import re

import pytest

from core.exceptions import ApplicationError, PermissionDeniedError
from ordering.orders.enums import PaymentMethod
from ordering.orders.models import CartLine, Order, PaymentOption, ShippingMethod
from ordering.orders.selectors import offered_payment_methods
from ordering.orders.services import cart as cart_services
from ordering.orders.services.settings import payment_methods_update
from tests.conftest import TenantClient
from tests.orders.conftest import place


@pytest.fixture
def client_for(acme, login_as):
    def sign_in(user):
        return login_as(TenantClient("acme.localhost"), acme, user)

    return sign_in


@pytest.fixture
def dana(shop, client_for):
    cart_services.cart_add(login=shop.dana, lines=[{"variant": shop.juice.pk, "quantity": 10}])
    return client_for(shop.dana.user)


def _checked(body, name):
    """The values of the checked radio buttons called ``name``."""
    return re.findall(rf'name="{name}" value="(\d+|\w+)"[^>]*\schecked', body)


# --- the address round trip ----------------------------------------------------------

def test_checkout_links_to_adding_an_address_that_comes_back(dana):
    body = dana.get("/shop/checkout/").content.decode()
    assert 'href="/shop/account/addresses/new/?next=checkout"' in body
    form = dana.get("/shop/account/addresses/new/?next=checkout").content.decode()
    assert '<input type="hidden" name="next" value="checkout">' in form
    assert 'href="/shop/checkout/"' in form  # "back" and "cancel" lead to checkout


def test_an_address_added_from_checkout_returns_there_selected(shop, dana):
    response = dana.post("/shop/account/addresses/new/", {
        "recipient": "Wang Wu", "phone": "13700000000", "region": "",
        "address": "9 Dock Road", "postal_code": "", "next": "checkout"})
    assert response.status_code == 302
    new = shop.customer.addresses.get(recipient="Wang Wu")
    assert response.url == f"/shop/checkout/?address={new.pk}"
    body = dana.get(response.url).content.decode()
    assert _checked(body, "address") == [str(new.pk)]
    # not the default one, which stays the default
    assert shop.customer.addresses.get(is_default=True).pk == shop.address.pk


def test_an_address_added_from_the_address_book_returns_there(shop, dana):
    response = dana.post("/shop/account/addresses/new/", {
        "recipient": "Zhao Liu", "phone": "13700000001", "region": "",
        "address": "10 Dock Road", "postal_code": ""})
    assert response.status_code == 302 and response.url == "/shop/account/addresses/"


def test_another_companys_address_in_the_link_is_ignored(shop, dana):
    body = dana.get(f"/shop/checkout/?address={shop.other_address.pk}").content.decode()
    assert _checked(body, "address") == [str(shop.address.pk)]
    assert "2 Hill St" not in body


# --- the default shipping method -----------------------------------------------------

def test_the_default_shipping_method_is_preselected(shop, dana):
    courier = ShippingMethod.objects.create(name="Courier", fee="30.00", position=5)
    shop.truck.position = 1
    shop.truck.save()
    body = dana.get("/shop/checkout/").content.decode()
    assert _checked(body, "shipping_method") == [str(shop.truck.pk)]
    courier.position = 0
    courier.save()
    body = dana.get("/shop/checkout/").content.decode()
    assert _checked(body, "shipping_method") == [str(courier.pk)]


def test_an_inactive_first_method_is_not_the_default(shop, dana):
    ShippingMethod.objects.create(name="Off", fee="1.00", position=0, is_active=False)
    shop.truck.position = 3
    shop.truck.save()
    body = dana.get("/shop/checkout/").content.decode()
    assert _checked(body, "shipping_method") == [str(shop.truck.pk)]


# --- a bad quantity on the product page ----------------------------------------------

@pytest.mark.parametrize(("quantity", "message"), [
    ("-3", "Enter a quantity above zero."),
    ("1.5", "Whole numbers only."),
    ("0", "Enter a quantity above zero."),
    ("abc", "Enter a quantity above zero."),
])
def test_a_bad_quantity_is_shown_on_the_product_page(shop, dana, quantity, message):
    before = list(CartLine.objects.values_list("variant_id", "quantity"))
    product = shop.juice.product_id
    response = dana.post(f"/shop/catalog/{product}/", {
        "variant": shop.juice.pk, "unit": "", "quantity": quantity})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="add-to-cart-error"' in body and message in body
    assert 'data-testid="product-price"' in body  # the product page, not a separate one
    assert f'value="{quantity}"' in body  # what was typed stays in the field
    assert list(CartLine.objects.values_list("variant_id", "quantity")) == before


def test_a_good_quantity_from_the_product_page_goes_into_the_cart(shop, dana):
    product = shop.juice.product_id
    response = dana.post(f"/shop/catalog/{product}/", {
        "variant": shop.juice.pk, "unit": shop.case_unit.pk, "quantity": "2"})
    assert response.status_code == 302
    assert response.url == f"/shop/catalog/{product}/?variant={shop.juice.pk}"
    assert CartLine.objects.filter(variant=shop.juice, unit=shop.case_unit,
                                   quantity=2).exists()


def test_a_view_only_login_cannot_add_from_the_product_page(shop, client_for):
    client = client_for(shop.viewer.user)
    response = client.post(f"/shop/catalog/{shop.juice.product_id}/", {
        "variant": shop.juice.pk, "unit": "", "quantity": "1"})
    assert response.status_code == 403


def test_the_cart_service_calls_a_fraction_what_it_is(shop):
    with pytest.raises(ApplicationError) as info:
        cart_services.cart_add(login=shop.dana, lines=[
            {"variant": shop.juice.pk, "quantity": "1.5", "key": "q"}])
    assert info.value.fields == {"q": ["Whole numbers only."]}


# --- payment methods -----------------------------------------------------------------

def test_until_chosen_every_payment_method_is_offered(shop):
    assert not PaymentOption.objects.exists()
    # online payment too, once the supplier's Stripe account accepts payments
    # (tests/finance/test_online.py); here the platform has no Stripe keys
    assert offered_payment_methods() == ["transfer", "prepaid", "credit"]


def test_the_supplier_chooses_the_payment_methods(shop):
    assert payment_methods_update(actor=shop.staff.admin, methods=["credit", "transfer"]) == [
        "transfer", "credit"]
    assert offered_payment_methods() == ["transfer", "credit"]
    with pytest.raises(ApplicationError) as info:
        payment_methods_update(actor=shop.staff.admin, methods=[])
    assert info.value.fields == {"methods": ["Offer at least one payment method."]}
    with pytest.raises(ApplicationError):
        payment_methods_update(actor=shop.staff.admin, methods=["bitcoin"])
    with pytest.raises(PermissionDeniedError):
        payment_methods_update(actor=shop.staff.sales, methods=["credit"])
    assert offered_payment_methods() == ["transfer", "credit"]


def test_checkout_offers_and_accepts_only_the_chosen_methods(shop, dana):
    payment_methods_update(actor=None, methods=["prepaid"])
    body = dana.get("/shop/checkout/").content.decode()
    assert _checked(body, "payment_method") == ["prepaid"]
    assert 'value="transfer"' not in body
    with pytest.raises(ApplicationError) as info:
        place(shop, payment_method=PaymentMethod.TRANSFER)
    assert "payment_method" in info.value.fields
    assert place(shop, payment_method=PaymentMethod.PREPAID).payment_method == "prepaid"


def test_payment_methods_page_saves_and_refuses_none(shop, client_for):
    admin = client_for(shop.staff.admin)
    page = admin.get("/dashboard/orders/settings/").content.decode()
    assert 'data-testid="payment-methods-form"' in page
    response = admin.post("/dashboard/orders/settings/payment-methods/", {"methods": []})
    assert response.status_code == 400
    assert "Offer at least one payment method." in response.content.decode()
    response = admin.post("/dashboard/orders/settings/payment-methods/",
                          {"methods": ["transfer", "prepaid"]})
    assert response.status_code == 302
    assert offered_payment_methods() == ["transfer", "prepaid"]
    clerk = client_for(shop.staff.shipper)
    assert clerk.post("/dashboard/orders/settings/payment-methods/",
                      {"methods": ["credit"]}).status_code == 403
    assert offered_payment_methods() == ["transfer", "prepaid"]
    assert not Order.objects.exists()


def test_the_staff_order_form_offers_the_chosen_methods_and_the_default_shipping(shop,
                                                                                client_for):
    payment_methods_update(actor=None, methods=["credit"])
    ShippingMethod.objects.create(name="Later", fee="1.00", position=50)
    admin = client_for(shop.staff.admin)
    form = admin.get(f"/dashboard/orders/new/?customer={shop.customer.pk}").context["form"]
    assert [value for value, _label in form.fields["payment_method"].choices] == ["credit"]
    assert form["shipping_method"].value() == shop.truck.pk
