"""The money between a supplier and its dealers: per customer three accounts
(receivable, prepaid, rebate), each with an append-only ledger of entries and a
running balance; the customer's credit terms; payments and what they settle.

Entries are never changed or deleted: a PostgreSQL trigger refuses UPDATE and DELETE
(migration 0001); a mistake is undone by a reversal entry pointing at it (at most one
per entry). Each account row keeps its balance, updated under the row's lock in the
same transaction as the entry (``services.ledger_post``); a periodic task and the
tests check balance = sum of entries.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from ordering.customers.enums import PaymentTerms as CustomerTerms
from ordering.finance.enums import (AccountKind, DisputeResolution, EntryKind, PaymentMethodKind,
                                    PaymentPurpose, PaymentStatus, ReconciliationEventKind,
                                    ReconciliationStatus)

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class Account(models.Model):
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="accounts", verbose_name=_("customer"))
    kind = models.CharField(_("account"), max_length=12, choices=AccountKind.choices)
    balance = models.DecimalField(_("balance"), default=ZERO, **MONEY)
    updated_at = models.DateTimeField(auto_now=True)

    scope_region_path = "customer__region"
    scope_assigned_path = "customer"

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind"], name="finance_account_unique"),
            # money held can never go below zero; what is owed can (an overpayment)
            models.CheckConstraint(condition=Q(kind=AccountKind.RECEIVABLE) | Q(balance__gte=0),
                                   name="finance_held_balance_not_negative"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.kind}"


class Entry(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("type"), max_length=20, choices=EntryKind.choices)
    # signed, as it moves the account's balance
    amount = models.DecimalField(_("amount"), **MONEY)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="ledger_entries")
    payment = models.ForeignKey("finance.Payment", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="entries")
    return_request = models.ForeignKey("orders.ReturnRequest", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="ledger_entries")
    # a correction answering a dispute of this statement
    reconciliation = models.ForeignKey("finance.Reconciliation", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="corrections")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    memo = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        default_permissions = ()
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["account", "created_at", "id"],
                                name="finance_entry_account_idx")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0),
                                              name="finance_entry_not_zero")]


class CreditTerms(models.Model):
    """What a customer may owe beyond its credit limit (``Customer.credit_limit``): a
    temporary extra credit until a date (临时额度), and a hold that stops its orders
    from passing finance review."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE,
                                    primary_key=True, related_name="credit_terms")
    temporary_credit = models.DecimalField(_("temporary extra credit"), default=ZERO, **MONEY)
    temporary_until = models.DateField(_("temporary credit until"), null=True, blank=True)
    on_hold = models.BooleanField(_("on credit hold"), default=False)
    hold_reason = models.CharField(_("reason for the hold"), max_length=300, blank=True)
    hold_automatic = models.BooleanField(default=False)  # put on hold by the overdue check

    class Meta:
        verbose_name = _("credit terms")
        verbose_name_plural = _("credit terms")
        default_permissions = ()
        constraints = [models.CheckConstraint(condition=Q(temporary_credit__gte=0),
                                              name="finance_temporary_credit_not_negative")]

    def temporary_on(self, day):
        return self.temporary_credit if (self.temporary_until is None
                                         or self.temporary_until >= day) else ZERO


def due_date(day, customer):
    """When what ``customer`` owes from ``day`` falls due under its payment terms
    (``Customer.payment_terms``): N credit days later, day N of the next month, or at
    once (payment before shipment, or on delivery)."""
    terms, days = customer.payment_terms, customer.payment_days or 0
    if terms == CustomerTerms.NEXT_MONTH:
        first_next = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        return first_next.replace(day=min(max(days, 1), 28))
    if terms == CustomerTerms.CREDIT:
        return day + datetime.timedelta(days=days)
    return day


class Payment(models.Model):
    """Money a customer sent (a transfer with its proof, cash, a cheque): recorded by
    the dealer or staff, confirmed or rejected by finance. Confirmed, it is locked and
    its ledger entries written. An online payment (Stripe) is started by the dealer and
    confirmed or failed by Stripe's events (``services.online``)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="payments", verbose_name=_("customer"))
    number = models.CharField(_("payment number"), max_length=20, unique=True, null=True)
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethodKind.choices,
                              default=PaymentMethodKind.TRANSFER)
    purpose = models.CharField(_("for"), max_length=8, choices=PaymentPurpose.choices,
                               default=PaymentPurpose.ORDERS)
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    note = models.CharField(pgettext_lazy("payment", "note"), max_length=300, blank=True)
    proof = models.FileField(_("proof of payment"), upload_to="private/payments/%Y/%m/",
                             blank=True)
    # the orders it settles, in this order; empty: the oldest unpaid first
    orders = models.ManyToManyField("orders.Order", blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    # a repeated API request with the same key returns this payment
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    # an online payment: its Stripe PaymentIntent on the supplier's connected account
    stripe_payment_intent = models.CharField(_("Stripe payment"), max_length=255, null=True,
                                             blank=True)

    scope_region_path = "customer__region"
    scope_assigned_path = "customer"

    class Meta:
        verbose_name = pgettext_lazy("money received", "payment")
        verbose_name_plural = _("payments")
        default_permissions = ()
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_payment_positive"),
            models.UniqueConstraint(fields=["customer", "idempotency_key"],
                                    condition=Q(idempotency_key__isnull=False),
                                    name="finance_payment_idempotency_unique"),
            models.UniqueConstraint(fields=["stripe_payment_intent"],
                                    condition=Q(stripe_payment_intent__isnull=False),
                                    name="finance_payment_intent_unique"),
        ]

    def __str__(self):
        return self.number or f"#{self.pk}"


class Allocation(models.Model):
    """How much of a confirmed payment settled an order."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT,
                              related_name="allocations")
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        default_permissions = ()
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0),
                                              name="finance_allocation_positive")]


class Reconciliation(models.Model):
    """A statement of account (对账单) finance issues to a customer for a period: the
    opening balance, the period's entries and the closing balance of what the customer
    owes, as issued. The dealer confirms it or disputes lines; finance answers each
    dispute (with a correcting entry, or an explanation); the dealer then confirms the
    answered statement. Confirming moves no money."""

    number = models.CharField(_("statement number"), max_length=24, unique=True, null=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="reconciliations", verbose_name=_("customer"))
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    opening = models.DecimalField(_("opening balance"), **MONEY)
    closing = models.DecimalField(_("closing balance"), **MONEY)
    entry_count = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=10, choices=ReconciliationStatus.choices,
                              default=ReconciliationStatus.ISSUED, db_index=True)
    note = models.CharField(pgettext_lazy("statement", "note"), max_length=300, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    scope_region_path = "customer__region"
    scope_assigned_path = "customer"

    class Meta:
        verbose_name = _("statement of account")
        verbose_name_plural = _("statements of account")
        default_permissions = ()
        ordering = ["-issued_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=F("start")),
                                              name="finance_reconciliation_period")]

    def __str__(self):
        return self.number or f"#{self.pk}"


class Dispute(models.Model):
    """A line of a statement the dealer does not agree with (or the statement as a whole
    when ``entry`` is empty), with finance's answer."""

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE,
                                       related_name="disputes")
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    comment = models.CharField(_("comment"), max_length=500)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(_("answer"), max_length=500, blank=True)
    resolution = models.CharField(_("resolution"), max_length=10,
                                  choices=DisputeResolution.choices, blank=True)
    correction = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = ()
        ordering = ["raised_at", "id"]


class ReconciliationEvent(models.Model):
    """Every step of a statement: who, when, from which address."""

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE,
                                       related_name="events")
    kind = models.CharField(max_length=10, choices=ReconciliationEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()
        ordering = ["created_at", "id"]


def _assign_scope():
    """Money that belongs to a customer is scoped like the customer: by region, and for
    sales reps through the customer's grant (``roles.permissions.scope``)."""
    from ordering.customers.models import Customer

    for model in (Account, Payment, Reconciliation):
        model.scope_assigned = ("customers.work_with_customer", Customer)


_assign_scope()
