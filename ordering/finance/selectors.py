"""Finance's reads: a customer's balances and what it may spend, its ledger for a
period (opening balance, entries, closing balance), payments awaiting confirmation,
receivables by customer with aging, and the check that every balance equals the sum of
its entries. Staff reads are scoped like customers (``roles.permissions.scope``)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import money
from ordering.finance.enums import AccountKind, PaymentMethodKind, PaymentStatus
from ordering.finance.models import Account, CreditTerms, Entry, Payment
from roles.permissions import scope

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Balances:
    prepaid: Decimal
    rebate: Decimal
    owed: Decimal  # receivable: what the customer owes (negative: credit on account)
    credit_limit: Decimal
    temporary_credit: Decimal
    on_hold: bool
    hold_reason: str

    @property
    def credit_left(self):
        return money(self.credit_limit + self.temporary_credit - self.owed)

    @property
    def available(self):
        """What the customer may spend: prepaid + rebate + the credit left (not below 0)."""
        return money(self.prepaid + self.rebate + max(self.credit_left, ZERO))


def balances(customer, *, today=None):
    """Two queries: the three accounts and the credit terms."""
    today = today or timezone.localdate()
    found = dict(Account.objects.filter(customer=customer).values_list("kind", "balance"))
    terms = CreditTerms.objects.filter(customer=customer).first()
    return Balances(prepaid=found.get(AccountKind.PREPAID, ZERO),
                    rebate=found.get(AccountKind.REBATE, ZERO),
                    owed=found.get(AccountKind.RECEIVABLE, ZERO),
                    credit_limit=customer.credit_limit,
                    temporary_credit=terms.temporary_on(today) if terms else ZERO,
                    on_hold=bool(terms and terms.on_hold),
                    hold_reason=terms.hold_reason if terms else "")


@dataclass
class Statement:
    account: str
    start: datetime.date
    end: datetime.date
    opening: Decimal
    entries: list
    closing: Decimal


def statement(customer, *, kind=AccountKind.RECEIVABLE, start, end, limit=None):
    """The account's entries from ``start`` to ``end`` (days, inclusive) with the opening
    and closing balances. Two queries for any history: the sum of what came before the
    period (by the entries' dates, so a back-dated entry lands in its own period) and
    the period's entries; closing = opening + the period's entries."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                      tzinfo=tz)
    base = Entry.objects.filter(account__customer=customer, account__kind=kind)
    opening = base.filter(created_at__lt=since).aggregate(
        total=Coalesce(Sum("amount"), Value(ZERO, output_field=DecimalField())))["total"]
    entries = list(base.filter(created_at__gte=since, created_at__lt=until)
                   .select_related("order", "payment", "actor", "reverses")
                   .order_by("created_at", "id")[:limit])
    closing = money(opening + sum((entry.amount for entry in entries), ZERO))
    return Statement(account=kind, start=start, end=end, opening=money(opening),
                     entries=entries, closing=closing)


def payments(*, actor, status=None, customer=None):
    qs = scope(actor, Payment.objects.select_related("customer", "recorded_by", "decided_by"))
    if status:
        qs = qs.filter(status=status)
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs.order_by("-created_at", "-id")


def payments_pending(*, actor):
    """What finance has to confirm: not online payments (Stripe confirms those)."""
    return payments(actor=actor, status=PaymentStatus.PENDING).exclude(
        method=PaymentMethodKind.ONLINE).order_by("created_at", "id")


def dealer_payments(*, customer):
    return Payment.objects.filter(customer=customer).order_by("-created_at", "-id")


def payment_get(*, actor, pk):
    return payments(actor=actor).filter(pk=pk).first()


def receivables(*, actor):
    """Customers with a receivable balance, largest first (scoped)."""
    return scope(actor, Account.objects.select_related("customer")).filter(
        kind=AccountKind.RECEIVABLE).exclude(balance=0).order_by("-balance", "customer_id")


def ledger_mismatches():
    """Accounts whose balance differs from the sum of their entries (there should be
    none: the periodic check and the tests read this)."""
    return list(Account.objects.annotate(
        total=Coalesce(Sum("entries__amount"), Value(ZERO, output_field=DecimalField())))
        .exclude(total=F("balance")))
