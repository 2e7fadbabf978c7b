"""The finance API: a customer's balances and ledger, receivables, payments recorded,
confirmed and rejected, adjustments, reversals, credit terms and credit holds for staff;
the dealer's own balances, statement and payments. Structured errors that save nothing,
Idempotency-Key on recording payments, and query budgets."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ordering.customers.services.customers import customer_update
from ordering.finance import selectors
from ordering.finance.enums import AccountKind, EntryKind, PaymentStatus
from ordering.finance.models import Entry, Payment
from ordering.finance.services import ledger, payments
from ordering.orders.models import Order
from roles.models import AuditLog
from tests.conftest import TenantClient, host_of
from tests.finance.conftest import place

API = "/api/v1"
JSON = "application/json"
TODAY = timezone.localdate
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LIST_BUDGET = 10


def _client(login_as, shop, user):
    return login_as(TenantClient(host_of(shop.tenant)), shop.tenant, user)


def _post(client, path, data=None, **headers):
    return client.post(f"{API}{path}", data if data is not None else {}, content_type=JSON,
                       headers=headers)


def _ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:600])
    return response.json()


def _error(response, status=400):
    assert response.status_code == status, (response.status_code, response.content[:600])
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def _money(shop):
    """Gold Trading: one order (95.00 owed), 300.00 prepaid, 20.00 rebate, a credit limit
    of 1,000.00."""
    order = place(shop)
    ledger.adjustment_post(actor=None, customer=shop.customer, account_kind=AccountKind.PREPAID,
                           amount="300.00", reason="Opening prepaid")
    ledger.rebate_grant(actor=None, customer=shop.customer, amount="20.00", reason="Q3 rebate")
    customer_update(actor=None, customer=shop.customer, credit_limit=Decimal("1000.00"))
    shop.customer.refresh_from_db()
    return order


# --- balances, ledger, receivables --------------------------------------------------------


def test_finance_reads_a_customers_balances_with_money_as_strings(shop, login_as):
    _money(shop)
    finance = _client(login_as, shop, shop.staff.finance)
    body = _ok(finance.get(f"{API}/finance/customers/{shop.customer.pk}/balances/"))
    assert body == {"customer": shop.customer.pk, "customer_code": shop.customer.code,
                    "customer_name": "Gold Trading", "prepaid": "300.00", "rebate": "20.00",
                    "owed": "95.00", "credit_limit": "1000.00", "temporary_credit": "0.00",
                    "credit_left": "905.00", "available": "1225.00", "on_hold": False,
                    "hold_reason": ""}
    _ok(_post(finance, f"/finance/customers/{shop.customer.pk}/credit-terms/",
              {"temporary_credit": "200", "on_hold": True, "hold_reason": "Overdue"}))
    body = _ok(finance.get(f"{API}/finance/customers/{shop.customer.pk}/balances/"))
    assert (body["temporary_credit"], body["credit_left"], body["available"]) == (
        "200.00", "1105.00", "1425.00")
    assert (body["on_hold"], body["hold_reason"]) == (True, "Overdue")
    assert finance.get(f"{API}/finance/customers/999999/balances/").status_code == 404


def test_the_ledger_shows_opening_entries_and_closing_for_a_period(shop, login_as):
    accounts = ledger.accounts_lock(shop.customer.pk)  # a back-dated entry, 40 days ago
    ledger.ledger_post(account=accounts[AccountKind.RECEIVABLE], kind=EntryKind.ADJUSTMENT,
                       amount="95.00", memo="Carried over",
                       at=timezone.now() - datetime.timedelta(days=40))
    second = place(shop)
    finance = _client(login_as, shop, shop.staff.finance)
    url = f"{API}/finance/customers/{shop.customer.pk}/ledger/"
    body = _ok(finance.get(url, {"start": TODAY().isoformat()}))
    assert body["account"] == "receivable" and body["start"] == body["end"] == TODAY().isoformat()
    assert (body["opening"], body["closing"], body["count"]) == ("95.00", "190.00", 1)
    entry, = body["results"]
    assert entry["kind"] == EntryKind.ORDER_CHARGE and entry["amount"] == "95.00"
    assert entry["order"] == second.pk and entry["order_number"] == second.number
    assert entry["running"] == "190.00" and entry["reversed_by"] is None
    assert "account" not in entry and entry["actor"]
    everything = _ok(finance.get(url, {"start": "2020-01-01"}))
    assert everything["opening"] == "0.00"
    assert [e["running"] for e in everything["results"]] == ["95.00", "190.00"]
    prepaid = _ok(finance.get(url, {"account": "prepaid"}))
    assert prepaid["account"] == "prepaid" and prepaid["results"] == []
    assert prepaid["start"] == TODAY().replace(day=1).isoformat()
    empty = _ok(finance.get(url, {"account": "", "start": "", "end": ""}))  # empty: the default
    assert (empty["account"], empty["end"]) == ("receivable", TODAY().isoformat())


@pytest.mark.parametrize("query, field", [
    ({"account": "savings"}, "account"), ({"start": "yesterday"}, "start"),
    ({"end": "2026-02-30"}, "end"), ({"start": "2026-05-02", "end": "2026-05-01"}, "start"),
    ({"end": "9999-12-31"}, "end"), ({"start": "0001-01-01"}, "start")])
def test_a_bad_period_is_refused_in_the_error_shape(shop, login_as, query, field):
    finance = _client(login_as, shop, shop.staff.finance)
    error = _error(finance.get(f"{API}/finance/customers/{shop.customer.pk}/ledger/", query))
    assert error["code"] == "invalid" and field in error["fields"]


def test_a_long_period_is_paged_with_running_balances_in_date_order(shop, login_as,
                                                                      monkeypatch):
    from rest_framework.pagination import PageNumberPagination

    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    reversed_charge = None
    for _ in range(3):
        order = place(shop, lines=[{"variant": shop.juice.pk, "quantity": 1}])  # 23.00
        reversed_charge = reversed_charge or Entry.objects.get(order=order)
    reversal = ledger.entry_reverse(actor=None, entry=reversed_charge, reason="Twice")
    finance = _client(login_as, shop, shop.staff.finance)
    url = f"{API}/finance/customers/{shop.customer.pk}/ledger/"
    pages = [_ok(finance.get(url, {"page": page})) for page in (1, 2)]
    assert [p["count"] for p in pages] == [4, 4]
    assert {(p["opening"], p["closing"]) for p in pages} == {("0.00", "46.00")}
    running = [e["running"] for p in pages for e in p["results"]]
    assert running == ["23.00", "46.00", "69.00", "46.00"]
    assert pages[0]["results"][0]["reversed_by"] == reversal.pk
    assert pages[0]["next"] and pages[1]["next"] is None
    assert _error(finance.get(url, {"page": 3}), 404)["code"] == "not_found"
    dana = _client(login_as, shop, shop.dana.user)
    last = _ok(dana.get(f"{API}/my/finance/statement/", {"page": 2}))
    assert [e["running"] for e in last["results"]] == ["69.00", "46.00"]


def test_ledger_queries_do_not_grow_with_entries(shop, login_as, django_assert_max_num_queries):
    finance = _client(login_as, shop, shop.staff.finance)
    url = f"{API}/finance/customers/{shop.customer.pk}/ledger/"
    finance.get(url)  # warm the process-wide caches (tenant, content types)
    counts = []
    for orders in (1, 15):
        while Order.objects.count() < orders:
            order = place(shop, lines=[{"variant": shop.juice.pk, "quantity": 1}])
            payments.payment_confirm(actor=None, payment=payments.payment_record(
                actor=None, customer=shop.customer, amount="10", paid_on=TODAY(),
                order_ids=[order.pk]))
        with CaptureQueriesContext(connection) as queries:
            body = _ok(finance.get(url))
        assert len(body["results"]) == orders * 2
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(LIST_BUDGET):
        _ok(finance.get(url))
    dana = _client(login_as, shop, shop.dana.user)
    dana.get(f"{API}/my/finance/statement/")
    with django_assert_max_num_queries(LIST_BUDGET):
        assert len(_ok(dana.get(f"{API}/my/finance/statement/"))["results"]) == 30


def test_receivables_list_customers_who_owe_largest_first(shop, login_as):
    _money(shop)
    place(shop, actor=shop.olga.user)
    place(shop, actor=shop.olga.user)
    finance = _client(login_as, shop, shop.staff.finance)
    url = f"{API}/finance/receivables/"
    finance.get(url)
    with CaptureQueriesContext(connection) as queries:
        body = _ok(finance.get(url))
    assert len(queries) <= LIST_BUDGET, [q["sql"][:100] for q in queries]
    assert body["count"] == 2
    other, gold = body["results"]
    assert (other["customer"], other["owed"], other["prepaid"]) == (shop.other.pk, "190.00",
                                                                    "0.00")
    assert (gold["customer_name"], gold["owed"], gold["prepaid"], gold["rebate"],
            gold["credit_left"], gold["available"]) == ("Gold Trading", "95.00", "300.00",
                                                        "20.00", "905.00", "1225.00")


# --- payments -----------------------------------------------------------------------------


def _payment_body(shop, **values):
    return {"customer": shop.customer.pk, "amount": "95.00", "paid_on": TODAY().isoformat(),
            "method": "cash", **values}


def test_staff_record_a_payment_and_finance_confirms_it(shop, login_as):
    order = place(shop)
    finance = _client(login_as, shop, shop.staff.finance)
    body = _ok(_post(finance, "/finance/payments/", _payment_body(
        shop, orders=[order.pk], reference="R-1", note="Cash at the counter")), 201)
    assert body["number"].startswith("PAY-") and body["status"] == PaymentStatus.PENDING
    assert (body["amount"], body["method"], body["orders"], body["allocations"]) == (
        "95.00", "cash", [order.pk], [])
    assert body["recorded_by"] and body["customer_name"] == "Gold Trading"
    listed = _ok(finance.get(f"{API}/finance/payments/", {"status": "pending"}))
    assert [p["id"] for p in listed["results"]] == [body["id"]]
    assert _ok(finance.get(f"{API}/finance/payments/", {"status": "confirmed"}))["count"] == 0
    confirmed = _ok(_post(finance, f"/finance/payments/{body['id']}/confirm/"))
    assert confirmed["status"] == PaymentStatus.CONFIRMED and confirmed["decided_by"]
    assert confirmed["allocations"] == [{"order": order.pk, "order_number": order.number,
                                         "amount": "95.00"}]
    assert selectors.balances(shop.customer).owed == Decimal("0.00")
    again = _error(_post(finance, f"/finance/payments/{body['id']}/confirm/"), 409)
    assert again["code"] == "payment_decided"
    detail = _ok(finance.get(f"{API}/finance/payments/{body['id']}/"))
    assert detail["status"] == "confirmed"


def test_finance_rejects_a_payment_with_a_reason_and_no_money_moves(shop, login_as):
    payment = payments.payment_record(actor=shop.dana.user, amount="95", paid_on=TODAY())
    finance = _client(login_as, shop, shop.staff.finance)
    error = _error(_post(finance, f"/finance/payments/{payment.pk}/reject/", {"reason": " "}))
    assert "reason" in error["fields"]
    assert "reason" in _error(_post(finance, f"/finance/payments/{payment.pk}/reject/"))[
        "fields"]
    body = _ok(_post(finance, f"/finance/payments/{payment.pk}/reject/",
                     {"reason": "Not on our statement"}))
    assert (body["status"], body["reject_reason"]) == ("rejected", "Not on our statement")
    assert not Entry.objects.filter(payment=payment).exists()
    dana = _client(login_as, shop, shop.dana.user)
    mine, = _ok(dana.get(f"{API}/my/finance/payments/"))["results"]
    assert (mine["status"], mine["reject_reason"]) == ("rejected", "Not on our statement")


@pytest.mark.parametrize("values, field", [
    ({"amount": "0"}, "amount"), ({"amount": "-5"}, "amount"), ({"amount": "abc"}, "amount"),
    ({"amount": "1.005"}, "amount"), ({"amount": "1000000000"}, "amount"),
    ({"paid_on": "tomorrow"}, "paid_on"), ({"method": "online"}, "method"),
    ({"purpose": "gift"}, "purpose"), ({"orders": [999999]}, "orders"),
    ({"orders": ["x"]}, "orders"), ({"reference": "r" * 81}, "reference"),
    ({"customer": None}, "customer"), ({"note": "a\x00b"}, "note")])
def test_a_bad_payment_is_refused_with_nothing_saved(shop, login_as, values, field):
    if values.get("paid_on") == "tomorrow":
        values = {"paid_on": (TODAY() + datetime.timedelta(days=1)).isoformat()}
    finance = _client(login_as, shop, shop.staff.finance)
    error = _error(_post(finance, "/finance/payments/", _payment_body(shop, **values),
                         **{"Idempotency-Key": "bad-1"}))
    assert field in error["fields"], error
    assert not Payment.objects.exists() and not AuditLog.objects.filter(
        action="finance.payment_record").exists()


def test_orders_of_another_company_cannot_be_paid(shop, login_as):
    theirs = place(shop, actor=shop.olga.user)
    dana = _client(login_as, shop, shop.dana.user)
    error = _error(_post(dana, "/my/finance/payments/", {
        "amount": "95", "paid_on": TODAY().isoformat(), "orders": [theirs.pk]}))
    assert "orders" in error["fields"] and not Payment.objects.exists()


# --- Idempotency-Key ----------------------------------------------------------------------


def test_the_same_key_returns_the_first_payment_and_records_nothing_more(shop, login_as):
    finance = _client(login_as, shop, shop.staff.finance)
    key = {"Idempotency-Key": "cash-2026-001"}
    first = _ok(_post(finance, "/finance/payments/", _payment_body(shop), **key), 201)
    again = _ok(_post(finance, "/finance/payments/", _payment_body(shop, amount="95"), **key))
    assert again["id"] == first["id"] and again == first
    error = _error(_post(finance, "/finance/payments/", _payment_body(shop, amount="96.00"),
                         **key), 422)
    assert error["code"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1
    assert AuditLog.objects.filter(action="finance.payment_record").count() == 1
    # another customer may use the same key: keys are per customer
    other = _ok(_post(finance, "/finance/payments/", _payment_body(
        shop, customer=shop.other.pk), **key), 201)
    assert other["id"] != first["id"]
    # without a key every request records a payment
    _ok(_post(finance, "/finance/payments/", _payment_body(shop)), 201)
    _ok(_post(finance, "/finance/payments/", _payment_body(shop)), 201)
    assert Payment.objects.filter(customer=shop.customer).count() == 3


def test_a_dealer_retrying_a_transfer_with_its_key_records_it_once(shop, login_as):
    dana = _client(login_as, shop, shop.dana.user)
    body = {"amount": "95.00", "paid_on": TODAY().isoformat(), "reference": "ICBC 8812"}
    key = {"Idempotency-Key": "transfer-8812"}
    first = _ok(_post(dana, "/my/finance/payments/", body, **key), 201)
    assert _ok(_post(dana, "/my/finance/payments/", body, **key))["id"] == first["id"]
    changed = _error(_post(dana, "/my/finance/payments/", {**body, "reference": "ICBC 8813"},
                           **key), 422)
    assert changed["code"] == "idempotency_key_reused"
    too_long = _error(_post(dana, "/my/finance/payments/", body,
                            **{"Idempotency-Key": "k" * 81}))
    assert too_long["code"] == "invalid_idempotency_key"
    assert Payment.objects.count() == 1


def test_the_same_key_with_the_same_proof_is_the_same_request(shop, login_as):
    dana = _client(login_as, shop, shop.dana.user)

    def send(content, key="slip-1"):
        return dana.post(f"{API}/my/finance/payments/", {
            "amount": "95.00", "paid_on": TODAY().isoformat(), "purpose": "topup",
            "proof": SimpleUploadedFile("slip.png", content, content_type="image/png")},
            headers={"Idempotency-Key": key})

    first = _ok(send(PNG), 201)
    assert first["has_proof"] is True and first["purpose"] == "topup"
    assert _ok(send(PNG))["id"] == first["id"]
    assert _error(send(PNG + b"\x01"), 422)["code"] == "idempotency_key_reused"
    payment = Payment.objects.get()
    assert payment.proof.name.endswith(".png") and payment.proof.name.startswith("private/")


# --- adjustments, reversals, credit terms, holds ------------------------------------------


def test_an_adjustment_posts_an_entry_with_its_reason(shop, login_as):
    finance = _client(login_as, shop, shop.staff.finance)
    url = f"/finance/customers/{shop.customer.pk}/adjustments/"
    body = _ok(_post(finance, url, {"account": "prepaid", "amount": "50.00",
                                    "reason": "Deposit carried over"}), 201)
    assert (body["account"], body["kind"], body["amount"], body["balance_after"],
            body["memo"]) == ("prepaid", "adjustment", "50.00", "50.00", "Deposit carried over")
    for payload, field in (({"account": "prepaid", "amount": "5", "reason": ""}, "reason"),
                           ({"account": "prepaid", "amount": "0", "reason": "x"}, "amount"),
                           ({"account": "cash", "amount": "5", "reason": "x"}, "account"),
                           ({"account": "rebate", "amount": "x", "reason": "x"}, "amount")):
        assert field in _error(_post(finance, url, payload))["fields"]
    below = _error(_post(finance, url, {"account": "prepaid", "amount": "-50.01",
                                        "reason": "Too much"}))
    assert below["code"] == "insufficient_balance" and "amount" in below["fields"]
    assert Entry.objects.count() == 1 and selectors.balances(shop.customer).prepaid == 50


def test_an_entry_is_reversed_once_with_a_reason(shop, login_as):
    order = place(shop)
    charge = Entry.objects.get(order=order)
    finance = _client(login_as, shop, shop.staff.finance)
    url = f"/finance/entries/{charge.pk}/reverse/"
    assert "reason" in _error(_post(finance, url, {"reason": ""}))["fields"]
    body = _ok(_post(finance, url, {"reason": "Charged twice"}), 201)
    assert (body["kind"], body["amount"], body["reverses"], body["memo"]) == (
        "reversal", "-95.00", charge.pk, "Charged twice")
    assert _error(_post(finance, url, {"reason": "Again"}), 409)["code"] == "already_reversed"
    again = _error(_post(finance, f"/finance/entries/{body['id']}/reverse/", {"reason": "x"}),
                   409)
    assert again["code"] == "already_reversed"
    assert selectors.balances(shop.customer).owed == 0 and Entry.objects.count() == 2


def test_credit_terms_change_only_what_is_sent(shop, login_as):
    finance = _client(login_as, shop, shop.staff.finance)
    url = f"/finance/customers/{shop.customer.pk}/credit-terms/"
    defaults = _ok(finance.get(f"{API}{url}"))
    assert defaults == {"customer": shop.customer.pk, "credit_limit": "0.00",
                        "payment_terms": "prepaid", "payment_days": 0,
                        "temporary_credit": "0.00", "temporary_until": None, "on_hold": False,
                        "hold_reason": "", "hold_automatic": False}
    until = (TODAY() + datetime.timedelta(days=10)).isoformat()
    body = _ok(_post(finance, url, {"credit_limit": "2000", "payment_terms": "next_month",
                                    "payment_days": 10, "temporary_credit": "500",
                                    "temporary_until": until}))
    assert (body["credit_limit"], body["payment_terms"], body["payment_days"],
            body["temporary_credit"], body["temporary_until"]) == (
        "2000.00", "next_month", 10, "500.00", until)
    held = _ok(_post(finance, url, {"on_hold": True, "hold_reason": "Overdue since May"}))
    assert (held["on_hold"], held["hold_reason"], held["temporary_credit"],
            held["credit_limit"]) == (True, "Overdue since May", "500.00", "2000.00")
    before = _ok(finance.get(f"{API}{url}"))
    for payload, field in (({"on_hold": True}, "hold_reason"),
                           ({"payment_terms": "next_month", "payment_days": 30},
                            "payment_days"),  # a day of the month: 1–28
                           ({"payment_days": 400}, "payment_days"),
                           ({"payment_terms": "weekly"}, "payment_terms"),
                           ({"temporary_credit": "-1"}, "temporary_credit"),
                           ({"credit_limit": "-1"}, "credit_limit"),
                           # all or nothing: a good limit with a bad hold changes nothing
                           ({"credit_limit": "1", "on_hold": True, "hold_reason": ""},
                            "hold_reason")):
        assert field in _error(_post(finance, url, payload))["fields"], payload
    assert _ok(finance.get(f"{API}{url}")) == before
    shop.customer.refresh_from_db()
    assert selectors.balances(shop.customer).credit_left == Decimal("2500.00")


def test_an_order_on_credit_hold_is_released_with_a_reason(shop, login_as):
    order = place(shop)
    Order.objects.filter(pk=order.pk).update(credit_hold=True)
    finance = _client(login_as, shop, shop.staff.finance)
    assert "reason" in _error(_post(finance, f"/orders/{order.pk}/release-hold/",
                                    {"reason": ""}))["fields"]
    body = _ok(_post(finance, f"/orders/{order.pk}/release-hold/", {"reason": "Paid by phone"}))
    assert body["id"] == order.pk and body["number"] == order.number
    assert Order.objects.get(pk=order.pk).credit_hold is False
    assert _error(_post(finance, f"/orders/{order.pk}/release-hold/", {"reason": "x"}),
                  409)["code"] == "conflict"


# --- the dealer ---------------------------------------------------------------------------


def test_a_dealer_sees_only_its_own_companys_money(shop, login_as):
    _money(shop)
    place(shop, actor=shop.olga.user)
    payments.payment_record(actor=shop.olga.user, amount="10", paid_on=TODAY())
    dana = _client(login_as, shop, shop.dana.user)
    balances = _ok(dana.get(f"{API}/my/finance/balances/"))
    assert (balances["prepaid"], balances["owed"], balances["available"]) == (
        "300.00", "95.00", "1225.00")
    assert "customer" not in balances
    statement = _ok(dana.get(f"{API}/my/finance/statement/"))
    assert (statement["opening"], statement["closing"]) == ("0.00", "95.00")
    assert len(statement["results"]) == 1 and "actor" not in statement["results"][0]
    rebate = _ok(dana.get(f"{API}/my/finance/statement/", {"account": "rebate"}))
    assert rebate["closing"] == "20.00" and rebate["results"][0]["memo"] == "Q3 rebate"
    assert _ok(dana.get(f"{API}/my/finance/payments/"))["count"] == 0
    olga = _client(login_as, shop, shop.olga.user)
    assert _ok(olga.get(f"{API}/my/finance/balances/"))["owed"] == "95.00"
    theirs, = _ok(olga.get(f"{API}/my/finance/payments/"))["results"]
    assert theirs["amount"] == "10.00" and "customer" not in theirs
    vic = _client(login_as, shop, shop.viewer.user)  # a view-only login reads
    assert _ok(vic.get(f"{API}/my/finance/balances/"))["owed"] == "95.00"


def test_a_dealer_records_a_transfer_with_its_proof(shop, login_as):
    order = place(shop)
    dana = _client(login_as, shop, shop.dana.user)
    response = dana.post(f"{API}/my/finance/payments/", {
        "amount": "95.00", "paid_on": TODAY().isoformat(), "orders": [order.pk],
        "reference": "ICBC 8812",
        "proof": SimpleUploadedFile("slip.jpg", PNG, content_type="image/jpeg")})
    body = _ok(response, 201)
    assert (body["method"], body["status"], body["has_proof"]) == ("transfer", "pending", True)
    payment = Payment.objects.get()
    assert payment.recorded_by == shop.dana.user and list(payment.orders.all()) == [order]
    assert payment.proof.name.endswith(".png")  # stored as what its content is
    refused = dana.post(f"{API}/my/finance/payments/", {
        "amount": "95.00", "paid_on": TODAY().isoformat(),
        "proof": SimpleUploadedFile("slip.png", b"not an image", content_type="image/png")})
    assert "proof" in _error(refused)["fields"]
    big = dana.post(f"{API}/my/finance/payments/", {
        "amount": "95.00", "paid_on": TODAY().isoformat(),
        "proof": SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024),
                                    content_type="image/png")})
    assert "proof" in _error(big)["fields"]
    assert Payment.objects.count() == 1


def test_dealers_and_staff_keep_to_their_own_side(shop, login_as):
    payment = payments.payment_record(actor=shop.dana.user, amount="95", paid_on=TODAY())
    dana = _client(login_as, shop, shop.dana.user)
    for method, path in (("get", f"/finance/customers/{shop.customer.pk}/balances/"),
                         ("get", f"/finance/customers/{shop.customer.pk}/ledger/"),
                         ("get", "/finance/receivables/"), ("get", "/finance/payments/"),
                         ("get", f"/finance/payments/{payment.pk}/"),
                         ("post", f"/finance/payments/{payment.pk}/confirm/")):
        response = dana.get(f"{API}{path}") if method == "get" else _post(dana, path)
        assert _error(response, 403)["code"] == "permission_denied", path
    admin = _client(login_as, shop, shop.staff.admin)
    for path in ("/my/finance/balances/", "/my/finance/statement/", "/my/finance/payments/"):
        assert _error(admin.get(f"{API}{path}"), 403)["code"] == "permission_denied"
    assert _error(_post(admin, "/my/finance/payments/", {
        "amount": "1", "paid_on": TODAY().isoformat()}), 403)
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert Payment.objects.count() == 1


def test_the_schema_documents_the_finance_endpoints(acme_client):
    schema = acme_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in ("/api/v1/finance/customers/{id}/balances/",
                 "/api/v1/finance/customers/{id}/ledger/", "/api/v1/finance/receivables/",
                 "/api/v1/finance/payments/", "/api/v1/finance/payments/{id}/",
                 "/api/v1/finance/payments/{id}/confirm/", "/api/v1/finance/payments/{id}/reject/",
                 "/api/v1/finance/customers/{id}/adjustments/",
                 "/api/v1/finance/entries/{id}/reverse/",
                 "/api/v1/finance/customers/{id}/credit-terms/",
                 "/api/v1/orders/{id}/release-hold/", "/api/v1/my/finance/balances/",
                 "/api/v1/my/finance/statement/", "/api/v1/my/finance/payments/",
                 "/api/v1/finance/statements/", "/api/v1/finance/statements/bulk/",
                 "/api/v1/finance/statements/{id}/",
                 "/api/v1/finance/statements/{id}/disputes/{dispute}/answer/",
                 "/api/v1/my/finance/statements/", "/api/v1/my/finance/statements/{id}/",
                 "/api/v1/my/finance/statements/{id}/confirm/",
                 "/api/v1/my/finance/statements/{id}/dispute/"):
        assert path in paths, path
    for path in ("/api/v1/finance/payments/", "/api/v1/my/finance/payments/"):
        post = paths[path]["post"]
        assert {"200", "201", "400", "403", "404", "409", "422"} <= set(post["responses"])
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header"
                   for p in post["parameters"])
        assert {"application/json", "multipart/form-data"} <= set(post["requestBody"]["content"])
    ledger_parameters = {p["name"] for p in
                         paths["/api/v1/finance/customers/{id}/ledger/"]["get"]["parameters"]}
    assert {"account", "start", "end"} <= ledger_parameters
    balances = schema["components"]["schemas"]["FinanceBalances"]["properties"]
    assert balances["owed"]["type"] == "string" and balances["owed"]["format"] == "decimal"


def test_ids_beyond_the_database_range_are_not_found(shop, login_as):
    finance = _client(login_as, shop, shop.staff.finance)
    huge = 10 ** 20
    for path in (f"/finance/customers/{huge}/balances/", f"/finance/customers/{huge}/ledger/",
                 f"/finance/payments/{huge}/", f"/finance/statements/{huge}/"):
        assert _error(finance.get(f"{API}{path}"), 404)["code"] == "not_found", path
    for path in (f"/finance/entries/{huge}/reverse/", f"/finance/payments/{huge}/confirm/",
                 f"/orders/{huge}/release-hold/"):
        assert _error(_post(finance, path, {"reason": "x"}), 404)["code"] == "not_found", path
    dana = _client(login_as, shop, shop.dana.user)
    assert dana.get(f"{API}/my/finance/statements/{huge}/").status_code == 404
