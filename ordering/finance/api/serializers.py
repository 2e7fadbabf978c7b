"""Shapes of the finance API. Input serializers only parse (types, lengths, choices);
ordering.finance.services decide everything else. Money goes out as strings with two
decimals (``"95.00"``), like the orders API.

Component names start with ``Finance`` / ``Dealer`` where a plain name (``Payment``,
``Reason``) could collide with another app's serializer in the OpenAPI schema."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import CleanTextSerializer
from ordering.finance import selectors
from ordering.customers.enums import PaymentTerms
from ordering.finance.enums import AccountKind, PaymentMethodKind, PaymentPurpose

MONEY = {"max_digits": 14, "decimal_places": 2}
# the days a statement or ledger may cover (the bounds keep date arithmetic in range)
FIRST_DAY = datetime.date(1970, 1, 1)
LAST_DAY = datetime.date(2999, 12, 31)
MAX_ID = 2 ** 63 - 1
MAX_ORDERS = 100
# what staff record by hand (online payments come from the payment provider)
RECORDED_METHODS = [(kind, label) for kind, label in PaymentMethodKind.choices
                    if kind != PaymentMethodKind.ONLINE]


# --- input -------------------------------------------------------------------------------


class PeriodQuerySerializer(CleanTextSerializer):
    """``?account=&start=&end=``: the account (default: what is owed) and the days,
    inclusive (default: from the first of this month to today)."""

    account = serializers.ChoiceField(choices=AccountKind.choices, required=False,
                                      default=AccountKind.RECEIVABLE)
    start = serializers.DateField(required=False, help_text=_(
        "First day (YYYY-MM-DD); default: the first day of the last day's month."))
    end = serializers.DateField(required=False, help_text=_(
        "Last day, inclusive (YYYY-MM-DD); default: today."))

    class Meta:
        ref_name = "FinancePeriodQuery"

    def validate(self, attrs):
        end = attrs.get("end") or timezone.localdate()
        start = attrs.get("start") or end.replace(day=1)
        errors = {}
        for name, day in (("start", start), ("end", end)):
            if not FIRST_DAY <= day <= LAST_DAY:
                errors[name] = [_("Choose a day from %(first)s to %(last)s.") % {
                    "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}]
        if not errors and start > end:
            errors["start"] = [_("The first day comes after the last day.")]
        if errors:
            raise serializers.ValidationError(errors)
        return {**attrs, "start": start, "end": end}


class DealerPaymentInputSerializer(CleanTextSerializer):
    """A bank transfer the dealer made (finance confirms it once the money is there)."""

    amount = serializers.DecimalField(**MONEY)
    paid_on = serializers.DateField(help_text=_("The day the money was paid."))
    purpose = serializers.ChoiceField(choices=PaymentPurpose.choices,
                                      default=PaymentPurpose.ORDERS)
    orders = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
        default=list, max_length=MAX_ORDERS,
        help_text=_("The orders it pays, in this order; empty: the oldest unpaid first."))
    reference = serializers.CharField(required=False, allow_blank=True, max_length=80,
                                      default="", help_text=_("The bank's reference."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    class Meta:
        ref_name = "DealerPaymentInput"


PROOF_HELP = _("The proof of payment: a PDF, JPEG or PNG file of at most 5 MB.")


class DealerPaymentUploadSerializer(DealerPaymentInputSerializer):
    """The same as multipart/form-data, with the proof of payment."""

    proof = serializers.FileField(required=False, allow_null=True, help_text=PROOF_HELP)

    class Meta:
        ref_name = "DealerPaymentUpload"


class PaymentInputSerializer(DealerPaymentInputSerializer):
    """Money staff received for a customer: cash, a cheque or a transfer."""

    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    method = serializers.ChoiceField(choices=RECORDED_METHODS, default=PaymentMethodKind.TRANSFER)

    class Meta:
        ref_name = "FinancePaymentInput"


class PaymentUploadSerializer(PaymentInputSerializer):
    """The same as multipart/form-data, with the proof of payment."""

    proof = serializers.FileField(required=False, allow_null=True, help_text=PROOF_HELP)

    class Meta:
        ref_name = "FinancePaymentUpload"


class FinanceReasonSerializer(CleanTextSerializer):
    reason = serializers.CharField(max_length=300, allow_blank=True)


class AdjustmentInputSerializer(CleanTextSerializer):
    account = serializers.ChoiceField(choices=AccountKind.choices)
    amount = serializers.DecimalField(
        **MONEY, help_text=_("Signed: what it adds to the account (negative: takes off)."))
    reason = serializers.CharField(max_length=300, allow_blank=True)


class CreditTermsInputSerializer(CleanTextSerializer):
    """Only the fields sent change, all in one transaction."""

    credit_limit = serializers.DecimalField(**MONEY, required=False, min_value=0)
    payment_terms = serializers.ChoiceField(choices=PaymentTerms.choices, required=False)
    payment_days = serializers.IntegerField(
        required=False, min_value=0, max_value=365,
        help_text=_("Credit days (0–365); on account to a day of the next month: that day "
                    "(1–28)."))
    temporary_credit = serializers.DecimalField(
        **MONEY, required=False, min_value=0,
        help_text=_("Extra credit beyond the credit limit (0: none)."))
    temporary_until = serializers.DateField(
        required=False, allow_null=True,
        help_text=_("The last day of the temporary credit (empty: until changed); sent "
                    "with temporary_credit."))
    on_hold = serializers.BooleanField(required=False)
    hold_reason = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                        help_text=_("Needed to put the customer on hold."))


# --- output ------------------------------------------------------------------------------


class BalancesSerializer(CleanTextSerializer):
    prepaid = serializers.DecimalField(**MONEY)
    rebate = serializers.DecimalField(**MONEY)
    owed = serializers.DecimalField(**MONEY, help_text=_(
        "What the customer owes (negative: credit on the account)."))
    credit_limit = serializers.DecimalField(**MONEY)
    temporary_credit = serializers.DecimalField(**MONEY, help_text=_(
        "Temporary extra credit in force today."))
    credit_left = serializers.DecimalField(**MONEY, help_text=_(
        "Credit limit + temporary credit − owed (may be negative)."))
    available = serializers.DecimalField(**MONEY, help_text=_(
        "What may be spent: prepaid + rebate + the credit left (not below zero)."))
    on_hold = serializers.BooleanField()
    hold_reason = serializers.CharField()

    class Meta:
        ref_name = "FinanceBalances"


class CustomerBalancesSerializer(BalancesSerializer):
    customer = serializers.IntegerField()
    customer_code = serializers.CharField()
    customer_name = serializers.CharField()

    class Meta:
        ref_name = "FinanceCustomerBalances"


def customer_balances(customer, balances):
    return {"customer": customer.pk, "customer_code": customer.code,
            "customer_name": customer.name, **balances_data(balances)}


def balances_data(balances):
    return {"prepaid": balances.prepaid, "rebate": balances.rebate, "owed": balances.owed,
            "credit_limit": balances.credit_limit,
            "temporary_credit": balances.temporary_credit,
            "credit_left": balances.credit_left, "available": balances.available,
            "on_hold": balances.on_hold, "hold_reason": balances.hold_reason}


class ReceivableSerializer(CustomerBalancesSerializer):
    """A row of ``receivables``: an account (what is owed) with its customer's other
    accounts and credit terms prefetched."""

    class Meta:
        ref_name = "FinanceReceivable"

    def to_representation(self, account):
        customer = account.customer
        found = {a.kind: a.balance for a in customer.accounts.all()}
        terms = getattr(customer, "credit_terms", None)
        today = timezone.localdate()
        balances = selectors.Balances(
            prepaid=found.get(AccountKind.PREPAID, selectors.ZERO),
            rebate=found.get(AccountKind.REBATE, selectors.ZERO), owed=account.balance,
            credit_limit=customer.credit_limit,
            temporary_credit=terms.temporary_on(today) if terms else selectors.ZERO,
            on_hold=bool(terms and terms.on_hold), hold_reason=terms.hold_reason if terms else "")
        return super().to_representation(customer_balances(customer, balances))


class DealerEntrySerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    amount = serializers.DecimalField(**MONEY, help_text=_(
        "Signed: what it moved the account by."))
    order = serializers.IntegerField(source="order_id", allow_null=True)
    order_number = serializers.SerializerMethodField()
    payment = serializers.IntegerField(source="payment_id", allow_null=True)
    payment_number = serializers.SerializerMethodField()
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True,
                                        help_text=_("The entry this one reverses."))
    memo = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_order_number(self, entry) -> str:
        return (entry.order.number or "") if entry.order_id else ""

    def get_payment_number(self, entry) -> str:
        return (entry.payment.number or "") if entry.payment_id else ""


class EntrySerializer(DealerEntrySerializer):
    account = serializers.CharField(source="account.kind")
    balance_after = serializers.DecimalField(**MONEY)
    actor = serializers.SerializerMethodField()

    class Meta:
        ref_name = "FinanceEntry"

    def get_actor(self, entry) -> str:
        return (entry.actor.name or entry.actor.email) if entry.actor_id else ""


class DealerLedgerEntrySerializer(DealerEntrySerializer):
    running = serializers.DecimalField(**MONEY, help_text=_(
        "The account's balance after this entry, in date order."))
    reversed_by = serializers.IntegerField(source="reversed_id", allow_null=True,
                                           help_text=_("The entry that reversed this one."))

    class Meta:
        ref_name = "DealerLedgerEntry"


class LedgerEntrySerializer(DealerLedgerEntrySerializer):
    """An entry of an account's period (its account is the period's)."""

    actor = serializers.SerializerMethodField()

    class Meta:
        ref_name = "FinanceLedgerEntry"

    def get_actor(self, entry) -> str:
        return _person(entry.actor) if entry.actor_id else ""


class DealerLedgerSerializer(CleanTextSerializer):
    """A page of an account's entries for a period, with the period's balances."""

    account = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    opening = serializers.DecimalField(**MONEY, help_text=_(
        "The balance before the first day."))
    closing = serializers.DecimalField(**MONEY, help_text=_(
        "The balance after the last day: opening + every entry of the period."))
    count = serializers.IntegerField(help_text=_("The period's entries, on every page."))
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DealerLedgerEntrySerializer(many=True)

    class Meta:
        ref_name = "DealerLedger"


class LedgerSerializer(DealerLedgerSerializer):
    results = LedgerEntrySerializer(many=True)

    class Meta:
        ref_name = "FinanceLedger"


class AllocationSerializer(CleanTextSerializer):
    order = serializers.IntegerField(source="order_id")
    order_number = serializers.CharField(source="order.number", allow_null=True)
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        ref_name = "FinanceAllocation"


class DealerPaymentSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    method = serializers.CharField()
    purpose = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    paid_on = serializers.DateField()
    reference = serializers.CharField()
    note = serializers.CharField()
    has_proof = serializers.SerializerMethodField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    reject_reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "DealerPayment"

    def get_has_proof(self, payment) -> bool:
        return bool(payment.proof)


class PaymentSerializer(DealerPaymentSerializer):
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.name")
    recorded_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        ref_name = "FinancePayment"

    def get_recorded_by(self, payment) -> str:
        return _person(payment.recorded_by) if payment.recorded_by_id else ""

    def get_decided_by(self, payment) -> str:
        return _person(payment.decided_by) if payment.decided_by_id else ""


class PaymentDetailSerializer(PaymentSerializer):
    orders = serializers.SerializerMethodField(help_text=_("The orders it was sent for."))
    allocations = AllocationSerializer(many=True, help_text=_(
        "What it settled, once confirmed."))

    class Meta:
        ref_name = "FinancePaymentDetail"

    def get_orders(self, payment) -> list[int]:
        return sorted(order.pk for order in payment.orders.all())


class CreditTermsSerializer(CleanTextSerializer):
    customer = serializers.IntegerField()
    credit_limit = serializers.DecimalField(**MONEY)
    payment_terms = serializers.CharField()
    payment_days = serializers.IntegerField()
    temporary_credit = serializers.DecimalField(**MONEY)
    temporary_until = serializers.DateField(allow_null=True)
    on_hold = serializers.BooleanField()
    hold_reason = serializers.CharField()
    hold_automatic = serializers.BooleanField(help_text=_(
        "Put on hold by the overdue check (lifted when nothing is overdue any more)."))

    class Meta:
        ref_name = "FinanceCreditTerms"


def credit_terms_data(customer, terms):
    """The customer's credit fields and its ``CreditTerms`` (None: none set yet)."""
    return {"customer": customer.pk, "credit_limit": customer.credit_limit,
            "payment_terms": customer.payment_terms, "payment_days": customer.payment_days,
            "temporary_credit": terms.temporary_credit if terms else selectors.ZERO,
            "temporary_until": terms.temporary_until if terms else None,
            "on_hold": bool(terms and terms.on_hold),
            "hold_reason": terms.hold_reason if terms else "",
            "hold_automatic": bool(terms and terms.hold_automatic)}


def _person(user):
    return user.name or user.email


# --- statements of account ------------------------------------------------------------------


class ReconciliationIssueSerializer(CleanTextSerializer):
    """A statement of what the customer owes for a period (days, inclusive)."""

    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    start = serializers.DateField(help_text=_("First day (YYYY-MM-DD)."))
    end = serializers.DateField(help_text=_("Last day, inclusive (YYYY-MM-DD); today at the "
                                            "latest."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ReconciliationBulkIssueSerializer(ReconciliationIssueSerializer):
    """The same statement period for many customers, issued in the background."""

    customer = None
    customers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False,
        max_length=10_000, help_text=_("Customer ids (those you may not see are left out)."))


class ReconciliationQueuedSerializer(CleanTextSerializer):
    queued = serializers.IntegerField(help_text=_("Statements to be issued in the background "
                                                  "(one per customer)."))


class DisputeLineInputSerializer(CleanTextSerializer):
    entry = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                     max_value=MAX_ID, help_text=_(
                                         "A line of the statement (an entry id); empty: the "
                                         "statement as a whole."))
    comment = serializers.CharField(max_length=500, allow_blank=True)


class ReconciliationDisputeSerializer(CleanTextSerializer):
    lines = DisputeLineInputSerializer(many=True, allow_empty=False, max_length=50)


class DisputeAnswerSerializer(CleanTextSerializer):
    answer = serializers.CharField(max_length=500, allow_blank=True,
                                   help_text=_("What the dealer reads."))
    correction = serializers.ChoiceField(
        choices=[("reverse", "reverse"), ("adjust", "adjust")], required=False,
        allow_null=True, help_text=_(
            "Empty: an explanation. reverse: the disputed entry is reversed. adjust: "
            "amount is added to what the customer owes (negative lowers it). A correction "
            "needs adjust_balances too."))
    amount = serializers.DecimalField(**MONEY, required=False, allow_null=True)


class DealerReconciliationSerializer(CleanTextSerializer):
    """A statement of account in a list."""

    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    start = serializers.DateField()
    end = serializers.DateField()
    opening = serializers.DecimalField(**MONEY)
    closing = serializers.DecimalField(**MONEY, help_text=_(
        "As issued; once every dispute is answered, as revised."))
    entry_count = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    note = serializers.CharField()
    open_disputes = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "DealerStatementOfAccount"


class ReconciliationSerializer(DealerReconciliationSerializer):
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.name")

    class Meta:
        ref_name = "StatementOfAccount"


class ReconciliationLineSerializer(DealerEntrySerializer):
    running = serializers.DecimalField(**MONEY, help_text=_("The balance after this line."))
    is_correction = serializers.BooleanField(help_text=_(
        "Posted in answer to a dispute of this statement."))
    disputes = serializers.SerializerMethodField(help_text=_("The disputes of this line."))

    class Meta:
        ref_name = "StatementOfAccountLine"

    def get_disputes(self, line) -> list[int]:
        return [dispute.pk for dispute in line.disputes]


class DisputeSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    entry = serializers.IntegerField(source="entry_id", allow_null=True, help_text=_(
        "The disputed line; empty: the statement as a whole."))
    comment = serializers.CharField()
    raised_by = serializers.SerializerMethodField()
    raised_at = serializers.DateTimeField()
    answer = serializers.CharField()
    resolution = serializers.CharField(help_text=_("corrected, explained, or empty: open."))
    correction = serializers.IntegerField(source="correction_id", allow_null=True,
                                          help_text=_("The correcting entry."))
    answered_by = serializers.SerializerMethodField()
    answered_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "StatementOfAccountDispute"

    def get_raised_by(self, dispute) -> str:
        return _person(dispute.raised_by) if dispute.raised_by_id else ""

    def get_answered_by(self, dispute) -> str:
        return _person(dispute.answered_by) if dispute.answered_by_id else ""


class DealerReconciliationEventSerializer(CleanTextSerializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    actor = serializers.SerializerMethodField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "DealerStatementOfAccountEvent"

    def get_actor(self, event) -> str:
        return _person(event.actor) if event.actor_id else ""


class ReconciliationEventSerializer(DealerReconciliationEventSerializer):
    ip = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "StatementOfAccountEvent"


class _LinesPage(serializers.Serializer):
    """What a statement's detail adds to the list item: one page of its lines, the
    disputes and the revised closing balance (staff and dealer alike)."""

    closing_now = serializers.DecimalField(**MONEY, help_text=_(
        "Opening balance + the lines now (corrections included)."))
    line_count = serializers.IntegerField(help_text=_("The statement's lines, on every page."))
    line_page = serializers.IntegerField(help_text=_("This page of lines."))
    line_pages = serializers.IntegerField()
    lines = ReconciliationLineSerializer(many=True)
    disputes = DisputeSerializer(many=True, source="disputes_found")


class ReconciliationDetailSerializer(_LinesPage, ReconciliationSerializer):
    events = ReconciliationEventSerializer(many=True, source="events_found")

    class Meta:
        ref_name = "StatementOfAccountDetail"


class DealerReconciliationDetailSerializer(_LinesPage, DealerReconciliationSerializer):
    events = DealerReconciliationEventSerializer(many=True, source="events_found")

    class Meta:
        ref_name = "DealerStatementOfAccountDetail"


def reconciliation_detail(reconciliation, detail):
    """A statement with ``selectors.reconciliation_detail``'s page of lines, disputes and
    events attached for the detail serializers."""
    page = detail["lines_page"]
    reconciliation.lines = detail["lines"]
    reconciliation.line_count = page.paginator.count
    reconciliation.line_page, reconciliation.line_pages = page.number, page.paginator.num_pages
    reconciliation.closing_now = detail["closing"]
    reconciliation.disputes_found = detail["disputes"]
    reconciliation.events_found = detail["events"]
    return reconciliation
