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
