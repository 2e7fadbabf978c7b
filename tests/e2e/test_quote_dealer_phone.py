"""The negotiated path end to end, in two browsers: a dealer on a phone asks for a
quotation from a product page with free-text lines; staff at a desk quote it, matching
one free-text line to a product by SKU code and declining the other; the dealer counters
one price; staff send a second version with a tier; the dealer sees the changes marked
and accepts, choosing a quantity whose tier applies; the order appears in both desks at
exactly the quoted prices, marked "Quoted price, Q-…". Every quotation page fits a
390 px screen."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories.users import PASSWORD as STAFF_PASSWORD
from tests.e2e.test_phone_overflow import MEASURE, WIDTH

pytestmark = pytest.mark.e2e
PASSWORD = "Quote-buyer-2026"


@pytest.fixture
def buyer():
    """A customer with an ordering login and an address, a juice sold by the bottle and
    by the case of 12, a crate product to match a free-text line to, a shipping method
    and a staff member who quotes (committed data)."""
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.models import Product
    from ordering.catalog.services import products as catalog
    from ordering.catalog.services.stock import stock_move
    from ordering.customers.services import contacts as contact_services
    from ordering.customers.services import customers as customer_services
    from ordering.customers.services import logins as login_services
    from ordering.orders.models import ShippingMethod
    from tenants.models import Tenant
    from tests.factories.roles import staff_with_roles

    tag = uuid.uuid4().hex[:6]
    acme = Tenant.objects.get(slug="acme")
    with tenant_context(acme):
        customer = customer_services.customer_create(actor=None, name=f"Bay Kiosks {tag}")
        login = login_services.login_create(actor=None, customer=customer,
                                            email=f"quote-{tag}@bay.example",
                                            password=PASSWORD, language="en",
                                            site_url="http://acme.localhost")
        get_user_model().objects.filter(pk=login.user_id).update(must_change_password=False)
        contact_services.address_save(actor=None, customer=customer, recipient="Mei Wong",
                                      phone="13700000000", address=f"{tag} Pier Road")
        bottle, case = catalog.unit_get_or_create("bottle"), catalog.unit_get_or_create("case")
        juice_product = catalog.product_create(actor=None, name=f"Bay juice {tag}",
                                               code=f"BJ-{tag}", unit=bottle, on_shelf=True)
        juice = catalog.variant_save(actor=None, product=juice_product, code=f"BJ-{tag}-1",
                                     list_price="10.00", units=[(case, 12)])
        crate_product = catalog.product_create(actor=None, name=f"Blue crate {tag}",
                                               code=f"BC-{tag}",
                                               unit=catalog.unit_get_or_create("piece"),
                                               on_shelf=True)
        crate = catalog.variant_save(actor=None, product=crate_product, code=f"BC-{tag}-1",
                                     list_price="5.00")
        for variant in (juice, crate):
            stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=1000)
        method = ShippingMethod.objects.create(name=f"Boat {tag}", fee="15.00")
        staff = staff_with_roles("system_administrator", email=f"quoter-{tag}@acme.example")
    yield {"tag": tag, "email": login.user.email, "user": login.user, "juice": juice,
           "crate": crate, "staff": staff, "acme": acme, "method": method}
    with tenant_context(acme):
        Product.objects.filter(code__in=[f"BJ-{tag}", f"BC-{tag}"]).update(on_shelf=False)
        ShippingMethod.objects.filter(pk=method.pk).update(is_active=False)
        get_user_model().objects.filter(pk__in=[login.user_id, staff.pk]).update(is_active=False)


def _fits(page, path):
    measured = page.evaluate(MEASURE, WIDTH)
    assert measured["scroll"] <= measured["inner"] <= WIDTH, (
        f"{path} is {measured['scroll']} px wide; widest: {measured['worst']}")


def _editor_line(desk, index):
    return desk.get_by_test_id("editor-line").nth(index)


def _staff_quotes_first(desk, live, buyer, inquiry_pk):
    """Staff open the inquiry from the list and send version 1: the juice at 8.50, the
    crates matched to the crate product by its SKU code at 3.20, the lids declined."""
    tag = buyer["tag"]
    desk.goto(live.tenant("acme", "/dashboard/quotes/?status=new"))
    desk.locator(f"[data-testid=inquiry-row] a", has_text=re.compile(r"^Q-")).first.wait_for()
    desk.goto(live.tenant("acme", f"/dashboard/quotes/{inquiry_pk}/"))
    expect(desk.get_by_test_id("asked-line")).to_have_count(3)
    expect(desk.get_by_test_id("free-text")).to_have_count(2)
    desk.get_by_test_id("assign-me").click()
    expect(desk.get_by_test_id("assignee")).to_contain_text(buyer["staff"].name or "")
    desk.get_by_test_id("write-quotation").click()
    juice, crates, lids = (_editor_line(desk, n) for n in range(3))
    expect(juice.get_by_test_id("reference-price")).to_be_visible()
    juice.get_by_test_id("price-input").fill("8.50")
    crates.get_by_test_id("sku-input").fill(f"bc-{tag}-1")
    crates.get_by_test_id("price-input").fill("3.20")
    crates.get_by_test_id("quantity-input").fill("50")
    lids.get_by_test_id("decline-input").check()
    desk.get_by_label("Shipping fee").fill("25.00")
    desk.get_by_label("Payment terms").fill("30 days net")
    desk.get_by_test_id("send-quotation").click()
    expect(desk.locator(".alert-success")).to_contain_text("v1 sent")
    expect(desk.get_by_test_id("inquiry-status")).to_have_attribute("data-status", "quoted")
    expect(desk.get_by_test_id("mapped-from")).to_contain_text("Blue crates, stackable")
    expect(desk.get_by_test_id("declined-line")).to_have_count(1)


def _staff_quotes_again(desk, live, inquiry_pk):
    """The dealer countered: staff see it and send version 2 with a tier."""
    desk.goto(live.tenant("acme", f"/dashboard/quotes/{inquiry_pk}/"))
    expect(desk.get_by_test_id("countered-notice")).to_be_visible()
    expect(desk.get_by_test_id("counter")).to_contain_text("8.00")
    desk.get_by_test_id("write-quotation").click()
    juice = _editor_line(desk, 0)
    expect(juice.get_by_test_id("editor-counter")).to_contain_text("tiers?")
    expect(juice.get_by_test_id("price-input")).to_have_value("8.50")
    juice.get_by_test_id("price-input").fill("8.20")
    juice.get_by_test_id("tiers-input").fill("300: 7.90")
    desk.get_by_test_id("send-quotation").click()
    expect(desk.locator(".alert-success")).to_contain_text("v2 sent")
    expect(desk.get_by_test_id("compare-version")).to_have_count(2)
    expect(desk.locator("[data-testid=compare-cell][data-changed='1']")).to_have_count(1)


def test_a_price_negotiated_between_a_phone_and_the_desk_becomes_an_order(phone, page, live,
                                                                          buyer):
    tag, desk = buyer["tag"], page
    sign_in(phone, live, buyer["email"], PASSWORD)
    phone.wait_for_url("**/shop/")
    sign_in(desk, live, buyer["staff"].email, STAFF_PASSWORD)
    desk.wait_for_url("**/dashboard/")

    # From the product page: the form comes with the juice's SKU code.
    phone.goto(live.tenant("acme", f"/shop/catalog/{buyer['juice'].product_id}/"))
    phone.get_by_test_id("product-inquire").click()
    phone.wait_for_url(re.compile(r".*/shop/quotes/new/\?variant=\d+$"))
    _fits(phone, "/shop/quotes/new/")
    rows = phone.get_by_test_id("item-row")
    expect(rows.first.locator("input[name$='-code']")).to_have_value(f"BJ-{tag}-1")
    expect(rows.first.get_by_test_id("item-known")).to_contain_text(f"Bay juice {tag}")
    rows.first.locator("input[name$='-quantity']").fill("240")
    free = phone.get_by_test_id("free-row")
    expect(free).to_have_count(3)
    free.nth(0).locator("input[name$='-description']").fill("Blue crates, stackable")
    free.nth(0).locator("input[name$='-quantity']").fill("50")
    free.nth(0).locator("input[name$='-unit_text']").fill("pcs")
    free.nth(0).locator("input[name$='-target_price']").fill("3.00")
    for _n in range(3):  # past the three empty rows
        phone.get_by_test_id("free-add").click()
    expect(free).to_have_count(6)
    free.nth(5).locator("input[name$='-description']").fill("Lids")
    free.nth(5).locator("input[name$='-quantity']").fill("10")
    phone.get_by_label("Note to the supplier").fill("For the harbour festival")
    phone.get_by_test_id("inquiry-send").click()

    phone.wait_for_url(re.compile(r".*/shop/quotes/\d+/$"))
    inquiry_pk = int(re.search(r"/shop/quotes/(\d+)/$", phone.url).group(1))
    expect(phone.locator(".alert-success")).to_contain_text("has been sent")
    expect(phone.get_by_test_id("inquiry-status")).to_have_attribute("data-status", "submitted")
    expect(phone.get_by_test_id("asked-line")).to_have_count(3)
    expect(phone.get_by_test_id("asked-free")).to_have_count(2)
    _fits(phone, f"/shop/quotes/{inquiry_pk}/")

    # The supplier quotes at the desk: the juice at 8.50, the crates matched to a
    # product, no lids.
    _staff_quotes_first(desk, live, buyer, inquiry_pk)
    phone.goto(live.tenant("acme", "/shop/quotes/"))
    expect(phone.get_by_test_id("tab-quotes-badge")).to_have_text("1")
    row = phone.locator(f"[data-testid=inquiry-row][data-inquiry-id='{inquiry_pk}']")
    expect(row).to_have_attribute("data-needs-answer", "1")
    _fits(phone, "/shop/quotes/")
    row.click()
    expect(phone.get_by_test_id("inquiry-needs-answer")).to_be_visible()
    expect(phone.get_by_test_id("line-declined")).to_have_count(1)
    expect(phone.get_by_test_id("line-matched")).to_contain_text("Blue crates, stackable")
    expect(phone.get_by_test_id("quotation-total")).to_contain_text("2,225.00")  # 2040+160+25

    # Counter the juice's price.
    phone.get_by_test_id("inquiry-counter-open").click()
    juice_line = phone.get_by_test_id("counter-line").first
    juice_line.get_by_label("Wanted price").fill("8.00")
    juice_line.get_by_label("Comment").fill("8.00 at 240, or tiers?")
    phone.get_by_test_id("counter-send").click()
    expect(phone.locator(".alert-success")).to_contain_text("counter-offer has been sent")
    expect(phone.get_by_test_id("inquiry-status")).to_have_attribute("data-status", "quoted")
    expect(phone.get_by_test_id("inquiry-accept")).to_have_count(0)

    # Version 2 from the desk: 8.20, and 7.90 from 300 bottles; the comparison marks both.
    _staff_quotes_again(desk, live, inquiry_pk)
    phone.reload()
    compare = phone.get_by_test_id("version").first.get_by_test_id("compare-row").first
    expect(compare).to_have_attribute("data-changed", "price tiers")
    expect(compare.get_by_test_id("compare-new").get_by_test_id("cell-price")).to_contain_text(
        "8.20")
    expect(compare.get_by_test_id("compare-old").get_by_test_id("cell-price")).to_contain_text(
        "8.50")
    _fits(phone, f"/shop/quotes/{inquiry_pk}/")

    # Accept: 300 bottles take the tier; the page says so and adds it up.
    phone.get_by_test_id("inquiry-accept").click()
    phone.wait_for_url(f"**/shop/quotes/{inquiry_pk}/accept/")
    _fits(phone, f"/shop/quotes/{inquiry_pk}/accept/")
    expect(phone.get_by_test_id("accept-shipping-note")).to_contain_text("25.00")
    line = phone.get_by_test_id("accept-line").first
    line.locator("input[type=number]").fill("300")
    expect(line.locator(".text-success")).to_contain_text("300+")
    expect(line.get_by_test_id("accept-amount")).to_have_text("2,370.00")  # 300 × 7.90
    expect(phone.get_by_test_id("accept-total")).to_contain_text("2,555.00")  # + 160 + 25
    phone.get_by_test_id("accept-place").click()

    phone.wait_for_url(re.compile(r".*/shop/orders/\d+/$"))
    expect(phone.locator(".alert-success")).to_contain_text("at the quoted prices")
    expect(phone.get_by_test_id("order-total")).to_contain_text("2,555.00")
    from ordering.orders.models import Order

    with tenant_context(buyer["acme"]):
        order = Order.objects.get(quotation__inquiry_id=inquiry_pk)
        assert [(l.sku_code, l.quantity, l.unit_price) for l in order.lines.all()] == [
            (f"BJ-{tag}-1", 300, Decimal("7.90")), (f"BC-{tag}-1", 50, Decimal("3.20"))]
    expect(phone.get_by_test_id("quoted-order")).to_contain_text("v2")
    phone.goto(live.tenant("acme", f"/shop/quotes/{inquiry_pk}/"))
    expect(phone.get_by_test_id("inquiry-order")).to_contain_text(order.number)

    # The order is on the desk too, at the quoted prices, and the inquiry links to it.
    desk.goto(live.tenant("acme", f"/dashboard/quotes/{inquiry_pk}/"))
    expect(desk.get_by_test_id("inquiry-status")).to_have_attribute("data-status", "accepted")
    desk.get_by_test_id("accepted-order").click()
    desk.wait_for_url(f"**/dashboard/orders/{order.pk}/")
    expect(desk.get_by_test_id("quoted-order")).to_contain_text("v2")
    expect(desk.get_by_test_id("order-total")).to_contain_text("2,555.00")
