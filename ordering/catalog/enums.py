from django.db import models
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ADJUSTMENT = "adjustment", _("Adjustment")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Release")
    SHIPMENT = "shipment", _("Shipment")
    RETURN = "return", _("Return from a customer")


class StockDisplay(models.TextChoices):
    EXACT = "exact", _("Exact quantity")
    LEVEL = "level", _("In stock / low / out of stock")
    HIDDEN = "hidden", _("Nothing")


class StockState(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    LOW = "low", _("Low stock")
    OUT = "out", _("Out of stock")
