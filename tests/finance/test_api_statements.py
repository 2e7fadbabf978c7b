"""Statements of account over the API: finance issues them (one customer, or many in the
background), reads them with their lines, disputes and steps, and answers disputes; the
dealer lists, opens, confirms or disputes its own. Structured errors that save nothing,
who may do what, scope, other companies and other tenants, and the query budget."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from guardian.shortcuts import assign_perm

from ordering.finance.enums import EntryKind
from ordering.finance.models import Dispute, Entry, Reconciliation, ReconciliationEvent
from ordering.finance.services import reconciliation as rec
from roles.catalog import BUILTIN_ROLES
from roles.models import AuditLog
from roles.services.role_admin import role_create
from tests.conftest import TenantClient, host_of
from tests.factories.roles import staff_with_roles
from tests.finance.conftest import place
from tests.finance.test_api import API, _client, _error, _ok, _post

TODAY = timezone.localdate
DETAIL_BUDGET = 15  # as an order's detail


def _month_ago():
    return TODAY() - datetime.timedelta(days=30)


def _issue_body(shop, **values):
    return {"customer": shop.customer.pk, "start": _month_ago().isoformat(),
            "end": TODAY().isoformat(), **values}


def _issued(shop, customer=None):
    return rec.reconciliation_issue(actor=None, customer=customer or shop.customer,
                                    start=_month_ago(), end=TODAY())


def _state():
    return (sorted(Reconciliation.objects.values_list("pk", "status", "closing")),
            sorted(Dispute.objects.values_list("pk", "answer")), Entry.objects.count(),
            AuditLog.objects.filter(action__startswith="finance.").count())


def test_a_statement_goes_from_issued_through_a_dispute_to_confirmed(shop, login_as):
    place(shop)
    second = place(shop)
    finance = _client(login_as, shop, shop.staff.finance)
    issued = _ok(_post(finance, "/finance/statements/", _issue_body(shop, note="November")),
                 201)
    assert issued["number"].startswith("ST-") and issued["status"] == "issued"
    assert (issued["opening"], issued["closing"], issued["entry_count"]) == (
        "0.00", "190.00", 2)
    assert [line["running"] for line in issued["lines"]] == ["95.00", "190.00"]
    assert [e["kind"] for e in issued["events"]] == ["issued"] and "ip" in issued["events"][0]
    pk = issued["id"]
    listed = _ok(finance.get(f"{API}/finance/statements/", {"status": "issued"}))
    assert [row["id"] for row in listed["results"]] == [pk]
    assert listed["results"][0]["customer_name"] == "Gold Trading"
    assert _ok(finance.get(f"{API}/finance/statements/", {"status": "confirmed"}))["count"] == 0

    dana = _client(login_as, shop, shop.dana.user)
    mine, = _ok(dana.get(f"{API}/my/finance/statements/"))["results"]
    assert mine["id"] == pk and "customer" not in mine
    for _ in range(2):  # opening it is kept once
        opened = _ok(dana.get(f"{API}/my/finance/statements/{pk}/"))
    assert [e["kind"] for e in opened["events"]] == ["issued", "viewed"]
    assert "ip" not in opened["events"][0]
    charge = Entry.objects.get(order=second, kind=EntryKind.ORDER_CHARGE)
    disputed = _ok(_post(dana, f"/my/finance/statements/{pk}/dispute/", {"lines": [
        {"entry": charge.pk, "comment": "We never received this order"},
        {"entry": None, "comment": "Where is our rebate?"}]}))
    assert disputed["status"] == "disputed" and disputed["open_disputes"] == 2
    line_dispute, general = disputed["disputes"]
    assert (line_dispute["entry"], general["entry"]) == (charge.pk, None)
    assert disputed["lines"][1]["disputes"] == [line_dispute["id"]]

    answered = _ok(_post(finance, f"/finance/statements/{pk}/disputes/{line_dispute['id']}/"
                         "answer/", {"answer": "Right: sent to another customer",
                                     "correction": "reverse"}))
    assert answered["status"] == "disputed" and answered["open_disputes"] == 1
    correction = answered["lines"][-1]
    assert correction["is_correction"] is True and correction["amount"] == "-95.00"
    resolved = _ok(_post(finance, f"/finance/statements/{pk}/disputes/{general['id']}/answer/",
                         {"answer": "The rebate is granted in January"}))
    assert (resolved["status"], resolved["closing"]) == ("resolved", "95.00")
    assert [d["resolution"] for d in resolved["disputes"]] == ["corrected", "explained"]
    again = _error(_post(finance, f"/finance/statements/{pk}/disputes/{general['id']}/"
                         "answer/", {"answer": "again"}), 409)
    assert again["code"] == "statement_state"

    confirmed = _ok(_post(dana, f"/my/finance/statements/{pk}/confirm/"))
    assert confirmed["status"] == "confirmed" and confirmed["confirmed_at"]
    assert _error(_post(dana, f"/my/finance/statements/{pk}/confirm/"), 409)["code"] \
        == "statement_state"
    kinds = [e["kind"] for e in _ok(finance.get(f"{API}/finance/statements/{pk}/"))["events"]]
    assert kinds == ["issued", "viewed", "disputed", "answered", "answered", "confirmed"]


def test_an_adjustment_answers_a_dispute_of_the_whole_statement(shop, login_as):
    place(shop)
    statement = _issued(shop)
    dispute, = rec.reconciliation_dispute(actor=shop.dana.user, reconciliation=statement,
                                          lines=[(None, "Freight was agreed free")])
    finance = _client(login_as, shop, shop.staff.finance)
    url = f"/finance/statements/{statement.pk}/disputes/{dispute.pk}/answer/"
    before = _state()
    for body, field in (({"answer": " "}, "answer"),
                        ({"answer": "x", "correction": "reverse"}, "correction"),
                        ({"answer": "x", "correction": "adjust"}, "amount"),
                        ({"answer": "x", "correction": "delete"}, "correction"),
                        ({"answer": "x", "correction": "adjust", "amount": "abc"}, "amount")):
        assert field in _error(_post(finance, url, body))["fields"], body
    assert _state() == before
    body = _ok(_post(finance, url, {"answer": "Freight waived", "correction": "adjust",
                                    "amount": "-15.00"}))
    assert (body["status"], body["closing"]) == ("resolved", "80.00")


@pytest.mark.parametrize("values, field", [
    ({"end": (TODAY() + datetime.timedelta(days=1)).isoformat()}, "end"),
    ({"start": TODAY().isoformat(), "end": _month_ago().isoformat()}, "end"),
    ({"start": "2001-01-01"}, "start"), ({"start": "soon"}, "start"),
    ({"customer": None}, "customer"), ({"note": "n" * 301}, "note")])
def test_a_bad_statement_is_refused_with_nothing_saved(shop, login_as, values, field):
    finance = _client(login_as, shop, shop.staff.finance)
    error = _error(_post(finance, "/finance/statements/", _issue_body(shop, **values)))
    assert field in error["fields"], error
    assert not Reconciliation.objects.exists()


def test_bad_disputes_are_refused_with_nothing_saved(shop, login_as):
    place(shop)
    statement = _issued(shop)
    outside = place(shop, actor=shop.olga.user)
    theirs = Entry.objects.get(order=outside)
    dana = _client(login_as, shop, shop.dana.user)
    url = f"/my/finance/statements/{statement.pk}/dispute/"
    before = _state()
    for lines in ([], [{"entry": None, "comment": " "}], [{"entry": theirs.pk, "comment": "x"}],
                  [{"comment": "c" * 501}], [{"entry": "x", "comment": "y"}],
                  [{"entry": None, "comment": str(n)} for n in range(51)]):
        assert "lines" in _error(_post(dana, url, {"lines": lines}))["fields"], lines
    assert _state() == before


def test_many_statements_are_issued_in_the_background(shop, login_as,
                                                      django_capture_on_commit_callbacks):
    finance = _client(login_as, shop, shop.staff.finance)
    body = {"customers": [shop.customer.pk, shop.other.pk, 999999],
            "start": _month_ago().isoformat(), "end": TODAY().isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        queued = _ok(_post(finance, "/finance/statements/bulk/", body), 202)
    assert queued == {"queued": 2}
    assert sorted(Reconciliation.objects.values_list("customer_id", flat=True)) == sorted(
        [shop.customer.pk, shop.other.pk])
    assert "customers" in _error(_post(finance, "/finance/statements/bulk/", {
        **body, "customers": [999999]}))["fields"]
    assert "customers" in _error(_post(finance, "/finance/statements/bulk/", {
        **body, "customers": []}))["fields"]


# --- who ----------------------------------------------------------------------------------

# the roles that hold manage_statements: they read, issue and answer statements (as on the
# dashboard); every other role is refused
MANAGE = {"system_administrator", "business_lead", "finance_reviewer"}


@pytest.mark.parametrize("role", [role.key for role in BUILTIN_ROLES])
def test_who_may_read_issue_and_answer_statements(shop, login_as, role):
    place(shop)
    statement = _issued(shop)
    dispute, = rec.reconciliation_dispute(actor=shop.dana.user, reconciliation=statement,
                                          lines=[(None, "Why?")])
    client = _client(login_as, shop, staff_with_roles(role, email=f"{role}@acme.example"))
    reads = [client.get(f"{API}/finance/statements/"),
             client.get(f"{API}/finance/statements/{statement.pk}/")]
    assert [r.status_code for r in reads] == ([200, 200] if role in MANAGE else [403, 403])
    before = _state()
    writes = [_post(client, "/finance/statements/", _issue_body(shop)),
              _post(client, "/finance/statements/bulk/", {
                  "customers": [shop.customer.pk], "start": _month_ago().isoformat(),
                  "end": TODAY().isoformat()}),
              _post(client, f"/finance/statements/{statement.pk}/disputes/{dispute.pk}/answer/",
                    {"answer": "Because"})]
    if role in MANAGE:
        assert [w.status_code for w in writes] == [201, 202, 200]
    else:
        assert [w.status_code for w in writes] == [403, 403, 403]
        assert _state() == before


def test_the_roles_that_manage_statements_follow_the_catalog():
    assert {role.key for role in BUILTIN_ROLES if "manage_statements" in role.permissions} \
        == MANAGE


def test_scoped_staff_reach_only_their_customers_statements(shop, login_as):
    role = role_create(actor=None, name_en="Regional statements", permissions=[
        "view_customers", "manage_statements", "adjust_balances"])
    user = staff_with_roles(email="regional-st@acme.example")
    user.groups.add(role.group)
    assign_perm("customers.work_with_customer", user, shop.customer)
    mine, theirs = _issued(shop), _issued(shop, shop.other)
    dispute, = rec.reconciliation_dispute(actor=shop.olga.user, reconciliation=theirs,
                                          lines=[(None, "Why?")])
    client = _client(login_as, shop, user)
    assert [r["id"] for r in _ok(client.get(f"{API}/finance/statements/"))["results"]] == [
        mine.pk]
    assert client.get(f"{API}/finance/statements/{theirs.pk}/").status_code == 404
    before = _state()
    assert _post(client, f"/finance/statements/{theirs.pk}/disputes/{dispute.pk}/answer/",
                 {"answer": "No"}).status_code == 404
    assert _post(client, "/finance/statements/", _issue_body(
        shop, customer=shop.other.pk)).status_code == 404
    assert _state() == before
    assert _post(client, "/finance/statements/", _issue_body(shop)).status_code == 201
    # a dispute is found only under its own statement
    assert _post(client, f"/finance/statements/{mine.pk}/disputes/{dispute.pk}/answer/",
                 {"answer": "No"}).status_code == 404


def test_a_dealer_reaches_only_its_own_companys_statements(shop, login_as):
    place(shop)
    statement = _issued(shop)
    olga = _client(login_as, shop, shop.olga.user)
    assert _ok(olga.get(f"{API}/my/finance/statements/"))["count"] == 0
    before = _state()
    assert olga.get(f"{API}/my/finance/statements/{statement.pk}/").status_code == 404
    assert _post(olga, f"/my/finance/statements/{statement.pk}/confirm/").status_code == 404
    assert _post(olga, f"/my/finance/statements/{statement.pk}/dispute/", {
        "lines": [{"comment": "x"}]}).status_code == 404
    assert _state() == before
    assert not ReconciliationEvent.objects.filter(actor=shop.olga.user).exists()
    vic = _client(login_as, shop, shop.viewer.user)  # a view-only login reads, cannot answer
    assert _ok(vic.get(f"{API}/my/finance/statements/{statement.pk}/"))["id"] == statement.pk
    assert _error(_post(vic, f"/my/finance/statements/{statement.pk}/confirm/"))
    admin = _client(login_as, shop, shop.staff.admin)
    assert admin.get(f"{API}/my/finance/statements/").status_code == 403
    dana = _client(login_as, shop, shop.dana.user)
    assert dana.get(f"{API}/finance/statements/{statement.pk}/").status_code == 403


def test_another_tenants_statements_are_404(shop, login_as, globex):
    place(shop)
    statement = _issued(shop)
    dispute, = rec.reconciliation_dispute(actor=shop.dana.user, reconciliation=statement,
                                          lines=[(None, "Why?")])
    with tenant_context(globex):
        boss = staff_with_roles("system_administrator", email="boss-st@globex.example")
    stranger = login_as(TenantClient(host_of(globex)), globex, boss)
    before = _state()
    assert stranger.get(f"{API}/finance/statements/{statement.pk}/").status_code == 404
    assert _post(stranger, f"/finance/statements/{statement.pk}/disputes/{dispute.pk}/answer/",
                 {"answer": "x"}).status_code == 404
    assert _ok(stranger.get(f"{API}/finance/statements/"))["count"] == 0
    assert _state() == before


def test_statement_detail_queries_do_not_grow_with_lines(shop, login_as):
    finance = _client(login_as, shop, shop.staff.finance)
    dana = _client(login_as, shop, shop.dana.user)
    counts = []
    for orders in (1, 8):
        while Entry.objects.filter(account__customer=shop.customer).count() < orders:
            place(shop, lines=[{"variant": shop.juice.pk, "quantity": 1}])
        statement = _issued(shop)
        rec.reconciliation_dispute(actor=shop.dana.user, reconciliation=statement, lines=[
            (entry.pk, "?") for entry in Entry.objects.filter(account__customer=shop.customer)])
        for client, url in ((finance, f"{API}/finance/statements/{statement.pk}/"),
                            (dana, f"{API}/my/finance/statements/{statement.pk}/")):
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                body = _ok(client.get(url))
            assert len(body["lines"]) == orders and len(body["disputes"]) == orders
            counts.append(len(queries))
    assert counts[:2] == counts[2:] and max(counts) <= DETAIL_BUDGET, counts
    assert Decimal(body["closing"]) == Decimal("23.00") * 8


def test_a_long_statement_is_read_page_by_page(shop, login_as, monkeypatch):
    from ordering.finance import selectors

    monkeypatch.setattr(selectors, "STATEMENT_LINES_PER_PAGE", 2)
    for _ in range(5):
        place(shop, lines=[{"variant": shop.juice.pk, "quantity": 1}])  # 23.00 each
    statement = _issued(shop)
    finance = _client(login_as, shop, shop.staff.finance)
    url = f"{API}/finance/statements/{statement.pk}/"
    first = _ok(finance.get(url))
    assert (first["line_count"], first["line_page"], first["line_pages"]) == (5, 1, 3)
    assert [line["running"] for line in first["lines"]] == ["23.00", "46.00"]
    second = _ok(finance.get(url, {"page": 2}))
    assert [line["running"] for line in second["lines"]] == ["69.00", "92.00"]
    assert second["closing"] == second["closing_now"] == "115.00"
    assert _ok(finance.get(url, {"page": 99}))["line_page"] == 3  # the nearest page
    assert "page" in _error(finance.get(url, {"page": "two"}))["fields"]
    dana = _client(login_as, shop, shop.dana.user)
    last = _ok(dana.get(f"{API}/my/finance/statements/{statement.pk}/", {"page": 3}))
    assert [line["running"] for line in last["lines"]] == ["115.00"]
