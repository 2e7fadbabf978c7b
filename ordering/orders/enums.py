from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from ordering.settings.enums import ReserveAt  # noqa: F401  (a setting's choices)


class OrderStatus(models.TextChoices):
    """Where an order is in the workflow (``ordering.orders.workflow``). Fulfilment,
    payment and returns have their own fields."""

    SUBMITTED = "submitted", _("Submitted")
    ORDER_REVIEW = "order_review", _("Awaiting order review")
    FINANCE_REVIEW = "finance_review", _("Awaiting finance review")
    OUTBOUND_REVIEW = "outbound_review", _("Awaiting outbound review")
    SHIPPING = "shipping", _("Awaiting shipment")
    RECEIPT = "receipt", _("Awaiting receipt")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", pgettext_lazy("order", "Cancelled")
    REJECTED = "rejected", pgettext_lazy("order", "Rejected")


class FulfilmentStatus(models.TextChoices):
    UNSHIPPED = "unshipped", _("Not shipped")
    PARTIAL = "partial", _("Partly shipped")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTIAL = "partial", _("Partly paid")
    PAID = "paid", _("Paid")


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Offline bank transfer")
    PREPAID = "prepaid", _("Prepaid balance")
    CREDIT = "credit", _("On credit")
    # card, Alipay, WeChat Pay … through the supplier's own Stripe account (Stripe
    # Connect); offered only once that account accepts payments
    ONLINE = "online", _("Online payment")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    SKIPPED = "skipped", _("Step skipped")
    REJECTED = "rejected", pgettext_lazy("order event", "Rejected")
    CANCELLED = "cancelled", pgettext_lazy("order event", "Cancelled")
    AMENDED = "amended", _("Amended")
    CONFIRMED = "confirmed", _("Confirmed by the dealer")
    SHIPPED = "shipped", pgettext_lazy("order event", "Shipped")
    RECEIVED = "received", _("Receipt confirmed")
    STOCK_RESERVED = "stock_reserved", _("Stock reserved")
    STOCK_RELEASED = "stock_released", _("Stock released")


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting review")
    APPROVED = "approved", _("Awaiting the goods")
    RECEIVED = "received", _("Goods received, awaiting refund")
    COMPLETED = "completed", pgettext_lazy("return", "Completed")
    REJECTED = "rejected", pgettext_lazy("return", "Rejected")


class ReturnCondition(models.TextChoices):
    GOOD = "good", _("Resaleable (back into stock)")
    DAMAGED = "damaged", _("Damaged (not restocked)")


class RefundMethod(models.TextChoices):
    BALANCE = "balance", _("To the prepaid balance")
    RECORDED = "recorded", _("Refunded outside Orderline (recorded)")
