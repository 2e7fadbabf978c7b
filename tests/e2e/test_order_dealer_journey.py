"""A dealer orders on a phone: fills the cart from the colour × size grid and by pasting
SKU codes, checks out, follows the order on its page and writes to the supplier there;
once goods are shipped, asks to return some with a photo and follows the return."""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e
PASSWORD = "Order-buyer-2026"


@pytest.fixture
def outlet():
    """A customer with an ordering login and an address, a T-shirt in 2 colours × 3
    sizes, a cap ordered by SKU code and a shipping method (committed data)."""
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.models import Product
    from ordering.catalog.services import products as catalog
    from ordering.catalog.services.stock import stock_move
    from ordering.customers.services import contacts as contact_services
    from ordering.customers.services import customers as customer_services
    from ordering.customers.services import logins as login_services
    from ordering.orders.models import ShippingMethod
    from tenants.models import Tenant

    tag = uuid.uuid4().hex[:6]
    acme = Tenant.objects.get(slug="acme")
    with tenant_context(acme):
        customer = customer_services.customer_create(actor=None, name=f"Harbour Outlet {tag}")
        login = login_services.login_create(actor=None, customer=customer,
                                            email=f"order-{tag}@outlet.example",
                                            password=PASSWORD, language="en",
                                            site_url="http://acme.localhost")
        get_user_model().objects.filter(pk=login.user_id).update(must_change_password=False)
        address = contact_services.address_save(actor=None, customer=customer, recipient="Lin Tao",
                                      phone="13600000000", address=f"{tag} Quay Street")
        piece = catalog.unit_get_or_create("piece")
        tee = catalog.product_create(actor=None, name=f"Quay tee {tag}", code=f"QT-{tag}",
                                     unit=piece, on_shelf=True)
        for variant in catalog.variants_generate(
                actor=None, product=tee, list_price="20.00",
                specs=[("Colour", ["Red", "Navy"]), ("Size", ["S", "M", "L"])]):
            stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=50)
        cap = catalog.product_create(actor=None, name=f"Quay cap {tag}", code=f"QC-{tag}",
                                     unit=piece, on_shelf=True)
        cap_variant = catalog.variant_save(actor=None, product=cap, code=f"QC-{tag}-1",
                                           list_price="9.00")
        stock_move(actor=None, variant=cap_variant, kind=MovementKind.RECEIPT, quantity=50)
        method = ShippingMethod.objects.create(name=f"Van {tag}", fee="12.00")
    yield {"tag": tag, "email": login.user.email, "tee": tee, "cap_code": cap_variant.code,
           "cap": cap_variant, "method": method.name, "user": login.user,
           "address": address, "method_id": method.pk}
    with tenant_context(acme):  # products with a stock ledger and orders stay, hidden
        Product.objects.filter(code__in=[f"QT-{tag}", f"QC-{tag}"]).update(on_shelf=False)
        ShippingMethod.objects.filter(pk=method.pk).delete()
        get_user_model().objects.filter(pk=login.user_id).update(is_active=False)


def test_dealer_fills_the_cart_from_the_grid_and_by_paste_and_checks_out(phone, live, outlet):
    tag = outlet["tag"]
    sign_in(phone, live, outlet["email"], PASSWORD)
    phone.wait_for_url("**/shop/")

    # The colour × size grid: 4 red S and 6 navy L, checked, then all into the cart.
    phone.goto(live.tenant("acme", f"/shop/catalog/{outlet['tee'].pk}/"))
    phone.get_by_test_id("open-grid").click()
    cells = phone.get_by_test_id("order-grid").get_by_test_id("grid-cell")
    expect(cells).to_have_count(6)
    cells.nth(0).fill("4")
    cells.nth(5).fill("6")
    phone.get_by_test_id("grid-submit").click()
    expect(phone.get_by_test_id("grid-lines").get_by_test_id("grid-line")).to_have_count(2)
    phone.get_by_test_id("grid-add-to-cart").click()
    phone.wait_for_url(live.tenant("acme", "/shop/cart/"))
    expect(phone.locator(".alert-success")).to_contain_text("2 lines added to your cart.")
    expect(phone.get_by_test_id("cart-line")).to_have_count(2)
    expect(phone.get_by_test_id("tab-cart-badge")).to_have_text("2")

    # Quick order: paste SKU codes; the unknown one is listed by its line.
    phone.get_by_label("Paste lines").fill(f"{outlet['cap_code']}, 5\nNOPE-{tag}, 1")
    phone.get_by_test_id("quick-submit").click()
    expect(phone.get_by_test_id("quick-error")).to_have_count(1)
    expect(phone.get_by_test_id("quick-error")).to_contain_text(
        f"Line 2: No product with SKU code “NOPE-{tag}”.")
    expect(phone.get_by_label("Paste lines")).to_have_value(f"NOPE-{tag}, 1")
    lines = phone.get_by_test_id("cart-line")
    expect(lines).to_have_count(3)
    expect(lines.filter(has_text=outlet["cap_code"]).get_by_test_id("line-total")).to_contain_text(
        "45.00")
    expect(phone.get_by_test_id("cart-subtotal")).to_contain_text("245.00")  # 10 × 20 + 5 × 9

    # Checkout: the address is preselected; the van adds its fee.
    phone.get_by_test_id("cart-checkout").click()
    phone.wait_for_url(live.tenant("acme", "/shop/checkout/"))
    expect(phone.get_by_test_id("address-option").locator("input")).to_be_checked()
    phone.get_by_label(re.compile(f"Van {tag}")).check()
    expect(phone.get_by_test_id("summary-total")).to_contain_text("257.00")
    phone.get_by_label("Remark").fill("Please call before delivery.")
    phone.get_by_test_id("place-order").click()

    # The order's page: its number, status and lines.
    phone.wait_for_url(re.compile(r".*/shop/orders/\d+/$"))
    number = phone.get_by_test_id("order-number")
    expect(number).to_have_text(re.compile(r"^SO-\d{8}-\d{4}$"))
    expect(phone.get_by_test_id("order-status")).to_have_text("Awaiting order review")
    expect(phone.locator(".alert-success")).to_contain_text("has been placed")
    expect(phone.get_by_test_id("order-line")).to_have_count(3)
    expect(phone.get_by_test_id("order-total")).to_contain_text("257.00")
    expect(phone.get_by_test_id("progress-step").filter(has_text="Order review")).to_have_attribute(
        "data-state", "current")
    order_number = number.inner_text()
    expect(phone.get_by_test_id("tab-cart-badge")).to_have_count(0)  # the cart is empty

    # A message to the supplier on the order: an empty one is refused, then it is sent.
    messages = phone.get_by_test_id("order-messages")
    expect(messages.get_by_test_id("messages-empty")).to_be_visible()
    messages.get_by_test_id("message-send").click()
    expect(phone.get_by_test_id("order-messages")).to_contain_text("Write a message.")
    phone.get_by_label("Your message").fill("Please deliver to the side door.")
    phone.get_by_test_id("message-send").click()
    phone.wait_for_url(re.compile(r".*/shop/orders/\d+/#messages$"))
    expect(phone.locator(".alert-success")).to_contain_text("Your message has been sent.")
    sent = phone.get_by_test_id("message-thread").get_by_test_id("message")
    expect(sent).to_have_count(1)
    expect(sent).to_have_attribute("data-from", "dealer")
    expect(sent.get_by_test_id("message-body")).to_have_text("Please deliver to the side door.")
    expect(phone.get_by_label("Your message")).to_have_value("")

    # The order is in the company's list.
    phone.get_by_test_id("tab-orders").click()
    phone.wait_for_url(live.tenant("acme", "/shop/orders/"))
    row = phone.get_by_test_id("order-row").filter(has_text=order_number)
    expect(row.get_by_test_id("order-status")).to_have_text("Awaiting order review")


@pytest.fixture
def shipped(outlet):
    """An order of 8 caps of the outlet, paid, approved and shipped in full (committed)."""
    from django.utils import timezone

    from ordering.finance.services import payments
    from ordering.orders import workflow
    from ordering.orders.enums import OrderStatus
    from ordering.orders.services.checkout import order_place
    from ordering.orders.services.shipments import shipment_create
    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(slug="acme")):
        order = order_place(actor=outlet["user"], lines=[{"variant": outlet["cap"].pk,
                                                          "quantity": 8}],
                            address_id=outlet["address"].pk, payment_method="transfer",
                            shipping_method_id=outlet["method_id"]).order
        # the dealer's transfer arrived: finance review passes a paid order
        payments.payment_confirm(actor=None, payment=payments.payment_record(
            actor=None, customer=order.customer, amount=order.total,
            paid_on=timezone.localdate(), order_ids=[order.pk]))
        while order.status != OrderStatus.SHIPPING:  # through the reviews switched on
            order = workflow.transition(order=order, action=workflow.APPROVE, actor=None)
        line = order.lines.get()
        shipment_create(actor=None, order=order, quantities={line.pk: 8})
    return order


def test_dealer_returns_shipped_goods_with_a_photo(phone, live, outlet, shipped, tmp_path):
    from PIL import Image

    photo = tmp_path / "dented.png"
    Image.new("RGB", (90, 60), (220, 120, 30)).save(photo, format="PNG")
    fake = tmp_path / "dented-too.png"
    fake.write_text("not a picture\n")
    sign_in(phone, live, outlet["email"], PASSWORD)
    phone.wait_for_url("**/shop/")
    phone.goto(live.tenant("acme", f"/shop/orders/{shipped.pk}/"))
    phone.get_by_test_id("order-return").click()
    phone.wait_for_url(re.compile(rf".*/shop/orders/{shipped.pk}/return/$"))
    line = phone.get_by_test_id("return-line")
    expect(line).to_have_count(1)
    expect(line.get_by_test_id("line-returnable")).to_contain_text("up to 8")

    # too many, and a "photo" that is not one: refused, nothing made
    line.get_by_test_id("return-quantity").fill("9")
    phone.get_by_label("Why do you return the goods?").fill("Two caps arrived dented.")
    phone.get_by_test_id("return-submit").click()
    expect(phone.get_by_test_id("line-error")).to_have_text("At most 8 can be returned.")
    expect(phone.get_by_test_id("return-error")).to_contain_text("Check the quantities")
    phone.get_by_test_id("return-line").get_by_test_id("return-quantity").fill("2")
    phone.get_by_test_id("return-photos").set_input_files([str(fake)])
    phone.get_by_test_id("return-submit").click()
    expect(phone.get_by_test_id("photos-error")).to_have_text("Upload a JPEG, PNG or WebP image.")
    expect(phone.get_by_test_id("photos-too-many")).to_be_hidden()
    expect(phone.get_by_test_id("return-line").get_by_test_id("return-quantity")).to_have_value("2")
    expect(phone.get_by_label("Why do you return the goods?")).to_have_value(
        "Two caps arrived dented.")

    phone.get_by_test_id("return-photos").set_input_files([str(photo)])
    phone.get_by_test_id("return-submit").click()
    phone.wait_for_url(re.compile(r".*/shop/returns/\d+/$"))
    expect(phone.locator(".alert-success")).to_contain_text("has been requested")
    expect(phone.get_by_test_id("return-status")).to_have_text("Awaiting review")
    expect(phone.get_by_test_id("line-requested")).to_contain_text("Returning 2 piece")
    thumb = phone.get_by_test_id("return-photo").locator("img")
    expect(thumb).to_have_count(1)
    thumb.scroll_into_view_if_needed()
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0",
                            arg=thumb.element_handle())
    assert thumb.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [90, 60]
    number = phone.get_by_test_id("return-number").inner_text()
    assert number.startswith("RT-")

    # the order lists it; the company's returns too
    phone.get_by_test_id("return-order").click()
    expect(phone.get_by_test_id("order-returns")).to_contain_text(number)
    expect(phone.get_by_test_id("order-return")).to_be_visible()  # 6 caps left to return
    phone.goto(live.tenant("acme", "/shop/orders/"))
    phone.get_by_test_id("returns-link").click()
    phone.wait_for_url(live.tenant("acme", "/shop/returns/"))
    row = phone.get_by_test_id("return-row").filter(has_text=number)
    expect(row.get_by_test_id("return-status")).to_have_text("Awaiting review")
    expect(row).to_contain_text(shipped.number)
