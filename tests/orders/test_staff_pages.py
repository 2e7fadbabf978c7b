"""Staff order pages: who may open which page and sees which buttons (the built-in roles
× pages and actions), approve / reject / cancel / amend / ship / confirm receipt by POST,
bulk approval with mixed results, orders on a dealer's behalf, the order settings, query
budgets, and isolation (another tenant's order, a sales rep outside the customer's
scope: 404)."""

import importlib.util
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from ordering.catalog.services import products as catalog
from ordering.settings.models import TenantSettings
from ordering.orders import workflow
from ordering.orders.enums import EventKind, FulfilmentStatus, OrderStatus, ReserveAt
from ordering.orders.models import Carrier, Order, ShippingMethod
from ordering.orders.services.amendments import amendment_accept
from tests.conftest import TenantClient, host_of
from tests.orders.conftest import place, set_workflow

S = OrderStatus
ROLES = ("admin", "reviewer", "finance", "warehouse", "shipper", "sales")
APPROVER = {S.ORDER_REVIEW: "reviewer", S.FINANCE_REVIEW: "finance",
            S.OUTBOUND_REVIEW: "warehouse"}
HAS_PDF = importlib.util.find_spec("reportlab") is not None


@pytest.fixture
def as_user(acme, login_as):
    """``as_user(user)``: a client signed in as ``user`` on acme."""

    def _client(user):
        return login_as(TenantClient(host_of(acme)), acme, user)

    return _client


def _to(shop, order, status):
    """Approve ``order`` step by step until it reaches ``status``."""
    order = Order.objects.get(pk=order.pk)
    while order.status != status:
        order = workflow.transition(order=order, action=workflow.APPROVE,
                                    actor=getattr(shop.staff, APPROVER[order.status]))
    return order


def _ship_all(shop, order):
    from ordering.orders.services.shipments import shipment_create

    lines = {line.pk: line.to_ship for line in Order.objects.get(pk=order.pk).lines.all()}
    shipment_create(actor=shop.staff.shipper, order=order, quantities=lines)
    return Order.objects.get(pk=order.pk)


def _unpriced(shop):
    """A product without a list price: its lines wait for a price (待核价)."""
    product = catalog.product_create(actor=None, name="Sample crate", code="SC",
                                     unit=catalog.unit_get_or_create("bottle"), on_shelf=True)
    return catalog.variant_save(actor=None, product=product, code="SC-1", list_price="0")


# --- who may open what --------------------------------------------------------------------


PAGE_ACCESS = {  # page → the roles that get 200 (the others: 403, or 404 out of scope)
    "list": set(ROLES),
    "detail": {"admin", "reviewer", "finance", "warehouse", "shipper"},
    "print": {"admin", "reviewer", "finance", "warehouse", "shipper"},
    "create": {"admin", "reviewer", "sales"},
    "settings": {"admin"},
}


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(shop, as_user, role):
    order = place(shop)
    client = as_user(getattr(shop.staff, role))
    urls = {"list": "/dashboard/orders/", "detail": f"/dashboard/orders/{order.pk}/",
            "print": f"/dashboard/orders/{order.pk}/print/", "create": "/dashboard/orders/new/",
            "settings": "/dashboard/orders/settings/"}
    for page, url in urls.items():
        expected = 200 if role in PAGE_ACCESS[page] else (
            404 if page in ("detail", "print") else 403)
        assert client.get(url).status_code == expected, (role, page)
    if HAS_PDF:
        expected = 200 if role in PAGE_ACCESS["detail"] else 404
        assert client.get(f"/dashboard/orders/{order.pk}/pdf/").status_code == expected
    nav = client.get("/dashboard/").content.decode()
    assert 'data-testid="nav-orders"' in nav
    assert ('data-testid="nav-order-settings"' in nav) == (role == "admin")


def test_anonymous_is_sent_to_sign_in(shop, acme):
    order = place(shop)
    client = TenantClient(host_of(acme))
    for url in ("/dashboard/orders/", f"/dashboard/orders/{order.pk}/",
                "/dashboard/orders/settings/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url


def test_dealers_get_no_staff_order_page(shop, as_user):
    order = place(shop)
    client = as_user(shop.dana.user)
    assert client.get("/dashboard/orders/").status_code == 403
    assert client.get(f"/dashboard/orders/{order.pk}/").status_code == 403


BUTTONS = ("action-approve", "action-reject", "action-cancel", "action-receive", "amend-form",
           "ship-form")


@pytest.mark.parametrize("status, shown", [
    (S.ORDER_REVIEW, {"admin": {"action-approve", "action-reject", "action-cancel",
                                "amend-form"},
                      "reviewer": {"action-approve", "action-reject", "action-cancel",
                                   "amend-form"},
                      "finance": set(), "warehouse": set(), "shipper": set()}),
    (S.FINANCE_REVIEW, {"admin": {"action-approve", "action-reject", "action-cancel"},
                        "reviewer": {"action-cancel"},
                        "finance": {"action-approve", "action-reject"},
                        "warehouse": set(), "shipper": set()}),
    (S.OUTBOUND_REVIEW, {"admin": {"action-approve", "action-reject", "action-cancel"},
                         "reviewer": {"action-cancel"}, "finance": set(),
                         "warehouse": {"action-approve", "action-reject"}, "shipper": set()}),
    (S.SHIPPING, {"admin": {"action-cancel", "ship-form"}, "reviewer": {"action-cancel"},
                  "finance": set(), "warehouse": set(), "shipper": {"ship-form"}}),
    (S.RECEIPT, {"admin": {"action-receive"}, "reviewer": set(), "finance": set(),
                 "warehouse": set(), "shipper": {"action-receive"}}),
])
def test_action_buttons_by_role_and_step(shop, as_user, status, shown):
    order = place(shop)
    if status == S.RECEIPT:
        _ship_all(shop, _to(shop, order, S.SHIPPING))
    else:
        _to(shop, order, status)
    for role, expected in shown.items():
        content = as_user(getattr(shop.staff, role)).get(
            f"/dashboard/orders/{order.pk}/").content.decode()
        found = {name for name in BUTTONS if f'data-testid="{name}"' in content}
        assert found == expected, (status, role)


# --- the detail page --------------------------------------------------------------------


def test_detail_shows_the_order(shop, as_user):
    order = place(shop, remark="Leave at the gate", delivery_date=timezone.localdate()
                  + timedelta(days=3))
    page = as_user(shop.staff.reviewer).get(f"/dashboard/orders/{order.pk}/")
    content = page.content.decode()
    assert order.number in content and "Gold Trading" in content
    assert f'href="/dashboard/customers/{shop.customer.pk}/"' in content
    assert "Leave at the gate" in content and "1 Harbour Road" in content
    assert "Truck" in content and "Offline bank transfer" in content
    assert f"{order.total}" in content
    progress = [s for s in content.split('data-testid="progress-step"')[1:]]
    assert [p.split('data-state="')[1].split('"')[0] for p in progress] == [
        "current", "todo", "todo", "todo", "todo", "todo"]
    assert 'data-kind="submitted"' in content
    assert 'data-testid="on-behalf"' not in content
    assert 'data-testid="order-attachment"' not in content


def test_progress_leaves_out_switched_off_steps(shop, as_user):
    set_workflow(shop.tenant, off=[S.FINANCE_REVIEW])
    order = place(shop)
    content = as_user(shop.staff.admin).get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert 'data-status="finance_review"' not in content
    assert 'data-status="outbound_review"' in content


def test_attachment_is_served_only_through_the_order(shop, as_user, acme):
    upload = SimpleUploadedFile("po.pdf", b"%PDF-1.4 purchase order",
                                content_type="application/pdf")
    order = place(shop, attachment=upload)
    assert order.attachment.name.startswith("private/orders/")
    client = as_user(shop.staff.finance)
    detail = client.get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert f'href="/dashboard/orders/{order.pk}/attachment/"' in detail
    response = client.get(f"/dashboard/orders/{order.pk}/attachment/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 purchase order"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    # the generic media view never serves private/
    assert client.get(f"/media/{order.attachment.name}").status_code == 404
    assert as_user(shop.staff.sales).get(
        f"/dashboard/orders/{order.pk}/attachment/").status_code == 404
    without = place(shop, key="no-attachment")
    assert client.get(f"/dashboard/orders/{without.pk}/attachment/").status_code == 404


def test_print_view_and_pdf(shop, as_user):
    order = place(shop)
    client = as_user(shop.staff.warehouse)
    content = client.get(f"/dashboard/orders/{order.pk}/print/").content.decode()
    assert 'data-testid="order-sheet"' in content and 'data-testid="delivery-note"' in content
    assert "@media print" in content and order.number in content
    if not HAS_PDF:
        pytest.skip("reportlab is not installed")
    response = client.get(f"/dashboard/orders/{order.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{order.number}.pdf"' in response["Content-Disposition"]


def test_pdf_of_a_chinese_order(shop, as_user):
    if not HAS_PDF:
        pytest.skip("reportlab is not installed")
    product = catalog.product_create(actor=None, name="橙汁礼盒", code="CN",
                                     unit=catalog.unit_get_or_create("盒"), on_shelf=True)
    variant = catalog.variant_save(actor=None, product=product, code="CN-1", list_price="8")
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.services.stock import stock_move

    stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=10)
    order = place(shop, lines=[{"variant": variant.pk, "quantity": 2}], remark="请送到后门")
    response = as_user(shop.staff.admin).get(f"/dashboard/orders/{order.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert b"STSong-Light" in response.content  # the built-in CJK font


# --- actions --------------------------------------------------------------------------


def test_approve_reject_and_cancel_by_post(shop, as_user):
    reviewer = as_user(shop.staff.reviewer)
    order = place(shop)
    response = reviewer.post(f"/dashboard/orders/{order.pk}/action/", {"action": "approve"})
    assert response.status_code == 302 and response.url == f"/dashboard/orders/{order.pk}/"
    assert Order.objects.get(pk=order.pk).status == S.FINANCE_REVIEW
    # the reviewer may not approve the finance step
    refused = reviewer.post(f"/dashboard/orders/{order.pk}/action/", {"action": "approve"})
    assert refused.status_code == 403
    assert Order.objects.get(pk=order.pk).status == S.FINANCE_REVIEW

    finance = as_user(shop.staff.finance)
    no_reason = finance.post(f"/dashboard/orders/{order.pk}/action/", {"action": "reject",
                                                                       "reason": "  "})
    assert no_reason.status_code == 400
    assert "Give a reason." in no_reason.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.FINANCE_REVIEW
    finance.post(f"/dashboard/orders/{order.pk}/action/", {"action": "reject",
                                                           "reason": "Credit overdue"})
    order = Order.objects.get(pk=order.pk)
    assert order.status == S.REJECTED
    event = order.events.get(kind=EventKind.REJECTED)
    assert event.reason == "Credit overdue" and event.actor == shop.staff.finance
    content = finance.get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert "Credit overdue" in content and 'data-state="stopped"' in content
    # a rejected order can no longer be approved: the refusal is shown, not a 500
    again = as_user(shop.staff.admin).post(f"/dashboard/orders/{order.pk}/action/",
                                           {"action": "approve"})
    assert again.status_code == 409
    assert 'data-testid="action-error"' in again.content.decode()

    second = place(shop, key="second")
    assert reviewer.post(f"/dashboard/orders/{second.pk}/action/",
                         {"action": "cancel"}).status_code == 400
    reviewer.post(f"/dashboard/orders/{second.pk}/action/", {"action": "cancel",
                                                             "reason": "Customer asked"})
    assert Order.objects.get(pk=second.pk).status == S.CANCELLED
    assert reviewer.post(f"/dashboard/orders/{second.pk}/action/",
                         {"action": "explode"}).status_code == 400
    assert reviewer.get(f"/dashboard/orders/{second.pk}/action/").status_code == 405


def test_amend_in_review(shop, as_user):
    order = place(shop, lines=[{"variant": shop.juice.pk, "quantity": 10},
                               {"variant": shop.cola.pk, "quantity": 12}])
    juice, cola = order.lines.order_by("position")
    client = as_user(shop.staff.reviewer)
    url = f"/dashboard/orders/{order.pk}/amend/"
    base = {f"qty_{juice.pk}": "10", f"price_{juice.pk}": str(juice.unit_price),
            f"qty_{cola.pk}": "12", f"price_{cola.pk}": str(cola.unit_price),
            "shipping_fee": "15.00"}
    # a new price without a reason is refused; nothing changes
    bad = client.post(url, {**base, f"price_{juice.pk}": "7.00"})
    assert bad.status_code == 400
    assert "Give a reason for the new price." in bad.content.decode()
    assert Order.objects.get(pk=order.pk).total == order.total
    # nothing changed at all
    same = client.post(url, base)
    assert same.status_code == 400 and "Nothing was changed." in same.content.decode()
    # an unknown SKU to add
    unknown = client.post(url, {**base, "add_sku": "NOPE-1", "add_quantity": "2"})
    assert unknown.status_code == 400 and "NOPE-1" in unknown.content.decode()
    # lower the juice price (with a reason), remove the cola, add a case of juice, fee 0
    done = client.post(url, {**base, f"price_{juice.pk}": "7.00",
                             f"why_{juice.pk}": "Loyal customer", f"remove_{cola.pk}": "on",
                             "add_sku": "oj-1", "add_quantity": "1", "add_unit": "case",
                             "shipping_fee": "0", "reason": "As agreed by phone"})
    assert done.status_code == 302
    order = Order.objects.get(pk=order.pk)
    lines = list(order.lines.order_by("position"))
    assert [(line.sku_code, line.unit_name, line.quantity) for line in lines] == [
        ("OJ-1", "bottle", 10), ("OJ-1", "case", 1)]
    assert lines[0].unit_price == 7 and order.shipping_fee == 0
    content = client.get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert 'data-testid="event-diff"' in content and "As agreed by phone" in content
    assert "removed" in content and "added" in content
    # amend needs amend_orders: finance gets 403; after review, a conflict message
    assert as_user(shop.staff.finance).post(url, base).status_code == 403
    assert order.awaiting_dealer  # a case of juice raised the total
    amendment_accept(actor=shop.dana.user, order=order)
    order = _to(shop, order, S.FINANCE_REVIEW)
    late = client.post(url, {f"qty_{lines[0].pk}": "3", f"price_{lines[0].pk}": "7.00",
                             f"qty_{lines[1].pk}": "1",
                             f"price_{lines[1].pk}": str(lines[1].unit_price),
                             "shipping_fee": "0"})
    assert late.status_code == 409
    assert "Orders can only be changed during order review." in late.content.decode()


def test_price_to_be_confirmed_holds_approval(shop, as_user):
    crate = _unpriced(shop)
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.services.stock import stock_move

    stock_move(actor=None, variant=crate, kind=MovementKind.RECEIPT, quantity=10)
    order = place(shop, lines=[{"variant": crate.pk, "quantity": 2}])
    line = order.lines.get()
    assert line.price_pending
    client = as_user(shop.staff.reviewer)
    detail = client.get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert 'data-testid="price-pending"' in detail and 'data-testid="pending-prices"' in detail
    refused = client.post(f"/dashboard/orders/{order.pk}/action/", {"action": "approve"})
    assert refused.status_code == 409
    assert "price to be confirmed" in refused.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.ORDER_REVIEW
    client.post(f"/dashboard/orders/{order.pk}/amend/", {
        f"qty_{line.pk}": "2", f"price_{line.pk}": "4.50", f"why_{line.pk}": "Priced",
        "shipping_fee": "15.00"})
    order = Order.objects.get(pk=order.pk)
    assert not order.lines.get().price_pending and order.awaiting_dealer  # the total rose
    waiting = client.post(f"/dashboard/orders/{order.pk}/action/", {"action": "approve"})
    assert waiting.status_code == 409
    assert "not yet accepted" in waiting.content.decode()
    amendment_accept(actor=shop.dana.user, order=order)
    client.post(f"/dashboard/orders/{order.pk}/action/", {"action": "approve"})
    assert Order.objects.get(pk=order.pk).status == S.FINANCE_REVIEW


def test_ship_partially_then_the_rest_and_confirm_receipt(shop, as_user):
    order = _to(shop, place(shop, lines=[{"variant": shop.juice.pk, "quantity": 10},
                                         {"variant": shop.cola.pk, "quantity": 6}]),
                S.SHIPPING)
    juice, cola = order.lines.order_by("position")
    client = as_user(shop.staff.shipper)
    url = f"/dashboard/orders/{order.pk}/ship/"
    form = client.get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert f'name="ship_{juice.pk}"' in form and 'value="10"' in form  # default: what is left
    too_many = client.post(url, {f"ship_{juice.pk}": "11", f"ship_{cola.pk}": "0",
                                 "shipped_on": timezone.localdate().isoformat()})
    assert too_many.status_code == 400
    nothing = client.post(url, {f"ship_{juice.pk}": "0", f"ship_{cola.pk}": "0",
                                "shipped_on": timezone.localdate().isoformat()})
    assert nothing.status_code == 400
    assert "Enter how many of at least one line you ship." in nothing.content.decode()
    first = client.post(url, {f"ship_{juice.pk}": "4", f"ship_{cola.pk}": "6",
                              "carrier": str(shop.carrier.pk), "tracking_number": "SF100",
                              "shipped_on": timezone.localdate().isoformat(), "note": "Box 1"})
    assert first.status_code == 302
    order = Order.objects.get(pk=order.pk)
    assert order.status == S.SHIPPING and order.fulfilment_status == FulfilmentStatus.PARTIAL
    content = client.get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert "https://sf.example/SF100" in content
    assert f'name="ship_{cola.pk}"' not in content  # nothing left of it
    client.post(url, {f"ship_{juice.pk}": "6", "shipped_on": timezone.localdate().isoformat()})
    order = Order.objects.get(pk=order.pk)
    assert order.status == S.RECEIPT and order.shipments.count() == 2
    # the sales rep (no ship_orders) cannot ship; finance cannot confirm receipt
    assert as_user(shop.staff.finance).post(
        f"/dashboard/orders/{order.pk}/action/", {"action": "receive"}).status_code == 403
    client.post(f"/dashboard/orders/{order.pk}/action/", {"action": "receive"})
    order = Order.objects.get(pk=order.pk)
    assert order.status == S.COMPLETED
    assert order.events.get(kind=EventKind.RECEIVED).actor == shop.staff.shipper


def test_ship_needs_ship_orders_and_the_shipping_step(shop, as_user):
    order = place(shop)
    line = order.lines.get()
    data = {f"ship_{line.pk}": "1", "shipped_on": timezone.localdate().isoformat()}
    assert as_user(shop.staff.reviewer).post(f"/dashboard/orders/{order.pk}/ship/",
                                             data).status_code == 403
    early = as_user(shop.staff.shipper).post(f"/dashboard/orders/{order.pk}/ship/", data)
    assert early.status_code == 409


# --- bulk approval --------------------------------------------------------------------


def test_bulk_approve_reports_each_order(shop, as_user):
    crate = _unpriced(shop)
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.services.stock import stock_move

    stock_move(actor=None, variant=crate, kind=MovementKind.RECEIPT, quantity=10)
    ready = place(shop, key="a")
    unpriced = place(shop, key="b", lines=[{"variant": crate.pk, "quantity": 1}])
    at_finance = _to(shop, place(shop, key="c"), S.FINANCE_REVIEW)
    client = as_user(shop.staff.reviewer)
    listing = client.get("/dashboard/orders/").content.decode()
    assert 'data-testid="bulk-approve-submit"' in listing
    assert f'name="orders" value="{ready.pk}"' in listing
    assert f'name="orders" value="{at_finance.pk}"' not in listing  # not the reviewer's step
    response = client.post("/dashboard/orders/bulk-approve/", {
        "orders": [ready.pk, unpriced.pk, at_finance.pk, 999999, "x"],
        "next_query": "status=order_review"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0] == "/dashboard/orders/?status=order_review"
    content = response.content.decode()
    assert f"Approved: {ready.number}." in content
    assert f"{unpriced.number} not approved:" in content
    assert f"{at_finance.number} not approved: You do not have permission" in content
    assert "#999999 not approved: No such order." in content
    assert Order.objects.get(pk=ready.pk).status == S.FINANCE_REVIEW
    assert Order.objects.get(pk=unpriced.pk).status == S.ORDER_REVIEW
    assert Order.objects.get(pk=at_finance.pk).status == S.FINANCE_REVIEW
    empty = client.post("/dashboard/orders/bulk-approve/", {}, follow=True)
    assert "Select the orders to approve." in empty.content.decode()
    # no approval permission: nothing to select, and a forged post approves nothing
    shipper = as_user(shop.staff.shipper)
    assert 'data-testid="bulk-approve"' not in shipper.get("/dashboard/orders/").content.decode()
    shipper.post("/dashboard/orders/bulk-approve/", {"orders": [unpriced.pk]})
    assert Order.objects.get(pk=unpriced.pk).status == S.ORDER_REVIEW


# --- the list ---------------------------------------------------------------------------


def test_list_filters_tabs_and_search(shop, as_user):
    first = place(shop, key="one")
    second = _to(shop, place(shop, key="two", lines=[{"variant": shop.cola.pk, "quantity": 6}]),
                 S.FINANCE_REVIEW)
    olgas = place(shop, actor=shop.olga.user, key="three")
    client = as_user(shop.staff.admin)
    page = client.get("/dashboard/orders/").content.decode()
    assert first.number in page and second.number in page and olgas.number in page
    review = client.get("/dashboard/orders/", {"status": "order_review"}).content.decode()
    assert first.number in review and second.number not in review
    assert 'data-testid="tab-finance_review"' in review
    by_sku = client.get("/dashboard/orders/", {"q": "co-1"}).content.decode()
    assert second.number in by_sku and first.number not in by_sku
    by_customer = client.get("/dashboard/orders/", {"customer": shop.other.pk}).content.decode()
    assert olgas.number in by_customer and first.number not in by_customer
    by_number = client.get("/dashboard/orders/", {"q": first.number}).content.decode()
    assert first.number in by_number and olgas.number not in by_number
    big = client.get("/dashboard/orders/", {"min_total": "50"}).content.decode()
    assert first.number in big and second.number not in big  # 80 + 15 vs 24 + 15
    today = timezone.localdate()
    none = client.get("/dashboard/orders/", {"until": (today - timedelta(days=1)).isoformat(),
                                             "q": "SO-"}).content.decode()
    assert 'data-testid="no-orders"' in none
    assert client.get("/dashboard/orders/", {
        "customer": "1 OR 1=1", "min_total": "abc", "since": "not-a-date", "page": "zz",
        "sort": "nonsense", "status": "bogus"}).status_code == 200


def test_list_query_count_does_not_grow_with_rows(shop, as_user):
    client = as_user(shop.staff.admin)
    for i in range(3):
        place(shop, key=f"few-{i}", lines=[{"variant": shop.juice.pk, "quantity": 1}])
    client.get("/dashboard/")  # warm the tenant cache
    with CaptureQueriesContext(connection) as few:
        assert client.get("/dashboard/orders/").status_code == 200
    for i in range(17):
        place(shop, key=f"many-{i}", lines=[{"variant": shop.juice.pk, "quantity": 1}])
    with CaptureQueriesContext(connection) as many:
        response = client.get("/dashboard/orders/")
        assert response.status_code == 200
    assert response.content.decode().count('data-testid="order-row"') >= 20
    assert len(many) == len(few)
    assert len(many) <= 10, [q["sql"] for q in many.captured_queries]


def test_detail_query_count(shop, as_user):
    client = as_user(shop.staff.admin)
    small = _to(shop, place(shop, key="small"), S.SHIPPING)
    big = _to(shop, place(shop, key="big", lines=[{"variant": shop.juice.pk, "quantity": 10},
                                                   {"variant": shop.cola.pk, "quantity": 12},
                                                   {"variant": shop.juice.pk, "quantity": 1,
                                                    "unit": shop.case_unit.pk}]), S.SHIPPING)
    from ordering.orders.services.shipments import shipment_create

    shipment_create(actor=shop.staff.shipper, order=small,
                    quantities={small.lines.get().pk: 1})  # (no shipment: one query fewer)
    for line in big.lines.all():
        shipment_create(actor=shop.staff.shipper, order=big, quantities={line.pk: 1},
                        carrier_id=shop.carrier.pk, tracking_number=f"T{line.pk}")
    client.get("/dashboard/")  # warm the tenant cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/dashboard/orders/{small.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/dashboard/orders/{big.pk}/").status_code == 200
    assert len(many) == len(few)
    # 15 for the order, 4 for the finance panel (balances, credit terms, overdue, payments)
    assert len(many) <= 19, [q["sql"] for q in many.captured_queries]
    review = place(shop, key="review")
    with CaptureQueriesContext(connection) as in_review:
        assert client.get(f"/dashboard/orders/{review.pk}/").status_code == 200
    assert len(in_review) <= 19, [q["sql"] for q in in_review.captured_queries]


# --- orders on a dealer's behalf ----------------------------------------------------------


def _create_data(shop, **values):
    data = {"customer": shop.customer.pk, "lines": "OJ-1, 5\nco-1\t6", "address": shop.address.pk,
            "shipping_method": shop.truck.pk, "payment_method": "transfer",
            "delivery_date": "", "remark": "Phoned in", "token": "tok-1"}
    data.update(values)
    return data


def test_order_on_a_dealers_behalf(shop, as_user):
    client = as_user(shop.staff.reviewer)
    chooser = client.get("/dashboard/orders/new/").content.decode()
    assert "Gold Trading" in chooser and "Other Stores" in chooser
    form = client.get("/dashboard/orders/new/", {"customer": shop.customer.pk})
    content = form.content.decode()
    assert "1 Harbour Road" in content and "2 Hill St" not in content
    assert 'name="token"' in content
    response = client.post("/dashboard/orders/new/", _create_data(shop))
    assert response.status_code == 302
    order = Order.objects.get(placed_by=shop.staff.reviewer)
    assert response.url == f"/dashboard/orders/{order.pk}/"
    assert order.on_behalf and order.customer == shop.customer and order.login == shop.dana
    assert [(line.sku_code, line.quantity) for line in order.lines.order_by("position")] == [
        ("OJ-1", 5), ("CO-1", 6)]
    assert order.remark == "Phoned in" and order.status == S.ORDER_REVIEW
    # the same form sent twice is one order
    again = client.post("/dashboard/orders/new/", _create_data(shop))
    assert again.status_code == 302 and again.url == response.url
    assert Order.objects.filter(placed_by=shop.staff.reviewer).count() == 1
    detail = client.get(response.url).content.decode()
    assert 'data-testid="on-behalf"' in detail


@pytest.mark.parametrize("values, message", [
    ({"lines": "NOPE-1, 2"}, "No product with SKU code “NOPE-1”."),
    ({"lines": "OJ-1"}, "Write the SKU code and the quantity"),
    ({"lines": ""}, "This field is required."),
    ({"lines": "CO-1, 5"}, "Some lines cannot be ordered"),
    ({"lines": "OJ-1, 2, pallet"}, "is not sold in “pallet”"),
    ({"address": ""}, "This field is required."),
    ({"payment_method": "gold"}, "Select a valid choice."),
    ({"delivery_date": "2001-01-01"}, "The delivery date cannot be in the past."),
])
def test_order_on_behalf_errors_rerender_400(shop, as_user, values, message):
    client = as_user(shop.staff.reviewer)
    response = client.post("/dashboard/orders/new/", _create_data(shop, **values))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Order.objects.filter(placed_by=shop.staff.reviewer).exists()


def test_order_on_behalf_below_the_minimum(shop, as_user):
    set_workflow(shop.tenant, min_order_amount=1000)
    response = as_user(shop.staff.admin).post("/dashboard/orders/new/", _create_data(shop))
    assert response.status_code == 400
    assert "The minimum order is" in response.content.decode()


def test_order_on_behalf_only_for_customers_in_scope(shop, as_user):
    from ordering.customers.services.customers import customer_update

    customer_update(actor=None, customer=shop.other, sales_rep=shop.staff.sales)
    client = as_user(shop.staff.sales)
    chooser = client.get("/dashboard/orders/new/").content.decode()
    assert "Other Stores" in chooser and "Gold Trading" not in chooser
    assert client.get("/dashboard/orders/new/", {"customer": shop.customer.pk}).status_code == 404
    assert client.post("/dashboard/orders/new/", _create_data(shop)).status_code == 404
    ok = client.post("/dashboard/orders/new/", _create_data(
        shop, customer=shop.other.pk, address=shop.other_address.pk))
    assert ok.status_code == 302
    assert Order.objects.get(placed_by=shop.staff.sales).customer == shop.other
    assert as_user(shop.staff.finance).post("/dashboard/orders/new/",
                                            _create_data(shop)).status_code == 403


# --- settings ---------------------------------------------------------------------------


def test_settings_save_and_validation(shop, as_user, acme):
    client = as_user(shop.staff.admin)
    page = client.get("/dashboard/orders/settings/").content.decode()
    for label in ("Order review", "Finance review", "Outbound review", "Receipt confirmation"):
        assert label in page
    assert "SF Express" in page and "Truck" in page
    response = client.post("/dashboard/orders/settings/", {
        "steps": ["order_review", "outbound_review", "receipt"], "reserve_stock_at": "outbound",
        "auto_receipt_days": "10", "min_order_amount": "50"})
    assert response.status_code == 302
    tenant = TenantSettings.objects.get()  # the test runs in acme's schema
    assert tenant.workflow_off == ["finance_review"]
    assert tenant.reserve_stock_at == ReserveAt.OUTBOUND
    assert (tenant.auto_receipt_days, tenant.min_order_amount) == (10, 50)
    page = client.get("/dashboard/orders/settings/").content.decode()
    assert 'value="finance_review"' in page
    assert page.count("checked") >= 3
    for bad in ({"auto_receipt_days": "200"}, {"min_order_amount": "-1"},
                {"reserve_stock_at": "never"}, {"steps": ["shipping"]}):
        data = {"steps": ["order_review"], "reserve_stock_at": "submit",
                "auto_receipt_days": "5", "min_order_amount": "0", **bad}
        refused = client.post("/dashboard/orders/settings/", data)
        assert refused.status_code == 400, bad
        assert "invalid-feedback" in refused.content.decode()
    tenant = TenantSettings.objects.get()
    assert tenant.auto_receipt_days == 10  # nothing half-saved
    assert as_user(shop.staff.reviewer).post("/dashboard/orders/settings/", {
        "steps": [], "reserve_stock_at": "submit", "auto_receipt_days": "0",
        "min_order_amount": "0"}).status_code == 403


def test_shipping_methods_and_carriers(shop, as_user):
    client = as_user(shop.staff.admin)
    added = client.post("/dashboard/orders/settings/shipping-methods/", {
        "method-new-name": "Pick-up", "method-new-fee": "0", "method-new-is_active": "on",
        "method-new-position": "2"})
    assert added.status_code == 302
    pickup = ShippingMethod.objects.get(name="Pick-up")
    assert pickup.is_active and pickup.position == 2
    edited = client.post(f"/dashboard/orders/settings/shipping-methods/{shop.truck.pk}/", {
        f"method-{shop.truck.pk}-name": "Truck", f"method-{shop.truck.pk}-fee": "20",
        f"method-{shop.truck.pk}-position": "0"})
    assert edited.status_code == 302
    truck = ShippingMethod.objects.get(pk=shop.truck.pk)
    assert truck.fee == 20 and not truck.is_active
    bad = client.post("/dashboard/orders/settings/shipping-methods/", {
        "method-new-name": "", "method-new-fee": "-3"})
    assert bad.status_code == 400 and "invalid-feedback" in bad.content.decode()

    carrier = client.post("/dashboard/orders/settings/carriers/", {
        "carrier-new-name": "ZTO", "carrier-new-tracking_url": "https://zto.example/t/{number}",
        "carrier-new-is_active": "on"})
    assert carrier.status_code == 302
    assert Carrier.objects.get(name="ZTO").tracking_url == "https://zto.example/t/{number}"
    duplicate = client.post("/dashboard/orders/settings/carriers/", {
        "carrier-new-name": "sf express", "carrier-new-is_active": "on"})
    assert duplicate.status_code == 400
    assert "A carrier of this name exists." in duplicate.content.decode()
    insecure = client.post(f"/dashboard/orders/settings/carriers/{shop.carrier.pk}/", {
        f"carrier-{shop.carrier.pk}-name": "SF Express",
        f"carrier-{shop.carrier.pk}-tracking_url": "javascript:alert(1)/{number}"})
    assert insecure.status_code == 400
    assert Carrier.objects.get(pk=shop.carrier.pk).tracking_url == "https://sf.example/{number}"
    assert client.post("/dashboard/orders/settings/carriers/999999/", {}).status_code == 404
    assert as_user(shop.staff.shipper).post("/dashboard/orders/settings/carriers/", {
        "carrier-new-name": "Sneaky"}).status_code == 403
    assert not Carrier.objects.filter(name="Sneaky").exists()


# --- isolation ------------------------------------------------------------------------


def test_another_tenants_order_is_404(shop, acme, globex, login_as):
    upload = SimpleUploadedFile("po.txt", b"secret", content_type="text/plain")
    order = _to(shop, place(shop, attachment=upload), S.ORDER_REVIEW)
    line = order.lines.get()
    with tenant_context(globex):
        owner = get_user_model().objects.get(email="owner@globex.example")
        client = login_as(TenantClient(host_of(globex)), globex, owner)
    base = f"/dashboard/orders/{order.pk}/"
    for suffix in ("", "print/", "pdf/", "attachment/"):
        assert client.get(base + suffix).status_code == 404, suffix
    assert client.post(base + "ship/", {f"ship_{line.pk}": "1",
                                        "shipped_on": timezone.localdate().isoformat()}
                       ).status_code == 404
    assert client.post(base + "amend/", {f"qty_{line.pk}": "1", "shipping_fee": "0"}
                       ).status_code == 404
    assert client.post(base + "action/", {"action": "approve"}).status_code == 404
    assert order.number not in client.get("/dashboard/orders/").content.decode()
    assert Order.objects.get(pk=order.pk).status == S.ORDER_REVIEW


def test_sales_rep_sees_only_assigned_customers_orders(shop, as_user):
    from ordering.customers.services.customers import customer_update

    customer_update(actor=None, customer=shop.other, sales_rep=shop.staff.sales)
    mine = place(shop, actor=shop.olga.user, key="mine")
    theirs = place(shop, key="theirs")
    client = as_user(shop.staff.sales)
    listing = client.get("/dashboard/orders/").content.decode()
    assert mine.number in listing and theirs.number not in listing
    assert client.get(f"/dashboard/orders/{mine.pk}/").status_code == 200
    for suffix in ("", "print/", "attachment/"):
        assert client.get(f"/dashboard/orders/{theirs.pk}/{suffix}").status_code == 404
    assert client.post(f"/dashboard/orders/{theirs.pk}/action/",
                       {"action": "cancel", "reason": "x"}).status_code == 404
    assert Order.objects.get(pk=theirs.pk).status == S.ORDER_REVIEW
