"""The dealer's order pages under /shop/: the cart (add from the product page, the grid
and the list, change quantity and unit, remove, clear, quick order by paste and by
sheet, templates), checkout (success, validation with nothing saved, the form token
against double orders, attachments checked by content), the order list and detail
(query budgets, progress, timeline with amendments and skipped steps, shipments) and
the dealer's actions (cancel, confirm receipt, accept a changed order, order again).
Another company's orders are 404 everywhere, view-only logins get 403 on every POST,
staff are not shoppers."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ordering.catalog.services import products as catalog
from ordering.orders import workflow
from ordering.orders.enums import EventKind, OrderStatus, PaymentMethod
from ordering.orders.models import CartLine, CartTemplate, Order
from ordering.orders.services import cart as cart_services
from ordering.orders.services.amendments import amendment_accept, order_amend
from ordering.orders.services.shipments import shipment_create
from tests.conftest import TenantClient
from tests.orders.conftest import place, set_workflow

LIST_BUDGET = 10
DETAIL_BUDGET = 15
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture
def client_for(acme, login_as):
    def sign_in(user):
        return login_as(TenantClient("acme.localhost"), acme, user)

    return sign_in


@pytest.fixture
def dana(shop, client_for):
    return client_for(shop.dana.user)


def _body(response):
    return response.content.decode()


def _fill_cart(shop, *lines):
    cart_services.cart_add(login=shop.dana, lines=list(lines) or [
        {"variant": shop.juice.pk, "quantity": 10}])


def _lines(shop):
    return list(CartLine.objects.filter(login=shop.dana).order_by("id")
                .values_list("variant_id", "unit_id", "quantity"))


def _checkout_data(shop, token="tok-1", **values):
    data = {"address": shop.address.pk, "shipping_method": shop.truck.pk,
            "payment_method": PaymentMethod.TRANSFER, "remark": "", "delivery_date": "",
            "token": token}
    data.update(values)
    return data


def _tee(shop):
    """A T-shirt in Red/Blue × S/M (a colour × size grid), 20 of each in stock."""
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.services.stock import stock_move

    product = catalog.product_create(actor=None, name="Tee", code="TEE",
                                     unit=catalog.unit_get_or_create("piece"), on_shelf=True)
    variants = catalog.variants_generate(actor=None, product=product, list_price="50.00",
                                         specs=[("Colour", ["Red", "Blue"]),
                                                ("Size", ["S", "M"])])
    for variant in variants:
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=20)
    return product, variants


# --- every page renders ---------------------------------------------------------------


def test_each_page_renders_for_the_dealer(shop, dana):
    response = dana.get("/shop/cart/")
    assert response.status_code == 200
    assert 'data-testid="cart-empty"' in _body(response)
    assert dana.get("/shop/checkout/").status_code == 302  # nothing to check out
    _fill_cart(shop)
    body = _body(dana.get("/shop/cart/"))
    assert 'data-testid="cart-line"' in body and "80.00" in body  # 10 × 8.00 (Gold)
    assert 'data-testid="cart-badge"' in body  # the header's cart count
    response = dana.get("/shop/checkout/")
    assert response.status_code == 200
    body = _body(response)
    assert response.context["address_id"] == str(shop.address.pk)  # the default address
    assert re.search(r'name="address" value="%d"[^>]* checked' % shop.address.pk, body)
    assert "Truck" in body and "95.00" in body  # 80.00 + 15.00 shipping
    assert response.context["form"]["token"].value()
    order = place(shop)
    response = dana.get("/shop/orders/")
    assert response.status_code == 200 and order.number in _body(response)
    response = dana.get(f"/shop/orders/{order.pk}/")
    assert response.status_code == 200
    body = _body(response)
    assert order.number in body and "Awaiting order review" in body
    assert body.count('data-testid="progress-step"') == len(workflow.steps_on()) + 2
    assert 'data-testid="order-cancel"' in body and 'data-testid="order-reorder"' in body
    nav = _body(dana.get("/shop/catalog/"))
    assert 'href="/shop/orders/"' in nav and 'href="/shop/cart/"' in nav


# --- budgets ---------------------------------------------------------------------------


def _orders(shop, count):
    for _n in range(count):
        place(shop, lines=[{"variant": shop.juice.pk, "quantity": 1}])


def test_order_list_query_count_is_constant(shop, dana):
    _orders(shop, 3)
    dana.get("/shop/orders/")  # warm-up (session, caches)
    with CaptureQueriesContext(connection) as three:
        response = dana.get("/shop/orders/")
    assert len(response.context["rows"]) == 3
    _orders(shop, 17)
    with CaptureQueriesContext(connection) as twenty:
        response = dana.get("/shop/orders/", {"status": "open", "q": "SO-"})
    assert len(response.context["rows"]) == 20
    assert len(three) == len(twenty) <= LIST_BUDGET, [q["sql"] for q in twenty]


def test_order_detail_query_budget(shop, dana):
    order = place(shop, lines=[{"variant": shop.juice.pk, "quantity": 10},
                               {"variant": shop.cola.pk, "quantity": 6}])
    line = order.lines.get(sku_code="OJ-1")
    order_amend(actor=shop.staff.admin, order=order, changes={line.pk: {"quantity": 12}})
    amendment_accept(actor=shop.dana.user, order=order)
    for _step in range(3):
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    url = f"/shop/orders/{order.pk}/"

    def ship(quantity):
        shipment_create(actor=shop.staff.shipper, order=order, quantities={line.pk: quantity},
                        carrier_id=shop.carrier.pk, tracking_number=f"SF{quantity}")

    ship(1)
    dana.get(url)
    with CaptureQueriesContext(connection) as before:
        assert dana.get(url).status_code == 200
    ship(2)
    ship(3)  # more shipments, lines and events: still the same queries
    with CaptureQueriesContext(connection) as after:
        response = dana.get(url)
    assert len(response.context["shipments"]) == 3
    assert len(before) == len(after) <= DETAIL_BUDGET, [q["sql"] for q in after]


# --- the cart --------------------------------------------------------------------------


def test_add_from_the_product_page_with_a_unit_and_back(shop, dana):
    page = dana.get(f"/shop/catalog/{shop.juice.product_id}/")
    assert 'data-testid="add-to-cart-form"' in _body(page)
    assert 'value="%d"' % shop.case_unit.pk in _body(page)  # the case unit to choose
    back = f"/shop/catalog/{shop.juice.product_id}/"
    response = dana.post("/shop/cart/add/", {"variant": shop.juice.pk, "unit": "",
                                             "quantity": "4", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    response = dana.post("/shop/cart/add/", {"variant": shop.juice.pk,
                                             "unit": shop.case_unit.pk, "quantity": "1",
                                             "next": "https://evil.example/"})
    assert response["Location"] == "/shop/cart/"  # off-site next is ignored
    dana.post("/shop/cart/add/", {"variant": shop.juice.pk, "unit": "", "quantity": "2"})
    assert _lines(shop) == [(shop.juice.pk, None, 6), (shop.juice.pk, shop.case_unit.pk, 1)]
    messages = [str(m) for m in dana.get("/shop/cart/").context["messages"]]
    assert "1 line added to your cart." in messages


def test_add_reports_problems_and_refuses_bad_lines(shop, dana):
    response = dana.post("/shop/cart/add/", {"variant": shop.cola.pk, "quantity": "4"},
                         follow=True)
    body = _body(response)
    assert "At least 6." in body  # added, with the warning the cart shows too
    assert _lines(shop) == [(shop.cola.pk, None, 4)]
    assert 'data-testid="line-problem"' in body and 'data-testid="cart-blocked"' in body
    for data in ({"variant": shop.juice.pk, "quantity": "0"},
                 {"variant": shop.juice.pk, "quantity": "x"},
                 {"variant": "999999", "quantity": "1"},
                 {"variant": shop.juice.pk, "unit": "999999", "quantity": "1"},
                 {}):
        response = dana.post("/shop/cart/add/", data)
        assert response.status_code == 400, data
        assert 'data-testid="cart-add-error"' in _body(response)
    assert _lines(shop) == [(shop.cola.pk, None, 4)]


def test_hidden_products_cannot_be_added(shop, dana):
    catalog.product_update(actor=None, product=shop.juice.product, on_shelf=False)
    response = dana.post("/shop/cart/add/", {"variant": shop.juice.pk, "quantity": "1"})
    assert response.status_code == 400 and _lines(shop) == []
    assert dana.post("/shop/cart/add/", {"product": shop.juice.product_id,
                                         "quantity": "1"}).status_code == 404


def test_quick_add_of_a_single_variant_product(shop, dana):
    response = dana.post("/shop/cart/add/", {"product": shop.juice.product_id, "quantity": "3",
                                             "next": "/shop/catalog/"})
    assert response.status_code == 302 and response["Location"] == "/shop/catalog/"
    assert _lines(shop) == [(shop.juice.pk, None, 3)]
    product, _variants = _tee(shop)
    response = dana.post("/shop/cart/add/", {"product": product.pk, "quantity": "3"})
    assert response["Location"] == f"/shop/catalog/{product.pk}/"  # choose an option first


def test_add_all_from_the_order_grid(shop, dana):
    product, variants = _tee(shop)
    url = f"/shop/catalog/{product.pk}/grid/"
    response = dana.post(url, {f"q-{variants[0].pk}": "4", f"q-{variants[3].pk}": "2"})
    body = _body(response)
    assert 'data-testid="grid-add-to-cart"' in body
    assert 'action="/shop/cart/add/"' in body
    # the "add all" form posts what the grid validated
    response = dana.post("/shop/cart/add/", {"variant": [variants[0].pk, variants[3].pk],
                                             "unit": ["", ""], "quantity": ["4", "2"]})
    assert response.status_code == 302 and response["Location"] == "/shop/cart/"
    assert _lines(shop) == [(variants[0].pk, None, 4), (variants[3].pk, None, 2)]
    assert 'data-testid="grid-add-to-cart"' not in _body(dana.get(url))  # nothing validated yet


def test_update_quantity_switch_unit_remove_and_clear(shop, dana):
    _fill_cart(shop, {"variant": shop.juice.pk, "quantity": 10},
               {"variant": shop.cola.pk, "quantity": 6})
    juice_line = CartLine.objects.get(login=shop.dana, variant=shop.juice)
    cola_line = CartLine.objects.get(login=shop.dana, variant=shop.cola)
    body = _body(dana.get("/shop/cart/"))
    assert 'data-testid="line-unit"' in body  # juice is also sold by the case
    assert "104.00" in body  # 10 × 8.00 + 6 × 4.00 at Gold's 80 %
    response = dana.post(f"/shop/cart/lines/{juice_line.pk}/", {"quantity": "12", "unit": "base"})
    assert response.status_code == 302
    assert CartLine.objects.get(pk=juice_line.pk).quantity == 12
    response = dana.post(f"/shop/cart/lines/{juice_line.pk}/",
                         {"quantity": "2", "unit": str(shop.case_unit.pk)})
    assert response.status_code == 302
    line = CartLine.objects.get(pk=juice_line.pk)
    assert (line.quantity, line.unit_id) == (2, shop.case_unit.pk)
    for bad in ({"quantity": "0"}, {"quantity": "abc"}, {"quantity": "2", "unit": "999999"}):
        response = dana.post(f"/shop/cart/lines/{juice_line.pk}/", bad)
        assert response.status_code == 400, bad
        assert 'data-testid="line-error"' in _body(response)
    assert CartLine.objects.get(pk=juice_line.pk).quantity == 2
    # a line of another login is not found
    other = cart_services.cart_add(login=shop.olga, lines=[{"variant": shop.juice.pk,
                                                             "quantity": 1}])
    assert other == 1
    olga_line = CartLine.objects.get(login=shop.olga)
    response = dana.post(f"/shop/cart/lines/{olga_line.pk}/", {"quantity": "50"})
    assert response.status_code == 302 and CartLine.objects.get(pk=olga_line.pk).quantity == 1
    dana.post(f"/shop/cart/lines/{olga_line.pk}/remove/")
    assert CartLine.objects.filter(pk=olga_line.pk).exists()
    dana.post(f"/shop/cart/lines/{cola_line.pk}/remove/")
    assert _lines(shop) == [(shop.juice.pk, shop.case_unit.pk, 2)]
    dana.post("/shop/cart/clear/")
    assert _lines(shop) == []
    assert dana.get(f"/shop/cart/lines/{juice_line.pk}/").status_code == 405


def test_unavailable_lines_show_and_can_be_removed(shop, dana):
    _fill_cart(shop)
    catalog.product_update(actor=None, product=shop.juice.product, on_shelf=False)
    body = _body(dana.get("/shop/cart/"))
    assert 'data-testid="unavailable-line"' in body and "(OJ-1) is no longer available." in body
    assert 'data-testid="cart-checkout"' in body and "disabled" in body


def test_quick_order_paste_adds_good_lines_and_lists_bad_ones(shop, dana):
    text = "OJ-1, 12\nnope, 3\nCO-1,6\nOJ-1, 1, case\nOJ-1, x\nCO-1, 2, crate\n"
    response = dana.post("/shop/cart/quick/", {"text": text})
    assert response.status_code == 200
    body = _body(response)
    errors = [e for e in response.context["quick_errors"]]
    assert [where for where, _m in errors] == ["Line 2", "Line 5", "Line 6"]
    assert "No product with SKU code “nope”." in body and "“x” is not a quantity." in body
    assert "is not sold in “crate”" in body
    assert response.context["quick_form"]["text"].value() == "nope, 3\nOJ-1, x\nCO-1, 2, crate"
    assert sorted(_lines(shop), key=str) == sorted(
        [(shop.juice.pk, None, 12), (shop.cola.pk, None, 6),
         (shop.juice.pk, shop.case_unit.pk, 1)], key=str)
    assert "3 lines added to your cart." in body
    # nothing good: 400, nothing added; nothing at all: 400
    response = dana.post("/shop/cart/quick/", {"text": "nope, 1"})
    assert response.status_code == 400 and len(_lines(shop)) == 3
    response = dana.post("/shop/cart/quick/", {"text": "  "})
    assert response.status_code == 400 and 'data-testid="quick-form-error"' in _body(response)
    # all good: back to the cart
    response = dana.post("/shop/cart/quick/", {"text": "oj-1\t3"})
    assert response.status_code == 302 and (shop.juice.pk, None, 15) in _lines(shop)


def _xlsx(rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_quick_order_from_a_sheet(shop, dana):
    csv = "SKU,Quantity,Unit\nOJ-1,5,\nGHOST,1,\nCO-1,zero,\nCO-1,12,\n".encode()
    response = dana.post("/shop/cart/quick/", {
        "file": SimpleUploadedFile("order.csv", csv, content_type="text/csv")})
    assert response.status_code == 200
    errors = response.context["quick_errors"]
    assert [where for where, _m in errors] == ["Row 3", "Row 4"]
    assert sorted(_lines(shop)) == sorted([(shop.juice.pk, None, 5), (shop.cola.pk, None, 12)])
    workbook = _xlsx([["SKU", "Qty", "Unit"], ["OJ-1", 2, "case"]])
    response = dana.post("/shop/cart/quick/", {
        "file": SimpleUploadedFile("order.xlsx", workbook)})
    assert response.status_code == 302
    assert (shop.juice.pk, shop.case_unit.pk, 2) in _lines(shop)
    for name, content in (("order.txt", b"OJ-1,1"), ("order.xlsx", b"not a workbook"),
                          ("order.csv", b"")):
        response = dana.post("/shop/cart/quick/", {
            "file": SimpleUploadedFile(name, content)})
        assert response.status_code == 400, name
    assert len(_lines(shop)) == 3


def test_templates_save_apply_and_delete(shop, dana):
    response = dana.post("/shop/cart/templates/", {"name": "Weekly"})
    assert response.status_code == 400  # the cart is empty
    assert "Your cart is empty." in _body(response)
    _fill_cart(shop, {"variant": shop.juice.pk, "quantity": 10},
               {"variant": shop.cola.pk, "quantity": 6})
    assert dana.post("/shop/cart/templates/", {"name": ""}).status_code == 400
    assert dana.post("/shop/cart/templates/", {"name": "Weekly"}).status_code == 302
    template = CartTemplate.objects.get(customer=shop.customer)
    assert template.name == "Weekly" and len(template.lines) == 2
    body = _body(dana.get("/shop/cart/"))
    assert 'data-testid="template-row"' in body and "Weekly" in body
    dana.post("/shop/cart/clear/")
    catalog.product_update(actor=None, product=shop.cola.product, on_shelf=False)
    response = dana.post(f"/shop/cart/templates/{template.pk}/apply/", follow=True)
    assert _lines(shop) == [(shop.juice.pk, None, 10)]
    assert "1 line of the template is no longer available." in _body(response)
    other = CartTemplate.objects.create(customer=shop.other, name="Theirs", lines=[])
    assert dana.post(f"/shop/cart/templates/{other.pk}/apply/").status_code == 404
    dana.post(f"/shop/cart/templates/{other.pk}/delete/")
    assert CartTemplate.objects.filter(pk=other.pk).exists()
    dana.post(f"/shop/cart/templates/{template.pk}/delete/")
    assert not CartTemplate.objects.filter(pk=template.pk).exists()


# --- checkout --------------------------------------------------------------------------


def test_checkout_places_the_order_and_empties_the_cart(shop, dana):
    _fill_cart(shop, {"variant": shop.juice.pk, "quantity": 10},
               {"variant": shop.juice.pk, "unit": shop.case_unit.pk, "quantity": 1})
    day = timezone.localdate() + timedelta(days=3)
    response = dana.post("/shop/checkout/", _checkout_data(
        shop, remark="Ring the bell", delivery_date=day.isoformat(),
        attachment=SimpleUploadedFile("po.html", PDF, content_type="text/html")))
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/shop/orders/{order.pk}/"
    assert order.status == OrderStatus.ORDER_REVIEW and order.placed_by == shop.dana.user
    assert (order.subtotal, order.shipping_fee, order.total) == (
        Decimal("176.00"), Decimal("15.00"), Decimal("191.00"))
    assert order.remark == "Ring the bell" and order.delivery_date == day
    assert order.attachment.name.endswith(".pdf")  # stored as what its content is
    assert _lines(shop) == []
    response = dana.get(response["Location"])
    body = _body(response)
    assert order.number in body and "Awaiting order review" in body
    assert f"Your order {order.number} has been placed." in body
    download = dana.get(f"/shop/orders/{order.pk}/attachment/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")


def test_the_same_form_token_makes_one_order(shop, dana):
    _fill_cart(shop)
    first = dana.post("/shop/checkout/", _checkout_data(shop, token="same"))
    second = dana.post("/shop/checkout/", _checkout_data(shop, token="same"))
    assert Order.objects.count() == 1
    assert first["Location"] == second["Location"] == f"/shop/orders/{Order.objects.get().pk}/"


@pytest.mark.parametrize("case", ["no-address", "bad-date", "past-date", "far-date",
                                  "empty-cart", "no-payment", "bad-shipping", "other-address",
                                  "bad-attachment", "big-attachment", "problem-line"])
def test_checkout_errors_rerender_with_nothing_saved(shop, dana, case):
    lines = [{"variant": shop.juice.pk, "quantity": 10}]
    if case == "problem-line":
        lines.append({"variant": shop.cola.pk, "quantity": 4})
    if case != "empty-cart":
        _fill_cart(shop, *lines)
    data = _checkout_data(shop)
    if case == "no-address":
        shop.address.delete()
        data.pop("address")
    elif case == "bad-date":
        data["delivery_date"] = "2026-02-31"
    elif case == "past-date":
        data["delivery_date"] = (timezone.localdate() - timedelta(days=1)).isoformat()
    elif case == "far-date":
        data["delivery_date"] = (timezone.localdate() + timedelta(days=400)).isoformat()
    elif case == "no-payment":
        data.pop("payment_method")
    elif case == "bad-shipping":
        data["shipping_method"] = "999999"
    elif case == "other-address":
        data["address"] = shop.other_address.pk
    elif case == "bad-attachment":
        data["attachment"] = SimpleUploadedFile("po.pdf", b"MZ this is no pdf")
    elif case == "big-attachment":
        data["attachment"] = SimpleUploadedFile("po.pdf", PDF + b"0" * (5 * 1024 * 1024))
    before = _lines(shop)
    response = dana.post("/shop/checkout/", data)
    assert response.status_code == 400
    body = _body(response)
    assert 'data-testid="checkout-error"' in body
    assert Order.objects.count() == 0 and _lines(shop) == before
    expected = {"no-address": "Add a shipping address to your account first.",
                "bad-date": "Enter a date such as 2026-12-24.",
                "past-date": "The delivery date cannot be in the past.",
                "far-date": "Choose a delivery date within a year.",
                "empty-cart": "Your cart is empty.",
                "no-payment": "Choose how you will pay.",
                "bad-shipping": "Select a valid choice.",
                "other-address": "Select a valid choice.",
                "bad-attachment": "Attach a PDF, JPEG or PNG file.",
                "big-attachment": "The attachment is larger than 5 MB.",
                "problem-line": "At least 6."}[case]
    assert expected in body
    assert response.context["form"]["token"].value() == "tok-1"  # a retry keeps the token
    if case == "no-address":
        assert 'data-testid="add-address"' in body


def test_checkout_with_a_png_attachment_and_an_order_limit(shop, dana):
    from ordering.customers.enums import BuyerRole
    from ordering.customers.models import CustomerLogin

    CustomerLogin.objects.filter(pk=shop.dana.pk).update(buyer_role=BuyerRole.ORDER_UP_TO,
                                                         order_limit=Decimal("50.00"))
    _fill_cart(shop)
    response = dana.post("/shop/checkout/", _checkout_data(shop))
    assert response.status_code == 400 and "up to ¥50.00 per order" in _body(response)
    CustomerLogin.objects.filter(pk=shop.dana.pk).update(buyer_role=BuyerRole.ORDER,
                                                         order_limit=None)
    response = dana.post("/shop/checkout/", _checkout_data(
        shop, attachment=SimpleUploadedFile("photo.jpeg", PNG)))
    assert response.status_code == 302
    assert Order.objects.get().attachment.name.endswith("/photo.png")


# --- orders ------------------------------------------------------------------------------


def test_order_list_filters_and_pages(shop, dana):
    first = place(shop, lines=[{"variant": shop.juice.pk, "quantity": 1}])
    second = place(shop, lines=[{"variant": shop.juice.pk, "quantity": 1}])
    workflow.transition(order=first, action=workflow.CANCEL, actor=shop.dana.user, reason="x")
    theirs = place(shop, actor=shop.olga.user)
    response = dana.get("/shop/orders/")
    numbers = [row["order"].number for row in response.context["rows"]]
    assert numbers == [second.number, first.number] and theirs.number not in _body(response)
    assert 'data-testid="order-status"' in _body(response)
    assert [r["order"].pk for r in dana.get("/shop/orders/", {"status": "cancelled"})
            .context["rows"]] == [first.pk]
    assert [r["order"].pk for r in dana.get("/shop/orders/", {"status": "open"})
            .context["rows"]] == [second.pk]
    assert [r["order"].pk for r in dana.get("/shop/orders/", {"q": second.number[-4:]})
            .context["rows"]] == [second.pk]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert dana.get("/shop/orders/", {"since": tomorrow}).context["rows"] == []
    response = dana.get("/shop/orders/", {"since": "soon"})
    assert response.status_code == 400 and len(response.context["rows"]) == 2
    _orders(shop, 20)
    page = dana.get("/shop/orders/")
    assert len(page.context["rows"]) == 20 and "Page 1 of 2" in _body(page)
    assert len(dana.get("/shop/orders/", {"page": 2}).context["rows"]) == 2


def test_detail_shows_lines_shipments_timeline_and_skipped_steps(shop, dana):
    set_workflow(shop.tenant, off=["finance_review"])
    order = place(shop, lines=[{"variant": shop.juice.pk, "quantity": 10}],
                  remark="Back door")
    line = order.lines.get()
    order_amend(actor=shop.staff.admin, order=order, changes={line.pk: {"quantity": 12}},
                reason="Full cases only")
    body = _body(dana.get(f"/shop/orders/{order.pk}/"))
    assert 'data-testid="awaiting-dealer"' in body and 'data-testid="order-accept"' in body
    assert 'data-testid="amendment-diff"' in body
    assert "10 bottle × ¥8.00" in body and "12 bottle × ¥8.00" in body  # before / after
    amendment_accept(actor=shop.dana.user, order=order)
    order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    assert order.status == OrderStatus.SHIPPING
    shipment_create(actor=shop.staff.shipper, order=order, quantities={line.pk: 5},
                    carrier_id=shop.carrier.pk, tracking_number="SF123")
    response = dana.get(f"/shop/orders/{order.pk}/")
    body = _body(response)
    assert "Finance review skipped: the supplier has switched this step off" in body
    assert 'href="https://sf.example/SF123"' in body and "SF Express" in body
    assert "Shipped 5 of 12 bottle" in body and "Back door" in body
    assert body.count('data-testid="progress-step"') == len(workflow.steps_on()) + 2
    states = [step["state"] for step in response.context["progress"]]
    assert states.count("current") == 1 and states[0] == "done"
    assert "Full cases only" in body  # the amendment's reason
    assert 'data-testid="order-cancel"' not in body  # approved: the dealer cannot cancel


def test_cancel_with_a_reason(shop, dana):
    order = place(shop)
    response = dana.post(f"/shop/orders/{order.pk}/cancel/", {"reason": ""})
    assert response.status_code == 400 and "Give a reason." in _body(response)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ORDER_REVIEW
    response = dana.post(f"/shop/orders/{order.pk}/cancel/", {"reason": "Ordered twice"},
                         follow=True)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    body = _body(response)
    assert "Your order has been cancelled." in body and "Ordered twice" in body
    assert 'data-testid="order-stopped"' in body
    response = dana.post(f"/shop/orders/{order.pk}/cancel/", {"reason": "again"})
    assert response.status_code == 409 and 'data-testid="action-error"' in _body(response)


def test_confirm_receipt_after_shipping(shop, dana):
    order = place(shop)
    assert dana.post(f"/shop/orders/{order.pk}/receive/").status_code == 409
    for _step in range(3):
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    line = order.lines.get()
    shipment_create(actor=shop.staff.shipper, order=order, quantities={line.pk: line.to_ship})
    body = _body(dana.get(f"/shop/orders/{order.pk}/"))
    assert 'data-testid="order-receive"' in body
    response = dana.post(f"/shop/orders/{order.pk}/receive/")
    assert response.status_code == 302
    order = Order.objects.get(pk=order.pk)
    assert order.status == OrderStatus.COMPLETED
    assert order.events.filter(kind=EventKind.RECEIVED, actor=shop.dana.user).exists()


def test_accept_a_changed_order(shop, dana):
    order = place(shop)
    assert dana.post(f"/shop/orders/{order.pk}/accept/").status_code == 409
    line = order.lines.get()
    order_amend(actor=shop.staff.admin, order=order, changes={line.pk: {"quantity": 12}})
    assert Order.objects.get(pk=order.pk).awaiting_dealer
    response = dana.post(f"/shop/orders/{order.pk}/accept/")
    assert response.status_code == 302
    assert not Order.objects.get(pk=order.pk).awaiting_dealer


def test_order_again_puts_the_lines_in_the_cart(shop, dana):
    order = place(shop, lines=[{"variant": shop.juice.pk, "quantity": 10},
                               {"variant": shop.cola.pk, "quantity": 6}])
    catalog.product_update(actor=None, product=shop.cola.product, on_shelf=False)
    response = dana.post(f"/shop/orders/{order.pk}/reorder/", follow=True)
    assert response.redirect_chain[-1][0] == "/shop/cart/"
    body = _body(response)
    assert "1 line of %s added to your cart" % order.number in body
    assert "CO-1: Cola (CO-1) is no longer available." in body
    assert _lines(shop) == [(shop.juice.pk, None, 10)]


# --- who may see and do what ---------------------------------------------------------------


def _action_urls(pk):
    return [f"/shop/orders/{pk}/cancel/", f"/shop/orders/{pk}/receive/",
            f"/shop/orders/{pk}/accept/", f"/shop/orders/{pk}/reorder/"]


def test_another_companys_order_is_404_everywhere(shop, dana, client_for):
    theirs = place(shop, actor=shop.olga.user, attachment=SimpleUploadedFile("a.pdf", PDF))
    assert dana.get(f"/shop/orders/{theirs.pk}/").status_code == 404
    assert dana.get(f"/shop/orders/{theirs.pk}/attachment/").status_code == 404
    for url in _action_urls(theirs.pk):
        assert dana.post(url, {"reason": "mine now"}).status_code == 404, url
    assert Order.objects.get(pk=theirs.pk).status == OrderStatus.ORDER_REVIEW
    assert _lines(shop) == []
    assert dana.get("/shop/orders/999999/").status_code == 404
    olga = client_for(shop.olga.user)
    assert olga.get(f"/shop/orders/{theirs.pk}/").status_code == 200


def test_view_only_logins_see_everything_and_change_nothing(shop, client_for):
    order = place(shop)
    _fill_cart(shop)
    template = cart_services.template_save(login=shop.dana, name="Weekly")
    vic = client_for(shop.viewer.user)
    for url in ("/shop/cart/", "/shop/orders/", f"/shop/orders/{order.pk}/"):
        response = vic.get(url)
        assert response.status_code == 200, url
        body = _body(response)
        for button in ("order-cancel", "order-reorder", "line-update", "quick-submit",
                       "template-apply", "add-to-cart", "place-order"):
            assert f'data-testid="{button}"' not in body, (url, button)
    assert order.number in _body(vic.get(f"/shop/orders/{order.pk}/"))
    assert 'data-testid="add-to-cart-form"' not in _body(
        vic.get(f"/shop/catalog/{shop.juice.product_id}/"))
    posts = ["/shop/cart/add/", "/shop/cart/lines/1/", "/shop/cart/lines/1/remove/",
             "/shop/cart/clear/", "/shop/cart/quick/", "/shop/cart/templates/",
             f"/shop/cart/templates/{template.pk}/apply/",
             f"/shop/cart/templates/{template.pk}/delete/", "/shop/checkout/"]
    for url in posts + _action_urls(order.pk):
        assert vic.post(url, {"reason": "x", "variant": shop.juice.pk, "quantity": 1,
                              "text": "OJ-1,1", "name": "x"}).status_code == 403, url
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ORDER_REVIEW
    assert CartTemplate.objects.filter(pk=template.pk).exists()


def test_staff_get_403_and_anonymous_sign_in(shop, client_for):
    order = place(shop)
    staff = client_for(shop.staff.admin)
    gets = ["/shop/cart/", "/shop/checkout/", "/shop/orders/", f"/shop/orders/{order.pk}/"]
    for url in gets:
        assert staff.get(url).status_code == 403, url
    for url in ["/shop/cart/add/", "/shop/checkout/"] + _action_urls(order.pk):
        assert staff.post(url, {"reason": "x"}).status_code == 403, url
    anonymous = TenantClient("acme.localhost")
    for url in gets:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ORDER_REVIEW
