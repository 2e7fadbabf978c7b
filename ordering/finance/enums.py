from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class AccountKind(models.TextChoices):
    """A customer's three accounts. ``receivable``: what the customer owes (positive);
    ``prepaid`` and ``rebate``: money the customer holds with the supplier."""

    RECEIVABLE = "receivable", _("Outstanding (receivable)")
    PREPAID = "prepaid", _("Prepaid balance")
    REBATE = "rebate", _("Rebate balance")


class EntryKind(models.TextChoices):
    ORDER_CHARGE = "order_charge", _("Order")
    ORDER_ADJUSTMENT = "order_adjustment", _("Order changed")
    PAYMENT = "payment", pgettext_lazy("ledger entry", "Payment")
    REFUND = "refund", _("Refund")
    PREPAID_TOPUP = "prepaid_topup", _("Prepaid top-up")
    PREPAID_SPEND = "prepaid_spend", _("Paid from the prepaid balance")
    REBATE_GRANT = "rebate_grant", _("Rebate granted")
    REBATE_SPEND = "rebate_spend", _("Rebate used")
    ADJUSTMENT = "adjustment", _("Manual adjustment")
    REVERSAL = "reversal", _("Reversal")


class PaymentMethodKind(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")
    ONLINE = "online", _("Online payment")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", pgettext_lazy("payment", "Confirmed")
    REJECTED = "rejected", pgettext_lazy("payment", "Rejected")


class PaymentPurpose(models.TextChoices):
    ORDERS = "orders", _("Pay orders")
    TOPUP = "topup", _("Top up the prepaid balance")


class ReconciliationStatus(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("statement", "Issued")
    CONFIRMED = "confirmed", pgettext_lazy("statement", "Confirmed")
    DISPUTED = "disputed", pgettext_lazy("statement", "Disputed")
    RESOLVED = "resolved", pgettext_lazy("statement", "Answered")


class ReconciliationEventKind(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("statement event", "Issued")
    VIEWED = "viewed", pgettext_lazy("statement event", "Viewed")
    CONFIRMED = "confirmed", pgettext_lazy("statement event", "Confirmed")
    DISPUTED = "disputed", pgettext_lazy("statement event", "Disputed")
    ANSWERED = "answered", pgettext_lazy("statement event", "Answered")


class DisputeResolution(models.TextChoices):
    CORRECTED = "corrected", _("Corrected with an entry")
    EXPLAINED = "explained", _("Explained")
