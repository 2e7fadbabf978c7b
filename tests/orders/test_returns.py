"""Returns: request within what was shipped (also when two requests race), review,
goods received back into stock by condition, refund; permissions and isolation."""

import io
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from ordering.catalog.enums import MovementKind
from ordering.catalog.models import StockMovement, Variant
from ordering.orders import workflow
from ordering.orders.enums import ReturnCondition, ReturnStatus
from ordering.orders.models import Order, OrderLine, ReturnRequest
from ordering.orders.services import returns
from ordering.orders.services.shipments import shipment_create
from tests.orders.conftest import place


def _shipped(shop, quantity=10, ship=None):
    order = place(shop, lines=[{"variant": shop.juice.pk, "quantity": quantity}])
    for _ in range(3):
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    line = order.lines.get()
    shipment_create(actor=shop.staff.shipper, order=order,
                    quantities={line.pk: ship if ship is not None else quantity})
    return Order.objects.get(pk=order.pk), line


def test_a_return_goes_from_request_to_refund(shop):
    order, line = _shipped(shop)
    request = returns.return_request(actor=shop.dana.user, order=order,
                                     quantities={line.pk: 4}, reason="Two cases leaked")
    assert request.status == ReturnStatus.REQUESTED and request.number.startswith("RT-SO-")
    request = returns.return_approve(actor=shop.staff.warehouse, request=request)
    on_hand = Variant.objects.get(pk=shop.juice.pk).on_hand
    rl = request.lines.get()
    request = returns.return_receive(actor=shop.staff.warehouse, request=request, received={
        rl.pk: (3, ReturnCondition.GOOD)})
    assert Variant.objects.get(pk=shop.juice.pk).on_hand == on_hand + 3
    assert StockMovement.objects.filter(kind=MovementKind.RETURN, reference=request.number
                                        ).count() == 1
    assert OrderLine.objects.get(pk=line.pk).returned_quantity == 3
    assert request.refund_amount == Decimal("24.00")  # 3 × 8.00 as ordered
    with pytest.raises(ApplicationError):
        returns.return_refund(actor=shop.staff.admin, request=request, amount="99999")
    request = returns.return_refund(actor=shop.staff.admin, request=request)
    assert request.status == ReturnStatus.COMPLETED
    assert list(request.events.values_list("status", flat=True)) == [
        "requested", "approved", "received", "completed"]


def test_damaged_goods_are_not_restocked(shop):
    order, line = _shipped(shop)
    request = returns.return_request(actor=shop.dana.user, order=order,
                                     quantities={line.pk: 2}, reason="Broken")
    returns.return_approve(actor=shop.staff.admin, request=request)
    on_hand = Variant.objects.get(pk=shop.juice.pk).on_hand
    returns.return_receive(actor=shop.staff.admin, request=request,
                           received={request.lines.get().pk: (2, ReturnCondition.DAMAGED)})
    assert Variant.objects.get(pk=shop.juice.pk).on_hand == on_hand
    assert OrderLine.objects.get(pk=line.pk).returned_quantity == 2


def test_returns_never_exceed_what_was_shipped(shop):
    order, line = _shipped(shop, quantity=10, ship=6)
    with pytest.raises(ApplicationError) as error:
        returns.return_request(actor=shop.dana.user, order=order, quantities={line.pk: 7},
                               reason="x")
    assert "At most 6" in str(error.value.fields)
    first = returns.return_request(actor=shop.dana.user, order=order, quantities={line.pk: 4},
                                   reason="x")
    with pytest.raises(ApplicationError):  # the open request claims 4 of the 6
        returns.return_request(actor=shop.dana.user, order=order, quantities={line.pk: 3},
                               reason="x")
    returns.return_reject(actor=shop.staff.admin, request=first, reason="Not our fault")
    again = returns.return_request(actor=shop.dana.user, order=order, quantities={line.pk: 6},
                                   reason="x")
    assert again.lines.get().quantity == 6
    assert returns.returnable(order) == {line.pk: 0}


def test_who_may_handle_returns(shop):
    order, line = _shipped(shop)
    with pytest.raises(NotFoundError):
        returns.return_request(actor=shop.olga.user, order=order, quantities={line.pk: 1},
                               reason="x")
    with pytest.raises(PermissionDeniedError):
        returns.return_request(actor=shop.viewer.user, order=order, quantities={line.pk: 1},
                               reason="x")
    request = returns.return_request(actor=shop.dana.user, order=order,
                                     quantities={line.pk: 1}, reason="x")
    for name in ("finance", "shipper", "reviewer"):
        with pytest.raises(PermissionDeniedError):
            returns.return_approve(actor=getattr(shop.staff, name), request=request)
    with pytest.raises(ApplicationError):
        returns.return_reject(actor=shop.staff.warehouse, request=request, reason=" ")
    returns.return_approve(actor=shop.staff.warehouse, request=request)
    with pytest.raises(ConflictError):
        returns.return_approve(actor=shop.staff.warehouse, request=request)
    with pytest.raises(ConflictError):  # not received yet
        returns.return_refund(actor=shop.staff.warehouse, request=request)


def test_photos_must_be_images(shop):
    from PIL import Image

    order, line = _shipped(shop)
    fake = SimpleUploadedFile("photo.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ApplicationError) as error:
        returns.return_request(actor=shop.dana.user, order=order, quantities={line.pk: 1},
                               reason="x", photos=[fake])
    assert "photos" in error.value.fields
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 0, 0)).save(buffer, "PNG")
    photo = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    request = returns.return_request(actor=shop.dana.user, order=order,
                                     quantities={line.pk: 1}, reason="x", photos=[photo])
    assert request.photos.get().image.name.startswith("private/returns/")
    assert ReturnRequest.objects.count() == 1


def test_two_return_requests_at_once_cannot_exceed_the_shipped_quantity(committed_db):
    from tenants.models import Tenant

    acme = Tenant.objects.get(slug="acme")
    with tenant_context(acme):
        # a fresh world in the committed acme schema: unique codes and e-mails
        from ordering.catalog.services import products as catalog
        from ordering.catalog.services.stock import stock_move
        from ordering.customers.services import contacts, customers
        from ordering.orders.services.checkout import order_place
        from tests.orders.conftest import dealer_login
        from tests.factories.roles import staff_with_roles

        tag = uuid.uuid4().hex[:8]
        # on credit: the order passes finance review under acme's rules
        customer = customers.customer_create(actor=None, name=f"Returns {tag}",
                                             credit_limit="1000")
        login = dealer_login(customer, f"ret-{tag}@example.com")
        address = contacts.address_save(actor=None, customer=customer, recipient="R",
                                        phone="1", address="Road")
        product = catalog.product_create(actor=None, name=f"Ret {tag}", code=f"RET{tag}",
                                         unit=catalog.unit_get_or_create("piece"), on_shelf=True)
        variant = catalog.variant_save(actor=None, product=product, code=f"RET{tag}-1",
                                       list_price="2.00")
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=10)
        admin = staff_with_roles("system_administrator", email=f"ret-{tag}@acme.example")
        order = order_place(actor=login.user, lines=[{"variant": variant.pk, "quantity": 5}],
                            address_id=address.pk, payment_method="credit").order
        for _ in range(3):
            order = workflow.transition(order=order, action=workflow.APPROVE, actor=admin)
        line = order.lines.get()
        shipment_create(actor=admin, order=order, quantities={line.pk: 5})
    barrier = threading.Barrier(4)
    results = []

    def ask():
        try:
            with tenant_context(acme):
                barrier.wait()
                results.append(returns.return_request(actor=login.user, order=order,
                                                      quantities={line.pk: 3}, reason="race"))
        except ApplicationError as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = [r for r in results if isinstance(r, ReturnRequest)]
    assert len(made) == 1 and len(results) == 4
    with tenant_context(acme):
        assert sum(r.lines.get().quantity for r in ReturnRequest.objects.filter(order=order)) == 3


def test_returns_over_the_api(shop, login_as, globex):
    from tests.conftest import TenantClient, host_of
    from tests.factories.roles import staff_with_roles

    order, line = _shipped(shop)
    dana = login_as(TenantClient(host_of(shop.tenant)), shop.tenant, shop.dana.user)
    too_many = dana.post(f"/api/v1/my/orders/{order.pk}/returns/",
                         {"quantities": {str(line.pk): 11}, "reason": "x"},
                         content_type="application/json")
    assert too_many.status_code == 400 and str(line.pk) in too_many.json()["error"]["fields"]
    made = dana.post(f"/api/v1/my/orders/{order.pk}/returns/",
                     {"quantities": {str(line.pk): 2}, "reason": "Leaking"},
                     content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert dana.get("/api/v1/my/returns/").json()["count"] == 1
    olga = login_as(TenantClient(host_of(shop.tenant)), shop.tenant, shop.olga.user)
    assert olga.post(f"/api/v1/my/orders/{order.pk}/returns/", {
        "quantities": {str(line.pk): 1}, "reason": "x"},
        content_type="application/json").status_code == 404
    assert olga.get("/api/v1/my/returns/").json()["count"] == 0
    finance = login_as(TenantClient(host_of(shop.tenant)), shop.tenant, shop.staff.finance)
    assert finance.get("/api/v1/returns/").status_code == 403
    wh = login_as(TenantClient(host_of(shop.tenant)), shop.tenant, shop.staff.warehouse)
    url = f"/api/v1/returns/{body['id']}"
    assert wh.post(f"{url}/approve/", {}, content_type="application/json").status_code == 200
    received = wh.post(f"{url}/receive/", {"lines": [{"line": body["lines"][0]["id"],
                                                      "quantity": 2, "condition": "good"}]},
                       content_type="application/json")
    assert received.json()["status"] == "received" and received.json()["refund_amount"] == "16.00"
    refunded = wh.post(f"{url}/refund/", {"method": "recorded", "reference": "Bank 123"},
                       content_type="application/json")
    assert refunded.json()["status"] == "completed"
    with tenant_context(globex):
        boss = staff_with_roles("system_administrator", email="boss2@globex.example")
    stranger = login_as(TenantClient(host_of(globex)), globex, boss)
    assert stranger.get(f"{url}/").status_code == 404
    assert stranger.post(f"{url}/approve/", {}, content_type="application/json").status_code == 404


def test_units_that_never_came_back_can_be_returned_again(shop):
    order, line = _shipped(shop)
    request = returns.return_request(actor=shop.dana.user, order=order,
                                     quantities={line.pk: 5}, reason="Five broken")
    returns.return_approve(actor=shop.staff.admin, request=request)
    returns.return_receive(actor=shop.staff.admin, request=request,
                           received={request.lines.get().pk: (3, ReturnCondition.DAMAGED)})
    assert returns.returnable(order) == {line.pk: 7}
