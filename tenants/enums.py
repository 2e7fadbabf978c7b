from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class TenantStatus(models.TextChoices):
    TRIAL = "trial", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    SUSPENDED = "suspended", _("Suspended")
    CANCELED = "canceled", _("Canceled")


class Plan(models.TextChoices):
    """The built-in plan codes (``billing.Plan.code``; operators may add more there)."""

    TRIAL = "trial", pgettext_lazy("plan", "Trial")
    BASIC = "basic", pgettext_lazy("plan", "Basic")
    PRO = "pro", pgettext_lazy("plan", "Pro")
    ENTERPRISE = "enterprise", pgettext_lazy("plan", "Enterprise")


class ProvisionPath(models.TextChoices):
    POOL = "pool", _("Warm pool")
    CLONE = "clone", _("Template clone")
    MIGRATE = "migrate", _("Migrations")


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan (CNY)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    HKD = "HKD", _("Hong Kong dollar (HKD)")
