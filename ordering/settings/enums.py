"""Choices of the tenant's business settings. They live here, not in the apps that
read the settings, so that ``ordering.settings`` depends on no other ordering app
(catalog, customers and orders all read the settings)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StockDisplay(models.TextChoices):
    EXACT = "exact", _("Exact quantity")
    LEVEL = "level", _("In stock / low / out of stock")
    HIDDEN = "hidden", _("Nothing")


class ReserveAt(models.TextChoices):
    SUBMIT = "submit", _("When the order is submitted")
    OUTBOUND = "outbound", _("When outbound review passes")


class OverLimit(models.TextChoices):
    """What happens to an order that does not fit what the customer may spend."""

    ALLOW = "allow", _("Accept it: finance decides at finance review")
    REFUSE = "refuse", _("Refuse the order")
    HOLD = "hold", _("Accept it on credit hold")


class FinanceRule(models.TextChoices):
    """When finance review may pass an order."""

    MANUAL = "manual", _("When the finance reviewer approves it")
    PAID_ONLY = "paid", _("Only when it is paid")
    PAID_OR_CREDIT = "credit", _("When it is paid, or fits within credit and is not on hold")
