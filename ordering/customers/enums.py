from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISABLED = "disabled", _("Disabled")
    PENDING = "pending", _("Pending approval")
    REJECTED = "rejected", _("Rejected")


class PaymentTerms(models.TextChoices):
    PREPAID = "prepaid", _("Payment before shipment")
    ON_DELIVERY = "on_delivery", _("Payment on delivery")
    CREDIT = "credit", _("On account (credit days)")
    NEXT_MONTH = "next_month", _("On account (a day of the next month)")


class BuyerRole(models.TextChoices):
    ORDER = "order", _("Can order")
    ORDER_UP_TO = "order_up_to", _("Can order up to an amount")
    VIEW_ONLY = "view_only", _("View only")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
