from django.db import models
from django.utils.translation import gettext_lazy as _

# The lifecycle statuses are the tenant's own (tenants.enums.TenantStatus): the public
# Tenant row keeps a copy so the middleware decides without a query.
from tenants.enums import TenantStatus as BillingStatus  # noqa: F401


class Interval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Limit(models.TextChoices):
    """What a plan limits (``Plan.max_<value>``; empty means unlimited)."""

    STAFF = "staff", _("staff seats")
    CUSTOMERS = "customers", _("customers")
    SKUS = "skus", _("active SKUs")
    ORDERS = "orders", _("orders per month")
    STORAGE = "storage", _("storage (MB)")


class EventSource(models.TextChoices):
    WEBHOOK = "webhook", _("Stripe webhook")
    RECONCILE = "reconcile", _("Reconciliation")
    MANUAL = "manual", _("Manual")
    SYSTEM = "system", _("System")
