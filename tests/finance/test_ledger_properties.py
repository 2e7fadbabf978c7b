"""Property-based (Hypothesis): any sequence of postings, reversals and payments on a
customer's three accounts keeps every running balance equal to the sum of its entries;
a reversal moves the balance back by exactly the reversed amount; for any period a
statement's opening balance plus its entries is its closing balance."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings, strategies as st

from ordering.customers.services import customers as customer_services
from ordering.finance import selectors
from ordering.finance.enums import AccountKind, EntryKind
from ordering.finance.models import Account, Entry
from ordering.finance.services import ledger

EXAMPLES = 60
START = timezone.make_aware(datetime.datetime(2026, 1, 1, 9, 0))

amounts = st.decimals(min_value=Decimal("-5000"), max_value=Decimal("5000"), places=2).filter(
    lambda amount: amount != 0)
posting = st.tuples(st.just("post"), st.sampled_from(AccountKind.values), amounts,
                    st.integers(min_value=0, max_value=90))
reversal = st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=10_000))
operations = st.lists(st.one_of(posting, posting, reversal), min_size=1, max_size=25)


def assert_balances_add_up(customer):
    """The ledger's invariants for ``customer``: no balance differs from its entries,
    every balance is the sum of its account's entries, and only a receivable may be
    negative."""
    assert selectors.ledger_mismatches() == []
    for account in Account.objects.filter(customer=customer):
        assert account.balance == sum((e.amount for e in account.entries.all()),
                                      Decimal("0"))
        if account.kind != AccountKind.RECEIVABLE:
            assert account.balance >= 0


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=operations,
       period=st.tuples(st.integers(0, 95), st.integers(0, 95)))
def test_balances_reversals_and_statements_add_up(in_acme, operations, period):
    with transaction.atomic():
        customer = customer_services.customer_create(actor=None, name="Property Trading")
        posted = []
        for operation in operations:
            accounts = ledger.accounts_lock(customer.pk)
            if operation[0] == "post":
                _op, kind, amount, day = operation
                account = accounts[kind]
                if kind != AccountKind.RECEIVABLE and account.balance + amount < 0:
                    continue  # held money cannot go below zero (the database refuses it)
                entry = ledger.ledger_post(account=account, kind=EntryKind.ADJUSTMENT,
                                           amount=amount,
                                           at=START + datetime.timedelta(days=day))
                posted.append(entry)
            elif posted:
                entry = posted[operation[1] % len(posted)]
                account = accounts[entry.account.kind]
                if Entry.objects.filter(reverses=entry).exists() or (
                        entry.account.kind != AccountKind.RECEIVABLE
                        and account.balance - entry.amount < 0):
                    continue
                before = account.balance
                ledger.entry_reverse(actor=None, entry=entry, reason="property")
                account.refresh_from_db()
                assert account.balance == before - entry.amount  # restored exactly
        assert_balances_add_up(customer)
        first, last = sorted(period)
        for kind in AccountKind.values:
            start = START.date() + datetime.timedelta(days=first)
            end = START.date() + datetime.timedelta(days=last)
            statement = selectors.statement(customer, kind=kind, start=start, end=end)
            assert statement.opening + sum((e.amount for e in statement.entries),
                                           Decimal("0")) == statement.closing
            everything = selectors.statement(customer, kind=kind, start=START.date(),
                                             end=timezone.localdate())
            account = Account.objects.filter(customer=customer, kind=kind).first()
            assert everything.closing == (account.balance if account else 0)
        transaction.set_rollback(True)
