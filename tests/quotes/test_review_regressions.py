"""What an adversarial review of inquiries and quotations found, each proved here and
fixed: an acceptance binds to the version the accepting person saw; a line without tiers
is ordered at its quoted quantity (the API too); a line quoted at 0.00 is not held as
"price to be confirmed"; amounts an order cannot hold and quantities the product cannot
be ordered in are refused when the quotation is sent (and an oversized acceptance is
refused, not a server error); the inquiry's page keeps its query budget for a sales rep
and with unread messages; tiers typed with full-width characters are read."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.exceptions import ApplicationError
from ordering.orders import workflow as order_workflow
from ordering.orders.enums import OrderStatus, PaymentMethod
from ordering.orders.models import Order
from ordering.quotes import messages as thread
from ordering.quotes import services, tiers as tier_rules
from ordering.quotes.models import Quotation
from ordering.settings.services import settings_update
from tests.conftest import TenantClient, host_of
from tests.finance.test_api import _client, _error, _ok, _post
from tests.quotes.conftest import accept, answer, ask, soon
from tests.quotes.test_attachments import pdf

BUDGET, LIST_BUDGET = 15, 10


@pytest.fixture
def as_user(acme, login_as):
    def _client_for(user):
        return login_as(TenantClient(host_of(acme)), acme, user)

    return _client_for


def _form_data(response):
    """What the browser sends back: every field of the rendered form as it is."""
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    return {name: form[name].value() if form[name].value() is not None else ""
            for name in form.fields}


def _expire_and_requote(shop, inquiry, *, juice="9.90"):
    """v1 passes its date, the expiry task closes it, staff quote v2 at other prices."""
    Quotation.objects.filter(inquiry=inquiry).update(
        valid_until=timezone.localdate() - timedelta(days=1))
    services.quotations_expire()
    inquiry.refresh_from_db()
    return answer(shop, inquiry, prices=(juice, "4.00"))


# --- an acceptance is of the version the person saw ---------------------------------------------


def test_the_dealer_accepts_the_version_it_saw_not_one_sent_since(shop, as_user):
    inquiry = ask(shop)
    answer(shop, inquiry)  # v1: juice at 7.50
    dana = as_user(shop.dana.user)
    data = _form_data(dana.get(f"/shop/quotes/{inquiry.pk}/accept/"))  # v1 on screen
    _expire_and_requote(shop, inquiry)  # meanwhile v2: juice at 9.90
    response = dana.post(f"/shop/quotes/{inquiry.pk}/accept/", data)
    assert response.status_code == 400
    assert "version 2" in response.content.decode()
    assert not Order.objects.exists()
    assert response.context["quotation"].version == 2  # the page now shows v2
    again = dana.post(f"/shop/quotes/{inquiry.pk}/accept/", _form_data(
        dana.get(f"/shop/quotes/{inquiry.pk}/accept/")))
    assert again.status_code == 302
    assert Order.objects.get().lines.get(sku_code="OJ-1").unit_price == Decimal("9.90")


def test_staff_accept_the_version_they_saw_not_one_sent_since(shop, as_user):
    inquiry = ask(shop)
    answer(shop, inquiry)
    admin = as_user(shop.staff.admin)
    data = _form_data(admin.get(f"/dashboard/quotes/{inquiry.pk}/accept/"))
    data.update({"address": str(shop.address.pk), "shipping_method": str(shop.truck.pk),
                 "payment_method": PaymentMethod.TRANSFER})
    _expire_and_requote(shop, inquiry)
    response = admin.post(f"/dashboard/quotes/{inquiry.pk}/accept/", data)
    assert response.status_code == 400 and "version 2" in response.content.decode()
    assert not Order.objects.exists()


def test_the_api_refuses_an_acceptance_of_a_version_no_longer_current(shop, login_as):
    inquiry = ask(shop)
    answer(shop, inquiry)
    _expire_and_requote(shop, inquiry)
    dana = _client(login_as, shop, shop.dana.user)
    body = {"address": shop.address.pk, "payment_method": "transfer",
            "shipping_method": shop.truck.pk}
    path = f"/my/inquiries/{inquiry.pk}/accept/"
    error = _error(_post(dana, path, {**body, "version": 1}), 409)
    assert error["code"] == "quotation_changed" and not Order.objects.exists()
    order = _ok(_post(dana, path, {**body, "version": 2}), 201)
    assert order["subtotal"] == "1428.00"  # 120 × 9.90 + 60 × 4.00


# --- money at acceptance ----------------------------------------------------------------------


def test_a_line_without_tiers_is_ordered_at_its_quoted_quantity_also_through_the_api(
        shop, login_as):
    """The pages offer a quantity only for lines with tiers; the API may not do more: 120
    bottles quoted at 7.50 are not 1 bottle at 7.50."""
    inquiry = ask(shop)
    answer(shop, inquiry)
    juice = inquiry.quotations.get().lines.first()
    dana = _client(login_as, shop, shop.dana.user)
    response = _post(dana, f"/my/inquiries/{inquiry.pk}/accept/", {
        "address": shop.address.pk, "payment_method": "transfer",
        "shipping_method": shop.truck.pk, "quantities": {str(juice.pk): 1}})
    error = _error(response, 400)
    assert error["code"] == "invalid_lines" and str(juice.pk) in error["fields"]["lines"]
    assert not Order.objects.exists()
    with pytest.raises(ApplicationError):
        accept(shop, inquiry, quantities={juice.pk: 121})
    assert accept(shop, inquiry, quantities={juice.pk: 120}).order.lines.get(
        sku_code="OJ-1").quantity == 120  # the quoted quantity itself is fine


@pytest.mark.parametrize("skip", [False, True])
def test_a_line_quoted_at_zero_is_not_held_as_a_price_to_confirm(shop, skip):
    """A free sample agreed in the quotation: the order keeps 0.00 and is not stuck at
    order review waiting for a price nobody may set."""
    settings_update(actor=None, quoted_skip_review=skip)
    inquiry = ask(shop)
    answer(shop, inquiry, prices=("0.00", "4.00"))
    order = accept(shop, inquiry).order
    juice = order.lines.get(sku_code="OJ-1")
    assert (juice.unit_price, juice.line_total, juice.price_pending) == (
        Decimal("0.00"), Decimal("0.00"), False)
    if skip:
        assert order.status == OrderStatus.FINANCE_REVIEW
    else:
        assert order.status == OrderStatus.ORDER_REVIEW
        assert order_workflow.review_hold(order) is None
        approved = order_workflow.transition(order=order, action=order_workflow.APPROVE,
                                             actor=shop.staff.reviewer)
        assert approved.status != OrderStatus.ORDER_REVIEW


def test_a_quotation_bigger_than_an_order_can_hold_is_refused_when_sent(shop):
    inquiry = ask(shop)
    with pytest.raises(ApplicationError) as caught:
        answer(shop, inquiry, prices=("50000000000.00", "4.00"))  # 120 × 5e10 = 6e12
    juice_line = inquiry.lines.first()
    assert caught.value.code == "invalid_lines"
    assert str(juice_line.pk) in caught.value.fields["lines"]
    assert not Quotation.objects.exists()


def test_an_acceptance_too_big_for_an_order_is_refused_not_a_server_error(shop):
    """A tier chosen at acceptance can make the order's amounts too big for its columns:
    refused with a message, nothing written."""
    inquiry = ask(shop)
    answer(shop, inquiry, tiers=[{"min_qty": 500, "price": "5000000000.00"}])
    juice = inquiry.quotations.get().lines.first()
    with pytest.raises(ApplicationError) as caught:
        accept(shop, inquiry, quantities={juice.pk: 600})  # 600 × 5e9 = 3e12
    assert caught.value.status == 400
    assert not Order.objects.exists()


def test_a_quantity_the_product_cannot_be_ordered_in_is_refused_when_sent(shop):
    """Cola is sold from 6 bottles in multiples of 6: a quotation for 50 could never be
    accepted, so it is not sent."""
    inquiry = ask(shop)
    juice_line, crate_line = inquiry.lines.all()
    with pytest.raises(ApplicationError) as caught:
        services.quotation_send(actor=shop.staff.admin, inquiry=inquiry, valid_until=soon(),
                                lines=[{"inquiry_line": juice_line.pk, "unit_price": "7.00"},
                                       {"inquiry_line": crate_line.pk, "unit_price": "4.00",
                                        "variant": shop.cola.pk, "quantity": 50}])
    assert caught.value.code == "invalid_lines"
    assert "multiples of 6" in caught.value.fields["lines"][str(crate_line.pk)][0]
    cases = ask(shop, lines=[{"variant": shop.juice.pk, "unit": shop.case_unit.pk,
                              "quantity": 100000}])  # 1.2 million bottles
    with pytest.raises(ApplicationError):
        services.quotation_send(actor=shop.staff.admin, inquiry=cases, valid_until=soon(),
                                lines=[{"inquiry_line": cases.lines.get().pk,
                                        "unit_price": "90.00"}])
    assert not Quotation.objects.exists()
    declined = services.quotation_send(  # a declined line is not ordered: any quantity
        actor=shop.staff.admin, inquiry=inquiry, valid_until=soon(),
        lines=[{"inquiry_line": juice_line.pk, "unit_price": "7.00"},
               {"inquiry_line": crate_line.pk, "declined": True, "quantity": 50}])
    assert declined.version == 1


def test_a_catalog_line_cannot_be_unmatched_into_a_line_nobody_can_accept(shop, login_as):
    """Leaving out ``variant`` keeps the product asked for; ``null`` on a catalog line
    made it an unmatched line that blocked acceptance with an empty name."""
    inquiry = ask(shop)
    juice_line, crate_line = inquiry.lines.all()
    admin = _client(login_as, shop, shop.staff.admin)
    error = _error(_post(admin, f"/inquiries/{inquiry.pk}/quote/", {"lines": [
        {"inquiry_line": juice_line.pk, "unit_price": "7.00", "variant": None},
        {"inquiry_line": crate_line.pk, "declined": True}],
        "valid_until": soon().isoformat()}), 400)
    assert error["code"] == "invalid_lines" and str(juice_line.pk) in error["fields"]["lines"]
    assert not Quotation.objects.exists()


def test_a_huge_quantity_typed_on_the_accept_page_is_refused_not_a_server_error(shop, as_user):
    inquiry = ask(shop)
    answer(shop, inquiry, tiers=[{"min_qty": 200, "price": "7.00"}])
    juice = inquiry.quotations.get().lines.first()
    dana = as_user(shop.dana.user)
    data = _form_data(dana.get(f"/shop/quotes/{inquiry.pk}/accept/"))
    data[f"qty_{juice.pk}"] = "1" + "0" * 30
    response = dana.post(f"/shop/quotes/{inquiry.pk}/accept/", data)
    assert response.status_code == 400
    assert response.context["form"].errors[f"qty_{juice.pk}"]
    assert response.context["totals"]["goods"] == Decimal("1140.00")  # as quoted: 900 + 240
    assert not Order.objects.exists()


# --- query budgets --------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries), [q["sql"][:100] for q in queries.captured_queries]


@pytest.mark.parametrize("who", ["sales", "admin", "dana"])
def test_the_inquiry_page_keeps_its_budget_for_a_rep_and_with_unread_messages(
        shop, as_user, who):
    """Three versions with counter-offers, files and messages: the page (and the API's
    detail and both lists) within budget for a sales rep, an administrator and a dealer."""
    inquiry = ask(shop, attachments=[pdf("drawing.pdf"), pdf("spec.pdf")])
    answer(shop, inquiry)
    for price in ("7.00", "6.90"):
        services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
            {"line": inquiry.quotations.order_by("-version").first().lines.first().pk,
             "wanted_price": price}])
        answer(shop, inquiry, prices=("7.20", "4.00"), tiers=[{"min_qty": 200, "price": "7.0"}])
    user = shop.dana.user if who == "dana" else getattr(shop.staff, who)
    client = as_user(user)
    url = f"/shop/quotes/{inquiry.pk}/" if who == "dana" else f"/dashboard/quotes/{inquiry.pk}/"
    client.get(url)  # warm the session and the caches
    read, _sql = _count(client, url)
    for n in range(3):
        thread.message_post(actor=shop.dana.user, inquiry=inquiry, body=f"question {n}")
        thread.message_post(actor=shop.staff.admin, inquiry=inquiry, body=f"answer {n}")
    unread, sql = _count(client, url)  # marks the thread read too
    print(f"inquiry page ({who}): {read} queries, {unread} with unread messages")
    assert read <= BUDGET and unread <= BUDGET, sql
    api = "/api/v1/my/inquiries/" if who == "dana" else "/api/v1/inquiries/"
    listing = "/shop/quotes/" if who == "dana" else "/dashboard/quotes/"
    for path, budget in ((f"{api}{inquiry.pk}/", BUDGET), (api, LIST_BUDGET),
                         (listing, LIST_BUDGET)):
        client.get(path)
        count, sql = _count(client, path)
        assert count <= budget, (path, sql)


# --- tiers typed by staff ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["１００：９．５０", "１００＋ ９.５０", "100：9．50"])
def test_tiers_typed_with_full_width_characters_are_read(text):
    raw, error = tier_rules.parse_text(text)
    assert error == ""
    assert tier_rules.validate(raw) == ([{"min_qty": 100, "price": "9.50"}], "")


def test_prices_typed_with_full_width_characters_are_read(shop):
    inquiry = ask(shop, lines=[{"description": "Lids", "quantity": 6,
                                "target_price": "０．８０"}])
    assert inquiry.lines.get().target_price == Decimal("0.80")
    line = services.quotation_send(
        actor=shop.staff.admin, inquiry=inquiry, valid_until=soon(),
        lines=[{"inquiry_line": inquiry.lines.get().pk, "unit_price": "７．５０",
                "variant": shop.juice.pk}]).lines.get()
    assert line.unit_price == Decimal("7.50")


def test_a_tier_from_more_than_can_be_ordered_is_refused():
    """As the API refuses it: no tier starts above the largest quantity of a line."""
    raw, error = tier_rules.parse_text("99999999999999999999: 1")
    assert error == ""
    tiers, error = tier_rules.validate(raw)
    assert tiers == [] and error
