"""The ledger: append-only in PostgreSQL itself, running balances equal to the sum of
their entries, reversals at most once, adjustments with a reason and a permission."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from core.exceptions import ApplicationError, PermissionDeniedError
from ordering.finance import selectors
from ordering.finance.enums import AccountKind, EntryKind
from ordering.finance.models import Entry
from ordering.finance.services import ledger


def test_postgresql_refuses_to_change_or_delete_an_entry(shop):
    entry = ledger.rebate_grant(actor=None, customer=shop.customer, amount="50", reason="Q3")
    table = Entry._meta.db_table
    for sql in (f"UPDATE {table} SET amount = 1 WHERE id = %s",
                f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert Entry.objects.get(pk=entry.pk).amount == Decimal("50.00")


def test_a_reversal_restores_the_balance_and_happens_once(shop):
    entry = ledger.adjustment_post(actor=None, customer=shop.customer,
                                   account_kind=AccountKind.RECEIVABLE, amount="120.50",
                                   reason="Opening balance")
    assert selectors.balances(shop.customer).owed == Decimal("120.50")
    reversal = ledger.entry_reverse(actor=None, entry=entry, reason="Typed twice")
    assert reversal.reverses == entry and reversal.amount == Decimal("-120.50")
    assert selectors.balances(shop.customer).owed == 0
    with pytest.raises(ApplicationError) as again:
        ledger.entry_reverse(actor=None, entry=entry, reason="Again")
    assert again.value.code == "already_reversed"
    with pytest.raises(ApplicationError):
        ledger.entry_reverse(actor=None, entry=reversal, reason="Undo the undo")
    assert selectors.ledger_mismatches() == []


def test_held_money_never_goes_below_zero(shop):
    ledger.rebate_grant(actor=None, customer=shop.customer, amount="10", reason="Promo")
    with pytest.raises(ApplicationError) as refused:
        ledger.adjustment_post(actor=None, customer=shop.customer,
                               account_kind=AccountKind.REBATE, amount="-10.01", reason="Fix")
    assert refused.value.code == "insufficient_balance"
    assert selectors.balances(shop.customer).rebate == Decimal("10.00")


def test_adjustments_need_a_reason_and_the_permission(shop):
    with pytest.raises(ApplicationError) as no_reason:
        ledger.adjustment_post(actor=None, customer=shop.customer,
                               account_kind=AccountKind.PREPAID, amount="5", reason=" ")
    assert "reason" in no_reason.value.fields
    for user in (shop.staff.sales, shop.staff.reviewer, shop.dana.user):
        with pytest.raises(PermissionDeniedError):
            ledger.adjustment_post(actor=user, customer=shop.customer,
                                   account_kind=AccountKind.PREPAID, amount="5", reason="x")
    entry = ledger.adjustment_post(actor=shop.staff.finance, customer=shop.customer,
                                   account_kind=AccountKind.PREPAID, amount="5", reason="Cash")
    assert entry.kind == EntryKind.ADJUSTMENT and entry.actor == shop.staff.finance


def test_a_statement_reads_opening_entries_and_closing(shop):
    import datetime

    from django.utils import timezone

    for amount in ("100", "-30", "45.55"):
        ledger.adjustment_post(actor=None, customer=shop.customer,
                               account_kind=AccountKind.RECEIVABLE, amount=amount, reason="x")
    today = timezone.localdate()
    whole = selectors.statement(shop.customer, start=today, end=today)
    assert whole.opening == 0 and whole.closing == Decimal("115.55")
    assert [e.amount for e in whole.entries] == [Decimal("100.00"), Decimal("-30.00"),
                                                  Decimal("45.55")]
    later = selectors.statement(shop.customer, start=today + datetime.timedelta(days=1),
                                end=today + datetime.timedelta(days=30))
    assert later.opening == later.closing == Decimal("115.55") and later.entries == []


def test_the_daily_check_finds_a_balance_that_differs_from_its_entries(shop):
    from ordering.finance.models import Account
    from ordering.finance.tasks import ledger_check_task

    ledger.rebate_grant(actor=None, customer=shop.customer, amount="10", reason="Promo")
    assert ledger_check_task() == 0
    Account.objects.filter(customer=shop.customer, kind=AccountKind.REBATE).update(
        balance=Decimal("11.00"))  # what a bug writing the balance alone would leave
    with pytest.raises(RuntimeError, match="1 account"):
        ledger_check_task()
