"""Regressions from the adversarial review of the orders domain: review holds that
survive a switched-off order review, refunds never above what was paid, bounded input
(dates, totals, units, quantities, amendments) as 4xx instead of 500, and idempotency
keys that are refused rather than cut."""

from decimal import Decimal

import pytest

from ordering.catalog.enums import MovementKind
from ordering.catalog.services import products as catalog
from ordering.catalog.services.stock import stock_move
from ordering.orders import workflow
from ordering.orders.enums import OrderStatus, ReturnCondition
from ordering.orders.models import CartLine, Order
from ordering.orders.services import returns
from ordering.orders.services.amendments import order_amend
from ordering.orders.services.shipments import shipment_create
from tests.conftest import TenantClient, host_of
from tests.orders.conftest import place, set_workflow

S = OrderStatus
API = "/api/v1"
JSON = "application/json"


@pytest.fixture
def as_user(acme, login_as):
    def _client(user):
        client = login_as(TenantClient(host_of(acme)), acme, user)
        client.raise_request_exception = False  # a 500 is a response, not a test crash
        return client

    return _client


def _unpriced(shop):
    """A product without a list price: its lines wait for a price (待核价)."""
    product = catalog.product_create(actor=None, name="Sample crate", code="SC",
                                     unit=catalog.unit_get_or_create("bottle"), on_shelf=True)
    crate = catalog.variant_save(actor=None, product=product, code="SC-1", list_price="0")
    stock_move(actor=None, variant=crate, kind=MovementKind.RECEIPT, quantity=10)
    return crate


# --- 500s on bad input -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/dashboard/orders/?since=2026-02-31",
                                  "/dashboard/orders/?until=2026-13-01",
                                  f"{API}/orders/?since=2026-02-31"])
def test_staff_order_list_with_an_impossible_date_is_not_a_500(shop, as_user, path):
    response = as_user(shop.staff.admin).get(path)
    assert response.status_code < 500, response.status_code


def test_dealer_order_api_with_an_impossible_date_is_not_a_500(shop, as_user):
    response = as_user(shop.dana.user).get(f"{API}/my/orders/?since=2026-02-31")
    assert response.status_code < 500, response.status_code


@pytest.mark.parametrize("query", ["min_total=nan", "max_total=1e400", "min_total=inf"])
def test_staff_order_list_with_a_non_finite_total_is_not_a_500(shop, as_user, query):
    response = as_user(shop.staff.admin).get(f"/dashboard/orders/?{query}")
    assert response.status_code < 500, response.status_code


def test_cart_line_unit_that_is_not_a_number_is_not_a_500_on_the_page(shop, as_user):
    CartLine.objects.create(login=shop.dana, variant=shop.juice, quantity=2)
    line = CartLine.objects.get(login=shop.dana)
    response = as_user(shop.dana.user).post(f"/shop/cart/lines/{line.pk}/",
                                            {"quantity": "3", "unit": "abc"})
    assert response.status_code < 500, response.status_code


def test_cart_line_unit_that_is_not_a_number_is_not_a_500_on_the_api(shop, as_user):
    CartLine.objects.create(login=shop.dana, variant=shop.juice, quantity=2)
    line = CartLine.objects.get(login=shop.dana)
    response = as_user(shop.dana.user).patch(f"{API}/cart/lines/{line.pk}/",
                                             {"quantity": 3, "unit": "abc"}, content_type=JSON)
    assert response.status_code == 400, response.status_code


def test_adding_a_huge_quantity_to_the_cart_is_refused_not_a_500(shop, as_user):
    response = as_user(shop.dana.user).post("/shop/cart/add/", {
        "variant": str(shop.juice.pk), "unit": "", "quantity": "99999999999"})
    assert response.status_code == 400, response.status_code
    assert not CartLine.objects.filter(login=shop.dana).exists()


def test_quick_order_with_a_huge_quantity_is_not_a_500_on_the_api(shop, as_user):
    response = as_user(shop.dana.user).post(f"{API}/cart/quick-order/",
                                            {"text": "OJ-1, 99999999999"}, content_type=JSON)
    assert response.status_code < 500, response.status_code


def test_amend_api_with_a_huge_quantity_is_refused_not_a_500(shop, as_user):
    order = place(shop)
    line = order.lines.get()
    response = as_user(shop.staff.admin).post(f"{API}/orders/{order.pk}/amend/", {
        "changes": [{"line": line.pk, "quantity": 3_000_000_000}]}, content_type=JSON)
    assert response.status_code == 400, response.status_code


def test_amend_page_price_times_quantity_overflow_is_refused_not_a_500(shop, as_user):
    set_workflow(shop.tenant, reserve_at="outbound")  # no stock check on the new quantity
    order = place(shop)
    line = order.lines.get()
    response = as_user(shop.staff.admin).post(f"/dashboard/orders/{order.pk}/amend/", {
        f"qty_{line.pk}": "10000000", f"price_{line.pk}": "9999999999.00",
        f"why_{line.pk}": "typo test", "shipping_fee": "15.00"})
    assert response.status_code == 400, response.status_code


# --- the workflow: order review's guards are bypassed when the step is switched off ----


def test_price_to_be_confirmed_holds_the_order_even_with_order_review_switched_off(shop):
    crate = _unpriced(shop)
    set_workflow(shop.tenant, off=[S.ORDER_REVIEW])
    order = place(shop, lines=[{"variant": crate.pk, "quantity": 2}])
    assert order.lines.get().price_pending
    # the line has no price, and only order review can set it: the order must wait there
    assert order.status == S.ORDER_REVIEW, order.status


def test_switching_order_review_off_does_not_advance_unpriced_or_unaccepted_orders(shop):
    crate = _unpriced(shop)
    unpriced = place(shop, lines=[{"variant": crate.pk, "quantity": 2}])
    raised = place(shop)
    line = raised.lines.get()
    order_amend(actor=shop.staff.admin, order=raised,
                changes={line.pk: {"quantity": 20}})  # the total rises: the dealer must accept
    assert Order.objects.get(pk=raised.pk).awaiting_dealer
    set_workflow(shop.tenant, off=[S.ORDER_REVIEW])
    workflow.advance_switched_off()
    statuses = {"unpriced": Order.objects.get(pk=unpriced.pk).status,
                "awaiting the dealer": Order.objects.get(pk=raised.pk).status}
    # both moved on: a line at 0.00 and a raised total the dealer never accepted
    assert statuses == {"unpriced": S.ORDER_REVIEW, "awaiting the dealer": S.ORDER_REVIEW}


# --- money: a refund above what the dealer paid -----------------------------------------


def test_refund_of_a_whole_case_never_exceeds_what_the_case_cost(shop):
    order = place(shop, lines=[{"variant": shop.juice.pk, "unit": shop.case_unit.pk,
                                "quantity": 1}])
    line = order.lines.get()
    assert line.factor == 12
    order_amend(actor=shop.staff.admin, order=order,
                changes={line.pk: {"unit_price": "20.00", "price_reason": "Deal"}})
    line.refresh_from_db()
    assert line.line_total == Decimal("20.00")
    for _ in range(3):
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    shipment_create(actor=shop.staff.shipper, order=order, quantities={line.pk: 12})
    request = returns.return_request(actor=shop.dana.user, order=order,
                                     quantities={line.pk: 12}, reason="Wrong flavour")
    request = returns.return_approve(actor=shop.staff.warehouse, request=request)
    return_line = request.lines.get()
    request = returns.return_receive(actor=shop.staff.warehouse, request=request, received={
        return_line.pk: (12, ReturnCondition.GOOD)})
    # the dealer paid 20.00 for the case; all twelve bottles came back
    assert request.refund_amount <= line.line_total, request.refund_amount
    with pytest.raises(Exception):
        returns.return_refund(actor=shop.staff.warehouse, request=request,
                              amount=Decimal("20.04"))


# --- idempotency ---------------------------------------------------------------------------


def test_checkout_retry_with_the_longest_idempotency_key_returns_the_first_order(shop, as_user):
    dana = as_user(shop.dana.user)
    dana.post(f"{API}/cart/", {"lines": [{"variant": shop.juice.pk, "quantity": 10}]},
              content_type=JSON)
    body = {"address": shop.address.pk, "payment_method": "transfer",
            "shipping_method": shop.truck.pk}
    too_long = dana.post(f"{API}/cart/checkout/", body, content_type=JSON,
                         headers={"Idempotency-Key": "k" * 81})
    assert too_long.status_code == 400  # refused, never cut (a cut key misses retries)
    assert too_long.json()["error"]["code"] == "invalid_idempotency_key"
    key = "k" * 80
    first = dana.post(f"{API}/cart/checkout/", body, content_type=JSON,
                      headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.content[:300]
    again = dana.post(f"{API}/cart/checkout/", body, content_type=JSON,
                      headers={"Idempotency-Key": key})
    assert again.status_code == 200, (again.status_code, again.content[:300])
    assert again.json()["id"] == first.json()["id"]
    assert Order.objects.count() == 1
