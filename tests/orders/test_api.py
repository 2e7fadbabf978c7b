"""The orders API: the dealer's cart, quick order and checkout with Idempotency-Key;
the staff order desk (list, detail, approve / reject / cancel per role, amendments,
shipments, receipt); the dealer's own orders; structured errors; query budgets; and
isolation (another company's or another tenant's order is 404 on every route)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from ordering.catalog.enums import MovementKind
from ordering.catalog.models import Variant
from ordering.catalog.services.stock import stock_move
from ordering.orders import workflow
from ordering.orders.enums import OrderStatus
from ordering.orders.models import CartLine, Order
from tests.conftest import TenantClient, host_of
from tests.orders.conftest import place

API = "/api/v1"
JSON = "application/json"
LIST_BUDGET = 10
DETAIL_BUDGET = 15


def _client(login_as, shop, user):
    return login_as(TenantClient(host_of(shop.tenant)), shop.tenant, user)


def _post(client, path, data=None, **headers):
    return client.post(f"{API}{path}", data if data is not None else {}, content_type=JSON,
                       headers=headers)


def _error(response, status=400):
    assert response.status_code == status, (response.status_code, response.content[:600])
    return response.json()["error"]


def _checkout_body(shop):
    return {"address": shop.address.pk, "payment_method": "transfer",
            "shipping_method": shop.truck.pk}


def test_dealer_fills_the_cart_and_checks_out_once_per_key(shop, login_as):
    dana = _client(login_as, shop, shop.dana.user)
    response = _post(dana, "/cart/", {"lines": [{"variant": shop.juice.pk, "quantity": 6},
                                                {"variant": shop.juice.pk, "quantity": 4}]})
    assert response.status_code == 201
    body = response.json()
    assert len(body["lines"]) == 1 and body["lines"][0]["quantity"] == 10
    assert body["subtotal"] == "80.00" and body["ok"] is True
    quick = _post(dana, "/cart/quick-order/", {"text": "CO-1, 12\nNOPE, 3\nOJ-1,1,case"})
    assert quick.status_code == 200
    result = quick.json()
    assert result["added"] == 2 and [e["row"] for e in result["errors"]] == [2]
    line = next(l for l in result["lines"] if l["sku_code"] == "CO-1")
    patched = dana.patch(f"{API}/cart/lines/{line['id']}/", {"quantity": 18}, content_type=JSON)
    assert next(l for l in patched.json()["lines"] if l["sku_code"] == "CO-1")["quantity"] == 18
    first = _post(dana, "/cart/checkout/", _checkout_body(shop), **{"Idempotency-Key": "abc"})
    assert first.status_code == 201, first.content
    order = first.json()
    assert order["number"].startswith("SO-") and order["status"] == OrderStatus.ORDER_REVIEW
    assert order["total"] == str(Decimal("80.00") + Decimal("72.00") + Decimal("96.00")
                                 + Decimal("15.00"))
    assert order["steps"][0] == OrderStatus.ORDER_REVIEW
    assert order["actions"] == [workflow.CANCEL]
    assert CartLine.objects.count() == 0
    again = _post(dana, "/cart/checkout/", _checkout_body(shop), **{"Idempotency-Key": "abc"})
    assert again.status_code == 200 and again.json()["id"] == order["id"]
    _post(dana, "/cart/", {"lines": [{"variant": shop.juice.pk, "quantity": 1}]})
    other = _post(dana, "/cart/checkout/", {**_checkout_body(shop), "remark": "changed"},
                  **{"Idempotency-Key": "abc"})
    assert _error(other, 422)["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_checkout_errors_are_structured_and_save_nothing(shop, login_as):
    dana = _client(login_as, shop, shop.dana.user)
    assert _error(_post(dana, "/cart/checkout/", _checkout_body(shop)))["code"] == "empty"
    _post(dana, "/cart/", {"lines": [{"variant": shop.juice.pk, "quantity": 101}]})
    error = _error(_post(dana, "/cart/checkout/", _checkout_body(shop)))
    assert error["code"] == "invalid_lines" and "lines" in error["fields"]
    error = _error(_post(dana, "/cart/checkout/", {**_checkout_body(shop),
                                                  "address": shop.other_address.pk}))
    assert "address" in error["fields"]
    error = _error(_post(dana, "/cart/checkout/", {"payment_method": "cash"}))
    assert {"address", "payment_method"} <= set(error["fields"])
    assert _error(_post(dana, "/cart/", {"lines": [{"variant": 999999, "quantity": 1}]}))
    assert Order.objects.count() == 0 and Variant.objects.get(pk=shop.juice.pk).reserved == 0


def test_view_only_login_and_staff_cannot_use_the_cart(shop, login_as):
    vic = _client(login_as, shop, shop.viewer.user)
    assert _error(_post(vic, "/cart/", {"lines": [{"variant": shop.juice.pk, "quantity": 1}]}),
                  403)
    admin = _client(login_as, shop, shop.staff.admin)
    assert admin.get(f"{API}/cart/").status_code == 403


@pytest.mark.parametrize("role, allowed", [
    ("admin", True), ("reviewer", True), ("finance", False), ("warehouse", False),
    ("shipper", False), ("sales", False)])
def test_order_review_approval_per_role(shop, login_as, role, allowed):
    order = place(shop)
    client = _client(login_as, shop, getattr(shop.staff, role))
    response = _post(client, f"/orders/{order.pk}/approve/")
    if role == "sales":  # the sales rep is not assigned this customer: it does not exist
        assert response.status_code in (403, 404)
    elif allowed:
        assert response.status_code == 200 and response.json()["status"] == "finance_review"
    else:
        assert _error(response, 403)["code"] == "permission_denied"


def test_staff_desk_walks_an_order_through_every_step(shop, login_as):
    order = place(shop)
    admin = _client(login_as, shop, shop.staff.admin)
    reject = _post(admin, f"/orders/{order.pk}/reject/", {"reason": ""})
    assert "reason" in _error(reject)["fields"]
    amended = _post(admin, f"/orders/{order.pk}/amend/", {
        "changes": [{"line": order.lines.get().pk, "quantity": 12, "unit_price": "7.50",
                     "price_reason": "Promo"}], "shipping_fee": "0", "reason": "Call"})
    assert amended.status_code == 200, amended.content
    assert amended.json()["total"] == "90.00"  # 12 × 7.50, no fee: lower than 95.00
    for _ in range(3):
        response = _post(admin, f"/orders/{order.pk}/approve/")
        assert response.status_code == 200
    assert response.json()["status"] == OrderStatus.SHIPPING
    line = order.lines.get()
    ship = _post(admin, f"/orders/{order.pk}/shipments/",
                 {"quantities": {str(line.pk): 5}, "carrier": shop.carrier.pk,
                  "tracking_number": "SF100"})
    assert ship.status_code == 201 and ship.json()["fulfilment_status"] == "partial"
    assert ship.json()["shipments"][0]["tracking_link"] == "https://sf.example/SF100"
    too_many = _post(admin, f"/orders/{order.pk}/shipments/", {"quantities": {str(line.pk): 8}})
    assert str(line.pk) in _error(too_many)["fields"]
    _post(admin, f"/orders/{order.pk}/shipments/", {"quantities": {str(line.pk): 7}})
    dana = _client(login_as, shop, shop.dana.user)
    mine = dana.get(f"{API}/my/orders/{order.pk}/").json()
    assert mine["status"] == OrderStatus.RECEIPT and mine["actions"] == [workflow.RECEIVE]
    done = _post(dana, f"/my/orders/{order.pk}/receive/")
    assert done.json()["status"] == OrderStatus.COMPLETED
    kinds = [e["kind"] for e in done.json()["events"]]
    assert kinds.count("shipped") == 2 and "amended" in kinds and kinds[-1] == "received"


def test_dealer_accepts_an_amendment_that_raises_the_total(shop, login_as):
    order = place(shop)
    admin = _client(login_as, shop, shop.staff.admin)
    _post(admin, f"/orders/{order.pk}/amend/", {
        "add": [{"variant": shop.cola.pk, "quantity": 6}], "reason": "Add cola"})
    blocked = _post(admin, f"/orders/{order.pk}/approve/")
    assert _error(blocked, 409)["code"] == "awaiting_dealer"
    dana = _client(login_as, shop, shop.dana.user)
    detail = dana.get(f"{API}/my/orders/{order.pk}/").json()
    assert detail["awaiting_dealer"] is True
    diff = next(e for e in detail["events"] if e["kind"] == "amended")["data"]["diff"]
    assert diff == [{"change": "added", "after": {
        "sku": "CO-1", "name": "Cola", "spec": "", "unit": "bottle", "quantity": 6,
        "price": "4.00", "total": "24.00"}}]
    assert _post(dana, f"/my/orders/{order.pk}/accept/").status_code == 200
    assert _post(admin, f"/orders/{order.pk}/approve/").status_code == 200
    assert Variant.objects.get(pk=shop.cola.pk).reserved == 6


def test_staff_places_an_order_on_behalf_with_an_idempotency_key(shop, login_as):
    admin = _client(login_as, shop, shop.staff.admin)
    body = {**_checkout_body(shop), "customer": shop.customer.pk,
            "lines": [{"variant": shop.juice.pk, "quantity": 3}]}
    first = _post(admin, "/orders/", body, **{"Idempotency-Key": "phone-1"})
    assert first.status_code == 201 and first.json()["on_behalf"] is True
    assert _post(admin, "/orders/", body, **{"Idempotency-Key": "phone-1"}).status_code == 200
    finance = _client(login_as, shop, shop.staff.finance)
    assert _error(_post(finance, "/orders/", body), 403)
    assert Order.objects.count() == 1


def test_another_company_and_another_tenant_get_404_everywhere(shop, login_as, globex):
    order = place(shop)
    olga = _client(login_as, shop, shop.olga.user)
    assert olga.get(f"{API}/my/orders/{order.pk}/").status_code == 404
    for action in ("cancel", "receive", "accept"):
        assert _post(olga, f"/my/orders/{order.pk}/{action}/").status_code == 404
    assert all(o["id"] != order.pk for o in olga.get(f"{API}/my/orders/").json()["results"])
    with tenant_context(globex):
        from tests.factories.roles import staff_with_roles

        outsider = staff_with_roles("system_administrator", email="boss@globex.example")
    stranger = login_as(TenantClient(host_of(globex)), globex, outsider)
    assert stranger.get(f"{API}/orders/{order.pk}/").status_code == 404
    for action in ("approve", "reject", "cancel", "receive", "amend", "shipments"):
        assert _post(stranger, f"/orders/{order.pk}/{action}/", {"reason": "x"}).status_code \
            in (400, 404)
        response = _post(stranger, f"/orders/{order.pk}/{action}/", {
            "reason": "x", "quantities": {"1": 1}})
        assert response.status_code == 404
    assert stranger.get(f"{API}/orders/").json()["count"] == 0
    # the acme session cookie means nothing on globex
    admin = _client(login_as, shop, shop.staff.admin)
    crossed = TenantClient(host_of(globex))
    crossed.cookies = admin.cookies
    assert crossed.get(f"{API}/orders/{order.pk}/").status_code in (401, 403)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ORDER_REVIEW


def test_sales_rep_sees_only_assigned_customers_orders(shop, login_as):
    from guardian.shortcuts import assign_perm

    order = place(shop)
    rep = _client(login_as, shop, shop.staff.sales)
    assert rep.get(f"{API}/orders/").json()["count"] == 0
    assert rep.get(f"{API}/orders/{order.pk}/").status_code == 404
    assign_perm("customers.work_with_customer", shop.staff.sales, shop.customer)
    rep = _client(login_as, shop, shop.staff.sales)
    assert rep.get(f"{API}/orders/").json()["count"] == 1
    assert rep.get(f"{API}/orders/{order.pk}/").status_code == 200


@pytest.mark.parametrize("path, budget", [("/orders/", LIST_BUDGET), ("/my/orders/", LIST_BUDGET)])
def test_list_queries_do_not_grow_with_orders(shop, login_as, path, budget):
    user = shop.dana.user if path.startswith("/my") else shop.staff.admin
    client = _client(login_as, shop, user)
    stock_move(actor=None, variant=shop.cola, kind=MovementKind.RECEIPT, quantity=200)
    client.get(f"{API}{path}")  # warm the process-wide caches (tenant, content types)
    counts = []
    for total in (3, 20):
        while Order.objects.count() < total:
            place(shop, lines=[{"variant": shop.juice.pk, "quantity": 1},
                               {"variant": shop.cola.pk, "quantity": 6}])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{API}{path}")
        assert response.status_code == 200 and response.json()["count"] == total
        counts.append(len(queries))
    assert counts[0] == counts[1] <= budget, counts


def test_detail_queries_within_budget(shop, login_as):
    order = place(shop, lines=[{"variant": shop.juice.pk, "quantity": 2},
                               {"variant": shop.cola.pk, "quantity": 6}])
    for _ in range(2):
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    for user, path in ((shop.staff.admin, f"/orders/{order.pk}/"),
                       (shop.dana.user, f"/my/orders/{order.pk}/")):
        client = _client(login_as, shop, user)
        client.get(f"{API}{path}")  # warm the process-wide caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}{path}").status_code == 200
        assert len(queries) <= DETAIL_BUDGET, [q["sql"][:120] for q in queries]
