"""Due dates from payment terms, receivables aging, the automatic overdue hold, rebate
at checkout (spread over the lines), returns as credit notes, and checkout's query
budget with the credit check."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from ordering.finance import selectors
from ordering.customers.enums import PaymentTerms as Terms
from ordering.finance.enums import AccountKind, EntryKind
from ordering.finance.models import CreditTerms, Entry, due_date
from ordering.finance.services import ledger, payments
from ordering.finance.services import orders as finance_orders
from ordering.orders import hooks, workflow
from ordering.orders.enums import PaymentMethod, PaymentStatus, RefundMethod, ReturnCondition
from ordering.orders.models import Order
from ordering.orders.services import returns
from ordering.orders.services.shipments import shipment_create
from ordering.settings.services import settings_update
from roles.models import AuditLog
from tests.finance.conftest import finance_rules, place

TODAY = timezone.localdate


def _age(order, days_late):
    """Make ``order`` due ``days_late`` days ago."""
    Order.objects.filter(pk=order.pk).update(due_on=TODAY() - datetime.timedelta(days=days_late))


def test_due_dates_follow_the_customer_terms():
    from types import SimpleNamespace as Customer

    day = datetime.date(2026, 1, 31)
    assert due_date(day, Customer(payment_terms=Terms.PREPAID, payment_days=30)) == day
    assert due_date(day, Customer(payment_terms=Terms.CREDIT, payment_days=30)) == \
        datetime.date(2026, 3, 2)
    assert due_date(day, Customer(payment_terms=Terms.NEXT_MONTH, payment_days=10)) == \
        datetime.date(2026, 2, 10)
    assert due_date(datetime.date(2026, 12, 5),
                    Customer(payment_terms=Terms.NEXT_MONTH, payment_days=28)) == \
        datetime.date(2027, 1, 28)


def test_an_order_is_due_by_the_terms_and_credit_changes_are_checked_and_audited(shop):
    assert place(shop).due_on == TODAY()  # payment before shipment: due at once
    finance_orders.credit_terms_update(actor=shop.staff.finance, customer=shop.customer,
                                       payment_terms=Terms.CREDIT, payment_days=30,
                                       credit_limit="5000")
    shop.dana.user.customer_login.customer.refresh_from_db()
    assert Order.objects.get(pk=place(shop).pk).due_on == TODAY() + datetime.timedelta(days=30)
    finance_orders.credit_terms_update(actor=shop.staff.finance, customer=shop.customer,
                                       payment_terms=Terms.NEXT_MONTH, payment_days=15)
    order = Order.objects.get(pk=place(shop).pk)
    assert order.due_on.day == 15 and order.due_on > TODAY()
    for terms, days in ((Terms.NEXT_MONTH, 31), (Terms.CREDIT, 400), ("weekly", 1)):
        with pytest.raises(ApplicationError):
            finance_orders.credit_terms_update(actor=shop.staff.finance, customer=shop.customer,
                                               payment_terms=terms, payment_days=days)
    with pytest.raises(PermissionDeniedError):
        finance_orders.credit_terms_update(actor=shop.staff.reviewer, customer=shop.customer,
                                           credit_limit="1")
    log = AuditLog.objects.filter(action="customer.update").latest("id")
    assert log.after["payment_terms"] == "next_month"
    assert AuditLog.objects.filter(action="customer.update",
                                   after__credit_limit="5000.00").exists()


def test_aging_buckets_count_from_the_due_date(shop):
    orders = [place(shop) for _ in range(5)]
    for order, late in zip(orders, (0, 5, 45, 75, 120)):
        _age(order, late)
    payments.payment_confirm(actor=shop.staff.finance, payment=payments.payment_record(
        actor=shop.dana.user, amount="20", paid_on=TODAY(), order_ids=[orders[2].pk]))
    rows, totals = selectors.aging(actor=shop.staff.finance)
    (row,) = rows
    assert row["customer"] == shop.customer
    assert (row["current"], row["d1_30"], row["d31_60"], row["d61_90"], row["over_90"]) == (
        Decimal("95.00"), Decimal("95.00"), Decimal("75.00"), Decimal("95.00"), Decimal("95.00"))
    assert row["balance"] == Decimal("455.00") and row["other"] == 0
    assert row["overdue"] == Decimal("360.00") and totals["balance"] == Decimal("455.00")
    assert selectors.overdue_amount(shop.customer) == Decimal("360.00")
    # a sales rep who is not assigned the customer sees nothing
    assert selectors.aging(actor=shop.staff.sales)[0] == []


def test_aging_is_one_query(shop, django_assert_num_queries):
    for _ in range(3):
        place(shop)
    selectors.aging(actor=shop.staff.finance)  # the user's permissions, read once
    with django_assert_num_queries(1):
        selectors.aging(actor=shop.staff.finance)


def test_overdue_customers_go_on_hold_and_come_off_when_paid(shop):
    settings_update(actor=None, overdue_hold=True)
    late, fresh = place(shop), place(shop)
    _age(late, 3)
    assert finance_orders.overdue_holds_apply() == (1, 0)
    terms = CreditTerms.objects.get(customer=shop.customer)
    assert terms.on_hold and terms.hold_automatic and "Overdue" in terms.hold_reason
    assert finance_orders.overdue_holds_apply() == (0, 0)  # idempotent
    payment = payments.payment_record(actor=shop.dana.user, amount="95", paid_on=TODAY())
    payments.payment_confirm(actor=shop.staff.finance, payment=payment)  # the oldest first
    assert not CreditTerms.objects.get(customer=shop.customer).on_hold
    fresh.refresh_from_db()
    assert fresh.payment_status == PaymentStatus.UNPAID


def test_a_hold_set_by_hand_is_not_lifted_by_the_overdue_check(shop):
    settings_update(actor=None, overdue_hold=True)
    finance_orders.credit_terms_update(actor=shop.staff.finance, customer=shop.customer,
                                       on_hold=True, hold_reason="Disputed invoices")
    assert finance_orders.overdue_holds_apply() == (0, 0)
    assert CreditTerms.objects.get(customer=shop.customer).on_hold


def test_without_the_setting_nobody_is_held(shop):
    _age(place(shop), 40)
    assert finance_orders.overdue_holds_apply() == (0, 0)
    assert not CreditTerms.objects.filter(customer=shop.customer, on_hold=True).exists()


def test_rebate_pays_up_to_the_tenant_share_spread_over_the_lines(shop):
    settings_update(actor=None, rebate_share=30)
    ledger.rebate_grant(actor=None, customer=shop.customer, amount="1000", reason="Q3 target")
    ledger.adjustment_post(actor=None, customer=shop.customer, account_kind=AccountKind.PREPAID,
                           amount="500", reason="Top-up")
    order = place(shop, payment_method=PaymentMethod.PREPAID, use_rebate=True, lines=[
        {"variant": shop.juice.pk, "quantity": 7}, {"variant": shop.cola.pk, "quantity": 12}])
    order.refresh_from_db()
    # goods 7 × 8.00 + 12 × 4.00 = 104.00; 30 % = 31.20 from the rebate; the rest prepaid
    assert order.subtotal == Decimal("104.00") and order.rebate_used == Decimal("31.20")
    shares = [line.rebate for line in order.lines.order_by("position")]
    assert sum(shares) == Decimal("31.20") and shares == [Decimal("16.80"), Decimal("14.40")]
    assert order.payment_status == PaymentStatus.PAID
    balances = selectors.balances(shop.customer)
    assert balances.rebate == Decimal("968.80")
    assert balances.prepaid == Decimal("500.00") - (order.total - Decimal("31.20"))
    assert balances.owed == 0
    # cancelling gives both back
    workflow.transition(order=order, action=workflow.CANCEL, actor=shop.dana.user,
                        reason="Wrong flavour")
    balances = selectors.balances(shop.customer)
    assert (balances.rebate, balances.prepaid, balances.owed) == (
        Decimal("1000.00"), Decimal("500.00"), 0)
    assert selectors.ledger_mismatches() == []


def test_without_a_rebate_balance_the_choice_changes_nothing(shop):
    order = place(shop, use_rebate=True)
    order.refresh_from_db()
    assert order.rebate_used == 0 and order.payment_status == PaymentStatus.UNPAID


def _received(shop, order, quantity):
    for _ in range(3):
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    line = order.lines.get()
    shipment_create(actor=shop.staff.shipper, order=order, quantities={line.pk: 10})
    request = returns.return_request(actor=shop.dana.user, order=order,
                                     quantities={line.pk: quantity}, reason="Leaking")
    returns.return_approve(actor=shop.staff.warehouse, request=request)
    request = returns.return_receive(actor=shop.staff.warehouse, request=request,
                                     received={request.lines.get().pk: (quantity,
                                                                        ReturnCondition.GOOD)})
    return request


def test_a_return_on_an_unpaid_order_lowers_what_is_owed(shop):
    order = place(shop)  # 95.00
    request = _received(shop, order, 4)
    returns.return_refund(actor=shop.staff.admin, request=request)  # 32.00
    assert selectors.balances(shop.customer).owed == Decimal("63.00")
    order.refresh_from_db()
    assert order.amount_paid == Decimal("32.00")
    assert Entry.objects.get(return_request=request).kind == EntryKind.REFUND


def test_a_return_on_a_paid_order_goes_to_the_prepaid_balance_and_gives_the_rebate_back(shop):
    settings_update(actor=None, rebate_share=20)
    ledger.rebate_grant(actor=None, customer=shop.customer, amount="100", reason="Target")
    ledger.adjustment_post(actor=None, customer=shop.customer, account_kind=AccountKind.PREPAID,
                           amount="200", reason="Top-up")
    order = place(shop, payment_method=PaymentMethod.PREPAID, use_rebate=True)
    order.refresh_from_db()
    assert order.rebate_used == Decimal("16.00")  # 20 % of 80.00
    request = _received(shop, order, 5)
    returns.return_refund(actor=shop.staff.admin, request=request, method=RefundMethod.BALANCE)
    balances = selectors.balances(shop.customer)
    # 5 of 10 bottles back: 40.00, of which the rebate had paid 8.00
    assert balances.rebate == Decimal("92.00")
    assert balances.prepaid == Decimal("200.00") - Decimal("79.00") + Decimal("32.00")
    assert balances.owed == 0
    assert selectors.ledger_mismatches() == []


def test_finance_adds_at_most_three_queries_to_checkout(shop):
    finance_rules(over_limit="refuse")
    shop.customer.credit_limit = Decimal("100000")
    shop.customer.save(update_fields=["credit_limit"])
    place(shop, payment_method=PaymentMethod.CREDIT)  # accounts made, caches warm

    def count():
        with CaptureQueriesContext(connection) as queries:
            place(shop, payment_method=PaymentMethod.CREDIT)
        return queries.captured_queries

    with_finance = count()
    saved = hooks._HOOKS["order_submitted"][:]
    hooks._HOOKS["order_submitted"].clear()
    try:
        without = count()
    finally:
        hooks._HOOKS["order_submitted"][:] = saved
    assert len(with_finance) - len(without) <= 3, "\n".join(q["sql"][:150] for q in with_finance)


def test_staff_act_only_on_customers_they_reach(shop):
    from roles.services.role_admin import role_create
    from tests.factories.roles import staff_with_roles

    role = role_create(actor=shop.staff.admin, name_en="Scoped finance",
                       permissions=["view_customers", "adjust_balances", "manage_credit",
                                    "view_finance", "manage_statements"])
    scoped = staff_with_roles("sales_rep", email="scoped@acme.example")
    scoped.groups.add(role.group)
    with pytest.raises(NotFoundError):
        ledger.adjustment_post(actor=scoped, customer=shop.customer,
                               account_kind=AccountKind.PREPAID, amount="5", reason="x")
    with pytest.raises(NotFoundError):
        finance_orders.credit_terms_update(actor=scoped, customer=shop.customer,
                                           on_hold=True, hold_reason="x")
    entry = ledger.adjustment_post(actor=None, customer=shop.customer,
                                   account_kind=AccountKind.PREPAID, amount="5", reason="x")
    with pytest.raises(NotFoundError):
        ledger.entry_reverse(actor=scoped, entry=entry, reason="x")


def test_the_api_places_an_order_paid_in_part_with_the_rebate(shop, login_as):
    from tests.conftest import TenantClient, host_of

    settings_update(actor=None, rebate_share=50)
    ledger.rebate_grant(actor=None, customer=shop.customer, amount="30", reason="Target")
    client = login_as(TenantClient(host_of(shop.tenant)), shop.tenant, shop.staff.admin)
    response = client.post("/api/v1/orders/", {
        "customer": shop.customer.pk, "address": shop.address.pk, "payment_method": "transfer", "use_rebate": True,
        "shipping_method": shop.truck.pk,
        "lines": [{"variant": shop.juice.pk, "quantity": 10}]}, content_type="application/json")
    assert response.status_code == 201, response.content[:400]
    body = response.json()
    assert body["rebate_used"] == "30.00" and body["amount_paid"] == "30.00"
    assert body["payment_status"] == "partial" and body["due_on"]
