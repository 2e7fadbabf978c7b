"""Finance's reads: a customer's balances and what it may spend, its ledger for a
period (opening balance, entries, closing balance), payments awaiting confirmation,
receivables by customer with aging, and the check that every balance equals the sum of
its entries. Staff reads are scoped like customers (``roles.permissions.scope``)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, Prefetch, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import money
from ordering.finance.enums import AccountKind, PaymentStatus
from ordering.finance.models import Account, Allocation, CreditTerms, Entry, Payment
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
    return payments(actor=actor, status=PaymentStatus.PENDING).order_by("created_at", "id")


def dealer_payments(*, customer):
    return Payment.objects.filter(customer=customer).order_by("-created_at", "-id")


def payment_get(*, actor, pk):
    return payments(actor=actor).filter(pk=pk).first()


def customer_get(*, actor, pk):
    """A customer the staff member may see (scoped), for its money pages and API, or None
    (another rep's customer by id reads as not found). One query."""
    from ordering.customers.models import Customer

    pk = _int(pk)
    return None if pk is None else scope(actor, Customer.objects.filter(pk=pk)).first()


def entry_get(*, actor, pk):
    """A ledger entry of a customer the staff member may see, or None."""
    from ordering.customers.models import Customer

    pk = _int(pk)
    if pk is None:
        return None
    return (Entry.objects.filter(pk=pk, account__customer__in=scope(actor, Customer.objects.all()))
            .select_related("account", "account__customer").first())


def credit_terms_get(customer):
    """The customer's credit terms (the defaults, unsaved, until finance sets any)."""
    return CreditTerms.objects.filter(customer=customer).first() or CreditTerms(customer=customer)


def payment_detail(*, actor, pk):
    """A payment the staff member may see with the orders it was sent for and what it
    settled, or None."""
    pk = _int(pk)
    if pk is None:
        return None
    return payments(actor=actor).filter(pk=pk).prefetch_related(
        "orders", Prefetch("allocations", queryset=Allocation.objects.select_related("order")
                           .order_by("id"))).first()


def receivable_list(*, actor):
    """``receivables`` with each customer's other balances and credit terms: three
    queries for a page of any length."""
    return receivables(actor=actor).select_related("customer__credit_terms").prefetch_related(
        "customer__accounts")


def _int(value):
    value = str(value or "")
    return int(value) if value.isascii() and value.isdecimal() and len(value) < 18 else None


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
