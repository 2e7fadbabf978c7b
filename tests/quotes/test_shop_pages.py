"""The dealer's quotation pages under /shop/quotes/ (SPEC §9, phone first): the list by
dealer status, asking for a quotation (catalog lines by SKU code, free-text lines,
from a product page, from the cart), one inquiry with its versions compared, and the
dealer's answers through the pages — counter-offer, decline, withdraw, accept (once,
also on a double click). Bad input shows the message and saves nothing; an expired
quotation is refused; a view-only login changes nothing (403), another company's
inquiry is 404 on every URL, staff are not shoppers (403); query budgets."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from ordering.orders.enums import PaymentMethod
from ordering.orders.models import CartLine, Order
from ordering.orders.services import cart as cart_services
from ordering.quotes import services
from ordering.quotes.enums import InquiryStatus
from ordering.quotes.models import Counter, Inquiry, Quotation
from tests.conftest import TenantClient
from tests.quotes.conftest import answer, ask, soon

S = InquiryStatus
LIST_BUDGET = 10
DETAIL_BUDGET = 15


@pytest.fixture
def client_for(acme, login_as):
    def make(user, language="en"):
        if language != "en":
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
        return login_as(TenantClient("acme.localhost", HTTP_ACCEPT_LANGUAGE=language), acme,
                        user)
    return make


@pytest.fixture
def dana(shop, client_for):
    return client_for(shop.dana.user)


def _body(response):
    return response.content.decode()


def _management(prefix, total, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "200"}


def _create_data(items=(), free=(), **values):
    data = {**_management("item", max(len(items), 1)), **_management("free", max(len(free), 1)),
            "delivery_date": "", "note": ""}
    for index, row in enumerate(items):
        data.update({f"item-{index}-{key}": value for key, value in row.items()})
    for index, row in enumerate(free):
        data.update({f"free-{index}-{key}": value for key, value in row.items()})
    data.update(values)
    return data


def _quoted(shop, **values):
    inquiry = ask(shop)
    answer(shop, inquiry, **values)
    inquiry.refresh_from_db()
    return inquiry


def _two_versions(shop):
    """v1 (juice 7.50, crate → cola 4.00), Dana counters the juice, v2 (juice 7.20 with
    a tier from 500, the crate 66 instead of 60)."""
    inquiry = _quoted(shop)
    juice_v1 = inquiry.quotations.get().lines.first()
    services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
        {"line": juice_v1.pk, "wanted_price": "7.00", "comment": "Competitor: 7.00"}])
    juice, crate = inquiry.lines.all()
    services.quotation_send(
        actor=shop.staff.admin, inquiry=inquiry, valid_until=soon(), shipping_fee="20.00",
        lines=[{"inquiry_line": juice.pk, "unit_price": "7.20",
                "tiers": [{"min_qty": 500, "price": "6.90"}]},
               {"inquiry_line": crate.pk, "variant": shop.cola.pk, "unit_price": "4.00",
                "quantity": 66}])
    inquiry.refresh_from_db()
    return inquiry


def _expire(inquiry):
    Quotation.objects.filter(inquiry=inquiry).update(
        valid_until=timezone.localdate() - timedelta(days=1))


def _accept_form(client, inquiry):
    response = client.get(f"/shop/quotes/{inquiry.pk}/accept/")
    assert response.status_code == 200
    form = response.context["form"]
    return {name: form[name].value() if form[name].value() is not None else ""
            for name in form.fields}


# --- every page renders ---------------------------------------------------------------------


@pytest.mark.parametrize("language, words", [("en", ("Quotations",)),
                                             ("zh-hans", ())])
def test_every_page_renders_in_english_and_chinese(shop, client_for, language, words):
    submitted = ask(shop)
    quoted = _two_versions(shop)
    dealer = client_for(shop.dana.user, language)
    cart_services.cart_add(login=shop.dana, lines=[{"variant": shop.juice.pk, "quantity": 2}])
    with translation.override(language):
        pages = ["/shop/quotes/", "/shop/quotes/?status=needs_answer", "/shop/quotes/new/",
                 f"/shop/quotes/new/?variant={shop.juice.pk}",
                 f"/shop/quotes/new/?copy={quoted.pk}", f"/shop/quotes/{submitted.pk}/",
                 f"/shop/quotes/{quoted.pk}/", f"/shop/quotes/{quoted.pk}/accept/",
                 "/shop/cart/", f"/shop/catalog/{shop.juice.product_id}/"]
        for url in pages:
            response = dealer.get(url)
            assert response.status_code == 200, url
            body = _body(response)
            assert f'<html lang="{language}"' in body, url
            for word in words:
                assert word in body, (url, word)
            assert 'data-testid="nav-quotes"' in body and 'data-testid="tab-quotes"' in body


def test_the_list_shows_status_tabs_counts_and_what_needs_an_answer(shop, dana):
    submitted = ask(shop)
    quoted = _quoted(shop)
    withdrawn = ask(shop)
    services.inquiry_withdraw(actor=shop.dana.user, inquiry=withdrawn)
    ask(shop, actor=shop.olga.user)  # another company's
    response = dana.get("/shop/quotes/")
    body = _body(response)
    assert [row["inquiry"].pk for row in response.context["rows"]] == [
        withdrawn.pk, quoted.pk, submitted.pk]  # newest first
    counts = {tab["value"]: tab["count"] for tab in response.context["tabs"]}
    assert counts == {"": 3, "needs_answer": 1, "submitted": 1, "quoted": 0, "accepted": 0,
                      "closed": 1}
    row = re.search(r'<a [^>]*data-inquiry-id="%d"[^>]*>' % quoted.pk, body).group(0)
    assert "ol-needs-answer" in row and 'data-needs-answer="1"' in row
    assert soon().isoformat() in body  # valid until
    assert re.search(r'data-testid="quotes-badge"[^>]*>1<', body)
    assert 'data-testid="tab-quotes-badge">1<' in body
    filtered = dana.get("/shop/quotes/", {"status": "needs_answer"})
    assert [row["inquiry"].pk for row in filtered.context["rows"]] == [quoted.pk]
    closed = dana.get("/shop/quotes/", {"status": "closed"})
    assert [row["inquiry"].pk for row in closed.context["rows"]] == [withdrawn.pk]
    assert dana.get("/shop/quotes/", {"status": "nonsense"}).context["rows"]  # all


def test_the_list_is_paginated(shop, dana):
    for _n in range(21):
        ask(shop, lines=[{"variant": shop.juice.pk, "quantity": 1}])
    first = dana.get("/shop/quotes/")
    assert len(first.context["rows"]) == 20 and first.context["page"].paginator.num_pages == 2
    assert len(dana.get("/shop/quotes/", {"page": 2}).context["rows"]) == 1


# --- asking -----------------------------------------------------------------------------------


def test_a_dealer_asks_with_a_catalog_line_and_a_free_text_line(shop, dana):
    response = dana.post("/shop/quotes/new/", _create_data(
        items=[{"code": "oj-1", "quantity": "3", "unit": "case"}, {"code": "", "quantity": ""}],
        free=[{"description": "Blue crates", "quantity": "50", "unit_text": "pcs",
               "target_price": "3,50"}, {"description": ""}],
        delivery_date=soon(20).isoformat(), note="For the summer fair"))
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302 and response.url == f"/shop/quotes/{inquiry.pk}/"
    assert (inquiry.customer, inquiry.delivery_date, inquiry.note, inquiry.status) == (
        shop.customer, soon(20), "For the summer fair", S.NEW)
    juice, crate = inquiry.lines.all()
    assert (juice.variant, juice.unit, juice.quantity) == (shop.juice, shop.case_unit, 3)
    assert (crate.description, crate.quantity, crate.unit_text, crate.target_price) == (
        "Blue crates", 50, "pcs", Decimal("3.50"))
    body = _body(dana.get(response.url))
    assert inquiry.number in body and "has been sent" in body
    assert body.count('data-testid="asked-line"') == 2 and 'data-testid="asked-free"' in body


def test_the_form_is_prefilled_from_a_product_page_and_from_an_earlier_inquiry(shop, dana):
    response = dana.get("/shop/quotes/new/", {"variant": shop.juice.pk,
                                              "unit": shop.case_unit.pk, "quantity": 4})
    items = response.context["items"]
    assert items.forms[0].initial == {"code": "OJ-1", "quantity": 4, "unit": "case"}
    assert len(items.forms) == 3 and len(response.context["free"].forms) == 3  # + empty rows
    body = _body(response)
    assert 'value="OJ-1"' in body and 'data-testid="item-known"' in body
    assert "Orange juice" in body and "96.00" in body  # a case at Gold's 8.00 × 12
    odd = dana.get("/shop/quotes/new/", {"variant": shop.cola.pk, "quantity": "-3"})
    assert odd.context["items"].forms[0].initial["quantity"] == 6  # the cola's minimum
    unknown = dana.get("/shop/quotes/new/", {"variant": "999999"})
    assert unknown.status_code == 200 and not unknown.context["items"].initial
    assert "This product is not available." in _body(unknown)
    earlier = ask(shop)
    copied = dana.get("/shop/quotes/new/", {"copy": earlier.pk})
    assert copied.context["items"].forms[0].initial["code"] == "OJ-1"
    assert copied.context["free"].forms[0].initial["description"] == "Blue crates"
    theirs = ask(shop, actor=shop.olga.user)
    assert dana.get("/shop/quotes/new/", {"copy": theirs.pk}).status_code == 404
    product = _body(dana.get(f"/shop/catalog/{shop.juice.product_id}/"))
    assert f'href="/shop/quotes/new/?variant={shop.juice.pk}"' in product


@pytest.mark.parametrize("data, where, message", [
    (_create_data(items=[{"code": "NOPE-1", "quantity": "2"}]), "row",
     "No product with SKU code “NOPE-1”."),
    (_create_data(items=[{"code": "OJ-1", "quantity": "2", "unit": "crate"}]), "row",
     "OJ-1 is not sold in “crate”."),
    (_create_data(items=[{"code": "", "quantity": "2"}]), "row", "Enter the SKU code"),
    (_create_data(free=[{"description": "Lids", "quantity": "2", "target_price": "-1"}]),
     "row", "Enter a price of zero or more."),
    (_create_data(free=[{"description": "", "quantity": "5"}]), "row",
     "Choose a product or describe what you need."),
    (_create_data(free=[{"description": "Lids", "quantity": "0"}]), "row",
     "Enter a quantity above zero."),
    (_create_data(), "form", "Add at least one line."),
    (_create_data(free=[{"description": "Lids", "quantity": "2"}],
                  delivery_date="2001-01-01"), "form",
     "The delivery date cannot be in the past."),
    ({"note": "no management form"}, "form", "The form was incomplete"),
])
def test_bad_input_shows_the_message_and_saves_nothing(shop, dana, data, where, message):
    response = dana.post("/shop/quotes/new/", data)
    assert response.status_code == 400
    body = _body(response)
    assert message in body.replace("&ldquo;", "“").replace("&rdquo;", "”")
    if where == "row":
        assert 'data-testid="line-error"' in body
    assert not Inquiry.objects.exists()


def test_a_service_refusal_lands_on_the_row_it_is_about(shop, dana):
    response = dana.post("/shop/quotes/new/", _create_data(
        items=[{"code": "OJ-1", "quantity": "2"}, {"code": "CO-1", "quantity": "6"}],
        free=[{"description": "Lids", "quantity": "2", "target_price": "x"}]))
    assert response.status_code == 400
    free_row = response.context["free"].forms[0]
    assert free_row.non_field_errors() == ["“x” is not a price."]
    assert not any(f.errors for f in response.context["items"].forms)
    assert 'value="OJ-1"' in _body(response)  # what was typed stays
    assert not Inquiry.objects.exists()


def test_asking_from_the_cart_keeps_the_cart(shop, dana):
    response = dana.post("/shop/cart/inquire/", {"note": "Best price?"})
    assert response.status_code == 302 and response.url == "/shop/cart/"
    assert "Your cart is empty." in _body(dana.get("/shop/cart/"))
    cart_services.cart_add(login=shop.dana, lines=[
        {"variant": shop.juice.pk, "unit": shop.case_unit.pk, "quantity": 3},
        {"variant": shop.cola.pk, "quantity": 12}])
    cart = _body(dana.get("/shop/cart/"))
    assert 'data-testid="cart-inquire-form"' in cart and 'action="/shop/cart/inquire/"' in cart
    bad = dana.post("/shop/cart/inquire/", {"delivery_date": "2001-01-01"})
    assert bad.status_code == 302 and not Inquiry.objects.exists()
    assert "The delivery date cannot be in the past." in _body(dana.get("/shop/cart/"))
    response = dana.post("/shop/cart/inquire/", {"note": "Best price?",
                                                 "delivery_date": soon(5).isoformat()})
    inquiry = Inquiry.objects.get()
    assert response.url == f"/shop/quotes/{inquiry.pk}/"
    assert [(l.variant, l.unit, l.quantity) for l in inquiry.lines.all()] == [
        (shop.juice, shop.case_unit, 3), (shop.cola, None, 12)]
    assert (inquiry.note, inquiry.delivery_date) == ("Best price?", soon(5))
    assert CartLine.objects.filter(login=shop.dana).count() == 2


# --- one inquiry --------------------------------------------------------------------------


def test_the_detail_shows_the_quotation_versions_compared_and_the_timeline(shop, dana):
    inquiry = _two_versions(shop)
    response = dana.get(f"/shop/quotes/{inquiry.pk}/")
    body = _body(response)
    current = response.context["current"]
    assert current["quotation"].version == 2
    assert current["totals"] == {"goods": Decimal("1128.00"), "shipping": Decimal("20.00"),
                                 "total": Decimal("1148.00")}  # 120 × 7.20 + 66 × 4.00 + 20
    assert "500+ at ¥6.90" in body or "500+ at" in body
    assert 'data-testid="line-matched"' in body and "Blue crates" in body  # free text → Cola
    assert [v["quotation"].version for v in response.context["versions"]] == [2, 1]
    diff = {row["asked"]["line"].pk: row["changed"]
            for row in response.context["versions"][0]["diff"]}
    juice, crate = inquiry.lines.all()
    assert diff == {juice.pk: ["price", "tiers"], crate.pk: ["quantity"]}
    assert body.count('data-changed="1"') == 6  # price, tiers, quantity: before and after
    assert 'data-testid="version-counters"' in body and "Competitor: 7.00" in body
    actions = [row["action"] for row in response.context["timeline"]]
    assert actions == ["quote", "counter", "quote", "create"]
    assert response.context["expiry"]["days"] == 10 and "expires in 10 days" in body
    for button in ("inquiry-accept", "inquiry-counter-open", "inquiry-decline",
                   "inquiry-withdraw", "counter-send"):
        assert f'data-testid="{button}"' in body, button


def test_a_counter_offer_through_the_page(shop, dana):
    inquiry = _quoted(shop)
    juice, crate = inquiry.quotations.get().lines.all()
    url = f"/shop/quotes/{inquiry.pk}/counter/"
    empty = dana.post(url, {})
    assert empty.status_code == 400
    assert "Say what you would like changed" in _body(empty)
    bad = dana.post(url, {f"price_{juice.pk}": "abc"})
    assert bad.status_code == 400 and "“abc” is not a price." in _body(bad)
    assert not Counter.objects.exists()
    response = dana.post(url, {f"price_{juice.pk}": "7.00", f"qty_{juice.pk}": "200",
                               f"comment_{juice.pk}": "Competitor: 7.00",
                               f"comment_{crate.pk}": ""})
    assert response.status_code == 302 and response.url == f"/shop/quotes/{inquiry.pk}/"
    counter = Counter.objects.get()
    assert (counter.line, counter.wanted_price, counter.wanted_quantity, counter.comment) == (
        juice, Decimal("7.00"), 200, "Competitor: 7.00")
    inquiry.refresh_from_db()
    assert inquiry.status == S.COUNTERED
    body = _body(dana.get(response.url))
    assert "counter-offer has been sent" in body and 'data-testid="counter-send"' not in body
    again = dana.post(url, {f"price_{juice.pk}": "6.00"})
    assert again.status_code == 409 and Counter.objects.count() == 1


def test_decline_and_withdraw_through_the_page(shop, dana):
    quoted, submitted = _quoted(shop), ask(shop)
    response = dana.post(f"/shop/quotes/{quoted.pk}/decline/", {"decline-reason": "Too dear"})
    assert response.status_code == 302
    quoted.refresh_from_db()
    assert quoted.status == S.DECLINED and quoted.events.last().reason == "Too dear"
    assert dana.post(f"/shop/quotes/{submitted.pk}/decline/", {}).status_code == 409
    refused = dana.post(f"/shop/quotes/{submitted.pk}/counter/", {})
    assert refused.status_code == 409 and "cannot be countered now" in _body(refused)
    response = dana.post(f"/shop/quotes/{submitted.pk}/withdraw/",
                         {"withdraw-reason": "Not needed"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.WITHDRAWN
    body = _body(dana.get(f"/shop/quotes/{submitted.pk}/"))
    assert "Not needed" in body and 'data-testid="inquiry-withdraw"' not in body
    too_long = dana.post(f"/shop/quotes/{quoted.pk}/withdraw/", {"withdraw-reason": "x" * 600})
    assert too_long.status_code == 400


# --- accepting ----------------------------------------------------------------------------


def test_accepting_through_the_page_places_one_order_even_on_a_double_click(shop, dana):
    inquiry = _quoted(shop, tiers=[{"min_qty": 200, "price": "7.00"}])
    juice, cola = inquiry.quotations.get().lines.all()
    page = dana.get(f"/shop/quotes/{inquiry.pk}/accept/")
    body = _body(page)
    assert 'data-testid="accept-shipping-note"' in body and "20.00" in body
    assert page.context["form"]["delivery_date"].value() is None  # none wanted
    assert f'name="qty_{juice.pk}"' in body and f'name="qty_{cola.pk}"' not in body
    data = _accept_form(dana, inquiry)
    assert data["address"] == str(shop.address.pk) and data["token"]
    data[f"qty_{juice.pk}"] = "200"  # the tier from 200
    response = dana.post(f"/shop/quotes/{inquiry.pk}/accept/", data)
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == f"/shop/orders/{order.pk}/"
    assert [(l.variant, l.quantity, l.unit_price) for l in order.lines.all()] == [
        (shop.juice, 200, Decimal("7.00")), (shop.cola, 60, Decimal("4.00"))]
    assert (order.shipping_fee, order.total) == (Decimal("20.00"), Decimal("1660.00"))
    again = dana.post(f"/shop/quotes/{inquiry.pk}/accept/", data)  # the double click
    assert again.status_code == 302 and again.url == f"/shop/orders/{order.pk}/"
    assert Order.objects.count() == 1
    body = _body(dana.get(f"/shop/quotes/{inquiry.pk}/"))
    assert 'data-testid="inquiry-order"' in body and order.number in body
    assert 'data-testid="inquiry-accept"' not in body
    assert dana.get(f"/shop/quotes/{inquiry.pk}/accept/").url == f"/shop/quotes/{inquiry.pk}/"
    other = dana.post(f"/shop/quotes/{inquiry.pk}/accept/", {**data, "token": "another"})
    assert other.status_code == 400 and "already been accepted" in _body(other)
    assert Order.objects.count() == 1


def test_the_accept_page_shows_which_tier_applies_and_refuses_bad_quantities(shop, dana):
    inquiry = _quoted(shop, tiers=[{"min_qty": 100, "price": "7.00"},
                                   {"min_qty": 500, "price": "6.50"}])
    juice = inquiry.quotations.get().lines.first()
    page = _body(dana.get(f"/shop/quotes/{inquiry.pk}/accept/"))
    applies = re.search(r'data-testid="tier-applies">([^<]*)<', page).group(1)
    assert applies.startswith("100+ at")  # 120 bottles
    data = _accept_form(dana, inquiry)
    data[f"qty_{juice.pk}"] = "0"
    response = dana.post(f"/shop/quotes/{inquiry.pk}/accept/", data)
    assert response.status_code == 400
    assert response.context["form"].errors[f"qty_{juice.pk}"] == ["Enter a quantity above zero."]
    data[f"qty_{juice.pk}"] = "600"
    response = dana.post(f"/shop/quotes/{inquiry.pk}/accept/", {**data, "address": ""})
    assert response.status_code == 400 and not Order.objects.exists()
    assert response.context["totals"]["goods"] == Decimal("4140.00")  # 600 × 6.50 + 240


def test_an_unmatched_free_text_line_blocks_acceptance_with_the_message(shop, dana):
    inquiry = _quoted(shop, map_crate=False)
    body = _body(dana.get(f"/shop/quotes/{inquiry.pk}/"))
    assert 'data-testid="line-unmatched"' in body
    response = dana.post(f"/shop/quotes/{inquiry.pk}/accept/", _accept_form(dana, inquiry))
    assert response.status_code == 400
    assert "Every free-text line must be matched" in _body(response)
    assert not Order.objects.exists()


def test_an_expired_quotation_is_refused_with_the_message(shop, dana):
    inquiry = _quoted(shop)
    data = _accept_form(dana, inquiry)
    _expire(inquiry)
    expired_on = (timezone.localdate() - timedelta(days=1)).isoformat()
    body = _body(dana.get(f"/shop/quotes/{inquiry.pk}/"))
    assert 'data-testid="inquiry-expired"' in body and f"expired on {expired_on}" in body
    assert 'data-testid="inquiry-accept"' not in body and 'data-testid="counter-send"' not in body
    assert f'href="/shop/quotes/new/?copy={inquiry.pk}"' in body
    response = dana.get(f"/shop/quotes/{inquiry.pk}/accept/")
    assert response.status_code == 302 and response.url == f"/shop/quotes/{inquiry.pk}/"
    assert f"expired on {expired_on}" in _body(dana.get(response.url))
    response = dana.post(f"/shop/quotes/{inquiry.pk}/accept/", data)
    assert response.status_code == 400 and "has expired" in _body(response)
    juice = inquiry.quotations.get().lines.first()
    countered = dana.post(f"/shop/quotes/{inquiry.pk}/counter/", {f"price_{juice.pk}": "7"})
    assert countered.status_code == 409 and "has expired" in _body(countered)
    assert not Order.objects.exists() and not Counter.objects.exists()
    services.quotations_expire()
    assert 'data-testid="inquiry-expired"' in _body(dana.get(f"/shop/quotes/{inquiry.pk}/"))


# --- who may --------------------------------------------------------------------------------


def _urls(pk):
    return {"get": [f"/shop/quotes/{pk}/", f"/shop/quotes/{pk}/accept/",
                    f"/shop/quotes/new/?copy={pk}"],
            "post": [f"/shop/quotes/{pk}/counter/", f"/shop/quotes/{pk}/decline/",
                     f"/shop/quotes/{pk}/withdraw/", f"/shop/quotes/{pk}/accept/"]}


def test_a_view_only_login_sees_everything_and_changes_nothing(shop, client_for):
    inquiry = _quoted(shop)
    vic = client_for(shop.viewer.user)
    for url in ("/shop/quotes/", f"/shop/quotes/{inquiry.pk}/"):
        response = vic.get(url)
        assert response.status_code == 200, url
        body = _body(response)
        assert inquiry.number in body
        for button in ("inquiry-new", "inquiry-accept", "inquiry-counter-open", "counter-send",
                       "inquiry-decline", "inquiry-withdraw"):
            assert f'data-testid="{button}"' not in body, (url, button)
    assert vic.get("/shop/quotes/new/").status_code == 403
    assert vic.get(f"/shop/quotes/{inquiry.pk}/accept/").status_code == 403
    assert 'data-testid="cart-inquire"' not in _body(vic.get("/shop/cart/"))
    assert 'data-testid="product-inquire"' not in _body(
        vic.get(f"/shop/catalog/{shop.juice.product_id}/"))
    for url in _urls(inquiry.pk)["post"] + ["/shop/quotes/new/", "/shop/cart/inquire/"]:
        assert vic.post(url, {"decline-reason": "x", "note": "x"}).status_code == 403, url
    inquiry.refresh_from_db()
    assert inquiry.status == S.QUOTED and Inquiry.objects.count() == 1
    assert not Order.objects.exists()


def test_another_companys_dealer_gets_404_on_every_url(shop, client_for):
    inquiry = _quoted(shop)
    olga = client_for(shop.olga.user)
    urls = _urls(inquiry.pk)
    for url in urls["get"]:
        assert olga.get(url).status_code == 404, url
    for url in urls["post"]:
        assert olga.post(url, {"decline-reason": "x"}).status_code == 404, url
    assert inquiry.number not in _body(olga.get("/shop/quotes/"))
    assert olga.get("/shop/quotes/999999/").status_code == 404
    inquiry.refresh_from_db()
    assert inquiry.status == S.QUOTED and not inquiry.events.filter(action="decline").exists()


def test_staff_get_403_and_anonymous_sign_in(shop, client_for):
    inquiry = _quoted(shop)
    staff = client_for(shop.staff.admin)
    urls = _urls(inquiry.pk)
    gets = ["/shop/quotes/", "/shop/quotes/new/"] + urls["get"]
    for url in gets:
        assert staff.get(url).status_code == 403, url
    for url in urls["post"] + ["/shop/quotes/new/", "/shop/cart/inquire/"]:
        assert staff.post(url, {"decline-reason": "x"}).status_code == 403, url
    anonymous = TenantClient("acme.localhost")
    for url in gets:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    inquiry.refresh_from_db()
    assert inquiry.status == S.QUOTED


# --- budgets ------------------------------------------------------------------------------


def test_the_list_query_count_is_constant_and_within_budget(shop, dana):
    for _n in range(2):
        _quoted(shop)
    dana.get("/shop/quotes/")  # warm-up (session, caches)
    with CaptureQueriesContext(connection) as two:
        response = dana.get("/shop/quotes/")
    assert len(response.context["rows"]) == 2
    for _n in range(6):
        _two_versions(shop)
    with CaptureQueriesContext(connection) as eight:
        response = dana.get("/shop/quotes/", {"status": "needs_answer"})
    assert len(response.context["rows"]) == 8
    print(f"shop quotation list: {len(eight)} queries")
    assert len(two) == len(eight) <= LIST_BUDGET, [q["sql"] for q in eight]


def test_the_detail_keeps_its_query_budget(shop, dana, django_assert_max_num_queries):
    small = _quoted(shop)
    big = _two_versions(shop)
    services.quotation_counter(actor=shop.dana.user, inquiry=big, counters=[
        {"line": big.quotations.get(version=2).lines.first().pk, "wanted_quantity": 500}])
    answer(shop, big, prices=("7.10", "3.90"), tiers=[{"min_qty": 300, "price": "6.80"}])
    dana.get(f"/shop/quotes/{small.pk}/")
    with CaptureQueriesContext(connection) as one:
        dana.get(f"/shop/quotes/{small.pk}/")
    with django_assert_max_num_queries(DETAIL_BUDGET):
        with CaptureQueriesContext(connection) as three:
            response = dana.get(f"/shop/quotes/{big.pk}/")
    assert len(response.context["versions"]) == 3
    assert len(one) == len(three), [q["sql"] for q in three]
    print(f"shop quotation detail: {len(three)} queries")
    big.refresh_from_db()
    services.quotation_accept(actor=shop.dana.user, inquiry=big, address_id=shop.address.pk,
                              payment_method=PaymentMethod.TRANSFER,
                              shipping_method_id=shop.truck.pk)
    with django_assert_max_num_queries(DETAIL_BUDGET):
        assert dana.get(f"/shop/quotes/{big.pk}/").status_code == 200


def test_the_quotation_badge_costs_no_extra_query(shop, dana):
    """The header's cart and quotation counts come from one query."""
    _quoted(shop)
    dana.get("/shop/orders/")
    with CaptureQueriesContext(connection) as queries:
        body = _body(dana.get("/shop/orders/"))
    assert re.search(r'data-testid="quotes-badge"[^>]*>1<', body)
    counting = [q["sql"] for q in queries if "quotes_inquiry" in q["sql"]]
    assert len(counting) == 1 and "orders_cartline" in counting[0]
