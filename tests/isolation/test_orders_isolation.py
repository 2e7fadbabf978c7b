"""Nothing of acme's orders or returns is reachable from globex: every order and return
URL of the dashboard, the shop and the API, by id, with a globex administrator's and a
globex dealer's session — 404 everywhere, including the print view, the PDF, the
attachment and the return photos, and nothing changes."""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context

from ordering.customers.services import contacts, customers
from ordering.orders.models import Order
from tests.conftest import TenantClient, host_of
from tests.orders.conftest import build_shop, dealer_login, place

STAFF_GET = ["/dashboard/orders/{pk}/", "/dashboard/orders/{pk}/print/",
             "/dashboard/orders/{pk}/pdf/", "/dashboard/orders/{pk}/attachment/",
             "/api/v1/orders/{pk}/", "/api/v1/orders/{pk}/messages/"]
STAFF_POST = ["/dashboard/orders/{pk}/action/", "/dashboard/orders/{pk}/amend/",
              "/dashboard/orders/{pk}/ship/", "/dashboard/orders/{pk}/messages/",
              "/api/v1/orders/{pk}/approve/", "/api/v1/orders/{pk}/reject/",
              "/api/v1/orders/{pk}/cancel/", "/api/v1/orders/{pk}/receive/",
              "/api/v1/orders/{pk}/amend/", "/api/v1/orders/{pk}/shipments/",
              "/api/v1/orders/{pk}/messages/"]
DEALER_GET = ["/shop/orders/{pk}/", "/shop/orders/{pk}/attachment/",
              "/api/v1/my/orders/{pk}/", "/api/v1/my/orders/{pk}/messages/"]
RETURN_STAFF_GET = ["/dashboard/returns/{pk}/", "/dashboard/returns/{pk}/photos/{photo}/",
                    "/api/v1/returns/{pk}/"]
RETURN_STAFF_POST = ["/dashboard/returns/{pk}/approve/", "/dashboard/returns/{pk}/reject/",
                     "/dashboard/returns/{pk}/receive/", "/dashboard/returns/{pk}/refund/",
                     "/api/v1/returns/{pk}/approve/", "/api/v1/returns/{pk}/reject/",
                     "/api/v1/returns/{pk}/receive/", "/api/v1/returns/{pk}/refund/"]
RETURN_DEALER_GET = ["/shop/returns/{pk}/", "/shop/returns/{pk}/photos/{photo}/",
                     "/shop/orders/{order}/return/"]
DEALER_POST = ["/shop/orders/{pk}/cancel/", "/shop/orders/{pk}/receive/",
               "/shop/orders/{pk}/accept/", "/shop/orders/{pk}/reorder/",
               "/api/v1/my/orders/{pk}/cancel/", "/api/v1/my/orders/{pk}/receive/",
               "/api/v1/my/orders/{pk}/accept/", "/api/v1/my/orders/{pk}/returns/",
               "/api/v1/my/orders/{pk}/messages/"]


@pytest.fixture
def acme_order(acme):
    with tenant_context(acme):
        shop = build_shop(acme)
        return place(shop)


@pytest.fixture
def acme_return(acme):
    """A shipped acme order with a return that has a photo."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from ordering.orders import workflow
    from ordering.orders.services import returns
    from ordering.orders.services.shipments import shipment_create

    with tenant_context(acme):
        shop = build_shop(acme)
        order = place(shop)
        for _ in range(3):
            order = workflow.transition(order=order, action=workflow.APPROVE,
                                        actor=shop.staff.admin)
        line = order.lines.get()
        shipment_create(actor=shop.staff.admin, order=order, quantities={line.pk: 10})
        buffer = io.BytesIO()
        Image.new("RGB", (20, 20), (0, 90, 200)).save(buffer, "PNG")
        request = returns.return_request(
            actor=shop.dana.user, order=order, quantities={line.pk: 2}, reason="Leaking",
            photos=[SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")])
        return request, request.photos.get()


@pytest.fixture
def globex_users(globex):
    with tenant_context(globex):
        admin = get_user_model().objects.get(email="owner@globex.example")
        customer = customers.customer_create(actor=None, name="Globex buyer")
        contacts.address_save(actor=None, customer=customer, recipient="G", phone="1",
                              address="Road")
        dealer = dealer_login(customer, "buyer@globex-iso.example").user
    return admin, dealer


def _statuses(client, paths, pk, method, **ids):
    seen = {}
    for path in paths:
        url = path.format(pk=pk, **ids)
        response = (client.get(url) if method == "get" else
                    client.post(url, {"reason": "x", "body": "x", "quantities": {}},
                                content_type="application/json"))
        seen[url] = response.status_code
    return seen


def test_acme_orders_are_404_on_globex_for_staff_and_dealers(acme, globex, acme_order,
                                                             globex_users, login_as):
    admin, dealer = globex_users
    staff = login_as(TenantClient(host_of(globex)), globex, admin)
    buyer = login_as(TenantClient(host_of(globex)), globex, dealer)
    results = {**_statuses(staff, STAFF_GET, acme_order.pk, "get"),
               **_statuses(staff, STAFF_POST, acme_order.pk, "post"),
               **_statuses(buyer, DEALER_GET, acme_order.pk, "get"),
               **_statuses(buyer, DEALER_POST, acme_order.pk, "post")}
    assert {url: code for url, code in results.items() if code != 404} == {}
    listing = staff.get("/api/v1/orders/").json()
    assert all(o["number"] != acme_order.number for o in listing["results"])
    assert acme_order.number.encode() not in staff.get("/dashboard/orders/").content
    with tenant_context(acme):
        order = Order.objects.get(pk=acme_order.pk)
        assert order.status == acme_order.status and order.events.count() == 2


def test_acme_returns_are_404_on_globex(acme, globex, acme_return, globex_users, login_as):
    request, photo = acme_return
    admin, dealer = globex_users
    staff = login_as(TenantClient(host_of(globex)), globex, admin)
    buyer = login_as(TenantClient(host_of(globex)), globex, dealer)
    ids = {"photo": photo.pk, "order": request.order_id}
    results = {**_statuses(staff, RETURN_STAFF_GET, request.pk, "get", **ids),
               **_statuses(staff, RETURN_STAFF_POST, request.pk, "post", **ids),
               **_statuses(buyer, RETURN_DEALER_GET, request.pk, "get", **ids)}
    assert {url: code for url, code in results.items() if code != 404} == {}
    assert request.number.encode() not in staff.get("/dashboard/returns/").content
    assert staff.get("/api/v1/returns/").json()["count"] == 0
    assert photo.image.url.encode() and staff.get(photo.image.url).status_code == 404
    with tenant_context(acme):
        request.refresh_from_db()
        assert request.status == "requested"
