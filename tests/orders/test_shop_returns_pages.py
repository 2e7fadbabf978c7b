"""The dealer's return pages under /shop/ and the order's message thread: the request form
(only shipped lines, at most what may still be returned, a reason, photos checked by
their content, nothing saved on a refusal), the company's returns and one return's
lines, photos (served only through their checked view), timeline and refund; the
"Messages" card of an order with its post form and the unread badge of the order list;
the bell. Another company's order or return is 404, view-only logins may write a
message but not request a return, staff are not shoppers; query counts stay flat."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from PIL import Image

from ordering.orders import workflow
from ordering.orders.enums import ReturnCondition, ReturnStatus
from ordering.orders.models import Order, OrderMessage, ReturnPhoto, ReturnRequest
from ordering.orders.services import messages as message_services
from ordering.orders.services import returns as return_services
from ordering.orders.services.shipments import shipment_create
from tests.conftest import TenantClient, host_of
from tests.orders.conftest import dealer_login, place

LIST_BUDGET = 10
DETAIL_BUDGET = 15


def _forget_media_root():
    default_storage.location  # noqa: B018 (sets the lazy storage up)
    vars(default_storage._wrapped).pop("relative_media_root", None)  # a cached_property


@pytest.fixture(autouse=True)
def media_root(tmp_path):
    """Uploaded photos go to a temporary folder, not the shared test media folder."""
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        _forget_media_root()
        yield tmp_path
    _forget_media_root()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run what it queued for after its commit (notifications)."""

    def call(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


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


def _png(colour=(200, 0, 0)):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _photo(name="photo.png", content=None):
    return SimpleUploadedFile(name, content if content is not None else _png(),
                              content_type="image/png")


def _shipped(shop, lines=None, ship=None, actor=None):
    """An order approved through every step with ``ship`` ({sku: base units}) shipped
    (by default every line in full)."""
    order = place(shop, actor=actor, lines=lines or [{"variant": shop.juice.pk,
                                                      "quantity": 10}])
    for _step in range(3):
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    quantities = {line.pk: (ship or {}).get(line.sku_code, line.to_ship)
                  for line in order.lines.all()}
    quantities = {pk: n for pk, n in quantities.items() if n}
    shipment_create(actor=shop.staff.shipper, order=order, quantities=quantities)
    return Order.objects.get(pk=order.pk)


def _line(order, sku="OJ-1"):
    return order.lines.get(sku_code=sku)


def _request(shop, order, quantity=1, reason="Leaking", actor=None, **values):
    return return_services.return_request(actor=actor or shop.dana.user, order=order,
                                          quantities={_line(order).pk: quantity},
                                          reason=reason, **values)


# --- the request form -----------------------------------------------------------------------


def test_the_form_shows_only_shipped_lines_with_what_may_be_returned(shop, dana):
    order = _shipped(shop, lines=[{"variant": shop.juice.pk, "quantity": 10},
                                  {"variant": shop.cola.pk, "quantity": 6}],
                     ship={"OJ-1": 4, "CO-1": 0})
    page = dana.get(f"/shop/orders/{order.pk}/")
    assert 'data-testid="order-return"' in _body(page)
    assert f'href="/shop/orders/{order.pk}/return/"' in _body(page)
    response = dana.get(f"/shop/orders/{order.pk}/return/")
    assert response.status_code == 200
    body = _body(response)
    assert body.count('data-testid="return-line"') == 1
    assert 'data-sku="OJ-1"' in body and 'data-sku="CO-1"' not in body
    juice = _line(order)
    assert f'name="qty_{juice.pk}"' in body and 'max="4"' in body
    assert 'type="file" name="photos"' in body and " multiple " in body
    assert 'enctype="multipart/form-data"' in body
    # nothing shipped: no button, and the form sends back to the order
    unshipped = place(shop)
    assert 'data-testid="order-return"' not in _body(dana.get(f"/shop/orders/{unshipped.pk}/"))
    response = dana.get(f"/shop/orders/{unshipped.pk}/return/")
    assert response.status_code == 302 and response["Location"] == f"/shop/orders/{unshipped.pk}/"


@pytest.mark.parametrize("case", ["too-many", "not-a-number", "negative", "nothing",
                                  "no-reason"])
def test_bad_requests_rerender_400_with_nothing_saved(shop, dana, case):
    order = _shipped(shop, ship={"OJ-1": 4})
    juice = _line(order)
    data = {f"qty_{juice.pk}": "2", "reason": "Two leaked"}
    if case == "too-many":
        data[f"qty_{juice.pk}"] = "5"
    elif case == "not-a-number":
        data[f"qty_{juice.pk}"] = "two"
    elif case == "negative":
        data[f"qty_{juice.pk}"] = "-1"
    elif case == "nothing":
        data[f"qty_{juice.pk}"] = ""
    elif case == "no-reason":
        data["reason"] = "  "
    response = dana.post(f"/shop/orders/{order.pk}/return/", {**data, "photos": [_photo()]})
    assert response.status_code == 400
    body = _body(response)
    expected = {"too-many": "At most 4 can be returned.",
                "not-a-number": "Enter a whole number.",
                "negative": "Enter 0 or more.",
                "nothing": "Enter how many of at least one line you return.",
                "no-reason": "Say why you return the goods."}[case]
    assert expected in body
    if case in ("too-many", "not-a-number", "negative"):
        assert 'data-testid="line-error"' in body
    assert ReturnRequest.objects.count() == 0 and ReturnPhoto.objects.count() == 0
    assert response.context["form"]["reason"].value() == data["reason"]  # kept to correct


def test_a_photo_that_is_not_an_image_is_refused(shop, dana, media_root):
    order = _shipped(shop)
    juice = _line(order)
    fake = SimpleUploadedFile("photo.jpg", b"MZ not an image at all", content_type="image/jpeg")
    response = dana.post(f"/shop/orders/{order.pk}/return/", {
        f"qty_{juice.pk}": "1", "reason": "Broken", "photos": [_photo(), fake]})
    assert response.status_code == 400
    body = _body(response)
    assert "Upload a JPEG, PNG or WebP image." in body and 'data-testid="photos-error"' in body
    too_many = [_photo(f"p{n}.png") for n in range(return_services.MAX_PHOTOS + 1)]
    response = dana.post(f"/shop/orders/{order.pk}/return/", {
        f"qty_{juice.pk}": "1", "reason": "Broken", "photos": too_many})
    assert response.status_code == 400 and "At most 6 photos." in _body(response)
    assert ReturnRequest.objects.count() == 0 and ReturnPhoto.objects.count() == 0
    assert not (media_root / "private").exists() or not any((media_root / "private").rglob("*.*"))


def test_a_good_request_makes_one_return(shop, dana):
    order = _shipped(shop, ship={"OJ-1": 4})
    juice = _line(order)
    response = dana.post(f"/shop/orders/{order.pk}/return/", {
        f"qty_{juice.pk}": "3", "reason": "Three bottles leaked",
        "photos": [_photo("a.png"), _photo("b.jpg", _png((0, 0, 200)))]})
    item = ReturnRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/shop/returns/{item.pk}/"
    assert item.order == order and item.status == ReturnStatus.REQUESTED
    assert item.requested_by == shop.dana.user and item.reason == "Three bottles leaked"
    assert [(line.order_line_id, line.quantity) for line in item.lines.all()] == [(juice.pk, 3)]
    assert item.photos.count() == 2
    assert all(p.image.name.startswith("private/returns/") for p in item.photos.all())
    page = dana.get(response["Location"])
    body = _body(page)
    assert f"Return {item.number} has been requested." in body
    assert body.count('data-testid="return-photo"') == 2 and "Three bottles leaked" in body
    # the order lists its return; one bottle is left to return
    body = _body(dana.get(f"/shop/orders/{order.pk}/"))
    assert 'data-testid="order-returns"' in body and item.number in body
    assert f'href="/shop/returns/{item.pk}/"' in body and 'data-testid="order-return"' in body
    assert dana.post(f"/shop/orders/{order.pk}/return/", {
        f"qty_{juice.pk}": "1", "reason": "One more"}).status_code == 302
    assert ReturnRequest.objects.count() == 2
    assert 'data-testid="order-return"' not in _body(dana.get(f"/shop/orders/{order.pk}/"))
    assert dana.get(f"/shop/orders/{order.pk}/return/").status_code == 302  # nothing left


# --- the list and the detail ------------------------------------------------------------------


def test_list_and_detail_follow_a_return_to_its_refund(shop, dana, client_for):
    order = _shipped(shop)
    item = _request(shop, order, quantity=4, reason="Four leaked",
                    photos=[_photo()])
    rejected = _request(shop, order, quantity=1, reason="Wrong colour")
    return_services.return_reject(actor=shop.staff.admin, request=rejected,
                                  reason="Colour is as ordered")
    theirs = _request(shop, _shipped(shop, actor=shop.olga.user), actor=shop.olga.user)
    response = dana.get("/shop/returns/")
    assert response.status_code == 200
    body = _body(response)
    assert body.count('data-testid="return-row"') == 2
    assert item.number in body and rejected.number in body and theirs.number not in body
    assert order.number in body and "Awaiting review" in body and "Rejected" in body
    assert 'data-testid="return-refund"' not in body  # nothing refunded yet
    url = f"/shop/returns/{item.pk}/"
    body = _body(dana.get(url))
    assert "Returning 4 bottle" in body and "Four leaked" in body
    assert 'data-testid="line-received"' not in body
    assert body.count('data-testid="timeline-event"') == 1
    return_services.return_approve(actor=shop.staff.warehouse, request=item, note="Send by SF")
    body = _body(dana.get(url))
    assert 'data-testid="return-send-goods"' in body and "Send by SF" in body
    item = return_services.return_receive(actor=shop.staff.warehouse, request=item, received={
        item.lines.get().pk: (3, ReturnCondition.GOOD)})
    body = _body(dana.get(url))
    assert "Received 3 bottle" in body and "Goods received, awaiting refund" in body
    return_services.return_refund(actor=shop.staff.admin, request=item)
    response = dana.get(url)
    body = _body(response)
    assert [row["event"].status for row in response.context["timeline"]] == [
        "completed", "received", "approved", "requested"]  # newest first
    assert 'data-testid="return-refund"' in body and "¥24.00" in body  # 3 × 8.00
    assert f'href="/shop/orders/{order.pk}/"' in body
    listing = _body(dana.get("/shop/returns/"))
    assert listing.count('data-testid="return-refund"') == 1 and "¥24.00" in listing
    body = _body(dana.get(f"/shop/returns/{rejected.pk}/"))
    assert 'data-testid="return-rejected"' in body and "Colour is as ordered" in body
    # another company's return, or none at all
    assert dana.get(f"/shop/returns/{theirs.pk}/").status_code == 404
    assert dana.get("/shop/returns/999999/").status_code == 404
    assert client_for(shop.olga.user).get(f"/shop/returns/{theirs.pk}/").status_code == 200


def test_the_list_is_empty_at_first(shop, dana):
    body = _body(dana.get("/shop/returns/"))
    assert 'data-testid="returns-empty"' in body
    nav = _body(dana.get("/shop/orders/"))
    assert 'href="/shop/returns/"' in nav and 'data-testid="returns-link"' in nav


# --- photos ------------------------------------------------------------------------------------


def test_photos_are_served_only_to_the_company_through_their_view(shop, dana, client_for,
                                                                  globex, login_as):
    order = _shipped(shop)
    item = _request(shop, order, photos=[_photo()])
    photo = item.photos.get()
    url = f"/shop/returns/{item.pk}/photos/{photo.pk}/"
    response = dana.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content) == _png()
    assert f'src="{url}"' in _body(dana.get(f"/shop/returns/{item.pk}/"))
    # never through the generic media view
    assert dana.get(f"/media/{photo.image.name}").status_code == 404
    # another company's dealer, a photo of another return, staff, nobody
    olga = client_for(shop.olga.user)
    assert olga.get(url).status_code == 404
    other = _request(shop, order, photos=[_photo()])
    assert dana.get(f"/shop/returns/{other.pk}/photos/{photo.pk}/").status_code == 404
    assert dana.get(f"/shop/returns/{item.pk}/photos/999999/").status_code == 404
    assert client_for(shop.staff.admin).get(url).status_code == 403
    anonymous = TenantClient(host_of(shop.tenant)).get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    # on globex's host: acme's session is not valid there; globex's own dealer finds nothing
    stolen = TenantClient(host_of(globex))
    stolen.cookies = dana.cookies
    assert stolen.get(url).status_code == 302
    with tenant_context(globex):
        from ordering.customers.services import customers

        company = customers.customer_create(actor=None, name="Globex buyer")
        gus = dealer_login(company, "gus@globex-buyer.example")
    on_globex = login_as(TenantClient(host_of(globex)), globex, gus.user)
    assert on_globex.get("/shop/returns/").status_code == 200
    assert on_globex.get(url).status_code == 404
    assert on_globex.get(f"/shop/returns/{item.pk}/").status_code == 404


# --- who may do what ---------------------------------------------------------------------------


def test_another_companys_order_is_404(shop, dana):
    theirs = _shipped(shop, actor=shop.olga.user)
    line = _line(theirs)
    assert dana.get(f"/shop/orders/{theirs.pk}/return/").status_code == 404
    assert dana.post(f"/shop/orders/{theirs.pk}/return/", {
        f"qty_{line.pk}": "1", "reason": "mine now"}).status_code == 404
    assert dana.post(f"/shop/orders/{theirs.pk}/messages/", {"body": "hi"}).status_code == 404
    assert ReturnRequest.objects.count() == 0 and OrderMessage.objects.count() == 0


def test_view_only_logins_see_returns_and_may_write_but_not_request(shop, client_for):
    order = _shipped(shop)
    item = _request(shop, order)
    vic = client_for(shop.viewer.user)
    body = _body(vic.get(f"/shop/orders/{order.pk}/"))
    assert 'data-testid="order-return"' not in body
    assert 'data-testid="order-returns"' in body and 'data-testid="message-form"' in body
    assert vic.get("/shop/returns/").status_code == 200
    assert vic.get(f"/shop/returns/{item.pk}/").status_code == 200
    assert vic.get(f"/shop/orders/{order.pk}/return/").status_code == 403
    response = vic.post(f"/shop/orders/{order.pk}/return/", {
        f"qty_{_line(order).pk}": "1", "reason": "x"})
    assert response.status_code == 403 and ReturnRequest.objects.count() == 1
    response = vic.post(f"/shop/orders/{order.pk}/messages/", {"body": "When does it come?"})
    assert response.status_code == 302
    message = OrderMessage.objects.get()
    assert message.author == shop.viewer.user and message.from_dealer


def test_staff_get_403_and_anonymous_sign_in(shop, client_for):
    order = _shipped(shop)
    item = _request(shop, order)
    staff = client_for(shop.staff.admin)
    gets = ["/shop/returns/", f"/shop/returns/{item.pk}/", f"/shop/orders/{order.pk}/return/"]
    for url in gets:
        assert staff.get(url).status_code == 403, url
    assert staff.post(f"/shop/orders/{order.pk}/return/", {}).status_code == 403
    assert staff.post(f"/shop/orders/{order.pk}/messages/", {"body": "x"}).status_code == 403
    anonymous = TenantClient("acme.localhost")
    for url in gets:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


# --- messages ----------------------------------------------------------------------------------


def test_messages_on_the_order_and_the_unread_badge(shop, dana, run):
    order = place(shop)
    url = f"/shop/orders/{order.pk}/"
    body = _body(dana.get(url))
    assert 'data-testid="messages-empty"' in body and 'data-testid="message-form"' in body
    response = dana.post(f"{url}messages/", {"body": "  "})
    assert response.status_code == 400 and "Write a message." in _body(response)
    response = dana.post(f"{url}messages/", {"body": "x" * 2001})
    assert response.status_code == 400
    assert OrderMessage.objects.count() == 0
    response = dana.post(f"{url}messages/", {"body": "Can you ship Friday?"})
    assert response.status_code == 302 and response["Location"] == f"{url}#messages"
    assert OrderMessage.objects.get().from_dealer
    listing = dana.get("/shop/orders/")
    assert 'data-testid="order-unread"' not in _body(listing)  # our own message
    run(message_services.message_post, actor=shop.staff.admin, order=order,
        body="Yes, Friday <b>morning</b>.")
    run(message_services.message_post, actor=shop.staff.admin, order=order, body="By truck.")
    listing = dana.get("/shop/orders/")
    row = next(r for r in listing.context["rows"] if r["order"].pk == order.pk)
    assert row["order"].unread_messages == 2
    assert 'data-testid="order-unread"' in _body(listing)
    # the bell counts the notifications of the staff's messages
    assert 'data-testid="bell-badge">2<' in _body(listing)
    page = dana.get(url)
    body = _body(page)
    assert [m.body for m in page.context["thread"]] == [
        "Can you ship Friday?", "Yes, Friday <b>morning</b>.", "By truck."]
    assert "Yes, Friday &lt;b&gt;morning&lt;/b&gt;." in body  # escaped
    assert body.count('data-from="supplier"') == 2 and body.count('data-from="dealer"') == 1
    listing = dana.get("/shop/orders/")  # reading the thread marked it read
    assert 'data-testid="order-unread"' not in _body(listing)


def test_the_bell_links_to_the_message_centre(shop, dana, run):
    body = _body(dana.get("/shop/catalog/"))
    assert 'data-testid="nav-bell"' in body and 'href="/shop/notifications/"' in body
    assert 'data-testid="bell-badge"' not in body
    order = _shipped(shop)
    item = _request(shop, order)
    run(return_services.return_approve, actor=shop.staff.warehouse, request=item)
    body = _body(dana.get("/shop/catalog/"))
    assert 'data-testid="bell-badge">1<' in body
    assert 'href="/shop/returns/"' in body  # the account menu


# --- budgets -----------------------------------------------------------------------------------


def test_returns_list_query_count_is_constant(shop, dana):
    def returns(count):
        for _n in range(count):
            _request(shop, _shipped(shop, lines=[{"variant": shop.juice.pk, "quantity": 1}]),
                     photos=[_photo()])

    returns(2)
    dana.get("/shop/returns/")  # warm-up (session, caches)
    with CaptureQueriesContext(connection) as two:
        response = dana.get("/shop/returns/")
    assert len(response.context["returns"]) == 2
    returns(6)
    with CaptureQueriesContext(connection) as eight:
        response = dana.get("/shop/returns/")
    assert len(response.context["returns"]) == 8
    assert len(two) == len(eight) <= LIST_BUDGET, [q["sql"] for q in eight]


def test_return_and_order_detail_query_counts_do_not_grow(shop, dana):
    order = _shipped(shop, lines=[{"variant": shop.juice.pk, "quantity": 10},
                                  {"variant": shop.cola.pk, "quantity": 6}])
    item = return_services.return_request(
        actor=shop.dana.user, order=order, reason="x", photos=[_photo()],
        quantities={_line(order).pk: 1})
    message_services.message_post(actor=shop.staff.admin, order=order, body="Hello")
    url, return_url = f"/shop/orders/{order.pk}/", f"/shop/returns/{item.pk}/"
    dana.get(url)
    with CaptureQueriesContext(connection) as few:
        assert dana.get(url).status_code == 200
    with CaptureQueriesContext(connection) as few_return:
        assert dana.get(return_url).status_code == 200
    for n in range(3):
        _request(shop, order, quantity=1)
        message_services.message_post(actor=shop.staff.admin, order=order, body=f"More {n}")
        message_services.message_post(actor=shop.dana.user, order=order, body=f"Reply {n}")
    return_services.return_approve(actor=shop.staff.admin, request=item)
    ReturnPhoto.objects.create(request=item, image=item.photos.first().image.name)
    with CaptureQueriesContext(connection) as many:
        response = dana.get(url)
    assert len(response.context["thread"]) == 7 and len(response.context["returns"]) == 4
    with CaptureQueriesContext(connection) as many_return:
        response = dana.get(return_url)
    assert len(response.context["photos"]) == 2 and len(response.context["timeline"]) == 2
    assert len(few) == len(many), [q["sql"] for q in many]
    assert len(few_return) == len(many_return) <= DETAIL_BUDGET
