"""Finance's reads: a customer's balances and what it may spend, its ledger for a
period (opening balance, entries, closing balance), payments awaiting confirmation,
receivables by customer with aging, and the check that every balance equals the sum of
its entries. Staff reads are scoped like customers (``roles.permissions.scope``)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (Case, Count, DecimalField, ExpressionWrapper, F, OuterRef,
                              Prefetch, Q, Subquery, Sum, Value, When)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from core.money import money
from core.text import whole_number as _int
from ordering.finance.enums import AccountKind, PaymentMethodKind, PaymentStatus
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
    """What finance has to confirm: not online payments (Stripe confirms those)."""
    return payments(actor=actor, status=PaymentStatus.PENDING).exclude(
        method=PaymentMethodKind.ONLINE).order_by("created_at", "id")


def dealer_payments(*, customer):
    return Payment.objects.filter(customer=customer).order_by("-created_at", "-id")


def payment_get(*, actor, pk):
    return payments(actor=actor).filter(pk=pk).first()


def entry_get(*, actor, pk):
    """A ledger entry of a customer the staff member may see, or None."""
    from ordering.customers.models import Customer

    pk = _int(pk)
    if pk is None:
        return None
    return (Entry.objects.filter(pk=pk, account__customer__in=scope(actor, Customer.objects.all()))
            .select_related("account", "account__customer").first())


def payment_detail(*, actor, pk):
    """A payment the staff member may see with the orders it was sent for and what it
    settled, or None."""
    pk = _int(pk)
    if pk is None:
        return None
    return payments(actor=actor).filter(pk=pk).prefetch_related(
        "orders", Prefetch("allocations", queryset=Allocation.objects.select_related("order")
                           .order_by("id"))).first()


def dealer_reconciliation_get(*, customer, pk):
    """One of the customer's own statements of account, or None."""
    pk = _int(pk)
    return None if pk is None else dealer_reconciliations(customer=customer).filter(
        pk=pk).first()


def dispute_get(*, reconciliation, pk):
    """A dispute of ``reconciliation`` (reached already), or None."""
    pk = _int(pk)
    return None if pk is None else reconciliation.disputes.filter(pk=pk).first()


def receivable_list(*, actor):
    """``receivables`` with each customer's other balances and credit terms: three
    queries for a page of any length."""
    return receivables(actor=actor).select_related("customer__credit_terms").prefetch_related(
        "customer__accounts")


def receivables(*, actor):
    """Customers with a receivable balance, largest first (scoped)."""
    return scope(actor, Account.objects.select_related("customer")).filter(
        kind=AccountKind.RECEIVABLE).exclude(balance=0).order_by("-balance", "customer_id")


AGING_BUCKETS = ("current", "d1_30", "d31_60", "d61_90", "over_90")


def open_orders():
    """Orders with something left to pay (not cancelled or rejected)."""
    from ordering.orders.models import Order
    from ordering.orders.workflow import VOIDED

    return Order.objects.filter(amount_paid__lt=F("total")).exclude(status__in=VOIDED)


def _due_day():
    return Coalesce("due_on", TruncDate("created_at"))


def overdue_orders(*, today=None):
    return open_orders().annotate(due_day=_due_day()).filter(
        due_day__lt=today or timezone.localdate())


def aging(*, actor, today=None, customer=None):
    """What each customer owes by how long it is past due (counted from each order's due
    date: current, 1–30, 31–60, 61–90, over 90 days), with the account's balance; one
    query. ``other``: the balance not on an open order (credit on account, adjustments).
    Returns ``(rows, totals)``; rows are dicts, largest balance first (scoped)."""
    today = today or timezone.localdate()

    def ago(days):
        return today - datetime.timedelta(days=days)

    left = ExpressionWrapper(F("total") - F("amount_paid"), output_field=DecimalField())

    def bucket(condition):
        return Coalesce(Sum(Case(When(condition, then=left), default=Value(ZERO),
                                 output_field=DecimalField())), Value(ZERO),
                        output_field=DecimalField())

    orders = (open_orders().filter(customer_id=OuterRef("customer_id"))
              .annotate(due_day=_due_day()).values("customer_id"))
    sums = {  # days late = today − due day
        "current": bucket(Q(due_day__gte=today)),
        "d1_30": bucket(Q(due_day__lt=today, due_day__gte=ago(30))),
        "d31_60": bucket(Q(due_day__lt=ago(30), due_day__gte=ago(60))),
        "d61_90": bucket(Q(due_day__lt=ago(60), due_day__gte=ago(90))),
        "over_90": bucket(Q(due_day__lt=ago(90))),
    }
    qs = scope(actor, Account.objects.filter(kind=AccountKind.RECEIVABLE)).exclude(balance=0)
    if customer is not None:
        qs = qs.filter(customer=customer)
    qs = qs.annotate(**{name: Coalesce(Subquery(orders.annotate(v=expr).values("v")[:1]),
                                       Value(ZERO), output_field=DecimalField())
                        for name, expr in sums.items()})
    rows = []
    totals = dict.fromkeys((*AGING_BUCKETS, "other", "balance", "overdue"), ZERO)
    for account in qs.select_related("customer").order_by("-balance", "customer_id"):
        row = {"customer": account.customer, "balance": account.balance,
               **{name: getattr(account, name) for name in AGING_BUCKETS}}
        row["overdue"] = money(sum((row[name] for name in AGING_BUCKETS[1:]), ZERO))
        row["other"] = money(account.balance - row["current"] - row["overdue"])
        rows.append(row)
        for name in totals:
            totals[name] += row[name]
    return rows, totals


def overdue_amount(customer, *, today=None):
    """What the customer owes past its due dates (one query)."""
    left = ExpressionWrapper(F("total") - F("amount_paid"), output_field=DecimalField())
    return money(overdue_orders(today=today).filter(customer=customer).aggregate(
        total=Coalesce(Sum(left), Value(ZERO), output_field=DecimalField()))["total"])


def ledger_mismatches():
    """Accounts whose balance differs from the sum of their entries (there should be
    none: the periodic check and the tests read this)."""
    return list(Account.objects.annotate(
        total=Coalesce(Sum("entries__amount"), Value(ZERO, output_field=DecimalField())))
        .exclude(total=F("balance")))


# --- statements of account (reconciliation) -----------------------------------------


def reconciliation_closing(reconciliation):
    """Opening balance + the statement's lines (its period's entries and its
    corrections)."""
    from ordering.finance.services.reconciliation import reconciliation_lines

    total = reconciliation_lines(reconciliation).aggregate(
        total=Coalesce(Sum("amount"), Value(ZERO), output_field=DecimalField()))["total"]
    return money(reconciliation.opening + total)


def reconciliations(*, actor, status=None, customer=None):
    """Statements the staff member may see (scoped like customers), newest first."""
    from ordering.finance.models import Reconciliation

    qs = scope(actor, Reconciliation.objects.select_related("customer", "issued_by"))
    if status:
        qs = qs.filter(status=status)
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs.annotate(open_disputes=Count("disputes", filter=Q(
        disputes__answered_at__isnull=True))).order_by("-issued_at", "-id")


def reconciliation_get(*, actor, pk):
    return reconciliations(actor=actor).filter(pk=pk).first()


def dealer_reconciliations(*, customer):
    from ordering.finance.models import Reconciliation

    return (Reconciliation.objects.filter(customer=customer)
            .annotate(open_disputes=Count("disputes", filter=Q(
                disputes__answered_at__isnull=True))).order_by("-issued_at", "-id"))


STATEMENT_LINES_PER_PAGE = 200


def reconciliation_detail(reconciliation, *, page=None, per_page=STATEMENT_LINES_PER_PAGE):
    """One page of the statement's lines (each with its running balance and its
    disputes), the disputes, the events and the revised closing balance: a constant
    number of queries for any number of lines."""
    from django.core.paginator import Paginator

    from ordering.finance.services.reconciliation import reconciliation_lines

    lines_page = Paginator(reconciliation_lines(reconciliation), per_page).get_page(page)
    lines = list(lines_page.object_list)
    disputes = list(reconciliation.disputes.select_related("entry", "correction",
                                                          "raised_by", "answered_by"))
    events = list(reconciliation.events.select_related("actor"))
    by_entry = {}
    for dispute in disputes:
        by_entry.setdefault(dispute.entry_id, []).append(dispute)
    running = reconciliation.opening
    if lines:
        first = lines[0]
        running = money(running + reconciliation_lines(reconciliation).filter(
            Q(created_at__lt=first.created_at) | Q(created_at=first.created_at, pk__lt=first.pk)
        ).aggregate(total=Coalesce(Sum("amount"), Value(ZERO),
                                   output_field=DecimalField()))["total"])
    for line in lines:
        running = money(running + line.amount)
        line.running = running
        line.disputes = by_entry.get(line.pk, [])
        line.is_correction = line.reconciliation_id == reconciliation.pk
    return {"lines": lines, "lines_page": lines_page, "disputes": disputes, "events": events,
            "general_disputes": by_entry.get(None, []),
            "closing": reconciliation_closing(reconciliation)}


# --- pages ---------------------------------------------------------------------------


def finance_customer(*, actor, pk):
    """A customer the staff member may see, or None (another's reads as not found)."""
    from ordering.customers.models import Customer

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return scope(actor, Customer.objects.filter(pk=pk)).first()


def finance_customers(*, actor):
    """The customers the staff member may see, by name (for choosing one)."""
    from ordering.customers.models import Customer

    return scope(actor, Customer.objects.only("pk", "name", "code")).order_by("name", "pk")


def _period_bounds(start, end):
    tz = timezone.get_current_timezone()
    return (datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                      tzinfo=tz))


def ledger_entries(customer, *, kind, start, end, entry_kind="", newest_first=True):
    """The account's entries of a period (newest first, or oldest), to page through."""
    since, until = _period_bounds(start, end)
    qs = (Entry.objects.filter(account__customer=customer, account__kind=kind,
                               created_at__gte=since, created_at__lt=until)
          .select_related("order", "payment", "actor", "reverses", "return_request")
          .annotate(reversed_id=F("reversed_by__id")))
    if entry_kind:
        qs = qs.filter(kind=entry_kind)
    order = ("-created_at", "-id") if newest_first else ("created_at", "id")
    return qs.order_by(*order)


def running_balances(page_entries, customer, *, kind, start, opening):
    """Set ``entry.running`` (the balance after it, in date order) on one page of a
    period's entries (all of its types): one query for any history, the sum of the
    period's entries before the page's oldest one."""
    entries = sorted(page_entries, key=lambda e: (e.created_at, e.pk))
    if not entries:
        return
    first = entries[0]
    since, _until = _period_bounds(start, start)
    before = Entry.objects.filter(
        account__customer=customer, account__kind=kind, created_at__gte=since).filter(
        Q(created_at__lt=first.created_at) | Q(created_at=first.created_at, pk__lt=first.pk)
    ).aggregate(total=Coalesce(Sum("amount"), Value(ZERO), output_field=DecimalField()))["total"]
    running = money(opening + before)
    for entry in entries:
        running = money(running + entry.amount)
        entry.running = running


def period_totals(customer, *, kind, start, end):
    """Opening and closing balance of the account for the period (one query)."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                      tzinfo=tz)
    zero = Value(ZERO, output_field=DecimalField())
    found = Entry.objects.filter(account__customer=customer, account__kind=kind).aggregate(
        opening=Coalesce(Sum("amount", filter=Q(created_at__lt=since)), zero),
        closing=Coalesce(Sum("amount", filter=Q(created_at__lt=until)), zero))
    return money(found["opening"]), money(found["closing"])


def order_payments(order):
    """What paid an order: its ledger payments (prepaid, rebate, allocations of bank
    payments), oldest first."""
    from ordering.finance.enums import EntryKind

    return list(Entry.objects.filter(order=order, kind=EntryKind.PAYMENT,
                                     account__kind=AccountKind.RECEIVABLE)
                .select_related("payment").order_by("created_at", "id"))


def open_orders_of(customer):
    """The customer's orders with something left to pay (``left``), oldest first."""
    return (open_orders().filter(customer=customer)
            .annotate(left=ExpressionWrapper(F("total") - F("amount_paid"),
                                             output_field=DecimalField()))
            .order_by("created_at", "id"))


def credit_terms(customer):
    """The customer's temporary credit and hold, or None."""
    return CreditTerms.objects.filter(customer=customer).first()


def customer_entry(customer, pk):
    """One of the customer's ledger entries, or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Entry.objects.filter(pk=pk, account__customer=customer).select_related(
        "account", "account__customer").first()


def reconciliation_counts(*, actor):
    """``{status: count}`` of the statements the staff member may see."""
    from ordering.finance.models import Reconciliation

    return dict(scope(actor, Reconciliation.objects.all()).order_by().values_list("status")
                .annotate(n=Count("pk")))


def payment_counts(*, actor):
    """``{status: count}`` of the payments the staff member may see."""
    return dict(scope(actor, Payment.objects.all()).order_by().values_list("status")
                .annotate(n=Count("pk")))


def order_finance(order):
    """What the finance reviewer sees next to an order: the customer's balances, what it
    has overdue and what paid the order."""
    return {"balances": balances(order.customer), "overdue": overdue_amount(order.customer),
            "payments": order_payments(order)}


def checkout_money(customer, goods):
    """What checkout shows: the customer's balances and how much of ``goods`` its
    rebate balance may pay (the tenant's share)."""
    from ordering.settings.selectors import tenant_settings

    found = balances(customer)
    share = tenant_settings().rebate_share
    return {"balances": found, "rebate_share": share,
            "rebate_usable": max(min(found.rebate, money(goods * share / 100)), ZERO)}
