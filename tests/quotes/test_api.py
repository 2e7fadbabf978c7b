"""The quotations API: a dealer asks (lines, free text, from the cart), staff assign and
quote, the dealer counters, staff re-quote, the versions are compared, the dealer (or
staff on its behalf) accepts into an order once per Idempotency-Key; refusals are
structured 4xx that change nothing (400 bad input, 403 role or view-only login, 404
not yours, 409 state); scope (a rep's customers, a dealer's company); query budgets."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from ordering.orders.models import CartLine, Order
from ordering.quotes.enums import InquiryStatus, RoundStatus
from ordering.quotes.models import Counter, Inquiry, InquiryEvent, Quotation
from tests.factories.roles import staff_with_roles
from tests.finance.test_api import API, _client, _error, _ok, _post
from tests.quotes.conftest import answer, ask, soon

S = InquiryStatus
LIST_BUDGET = 10
DETAIL_BUDGET = 15


def _accept_body(shop, **values):
    return {"address": shop.address.pk, "payment_method": "transfer",
            "shipping_method": shop.truck.pk, **values}


def _quote_body(inquiry, *, juice="7.50", crate="4.00", variant=None, tiers=None, **values):
    juice_line, crate_line = inquiry.lines.all()
    crate_answer = {"inquiry_line": crate_line.pk, "unit_price": crate, "quantity": 60}
    if variant is not None:
        crate_answer["variant"] = variant
    return {"lines": [{"inquiry_line": juice_line.pk, "unit_price": juice,
                       "tiers": tiers or []}, crate_answer],
            "valid_until": soon().isoformat(), "shipping_fee": "20.00",
            "payment_terms": "30 days", **values}


def _state():
    """Everything a refused call must leave as it was."""
    return (sorted(Inquiry.objects.values_list("pk", "status", "assigned_to")),
            sorted(Quotation.objects.values_list("pk", "status")), Counter.objects.count(),
            InquiryEvent.objects.count(), Order.objects.count())


# --- the whole round through the API ---------------------------------------------------


def test_a_dealer_asks_with_catalog_and_free_text_lines(shop, login_as):
    dana = _client(login_as, shop, shop.dana.user)
    body = _ok(_post(dana, "/my/inquiries/", {
        "lines": [{"variant": shop.juice.pk, "unit": shop.case_unit.pk, "quantity": 10},
                  {"description": "Blue crates", "quantity": 50, "unit_text": "pcs",
                   "target_price": "3.00"}],
        "delivery_date": soon(20).isoformat(), "note": "For the summer fair"}), 201)
    assert body["number"].startswith("Q-") and body["customer"] == {
        "id": shop.customer.pk, "name": "Gold Trading"}
    assert (body["status"], body["dealer_status"], body["dealer_status_label"]) == (
        "new", "submitted", "Submitted")
    assert (body["note"], body["delivery_date"]) == ("For the summer fair",
                                                     soon(20).isoformat())
    juice, crate = body["lines"]
    assert juice["variant"] == {"id": shop.juice.pk, "sku_code": "OJ-1",
                                "product_name": "Orange juice", "spec_label": ""}
    assert (juice["unit"], juice["unit_name"], juice["factor"], juice["quantity"],
            juice["free_text"]) == (shop.case_unit.pk, "case", 12, 10, False)
    assert (crate["variant"], crate["description"], crate["unit_name"], crate["target_price"],
            crate["free_text"]) == (None, "Blue crates", "pcs", "3.00", True)
    assert body["versions"] == [] and body["events"] == []
    assert body["actions"] == ["withdraw"]
    listed = _ok(dana.get(f"{API}/my/inquiries/"))
    assert listed["count"] == 1
    assert {k: listed["results"][0][k] for k in (
        "id", "line_count", "latest_version", "valid_until", "dealer_status")} == {
        "id": body["id"], "line_count": 2, "latest_version": None, "valid_until": None,
        "dealer_status": "submitted"}
    admin = _client(login_as, shop, shop.staff.admin)
    row = _ok(admin.get(f"{API}/inquiries/"))["results"][0]
    assert (row["number"], row["status_label"], row["assigned_to"]) == (
        body["number"], "New", None)
    assert "dealer_status" not in row


def test_bad_lines_are_refused_line_by_line_and_nothing_is_saved(shop, login_as):
    dana = _client(login_as, shop, shop.dana.user)
    error = _error(_post(dana, "/my/inquiries/", {"lines": [
        {"description": "", "quantity": 3}, {"variant": 999999, "quantity": 1},
        {"variant": shop.cola.pk, "unit": shop.case_unit.pk, "quantity": 1}]}))
    assert error["code"] == "invalid_lines" and set(error["fields"]["lines"]) == {"0", "1", "2"}
    error = _error(_post(dana, "/my/inquiries/", {"lines": [
        {"variant": shop.juice.pk, "quantity": 0}, {"description": "Lids", "quantity": 2,
                                                    "target_price": "-1"}]}))
    assert error["code"] == "invalid" and "lines" in error["fields"]
    assert _error(_post(dana, "/my/inquiries/", {"lines": []}))["code"] == "invalid"
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    error = _error(_post(dana, "/my/inquiries/", {
        "lines": [{"variant": shop.juice.pk, "quantity": 1}], "delivery_date": past}))
    assert "delivery_date" in error["fields"]
    assert not Inquiry.objects.exists()


def test_a_dealer_asks_for_what_is_in_the_cart(shop, login_as):
    dana = _client(login_as, shop, shop.dana.user)
    assert _error(_post(dana, "/my/inquiries/from-cart/"))["code"] == "empty"
    CartLine.objects.create(login=shop.dana, variant=shop.juice, unit=shop.case_unit,
                            quantity=3)
    body = _ok(_post(dana, "/my/inquiries/from-cart/", {"note": "Best price?"}), 201)
    assert [(l["variant"]["id"], l["unit"], l["quantity"]) for l in body["lines"]] == [
        (shop.juice.pk, shop.case_unit.pk, 3)]
    assert body["note"] == "Best price?" and CartLine.objects.count() == 1


def test_staff_quote_the_dealer_counters_staff_requote_and_the_dealer_accepts(shop, login_as):
    inquiry = ask(shop)
    admin = _client(login_as, shop, shop.staff.admin)
    assigned = _ok(_post(admin, f"/inquiries/{inquiry.pk}/assign/",
                         {"assigned_to": shop.staff.sales.pk}))
    assert assigned["status"] == "in_progress"
    assert assigned["assigned_to"] == {"id": shop.staff.sales.pk,
                                       "name": shop.staff.sales.name or shop.staff.sales.email}
    rep = _client(login_as, shop, shop.staff.sales)
    assert _ok(rep.get(f"{API}/inquiries/{inquiry.pk}/"))["actions"] == ["assign", "quote"]
    quoted = _ok(_post(rep, f"/inquiries/{inquiry.pk}/quote/", _quote_body(
        inquiry, variant=shop.cola.pk, tiers=[{"min_qty": 100, "price": "7.00"}])), 201)
    assert quoted["status"] == "quoted" and quoted["actions"] == ["assign", "accept"]
    (v1,) = quoted["versions"]
    assert (v1["version"], v1["status"], v1["shipping_fee"], v1["payment_terms"],
            v1["valid_until"]) == (1, "sent", "20.00", "30 days", soon().isoformat())
    juice, crate = v1["lines"]
    assert (juice["unit_price"], juice["reference_price"], juice["tiers"], juice["quantity"]) == (
        "7.50", "8.00", [{"min_qty": 100, "price": "7.00"}], 120)
    assert (crate["variant"]["sku_code"], crate["unit_price"], crate["quantity"],
            crate["declined"]) == ("CO-1", "4.00", 60, False)
    dana = _client(login_as, shop, shop.dana.user)
    mine = _ok(dana.get(f"{API}/my/inquiries/{inquiry.pk}/"))
    assert mine["dealer_status"] == "needs_answer"
    assert mine["actions"] == ["counter", "accept", "decline", "withdraw"]
    countered = _ok(_post(dana, f"/my/inquiries/{inquiry.pk}/counter/", {"counters": [
        {"line": juice["id"], "wanted_price": "7.00", "comment": "Competitor: 7.00"}]}))
    assert (countered["status"], countered["dealer_status"]) == ("countered", "quoted")
    assert countered["versions"][0]["counters"][0] | {"id": 0, "created_at": ""} == {
        "id": 0, "line": juice["id"], "wanted_price": "7.00", "wanted_quantity": None,
        "comment": "Competitor: 7.00", "created_at": ""}
    requoted = _ok(_post(rep, f"/inquiries/{inquiry.pk}/quote/", _quote_body(
        inquiry, juice="7.20", variant=shop.cola.pk)), 201)
    assert [(v["version"], v["status"]) for v in requoted["versions"]] == [
        (1, "superseded"), (2, "sent")]
    diff = _ok(dana.get(f"{API}/my/inquiries/{inquiry.pk}/diff/"))
    assert (diff["older"], diff["newer"]) == (1, 2)
    assert [row["changes"] for row in diff["lines"]] == [
        {"unit_price": {"old": "7.50", "new": "7.20"},
         "tiers": {"old": [{"min_qty": 100, "price": "7.00"}], "new": []}}, {}]
    placed = _ok(_post(dana, f"/my/inquiries/{inquiry.pk}/accept/", _accept_body(shop),
                       **{"Idempotency-Key": "accept-1"}), 201)
    assert placed["number"].startswith("SO-") and placed["on_behalf"] is False
    assert [(l["sku_code"], l["quantity"], l["unit_price"], l["price_note"])
            for l in placed["lines"]] == [
        ("OJ-1", 120, "7.20", f"Quoted price, {inquiry.number}"),
        ("CO-1", 60, "4.00", f"Quoted price, {inquiry.number}")]
    assert (placed["shipping_fee"], placed["total"]) == ("20.00", "1124.00")
    done = _ok(dana.get(f"{API}/my/inquiries/{inquiry.pk}/"))
    assert (done["status"], done["dealer_status"], done["actions"]) == (
        "accepted", "accepted", [])
    assert [e["action"] for e in done["events"]] == [
        "start", "quote", "counter", "quote", "accept"]
    assert done["events"][0]["actor"] == (shop.staff.admin.name or shop.staff.admin.email)


# --- acceptance once -----------------------------------------------------------------------


def test_acceptance_is_once_per_key_and_a_different_key_is_refused(shop, login_as):
    inquiry = ask(shop)
    answer(shop, inquiry)
    dana = _client(login_as, shop, shop.dana.user)
    path = f"/my/inquiries/{inquiry.pk}/accept/"
    first = _ok(_post(dana, path, _accept_body(shop), **{"Idempotency-Key": "k-1"}), 201)
    again = _ok(_post(dana, path, _accept_body(shop), **{"Idempotency-Key": "k-1"}), 200)
    assert again["id"] == first["id"] and again["number"] == first["number"]
    state = _state()
    assert _error(_post(dana, path, _accept_body(shop), **{"Idempotency-Key": "k-2"}),
                  409)["code"] == "already_accepted"
    assert _error(_post(dana, path, _accept_body(shop)), 409)["code"] == "already_accepted"
    assert _error(_post(dana, path, _accept_body(shop, remark="Another address"),
                        **{"Idempotency-Key": "k-1"}), 422)["code"] == "idempotency_key_reused"
    admin = _client(login_as, shop, shop.staff.admin)
    assert _error(_post(admin, f"/inquiries/{inquiry.pk}/accept/", _accept_body(shop),
                        **{"Idempotency-Key": "k-1"}), 409)["code"] == "already_accepted"
    assert _state() == state and Order.objects.count() == 1


def test_staff_accept_on_the_dealers_behalf(shop, login_as):
    inquiry = ask(shop)
    answer(shop, inquiry, decline_crate=True, tiers=[{"min_qty": 500, "price": "7.00"}])
    rep = _client(login_as, shop, shop.staff.sales)
    juice_quote = inquiry.quotations.get().lines.first()
    placed = _ok(_post(rep, f"/inquiries/{inquiry.pk}/accept/", _accept_body(
        shop, quantities={str(juice_quote.pk): 200}), **{"Idempotency-Key": "phone"}), 201)
    assert placed["on_behalf"] is True
    assert [(l["sku_code"], l["quantity"], l["unit_price"]) for l in placed["lines"]] == [
        ("OJ-1", 200, "7.50")]
    assert _ok(_post(rep, f"/inquiries/{inquiry.pk}/accept/", _accept_body(
        shop, quantities={str(juice_quote.pk): 200}), **{"Idempotency-Key": "phone"}),
        200)["id"] == placed["id"]


# --- refusals ------------------------------------------------------------------------------


def test_a_wrong_state_an_expired_quotation_and_an_unmapped_line_are_409(shop, login_as):
    dana = _client(login_as, shop, shop.dana.user)
    fresh = ask(shop)
    state = _state()
    error = _error(_post(dana, f"/my/inquiries/{fresh.pk}/decline/", {"reason": "No"}), 409)
    assert error["code"] == "invalid_transition"
    assert _error(_post(dana, f"/my/inquiries/{fresh.pk}/accept/", _accept_body(shop)),
                  409)["code"] == "invalid_transition"
    assert _state() == state
    expired = ask(shop)
    quotation = answer(shop, expired)
    Quotation.objects.filter(pk=quotation.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1))
    state = _state()
    error = _error(_post(dana, f"/my/inquiries/{expired.pk}/accept/", _accept_body(shop)), 409)
    assert error["code"] == "quotation_expired" and "expired" in error["message"]
    error = _error(_post(dana, f"/my/inquiries/{expired.pk}/counter/", {"counters": [
        {"line": quotation.lines.first().pk, "wanted_price": "7"}]}), 409)
    assert error["code"] == "quotation_expired"
    assert _state() == state
    unmapped = ask(shop)
    answer(shop, unmapped, map_crate=False)
    state = _state()
    error = _error(_post(dana, f"/my/inquiries/{unmapped.pk}/accept/", _accept_body(shop)), 409)
    assert error["code"] == "unresolved_lines" and error["fields"]["lines"]
    assert _state() == state and not Order.objects.exists()


def test_bad_quotations_and_counters_are_400_and_change_nothing(shop, login_as):
    inquiry = ask(shop)
    admin = _client(login_as, shop, shop.staff.admin)
    juice_line, _crate_line = inquiry.lines.all()
    state = _state()
    error = _error(_post(admin, f"/inquiries/{inquiry.pk}/quote/", {
        "lines": [{"inquiry_line": juice_line.pk, "unit_price": "7"}],
        "valid_until": soon().isoformat()}))
    assert error["code"] == "invalid_lines" and "missing" in error["fields"]["lines"]
    error = _error(_post(admin, f"/inquiries/{inquiry.pk}/quote/", _quote_body(
        inquiry, tiers=[{"min_qty": 1, "price": "6"}])))
    assert error["code"] == "invalid" and "lines" in error["fields"]
    error = _error(_post(admin, f"/inquiries/{inquiry.pk}/quote/", _quote_body(
        inquiry, valid_until=(timezone.localdate() - timedelta(days=1)).isoformat())))
    assert "valid_until" in error["fields"]
    assert _state() == state
    answer(shop, inquiry)
    dana = _client(login_as, shop, shop.dana.user)
    state = _state()
    error = _error(_post(dana, f"/my/inquiries/{inquiry.pk}/counter/", {"counters": [
        {"line": 999999, "wanted_price": "7"}]}))
    assert error["code"] == "invalid_lines"
    assert _error(_post(dana, f"/my/inquiries/{inquiry.pk}/counter/", {"counters": [
        {"line": inquiry.quotations.get().lines.first().pk}]}))["code"] == "empty"
    assert _state() == state


def test_assignment_only_to_staff_who_quote_for_the_customer(shop, login_as):
    inquiry = ask(shop)
    admin = _client(login_as, shop, shop.staff.admin)
    state = _state()
    for assignee in (shop.staff.warehouse.pk, shop.dana.user.pk, 999999):
        error = _error(_post(admin, f"/inquiries/{inquiry.pk}/assign/",
                             {"assigned_to": assignee}))
        assert "assigned_to" in error["fields"], assignee
    assert _state() == state
    _ok(_post(admin, f"/inquiries/{inquiry.pk}/assign/", {"assigned_to": shop.staff.sales.pk}))
    # another rep working with the customer sees it, but only the assignee edits it
    other_rep = staff_with_roles("sales_rep", email="rep2@acme.example")
    assign_perm("customers.work_with_customer", other_rep, shop.customer)
    rep2 = _client(login_as, shop, other_rep)
    assert _ok(rep2.get(f"{API}/inquiries/{inquiry.pk}/"))["actions"] == []
    state = _state()
    for action, body in (("assign", {"assigned_to": other_rep.pk}),
                         ("quote", _quote_body(inquiry))):
        assert _error(_post(rep2, f"/inquiries/{inquiry.pk}/{action}/", body),
                      403)["code"] == "not_assigned"
    assert _state() == state
    assert _ok(admin.get(f"{API}/inquiries/{inquiry.pk}/"))["actions"] == ["assign", "quote"]
    unassigned = _ok(_post(admin, f"/inquiries/{inquiry.pk}/assign/", {"assigned_to": None}))
    assert unassigned["assigned_to"] is None and unassigned["status"] == "in_progress"
    assert _ok(rep2.get(f"{API}/inquiries/{inquiry.pk}/"))["actions"] == ["assign", "quote"]


def test_roles_without_the_quote_permission_and_view_only_logins_are_403(shop, login_as):
    inquiry = ask(shop)
    answer(shop, inquiry)
    state = _state()
    for role in ("warehouse", "reviewer", "finance"):
        client = _client(login_as, shop, getattr(shop.staff, role))
        for path in ("/inquiries/", f"/inquiries/{inquiry.pk}/",
                     f"/inquiries/{inquiry.pk}/diff/"):
            assert _error(client.get(f"{API}{path}"), 403)["code"] == "permission_denied"
        for action, body in (("assign", {"assigned_to": None}), ("quote", _quote_body(inquiry)),
                             ("accept", _accept_body(shop))):
            assert _error(_post(client, f"/inquiries/{inquiry.pk}/{action}/", body), 403)
        assert _error(client.get(f"{API}/my/inquiries/"), 403)  # not a dealer
    vic = _client(login_as, shop, shop.viewer.user)
    assert _ok(vic.get(f"{API}/my/inquiries/"))["count"] == 1
    seen = _ok(vic.get(f"{API}/my/inquiries/{inquiry.pk}/"))
    assert seen["actions"] == [] and len(seen["versions"]) == 1
    line = inquiry.quotations.get().lines.first().pk
    for path, body in (("/my/inquiries/", {"lines": [{"variant": shop.juice.pk,
                                                      "quantity": 1}]}),
                       ("/my/inquiries/from-cart/", {}),
                       (f"/my/inquiries/{inquiry.pk}/counter/",
                        {"counters": [{"line": line, "wanted_price": "1"}]}),
                       (f"/my/inquiries/{inquiry.pk}/decline/", {}),
                       (f"/my/inquiries/{inquiry.pk}/withdraw/", {}),
                       (f"/my/inquiries/{inquiry.pk}/accept/", _accept_body(shop))):
        assert _error(_post(vic, path, body), 403)["code"] == "permission_denied", path
    dana = _client(login_as, shop, shop.dana.user)
    assert _error(dana.get(f"{API}/inquiries/"), 403)
    assert _error(_post(dana, f"/inquiries/{inquiry.pk}/accept/", _accept_body(shop)), 403)
    assert _state() == state


def test_another_companys_inquiry_is_404_on_every_route(shop, login_as):
    inquiry = ask(shop)
    answer(shop, inquiry)
    olga = _client(login_as, shop, shop.olga.user)
    state = _state()
    for path in (f"/my/inquiries/{inquiry.pk}/", f"/my/inquiries/{inquiry.pk}/diff/"):
        assert _error(olga.get(f"{API}{path}"), 404)["code"] == "not_found"
    line = inquiry.quotations.get().lines.first().pk
    for action, body in (("counter", {"counters": [{"line": line, "wanted_price": "1"}]}),
                         ("decline", {}), ("withdraw", {}),
                         ("accept", _accept_body(shop))):
        assert _error(_post(olga, f"/my/inquiries/{inquiry.pk}/{action}/", body),
                      404)["code"] == "not_found", action
    assert _ok(olga.get(f"{API}/my/inquiries/"))["count"] == 0
    assert _state() == state


def test_a_sales_rep_reaches_only_their_customers_inquiries(shop, login_as):
    own = ask(shop)
    other = ask(shop, actor=shop.olga.user)
    rep = _client(login_as, shop, shop.staff.sales)
    assert [r["id"] for r in _ok(rep.get(f"{API}/inquiries/"))["results"]] == [own.pk]
    assert _ok(rep.get(f"{API}/inquiries/{own.pk}/"))["id"] == own.pk
    state = _state()
    assert _error(rep.get(f"{API}/inquiries/{other.pk}/"), 404)
    for action, body in (("assign", {"assigned_to": shop.staff.sales.pk}),
                         ("quote", _quote_body(other)), ("accept", _accept_body(shop))):
        assert _error(_post(rep, f"/inquiries/{other.pk}/{action}/", body), 404), action
    assert _state() == state
    admin = _client(login_as, shop, shop.staff.admin)
    assert {r["id"] for r in _ok(admin.get(f"{API}/inquiries/"))["results"]} == {own.pk,
                                                                                other.pk}


def test_ids_beyond_the_database_range_are_not_found(shop, login_as):
    huge = 10 ** 20
    admin = _client(login_as, shop, shop.staff.admin)
    assert _error(admin.get(f"{API}/inquiries/{huge}/"), 404)["code"] == "not_found"
    assert _error(_post(admin, f"/inquiries/{huge}/assign/", {"assigned_to": None}), 404)
    dana = _client(login_as, shop, shop.dana.user)
    assert _error(dana.get(f"{API}/my/inquiries/{huge}/diff/"), 404)
    assert _error(_post(dana, f"/my/inquiries/{huge}/withdraw/"), 404)


# --- versions compared ---------------------------------------------------------------------


def test_the_diff_compares_any_two_versions(shop, login_as):
    inquiry = ask(shop)
    admin = _client(login_as, shop, shop.staff.admin)
    assert _error(admin.get(f"{API}/inquiries/{inquiry.pk}/diff/"), 404)  # no version yet
    answer(shop, inquiry, map_crate=False)
    assert _error(admin.get(f"{API}/inquiries/{inquiry.pk}/diff/"), 404)  # nothing before v1
    v1_crate = inquiry.quotations.get().lines.last()
    from ordering.quotes import services

    services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
        {"line": v1_crate.pk, "comment": "Which crate is it?"}])
    answer(shop, inquiry)
    services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
        {"line": inquiry.quotations.get(version=2).lines.first().pk, "wanted_quantity": 200}])
    answer(shop, inquiry, decline_crate=True)
    juice_line, crate_line = inquiry.lines.all()
    latest = _ok(admin.get(f"{API}/inquiries/{inquiry.pk}/diff/"))
    assert (latest["inquiry"], latest["older"], latest["newer"]) == (inquiry.pk, 2, 3)
    rows = {row["inquiry_line"]: row for row in latest["lines"]}
    assert rows[juice_line.pk]["changes"] == {}
    assert rows[crate_line.pk]["changes"] == {
        "declined": {"old": False, "new": True}, "variant": {"old": shop.cola.pk, "new": None},
        "unit_price": {"old": "4.00", "new": None}, "quantity": {"old": 60, "new": 50}}
    assert rows[crate_line.pk]["new"]["declined"] is True
    one_two = _ok(admin.get(f"{API}/inquiries/{inquiry.pk}/diff/?older=1&newer=2"))
    assert {r["inquiry_line"]: r["changes"] for r in one_two["lines"]}[crate_line.pk] == {
        "variant": {"old": None, "new": shop.cola.pk}}
    assert _ok(admin.get(f"{API}/inquiries/{inquiry.pk}/diff/?older=1"))["newer"] == 3
    assert _error(admin.get(f"{API}/inquiries/{inquiry.pk}/diff/?newer=9"), 404)
    assert _error(admin.get(f"{API}/inquiries/{inquiry.pk}/diff/?older=x"))["fields"] == {
        "older": ["Give a whole number."]}


# --- lists -----------------------------------------------------------------------------------


def test_the_lists_filter_and_refuse_unknown_values(shop, login_as):
    first, second = ask(shop), ask(shop)
    other = ask(shop, actor=shop.olga.user)
    answer(shop, first)
    admin = _client(login_as, shop, shop.staff.admin)
    _ok(_post(admin, f"/inquiries/{second.pk}/assign/", {"assigned_to": shop.staff.sales.pk}))

    def ids(client, query):
        return [r["id"] for r in _ok(client.get(f"{API}{query}"))["results"]]

    assert ids(admin, "/inquiries/?status=quoted") == [first.pk]
    assert ids(admin, f"/inquiries/?customer={shop.other.pk}") == [other.pk]
    assert ids(admin, f"/inquiries/?assigned_to={shop.staff.sales.pk}") == [second.pk]
    assert ids(admin, "/inquiries/?assigned_to=none") == [other.pk, first.pk]
    assert ids(admin, "/inquiries/?status=") == [other.pk, second.pk, first.pk]
    rep = _client(login_as, shop, shop.staff.sales)
    assert ids(rep, "/inquiries/?assigned_to=me") == [second.pk]
    dana = _client(login_as, shop, shop.dana.user)
    assert ids(dana, "/my/inquiries/?status=needs_answer") == [first.pk]
    assert ids(dana, "/my/inquiries/?status=submitted") == [second.pk]
    assert set(_error(admin.get(f"{API}/inquiries/?status=needs_answer"))["fields"]) == {
        "status"}
    assert set(_error(admin.get(f"{API}/inquiries/?customer=abc"))["fields"]) == {"customer"}
    assert set(_error(dana.get(f"{API}/my/inquiries/?status=quoted_x"))["fields"]) == {
        "status"}


# --- query budgets ---------------------------------------------------------------------------


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}{path}")
    assert response.status_code == 200, response.content[:600]
    return len(queries), response.json()


@pytest.mark.parametrize("who", ["admin", "sales", "dana"])
def test_the_list_and_the_detail_keep_their_query_budgets(shop, login_as, who):
    user = shop.dana.user if who == "dana" else getattr(shop.staff, who)
    client = _client(login_as, shop, user)
    prefix = "/my" if who == "dana" else ""
    first = ask(shop)
    answer(shop, first)
    client.get(f"{API}{prefix}/inquiries/")  # warm the process-wide caches
    counts = []
    for total in (2, 8):
        while Inquiry.objects.count() < total:
            answer(shop, ask(shop))
        count, body = _queries(client, f"{prefix}/inquiries/")
        assert body["count"] == total
        counts.append(count)
    assert counts[0] == counts[1] <= LIST_BUDGET, counts
    from ordering.quotes import services

    services.quotation_counter(actor=shop.dana.user, inquiry=first, counters=[
        {"line": first.quotations.get().lines.first().pk, "wanted_price": "7"}])
    answer(shop, first, prices=("7.20", "4.00"), tiers=[{"min_qty": 500, "price": "6.90"}])
    shown, body = _queries(client, f"{prefix}/inquiries/{first.pk}/")
    assert len(body["versions"]) == 2 and body["actions"]
    assert shown <= DETAIL_BUDGET, shown
    compared, _body = _queries(client, f"{prefix}/inquiries/{first.pk}/diff/")
    assert compared <= DETAIL_BUDGET, compared
    print(f"quotes API queries as {who}: list {counts[1]}, detail {shown}, diff {compared}")


# --- the schema ------------------------------------------------------------------------------


def test_the_schema_documents_the_quotation_endpoints(acme_client):
    schema = acme_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    staff = ["/api/v1/inquiries/", "/api/v1/inquiries/{id}/", "/api/v1/inquiries/{id}/diff/",
             "/api/v1/inquiries/{id}/assign/", "/api/v1/inquiries/{id}/quote/",
             "/api/v1/inquiries/{id}/accept/"]
    dealer = ["/api/v1/my/inquiries/", "/api/v1/my/inquiries/from-cart/",
              "/api/v1/my/inquiries/{id}/", "/api/v1/my/inquiries/{id}/diff/",
              "/api/v1/my/inquiries/{id}/counter/", "/api/v1/my/inquiries/{id}/decline/",
              "/api/v1/my/inquiries/{id}/withdraw/", "/api/v1/my/inquiries/{id}/accept/"]
    for path in staff + dealer:
        assert path in paths, path
    for path in ("/api/v1/inquiries/{id}/accept/", "/api/v1/my/inquiries/{id}/accept/"):
        post = paths[path]["post"]
        assert {"200", "201", "400", "403", "404", "409", "422"} <= set(post["responses"])
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header"
                   for p in post["parameters"])
    listing = paths["/api/v1/inquiries/"]["get"]
    status = next(p for p in listing["parameters"] if p["name"] == "status")
    assert set(status["schema"]["enum"]) == set(S.values)
    components = schema["components"]["schemas"]
    assert "dealer_status" in components["DealerInquiryDetail"]["properties"]
    assert components["QuotationLine"]["properties"]["unit_price"]["nullable"] is True
    codes = components["Error"]["properties"]["error"]["properties"]["code"]["enum"]
    assert {"already_accepted", "quotation_expired", "unresolved_lines"} <= set(codes)


def test_a_decline_and_a_withdrawal_close_the_inquiry_with_the_reason(shop, login_as):
    first, second = ask(shop), ask(shop)
    answer(shop, second)
    dana = _client(login_as, shop, shop.dana.user)
    withdrawn = _ok(_post(dana, f"/my/inquiries/{first.pk}/withdraw/", {"reason": "Not needed"}))
    declined = _ok(_post(dana, f"/my/inquiries/{second.pk}/decline/", {"reason": "Too dear"}))
    assert (withdrawn["status"], withdrawn["dealer_status"]) == ("withdrawn", "closed")
    assert (declined["status"], declined["versions"][0]["status"]) == (
        "declined", RoundStatus.DECLINED)
    assert declined["events"][-1]["reason"] == "Too dear"
    assert _error(_post(dana, f"/my/inquiries/{first.pk}/withdraw/"), 409)
    assert Decimal(declined["versions"][0]["shipping_fee"]) == Decimal("20.00")
