"""Customers (dealer companies), their levels, contacts, addresses, ordering logins and
self-registration applications. Every write goes through ``ordering.customers.services``."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy
from guardian.models import UserObjectPermissionBase

from ordering.customers.enums import (ApplicationStatus, BuyerRole, CustomerStatus,
                                      PaymentTerms)

MONEY = {"max_digits": 14, "decimal_places": 2}


class CustomerLevel(models.Model):
    """客户级别: a tenant-defined list (Level 1 distributor, Level 2, retailer …)
    in display order, each with a default price percentage of the list price."""

    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveIntegerField(pgettext_lazy("sort order", "order"), default=0)
    # 100 = list price, 90 = 10 % off (九折). The catalog issue prices from it.
    price_percent = models.DecimalField(
        # xgettext:no-python-format
        _("price (% of list price)"), max_digits=5, decimal_places=2, default=Decimal("100"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))])
    is_default = models.BooleanField(_("default for new customers"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer level")
        verbose_name_plural = _("customer levels")
        ordering = ["position", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(Lower("name"), name="customer_level_unique_name"),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                    name="customer_level_one_default"),
            models.CheckConstraint(condition=Q(price_percent__gt=0, price_percent__lte=100),
                                   name="customer_level_price_percent_range"),
        ]

    def __str__(self):
        return self.name


class Customer(models.Model):
    """A dealer company that orders from this supplier."""

    code = models.CharField(_("customer code"), max_length=32)
    name = models.CharField(_("company name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    region = models.ForeignKey("roles.Region", verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="customers")
    level = models.ForeignKey(CustomerLevel, verbose_name=_("customer level"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="customers")
    # The assigned sales rep. Scoping reads the guardian grant services keep in step.
    sales_rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sales rep"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="assigned_customers")
    credit_limit = models.DecimalField(_("credit limit"), default=Decimal("0"), **MONEY,
                                       validators=[MinValueValidator(Decimal("0"))])
    payment_terms = models.CharField(_("payment terms"), max_length=16,
                                     choices=PaymentTerms.choices, default=PaymentTerms.PREPAID)
    payment_days = models.PositiveSmallIntegerField(_("credit days"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=CustomerStatus.choices,
                              default=CustomerStatus.ACTIVE, db_index=True)
    tags = ArrayField(models.CharField(max_length=30), verbose_name=_("tags"), default=list,
                      blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # invoice details (开票信息)
    invoice_title = models.CharField(_("invoice title"), max_length=120, blank=True)
    tax_number = models.CharField(_("tax number"), max_length=40, blank=True)
    bank_name = models.CharField(_("bank"), max_length=120, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=60, blank=True)
    invoice_address = models.CharField(_("registered address"), max_length=255, blank=True)
    invoice_phone = models.CharField(_("registered phone"), max_length=32, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # data scoping (roles.permissions.scope): regional managers through the region,
    # sales reps through the work_with_customer grant.
    scope_region_path = "region"
    scope_assigned_path = "pk"

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        default_permissions = ()
        permissions = [("work_with_customer", "Work with this customer (assigned sales rep)")]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="customer_code_unique_ci"),
            models.CheckConstraint(condition=Q(credit_limit__gte=0),
                                   name="customer_credit_limit_not_negative"),
        ]
        indexes = [GinIndex(fields=["tags"], name="customer_tags_gin"),
                   models.Index(Lower("name"), name="customer_name_lower")]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_active(self):
        return self.status == CustomerStatus.ACTIVE



class CustomerUserObjectPermission(UserObjectPermissionBase):
    """Direct-foreign-key guardian grants on customers (fast joins, cascade on delete)."""

    content_object = models.ForeignKey(Customer, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        default_permissions = ()


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=80)
    title = models.CharField(_("position"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    scope_region_path = "customer__region"
    scope_assigned_path = "customer"

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "id"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["customer"], condition=Q(is_primary=True),
                                               name="contact_one_primary")]

    def __str__(self):
        return self.name


class Address(models.Model):
    """A shipping address (收货地址)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    recipient = models.CharField(_("recipient"), max_length=80)
    phone = models.CharField(_("phone"), max_length=32)
    region = models.ForeignKey("roles.Region", verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    address = models.CharField(_("address"), max_length=255)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    is_default = models.BooleanField(_("default address"), default=False)

    scope_region_path = "customer__region"
    scope_assigned_path = "customer"

    class Meta:
        verbose_name = _("shipping address")
        verbose_name_plural = _("shipping addresses")
        ordering = ["-is_default", "id"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["customer"], condition=Q(is_default=True),
                                               name="address_one_default")]

    def __str__(self):
        return f"{self.recipient} {self.address}"

    @property
    def full_address(self):
        parts = [self.region.name if self.region_id and self.region else "", self.address]
        return " ".join(p for p in parts if p)


class CustomerLogin(models.Model):
    """A dealer account that orders for a customer; one login per customer is primary."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="customer_login")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="logins")
    buyer_role = models.CharField(_("buyer role"), max_length=16, choices=BuyerRole.choices,
                                  default=BuyerRole.ORDER)
    # For ORDER_UP_TO: an order above this amount waits for the primary login's approval.
    order_limit = models.DecimalField(_("order limit"), null=True, blank=True, **MONEY,
                                      validators=[MinValueValidator(Decimal("0"))])
    is_primary = models.BooleanField(_("primary login"), default=False)
    # Set when the customer was disabled: enabling the customer enables these again.
    suspended_with_customer = models.BooleanField(default=False)
    # Disabled by the supplier's staff: the dealer's primary login cannot enable it.
    disabled_by_supplier = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_path = "customer__region"
    scope_assigned_path = "customer"

    class Meta:
        verbose_name = _("ordering login")
        verbose_name_plural = _("ordering logins")
        ordering = ["-is_primary", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(is_primary=True),
                                    name="customer_login_one_primary"),
            models.CheckConstraint(
                condition=~Q(buyer_role=BuyerRole.ORDER_UP_TO) | Q(order_limit__isnull=False),
                name="customer_login_limit_needs_amount"),
        ]

    def __str__(self):
        return str(self.user)

    @property
    def can_order(self):
        return self.buyer_role != BuyerRole.VIEW_ONLY

    def needs_approval(self, amount):
        """Does an order of ``amount`` wait for the primary login's approval?"""
        return (self.buyer_role == BuyerRole.ORDER_UP_TO and self.order_limit is not None
                and amount > self.order_limit)


def licence_upload_to(instance, filename):
    import uuid

    return f"private/licences/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}"


class CustomerApplication(models.Model):
    """A dealer's self-registration. Submitting creates a pending customer; staff approve
    (customer activated, login created, welcome e-mail) or reject (with a reason)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE,
                                    related_name="application")
    contact_name = models.CharField(_("contact"), max_length=80)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("mobile phone"), max_length=32)
    licence = models.ImageField(_("business licence"), upload_to=licence_upload_to)
    message = models.TextField(_("message"), blank=True)
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.PENDING, db_index=True)
    reject_reason = models.TextField(pgettext_lazy("rejection", "reason"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("applied"), default=timezone.now, db_index=True)

    scope_region_path = "customer__region"
    scope_assigned_path = "customer"

    class Meta:
        verbose_name = _("registration application")
        verbose_name_plural = _("registration applications")
        ordering = ["-created_at", "-id"]
        default_permissions = ()

    def __str__(self):
        return f"{self.customer.name} ({self.get_status_display()})"


# Everything that belongs to a customer is scoped through that customer's grant.
for _model in (Customer, Contact, Address, CustomerLogin, CustomerApplication):
    _model.scope_assigned = ("customers.work_with_customer", Customer)
