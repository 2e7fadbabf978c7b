"""Statements of account (对账): issued for a period, confirmed or disputed line by
line by the dealer, answered by finance with a correction or an explanation, then
confirmed; every step kept; scope, permissions and the background issue of many."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from ordering.finance import selectors
from ordering.finance.enums import (AccountKind, DisputeResolution, EntryKind,
                                    ReconciliationEventKind, ReconciliationStatus)
from ordering.finance.models import Entry, Reconciliation
from ordering.finance.services import ledger
from ordering.finance.services import reconciliation as rec
from ordering.notifications.models import Notification
from tests.finance.conftest import place

TODAY = timezone.localdate
S = ReconciliationStatus


def _month_ago():
    return TODAY() - datetime.timedelta(days=30)


def _issued(shop, **kwargs):
    return rec.reconciliation_issue(actor=shop.staff.finance, customer=shop.customer,
                                    start=_month_ago(), end=TODAY(), ip="10.0.0.1", **kwargs)


def test_a_statement_carries_the_period_and_its_balances(shop):
    place(shop)
    account = ledger.accounts_lock(shop.customer.pk)[AccountKind.RECEIVABLE]
    ledger.ledger_post(account=account, kind=EntryKind.ADJUSTMENT, amount=Decimal("40"),
                       memo="carried over", at=timezone.now() - datetime.timedelta(days=60))
    place(shop)
    statement = _issued(shop, note="November")
    assert statement.number.startswith("ST-") and statement.status == S.ISSUED
    assert statement.opening == Decimal("40.00")
    assert statement.closing == Decimal("230.00") and statement.entry_count == 2
    detail = selectors.reconciliation_detail(statement)
    assert [line.running for line in detail["lines"]] == [Decimal("135.00"), Decimal("230.00")]
    assert [e.kind for e in detail["events"]] == [ReconciliationEventKind.ISSUED]
    assert detail["events"][0].ip == "10.0.0.1"


def test_the_dealer_confirms_and_that_moves_no_money(shop):
    place(shop)
    statement = _issued(shop)
    before = selectors.balances(shop.customer)
    rec.reconciliation_confirm(actor=shop.dana.user, reconciliation=statement)
    statement.refresh_from_db()
    assert statement.status == S.CONFIRMED and statement.confirmed_at
    assert selectors.balances(shop.customer) == before
    with pytest.raises(ApplicationError) as again:
        rec.reconciliation_confirm(actor=shop.dana.user, reconciliation=statement)
    assert again.value.code == "statement_state"


def test_a_disputed_line_is_corrected_and_the_revised_statement_confirmed(shop):
    first, second = place(shop), place(shop)
    statement = _issued(shop)
    charge = Entry.objects.get(order=second, kind=EntryKind.ORDER_CHARGE)
    rec.reconciliation_dispute(actor=shop.dana.user, reconciliation=statement, lines=[
        (charge.pk, "We never received this order"), (None, "Also: where is our rebate?")])
    statement.refresh_from_db()
    assert statement.status == S.DISPUTED
    line_dispute, general = statement.disputes.order_by("id")
    # the reviewer reverses the disputed charge: a correction linked to the statement
    rec.dispute_answer(actor=shop.staff.finance, dispute=line_dispute, correction="reverse",
                       answer="Right: it was sent to another customer")
    statement.refresh_from_db()
    assert statement.status == S.DISPUTED  # one dispute still open
    rec.dispute_answer(actor=shop.staff.finance, dispute=general,
                       answer="The Q4 rebate is granted in January")
    statement.refresh_from_db()
    assert statement.status == S.RESOLVED
    assert statement.closing == Decimal("95.00")  # 190 − the reversed 95
    line_dispute.refresh_from_db()
    assert line_dispute.resolution == DisputeResolution.CORRECTED
    assert line_dispute.correction.reverses == charge
    assert line_dispute.correction.reconciliation == statement
    detail = selectors.reconciliation_detail(statement)
    assert detail["closing"] == statement.closing and detail["lines"][-1].is_correction
    rec.reconciliation_confirm(actor=shop.dana.user, reconciliation=statement)
    statement.refresh_from_db()
    assert statement.status == S.CONFIRMED
    kinds = list(statement.events.values_list("kind", flat=True))
    assert kinds == ["issued", "disputed", "answered", "answered", "confirmed"]
    assert selectors.balances(shop.customer).owed == Decimal("95.00")
    assert selectors.ledger_mismatches() == []


def test_an_adjustment_answers_a_dispute_about_the_whole_statement(shop):
    place(shop)
    statement = _issued(shop)
    (dispute,) = rec.reconciliation_dispute(actor=shop.dana.user, reconciliation=statement,
                                            lines=[(None, "Freight was agreed free")])
    with pytest.raises(ApplicationError):  # nothing to reverse
        rec.dispute_answer(actor=shop.staff.finance, dispute=dispute, correction="reverse",
                           answer="x")
    with pytest.raises(ApplicationError):  # an answer is required
        rec.dispute_answer(actor=shop.staff.finance, dispute=dispute, correction="adjust",
                           amount="-15", answer=" ")
    rec.dispute_answer(actor=shop.staff.finance, dispute=dispute, correction="adjust",
                       amount="-15", answer="Freight waived as agreed")
    statement.refresh_from_db()
    assert statement.status == S.RESOLVED and statement.closing == Decimal("80.00")
    with pytest.raises(ApplicationError):  # answered already
        rec.dispute_answer(actor=shop.staff.finance, dispute=dispute, answer="again")


def test_bad_disputes_are_refused_with_nothing_saved(shop):
    place(shop)
    statement = _issued(shop)
    outside = ledger.adjustment_post(actor=None, customer=shop.other,
                                     account_kind=AccountKind.RECEIVABLE, amount="5",
                                     reason="another customer's line")
    for lines in ([], [(None, "  ")], [(outside.pk, "not ours")]):
        with pytest.raises(ApplicationError):
            rec.reconciliation_dispute(actor=shop.dana.user, reconciliation=statement,
                                       lines=lines)
    statement.refresh_from_db()
    assert statement.status == S.ISSUED and not statement.disputes.exists()


def test_only_the_company_s_own_ordering_logins_answer_it(shop):
    place(shop)
    statement = _issued(shop)
    with pytest.raises(NotFoundError):
        rec.reconciliation_confirm(actor=shop.olga.user, reconciliation=statement)
    with pytest.raises(ApplicationError):
        rec.reconciliation_confirm(actor=shop.viewer.user, reconciliation=statement)
    with pytest.raises(NotFoundError):
        rec.reconciliation_confirm(actor=shop.staff.finance, reconciliation=statement)


def test_who_may_issue_and_answer(shop):
    for actor in (shop.staff.reviewer, shop.staff.sales, shop.dana.user):
        with pytest.raises((PermissionDeniedError, NotFoundError)):
            _issued_by(shop, actor)
    statement = _issued(shop)
    (dispute,) = rec.reconciliation_dispute(actor=shop.dana.user, reconciliation=statement,
                                            lines=[(None, "Why?")])
    with pytest.raises(PermissionDeniedError):
        rec.dispute_answer(actor=shop.staff.reviewer, dispute=dispute, answer="Because")


def _issued_by(shop, actor):
    return rec.reconciliation_issue(actor=actor, customer=shop.customer, start=_month_ago(),
                                    end=TODAY())


def test_periods_are_checked(shop):
    for start, end in ((TODAY(), _month_ago()), (_month_ago(), TODAY() + datetime.timedelta(1)),
                       (TODAY() - datetime.timedelta(days=2000), TODAY()), (None, TODAY())):
        with pytest.raises(ApplicationError):
            rec.reconciliation_issue(actor=shop.staff.finance, customer=shop.customer,
                                     start=start, end=end)
    assert not Reconciliation.objects.exists()


def test_many_at_once_runs_in_the_background_and_once(shop, django_capture_on_commit_callbacks):
    place(shop)
    with django_capture_on_commit_callbacks(execute=True):
        queued = rec.reconciliations_issue_many(
            actor=shop.staff.finance, customers=[shop.customer.pk, shop.other.pk],
            start=_month_ago(), end=TODAY())
    assert queued == 2
    assert Reconciliation.objects.count() == 2
    # the same job again issues nothing twice
    assert rec.statements_issue(actor=shop.staff.finance,
                                customer_ids=[shop.customer.pk, shop.other.pk],
                                start=_month_ago(), end=TODAY()) == 0


def test_the_dealer_is_told_and_finance_is_told_of_a_dispute(shop, django_capture_on_commit_callbacks):
    place(shop)
    with django_capture_on_commit_callbacks(execute=True):
        statement = _issued(shop)
    assert Notification.objects.filter(recipient=shop.dana.user,
                                       kind="statement.issued").exists()
    assert not Notification.objects.filter(recipient=shop.viewer.user).exists()
    with django_capture_on_commit_callbacks(execute=True):
        rec.reconciliation_dispute(actor=shop.dana.user, reconciliation=statement,
                                   lines=[(None, "Why?")])
    assert Notification.objects.filter(recipient=shop.staff.finance,
                                       kind="statement.disputed").exists()
    assert not Notification.objects.filter(recipient=shop.staff.sales,
                                           kind="statement.disputed").exists()


def test_staff_see_statements_of_their_customers_only(shop):
    _issued(shop)
    assert selectors.reconciliations(actor=shop.staff.finance).count() == 1
    assert selectors.reconciliations(actor=shop.staff.sales).count() == 0


def test_the_dealer_may_add_questions_while_finance_looks_into_the_first(shop):
    first, second = place(shop), place(shop)
    statement = _issued(shop)
    rec.reconciliation_dispute(actor=shop.dana.user, reconciliation=statement,
                               lines=[(None, "Where is the rebate?")])
    charge = Entry.objects.get(order=second, kind=EntryKind.ORDER_CHARGE)
    rec.reconciliation_dispute(actor=shop.dana.user, reconciliation=statement,
                               lines=[(charge.pk, "Not ours")])
    statement.refresh_from_db()
    assert statement.status == S.DISPUTED and statement.disputes.count() == 2
    with pytest.raises(ApplicationError):  # confirming waits for the answers
        rec.reconciliation_confirm(actor=shop.dana.user, reconciliation=statement)
    assert first.number


def test_a_long_statement_is_read_page_by_page_with_running_balances(shop, django_assert_max_num_queries):
    for _ in range(5):
        place(shop, lines=[{"variant": shop.juice.pk, "quantity": 1}])  # 23.00 each
    statement = _issued(shop)
    first = selectors.reconciliation_detail(statement, page=1, per_page=2)
    last = selectors.reconciliation_detail(statement, page=3, per_page=2)
    assert [line.running for line in first["lines"]] == [Decimal("23.00"), Decimal("46.00")]
    assert [line.running for line in last["lines"]] == [Decimal("115.00")]
    assert last["closing"] == statement.closing == Decimal("115.00")
    with django_assert_max_num_queries(6):
        selectors.reconciliation_detail(statement, page=2, per_page=2)


def test_statements_for_everyone_go_to_the_customers_with_a_balance(
        shop, django_capture_on_commit_callbacks):
    place(shop)  # Gold Trading owes; Other Stores has nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert rec.reconciliations_issue_many(actor=shop.staff.finance, customers=None,
                                              start=_month_ago(), end=TODAY()) == 1
    assert list(Reconciliation.objects.values_list("customer_id", flat=True)) == [
        shop.customer.pk]
    with pytest.raises(ApplicationError):  # a sales rep may not issue statements
        rec.reconciliations_issue_many(actor=shop.staff.sales, customers=None,
                                       start=_month_ago(), end=TODAY())
