"""Billing in the public schema: plans, prices, subscriptions, their audit trail,
Stripe events received once, repaired drift and sent trial reminders; the suppliers'
own Stripe accounts (Stripe Connect) and the Connect events received once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.enums import BillingStatus, ConnectOutcome, EventSource, Interval, Limit
from tenants.enums import Currency


class Plan(models.Model):
    """A plan operators create and edit. ``code`` is what ``Tenant.plan`` holds."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=60)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_public = models.BooleanField(_("on the pricing page"), default=True)
    # Empty: unlimited.
    max_staff = models.PositiveIntegerField(_("staff seats"), null=True, blank=True)
    max_customers = models.PositiveIntegerField(_("customers"), null=True, blank=True)
    max_skus = models.PositiveIntegerField(_("active SKUs"), null=True, blank=True)
    max_orders = models.PositiveIntegerField(_("orders per month"), null=True, blank=True)
    max_storage = models.PositiveIntegerField(_("storage (MB)"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["position", "code"]

    def __str__(self):
        return self.code

    def limit(self, what):
        """The plan's limit for a ``Limit`` value (None: unlimited)."""
        return getattr(self, f"max_{Limit(what).value}")


class PlanPrice(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    interval = models.CharField(_("interval"), max_length=8, choices=Interval.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    stripe_price_id = models.CharField(_("Stripe price"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("plan price")
        verbose_name_plural = _("plan prices")
        constraints = [models.UniqueConstraint(fields=["plan", "currency", "interval"],
                                               name="billing_price_unique")]

    def __str__(self):
        return f"{self.plan_id} {self.amount} {self.currency}/{self.interval}"


class Subscription(models.Model):
    """A tenant's subscription; the Stripe ids map it to Stripe's customer and
    subscription. ``status`` changes only in ``billing.lifecycle.transition``."""

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE,
                                  related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(_("status"), max_length=16, choices=BillingStatus.choices,
                              default=BillingStatus.TRIAL)
    interval = models.CharField(_("interval"), max_length=8, choices=Interval.choices,
                                default=Interval.MONTH)
    stripe_customer_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    stripe_subscription_id = models.CharField(max_length=64, unique=True, null=True,
                                              blank=True)
    stripe_status = models.CharField(max_length=32, blank=True)
    trial_ends_at = models.DateTimeField(_("trial ends"), null=True, blank=True)
    had_trial = models.BooleanField(_("had a trial"), default=False)
    current_period_end = models.DateTimeField(_("period ends"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    manual = models.BooleanField(_("billed by hand"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self):
        return f"{self.tenant_id}: {self.plan_id} {self.status}"


class SubscriptionChange(models.Model):
    """The audit record of every status or plan change."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE,
                                     related_name="changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    from_plan = models.CharField(max_length=32, blank=True)
    to_plan = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=16, choices=EventSource.choices)
    reason = models.CharField(max_length=200, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class WebhookEvent(models.Model):
    """A Stripe event, stored once under its id in the same transaction as its effect."""

    event_id = models.CharField(max_length=80, unique=True)
    type = models.CharField(max_length=80)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    handled = models.BooleanField(default=False)  # False: stored and ignored
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField()


class Drift(models.Model):
    """What reconciliation found different from Stripe and repaired (for operators)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE,
                                     related_name="drifts")
    field = models.CharField(max_length=40)
    ours = models.CharField(max_length=80, blank=True)
    stripe = models.CharField(max_length=80, blank=True)
    repaired_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-repaired_at", "-id"]


class TrialReminder(models.Model):
    """A trial reminder sent (once per tenant and number of days before the end)."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField()
    trial_ends_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "days_before", "trial_ends_at"],
                                               name="billing_trial_reminder_once")]


class Usage(models.Model):
    """The last counted usage per tenant (a periodic task refreshes it for the billing
    page; the limit check counts the one thing it guards)."""

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE,
                                  related_name="usage")
    staff = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)
    skus = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)
    storage = models.PositiveIntegerField(default=0)
    # the latest sign-in or order in the tenant (None: nobody has done anything yet)
    last_activity_at = models.DateTimeField(null=True, blank=True, db_index=True)
    counted_at = models.DateTimeField(null=True, blank=True)


class ConnectedAccount(models.Model):
    """The supplier's own Stripe account, connected through Stripe Connect (Account Links
    onboarding): dealers' online payments are direct charges on it. In the public schema
    because the Connect webhook arrives on the platform's domain and must find the tenant
    of an account. The flags mirror Stripe's account (re-read on every change)."""

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE,
                                  related_name="connected_account")
    account_id = models.CharField(_("Stripe account"), max_length=64, unique=True)
    charges_enabled = models.BooleanField(_("accepts payments"), default=False)
    payouts_enabled = models.BooleanField(_("payouts enabled"), default=False)
    details_submitted = models.BooleanField(_("onboarding finished"), default=False)
    # the payment method capabilities and their status: {"card_payments": "active",
    # "alipay_payments": "pending", "wechat_pay_payments": "inactive"}
    capabilities = models.JSONField(default=dict, blank=True)
    disabled_reason = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("connected Stripe account")
        verbose_name_plural = _("connected Stripe accounts")

    def __str__(self):
        return f"{self.tenant_id}: {self.account_id}"


class ConnectEvent(models.Model):
    """A Stripe Connect event, stored once under its id in the same transaction as its
    effect (a second delivery, even a concurrent one, finds it and does nothing)."""

    event_id = models.CharField(max_length=80, unique=True)
    account_id = models.CharField(max_length=64, blank=True, db_index=True)
    type = models.CharField(max_length=80)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=ConnectOutcome.choices, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.event_id} {self.type}"


class WebhookFailure(models.Model):
    """A Stripe event (Billing or Connect) whose handling raised. The event's own row
    and its effect roll back together so Stripe delivers it again; this record is
    written after that rollback, outside it, for the operator console's health page.
    One row per event: each failed delivery counts an attempt and keeps the last error;
    a later delivery that goes through (or finds the event already handled) marks it
    resolved."""

    class Source(models.TextChoices):
        BILLING = "billing", _("Subscriptions (Stripe Billing)")
        CONNECT = "connect", _("Suppliers' accounts (Stripe Connect)")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    event_id = models.CharField(max_length=80)
    type = models.CharField(_("event"), max_length=80, blank=True)
    account_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=1)
    error = models.TextField(_("error"), blank=True)
    first_failed_at = models.DateTimeField(_("first failure"))
    last_failed_at = models.DateTimeField(_("last failure"), db_index=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-last_failed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "event_id"],
                                               name="billing_webhook_failure_once")]

    def __str__(self):
        return f"{self.source} {self.event_id}"
