from django.db import models
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    OPERATOR = "operator", _("Platform operator")
    STAFF = "staff", _("Supplier staff")
    DEALER = "dealer", _("Dealer")
