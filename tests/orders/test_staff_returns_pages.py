"""Staff return pages and the order's message thread: who may open the return pages (the
built-in roles × pages), a return from request to refund by POST (approve, goods received
good and damaged, refund), rejecting needs a reason, errors re-render (400 / 409) with
nothing half-saved, photos only through the return (another tenant, staff out of scope:
404), the list's query budget; on the order pages the messages (post, unread badge) and
the order's returns; the bell with the unread notifications."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from guardian.shortcuts import assign_perm

from ordering.catalog.models import Variant
from ordering.notifications import selectors as notifications
from ordering.orders import selectors as order_selectors, workflow
from ordering.orders.enums import RefundMethod, ReturnCondition, ReturnStatus
from ordering.orders.models import Order, OrderLine, OrderMessage, ReturnRequest
from ordering.orders.services import messages as order_messages
from ordering.orders.services import returns
from ordering.orders.services.shipments import shipment_create
from roles.services.regions import region_create
from tests.conftest import TenantClient, host_of
from tests.factories.roles import staff_with_roles
from tests.orders.conftest import place

R = ReturnStatus
HOLDERS = {"admin", "lead", "warehouse", "regional"}  # manage_returns (roles/catalog.py)
ROLES = ("admin", "lead", "warehouse", "regional", "reviewer", "finance", "shipper", "sales")


@pytest.fixture
def as_user(acme, login_as):
    def _client(user):
        return login_as(TenantClient(host_of(acme)), acme, user)

    return _client


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run what it scheduled on commit (the notifications)."""

    def call(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


@pytest.fixture
def staff(shop):
    """The shop's staff plus a business lead and a regional manager of the customer's
    region."""
    from ordering.customers.services.customers import customer_update

    region = region_create(actor=None, name="Harbour district")
    customer_update(actor=None, customer=shop.customer, region=region)
    regional = staff_with_roles("regional_manager", email="region@acme.example")
    assign_perm("roles.work_in_region", regional, region)
    shop.staff.lead = staff_with_roles("business_lead", email="lead@acme.example")
    shop.staff.regional = regional
    return shop.staff


def _png():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def _shipped(shop, key="shipped", lines=None):
    """An order placed by Dana, approved at every step and shipped in full."""
    order = place(shop, key=key, lines=lines or [{"variant": shop.juice.pk, "quantity": 10}])
    for _ in range(3):
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    shipment_create(actor=shop.staff.shipper, order=order,
                    quantities={line.pk: line.to_ship for line in order.lines.all()})
    return Order.objects.get(pk=order.pk)


def _request(shop, order, quantities=None, photos=(), reason="Two cases leaked"):
    if quantities is None:
        quantities = {order.lines.first().pk: 4}
    return returns.return_request(actor=shop.dana.user, order=order, quantities=quantities,
                                  reason=reason, photos=photos)


def _photo_upload():
    return SimpleUploadedFile("leak.png", _png(), content_type="image/png")


# --- who may open what --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_return_pages_by_role(shop, staff, as_user, role):
    item = _request(shop, _shipped(shop), photos=[_photo_upload()])
    photo = item.photos.get()
    client = as_user(getattr(staff, role))
    expected = 200 if role in HOLDERS else 403
    listing = client.get("/dashboard/returns/")
    assert listing.status_code == expected, role
    if expected == 200:
        assert item.number in listing.content.decode()
    assert client.get(f"/dashboard/returns/{item.pk}/").status_code == expected, role
    assert client.get(f"/dashboard/returns/{item.pk}/photos/{photo.pk}/").status_code == expected
    assert client.post(f"/dashboard/returns/{item.pk}/approve/", {}).status_code == (
        302 if expected == 200 else 403)
    assert ReturnRequest.objects.get(pk=item.pk).status == (
        R.APPROVED if expected == 200 else R.REQUESTED)
    nav = client.get("/dashboard/").content.decode()
    assert ('data-testid="nav-returns"' in nav) == (role in HOLDERS)


def test_anonymous_and_dealers_get_no_return_page(shop, acme, as_user):
    item = _request(shop, _shipped(shop))
    anonymous = TenantClient(host_of(acme))
    for url in ("/dashboard/returns/", f"/dashboard/returns/{item.pk}/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    dana = as_user(shop.dana.user)
    assert dana.get("/dashboard/returns/").status_code == 403
    assert dana.get(f"/dashboard/returns/{item.pk}/").status_code == 403


# --- the detail page and its actions ------------------------------------------------------


def test_detail_shows_lines_reason_photos_and_timeline(shop, staff, as_user):
    order = _shipped(shop)
    item = _request(shop, order, photos=[_photo_upload()])
    content = as_user(staff.warehouse).get(f"/dashboard/returns/{item.pk}/").content.decode()
    assert item.number in content and "Gold Trading" in content
    assert f'href="/dashboard/orders/{order.pk}/"' in content and order.number in content
    assert "OJ-1" in content and "Orange juice" in content and "Two cases leaked" in content
    photo = item.photos.get()
    assert f'src="/dashboard/returns/{item.pk}/photos/{photo.pk}/"' in content
    assert 'data-status="requested"' in content  # the timeline
    for shown in ('data-testid="approve-form"', 'data-testid="reject-form"'):
        assert shown in content
    for hidden in ('data-testid="receive-form"', 'data-testid="refund-form"'):
        assert hidden not in content
    assert as_user(staff.admin).get("/dashboard/returns/999999/").status_code == 404


def test_a_return_from_approval_to_refund_by_post(shop, staff, as_user):
    order = _shipped(shop, lines=[{"variant": shop.juice.pk, "quantity": 10},
                                  {"variant": shop.cola.pk, "quantity": 12}])
    juice_line = order.lines.get(sku_code="OJ-1")
    cola_line = order.lines.get(sku_code="CO-1")
    item = _request(shop, order, quantities={juice_line.pk: 4, cola_line.pk: 6})
    juice, cola = (item.lines.get(order_line=juice_line), item.lines.get(order_line=cola_line))
    client = as_user(staff.warehouse)
    base = f"/dashboard/returns/{item.pk}/"

    approved = client.post(base + "approve/", {"note": "Send them to gate 2"})
    assert approved.status_code == 302 and approved["Location"] == base
    page = client.get(base).content.decode()
    assert "Return approved" in page and "Send them to gate 2" in page
    assert 'data-testid="receive-form"' in page and 'data-testid="approve-form"' not in page
    assert 'data-testid="reject-form"' in page  # still possible while awaiting the goods

    # approving again: the return has moved on (409, the message on the page)
    again = client.post(base + "approve/", {})
    assert again.status_code == 409
    assert "cannot change that way now" in again.content.decode()

    # more than was asked for: 400, nothing received, nothing restocked
    stock = {v.pk: v.on_hand for v in Variant.objects.filter(pk__in=[shop.juice.pk,
                                                                     shop.cola.pk])}
    too_many = client.post(base + "receive/", {
        f"qty_{juice.pk}": "5", f"condition_{juice.pk}": "good",
        f"qty_{cola.pk}": "6", f"condition_{cola.pk}": "damaged"})
    assert too_many.status_code == 400
    assert "invalid-feedback" in too_many.content.decode()
    bad_condition = client.post(base + "receive/", {
        f"qty_{juice.pk}": "3", f"condition_{juice.pk}": "lost",
        f"qty_{cola.pk}": "6", f"condition_{cola.pk}": "damaged"})
    assert bad_condition.status_code == 400
    assert ReturnRequest.objects.get(pk=item.pk).status == R.APPROVED

    received = client.post(base + "receive/", {
        f"qty_{juice.pk}": "3", f"condition_{juice.pk}": ReturnCondition.GOOD,
        f"qty_{cola.pk}": "6", f"condition_{cola.pk}": ReturnCondition.DAMAGED})
    assert received.status_code == 302
    item.refresh_from_db()
    assert item.status == R.RECEIVED
    assert item.refund_amount == Decimal("48.00")  # 3 × 8.00 + 6 × 4.00, as ordered
    assert Variant.objects.get(pk=shop.juice.pk).on_hand == stock[shop.juice.pk] + 3
    assert Variant.objects.get(pk=shop.cola.pk).on_hand == stock[shop.cola.pk]  # damaged
    assert OrderLine.objects.get(pk=juice_line.pk).returned_quantity == 3
    assert OrderLine.objects.get(pk=cola_line.pk).returned_quantity == 6
    page = client.get(base).content.decode()
    assert 'data-testid="refund-form"' in page and 'value="48.00"' in page
    assert "Damaged (not restocked)" in page and 'data-testid="receive-form"' not in page
    assert 'data-testid="reject-form"' not in page

    # a refund above what was asked for: 400 with the service's message
    over = client.post(base + "refund/", {"amount": "500", "method": RefundMethod.BALANCE})
    assert over.status_code == 400 and "Refund between 0 and" in over.content.decode()
    assert client.post(base + "refund/", {"amount": "10", "method": "cash"}).status_code == 400
    assert ReturnRequest.objects.get(pk=item.pk).status == R.RECEIVED

    refunded = client.post(base + "refund/", {"amount": "48.00", "method": RefundMethod.BALANCE,
                                             "reference": "CN-0042"})
    assert refunded.status_code == 302
    item.refresh_from_db()
    assert item.status == R.COMPLETED
    assert (item.refund_amount, item.refund_method, item.refund_reference) == (
        Decimal("48.00"), RefundMethod.BALANCE, "CN-0042")
    assert list(item.events.values_list("status", "actor")) == [
        (R.REQUESTED, shop.dana.user.pk), (R.APPROVED, staff.warehouse.pk),
        (R.RECEIVED, staff.warehouse.pk), (R.COMPLETED, staff.warehouse.pk)]
    page = client.get(base).content.decode()
    assert "To the prepaid balance" in page and "CN-0042" in page
    assert 'data-testid="refund-form"' not in page and 'data-testid="return-actions"' not in page
    assert client.post(base + "refund/", {"amount": "1", "method": "recorded"}).status_code == 409


def test_reject_needs_a_reason(shop, staff, as_user):
    order = _shipped(shop)
    item = _request(shop, order, quantities={order.lines.get().pk: 2})
    client = as_user(staff.admin)
    base = f"/dashboard/returns/{item.pk}/"
    for reason in ("", "   "):
        refused = client.post(base + "reject/", {"reason": reason})
        assert refused.status_code == 400
        content = refused.content.decode()
        assert "Give a reason." in content and 'class="collapse show"' in content
    assert ReturnRequest.objects.get(pk=item.pk).status == R.REQUESTED
    rejected = client.post(base + "reject/", {"reason": "Not damaged in transit"})
    assert rejected.status_code == 302
    assert ReturnRequest.objects.get(pk=item.pk).status == R.REJECTED
    page = client.get(base).content.decode()
    assert "Not damaged in transit" in page and 'data-testid="return-actions"' not in page
    assert client.post(base + "reject/", {"reason": "again"}).status_code == 409

    # an approved return may still be rejected
    second = _request(shop, order, quantities={order.lines.get().pk: 1}, reason="Wrong flavour")
    client.post(f"/dashboard/returns/{second.pk}/approve/", {})
    assert client.post(f"/dashboard/returns/{second.pk}/reject/",
                       {"reason": "Never arrived"}).status_code == 302
    assert ReturnRequest.objects.get(pk=second.pk).status == R.REJECTED


# --- photos and isolation ------------------------------------------------------------------


def test_photos_are_served_only_through_the_return(shop, staff, as_user):
    item = _request(shop, _shipped(shop), photos=[_photo_upload()])
    photo = item.photos.get()
    assert photo.image.name.startswith("private/returns/")
    client = as_user(staff.warehouse)
    url = f"/dashboard/returns/{item.pk}/photos/{photo.pk}/"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == _png()
    assert response["X-Content-Type-Options"] == "nosniff"
    # the generic media view never serves private/
    assert client.get(f"/media/{photo.image.name}").status_code == 404
    # another return's photo id, an unknown photo
    other = _request(shop, _shipped(shop, key="other"), reason="Other")
    assert client.get(f"/dashboard/returns/{other.pk}/photos/{photo.pk}/").status_code == 404
    assert client.get(f"/dashboard/returns/{item.pk}/photos/999999/").status_code == 404


def test_staff_out_of_scope_get_404(shop, staff, as_user):
    item = _request(shop, _shipped(shop), photos=[_photo_upload()])
    photo = item.photos.get()
    elsewhere = staff_with_roles("regional_manager", email="far@acme.example")  # no region
    client = as_user(elsewhere)
    listing = client.get("/dashboard/returns/")
    assert listing.status_code == 200 and item.number not in listing.content.decode()
    base = f"/dashboard/returns/{item.pk}/"
    for url in (base, f"{base}photos/{photo.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(base + "approve/", {}).status_code == 404
    assert client.post(base + "reject/", {"reason": "x"}).status_code == 404
    assert ReturnRequest.objects.get(pk=item.pk).status == R.REQUESTED
    # the manager of the customer's region sees it
    assert as_user(staff.regional).get(f"{base}photos/{photo.pk}/").status_code == 200


def test_another_tenants_return_is_404(shop, staff, globex, login_as):
    item = _request(shop, _shipped(shop), photos=[_photo_upload()])
    photo = item.photos.get()
    with tenant_context(globex):
        owner = get_user_model().objects.get(email="owner@globex.example")
        client = login_as(TenantClient(host_of(globex)), globex, owner)
    base = f"/dashboard/returns/{item.pk}/"
    for suffix in ("", f"photos/{photo.pk}/"):
        assert client.get(base + suffix).status_code == 404, suffix
    for suffix, data in (("approve/", {}), ("reject/", {"reason": "x"}),
                         ("receive/", {}), ("refund/", {"amount": "1", "method": "recorded"})):
        assert client.post(base + suffix, data).status_code == 404, suffix
    assert item.number not in client.get("/dashboard/returns/").content.decode()
    assert ReturnRequest.objects.get(pk=item.pk).status == R.REQUESTED


# --- the list -----------------------------------------------------------------------------


def test_list_tabs_and_links(shop, staff, as_user):
    order = _shipped(shop, lines=[{"variant": shop.juice.pk, "quantity": 20}])
    line = order.lines.get()
    first = _request(shop, order, quantities={line.pk: 1})
    second = _request(shop, order, quantities={line.pk: 2}, reason="Late")
    returns.return_approve(actor=staff.admin, request=second)
    client = as_user(staff.admin)
    page = client.get("/dashboard/returns/").content.decode()
    assert page.count('data-testid="return-row"') == 2
    assert f'href="/dashboard/orders/{order.pk}/"' in page
    assert f'href="/dashboard/returns/{first.pk}/"' in page
    requested = client.get("/dashboard/returns/", {"status": "requested"}).content.decode()
    assert first.number in requested and second.number not in requested
    assert client.get("/dashboard/returns/", {"status": "bogus", "page": "zz"}).status_code == 200
    empty = client.get("/dashboard/returns/", {"status": "completed"}).content.decode()
    assert 'data-testid="no-returns"' in empty


def test_list_query_count_does_not_grow_with_rows(shop, staff, as_user):
    client = as_user(staff.admin)
    order = _shipped(shop, lines=[{"variant": shop.juice.pk, "quantity": 20}])
    line = order.lines.get()
    for _ in range(2):
        _request(shop, order, quantities={line.pk: 1})
    client.get("/dashboard/")  # warm the tenant cache
    with CaptureQueriesContext(connection) as few:
        assert client.get("/dashboard/returns/").status_code == 200
    other = _shipped(shop, key="more", lines=[{"variant": shop.cola.pk, "quantity": 12}])
    for _ in range(8):
        _request(shop, other, quantities={other.lines.get().pk: 1})
    with CaptureQueriesContext(connection) as many:
        response = client.get("/dashboard/returns/")
        assert response.status_code == 200
    assert response.content.decode().count('data-testid="return-row"') == 10
    assert len(many) == len(few)
    assert len(many) <= 10, [q["sql"] for q in many.captured_queries]


# --- messages and returns on the order pages ----------------------------------------------


def test_staff_answers_a_message_and_the_list_shows_unread(shop, staff, as_user, run):
    order = place(shop)
    other = place(shop, key="quiet")
    run(order_messages.message_post, actor=shop.dana.user, order=order, body="Ship Friday?")
    run(order_messages.message_post, actor=shop.dana.user, order=order, body="Side door.")
    client = as_user(staff.admin)
    listing = client.get("/dashboard/orders/").content.decode()
    assert listing.count('data-testid="unread-messages"') == 1
    row = next(r for r in listing.split('data-testid="order-row"')[1:] if order.number in r)
    assert 'data-testid="unread-messages"' in row and "</i> 2</a>" in row
    assert other.number in listing

    detail = client.get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert "Ship Friday?" in detail and "Side door." in detail
    assert 'data-side="dealer"' in detail and 'data-testid="message-form"' in detail
    # reading the thread marked it read for the admin, not for others
    assert 'data-testid="unread-messages"' not in client.get("/dashboard/orders/").content.decode()
    assert 'data-testid="unread-messages"' in as_user(staff.reviewer).get(
        "/dashboard/orders/").content.decode()

    empty = client.post(f"/dashboard/orders/{order.pk}/messages/", {"body": "   "})
    assert empty.status_code == 400 and "Write a message." in empty.content.decode()
    posted = client.post(f"/dashboard/orders/{order.pk}/messages/", {"body": "Yes, Friday."})
    assert posted.status_code == 302
    assert posted["Location"] == f"/dashboard/orders/{order.pk}/#messages"
    answer = OrderMessage.objects.filter(order=order).last()
    assert (answer.body, answer.from_dealer, answer.author) == ("Yes, Friday.", False, staff.admin)
    unread = order_selectors.with_unread(Order.objects.filter(pk=order.pk), shop.dana.user,
                                        dealer=True).get().unread_messages
    assert unread == 1
    detail = client.get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert 'data-side="staff"' in detail and "Yes, Friday." in detail


def test_messages_only_on_orders_in_scope(shop, staff, as_user):
    order = place(shop)
    sales = as_user(staff.sales)  # not the customer's rep
    assert sales.post(f"/dashboard/orders/{order.pk}/messages/",
                      {"body": "hi"}).status_code == 404
    assert as_user(shop.dana.user).post(f"/dashboard/orders/{order.pk}/messages/",
                                        {"body": "hi"}).status_code == 403
    assert not OrderMessage.objects.exists()


def test_order_detail_lists_its_returns(shop, staff, as_user):
    order = _shipped(shop)
    plain = as_user(staff.admin).get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert 'data-testid="order-returns"' not in plain
    item = _request(shop, order)
    detail = as_user(staff.admin).get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert 'data-testid="order-returns"' in detail
    assert f'href="/dashboard/returns/{item.pk}/"' in detail
    # without manage_returns: the return is named, not linked
    reviewer = as_user(staff.reviewer).get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert item.number in reviewer and f'href="/dashboard/returns/{item.pk}/"' not in reviewer


def test_order_detail_query_count_with_messages_and_returns(shop, staff, as_user, run):
    client = as_user(staff.admin)
    quiet = _shipped(shop, key="quiet")
    busy = _shipped(shop, key="busy")
    for i in range(5):
        run(order_messages.message_post, actor=shop.dana.user, order=busy, body=f"Note {i}")
    line = busy.lines.get()
    for _ in range(3):
        _request(shop, busy, quantities={line.pk: 1})
    client.get("/dashboard/")  # warm the tenant cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/dashboard/orders/{quiet.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/dashboard/orders/{busy.pk}/").status_code == 200
    # the read marker is written only when there are messages (under a test's transaction
    # with two savepoints: get, insert or update): messages and returns are not per row
    assert len(many) <= len(few) + 6, [q["sql"] for q in many.captured_queries]
    assert len(few) <= 15, [q["sql"] for q in few.captured_queries]
    with CaptureQueriesContext(connection) as again:
        assert client.get(f"/dashboard/orders/{busy.pk}/").status_code == 200
    assert len(again) <= len(many), [q["sql"] for q in again.captured_queries]


# --- the bell -------------------------------------------------------------------------------


def test_bell_counts_unread_notifications_and_links_to_the_centre(shop, staff, as_user, run):
    client = as_user(staff.warehouse)
    page = client.get("/dashboard/").content.decode()
    assert 'data-testid="bell"' in page and 'href="/dashboard/notifications/"' in page
    assert 'data-testid="bell-count"' not in page
    item = run(_request, shop, _shipped(shop))
    assert notifications.unread_count(staff.warehouse) == 1
    note = notifications.notification_list(user=staff.warehouse).get()
    assert note.link.endswith(f"/dashboard/returns/{item.pk}/")  # dashboard:return-detail
    page = client.get("/dashboard/returns/").content.decode()
    count = page.split('data-testid="bell-count">')[1].split("<")[0]
    assert count == "1"
    opened = client.post(f"/dashboard/notifications/{note.pk}/open/")
    assert opened.status_code == 302 and opened["Location"].endswith(
        f"/dashboard/returns/{item.pk}/")
    assert 'data-testid="bell-count"' not in client.get("/dashboard/").content.decode()
