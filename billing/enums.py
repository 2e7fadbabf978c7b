from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

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


class InvoiceStatus(models.TextChoices):
    """A Stripe invoice's status, in the reader's language."""

    DRAFT = "draft", pgettext_lazy("invoice status", "Draft")
    OPEN = "open", pgettext_lazy("invoice status", "Due")
    PAID = "paid", pgettext_lazy("invoice status", "Paid")
    UNCOLLECTIBLE = "uncollectible", pgettext_lazy("invoice status", "Uncollectible")
    VOID = "void", pgettext_lazy("invoice status", "Void")


class EventSource(models.TextChoices):
    WEBHOOK = "webhook", _("Stripe webhook")
    RECONCILE = "reconcile", _("Reconciliation")
    MANUAL = "manual", _("Manual")
    SYSTEM = "system", _("System")


class ConnectStatus(models.TextChoices):
    """Where a supplier's own Stripe account (Stripe Connect) stands."""

    NOT_CONNECTED = "not_connected", _("Not connected")
    ONBOARDING = "onboarding", _("Onboarding not finished")
    PENDING = "pending", _("Waiting for Stripe to verify")
    ACTIVE = "active", _("Accepting payments")


class ConnectOutcome(models.TextChoices):
    """What a Stripe Connect event did (``ConnectEvent.outcome``)."""

    APPLIED = "applied", _("Applied")
    IGNORED = "ignored", _("Not an event we act on")
    UNKNOWN_ACCOUNT = "unknown_account", _("No tenant has this Stripe account")
    ALREADY = "already", _("Applied before")
    REFUSED = "refused", _("Refused: not this tenant's payment, or not what was charged")
