"""Carts, orders and their lines, the workflow's event log, shipments.

``Order.status`` changes only in ``ordering.orders.workflow.transition`` (a test greps
for assignments elsewhere). Every other write goes through ``ordering.orders.services``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from ordering.notifications.models import ThreadMessage, ThreadRead
from ordering.orders.enums import (EventKind, FulfilmentStatus, OrderStatus, PaymentMethod,
                                   PaymentStatus, RefundMethod, ReturnCondition, ReturnStatus)

MONEY = {"max_digits": 14, "decimal_places": 2}
MAX_AMOUNT = Decimal("1e12")  # what a MONEY column holds: every amount stays below it
ZERO = Decimal("0")


class ShippingMethod(models.Model):
    """配送方式: the tenant's list, each with a flat fee added to the order."""

    name = models.CharField(_("name"), max_length=60)
    fee = models.DecimalField(_("fee"), default=ZERO, validators=[MinValueValidator(ZERO)],
                              **MONEY)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(pgettext_lazy("sort order", "order"), default=0)

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ["position", "id"]
        default_permissions = ()
        constraints = [models.CheckConstraint(condition=Q(fee__gte=0),
                                              name="shipping_method_fee_not_negative")]

    def __str__(self):
        return self.name


class Carrier(models.Model):
    """物流公司: the carriers the tenant ships with."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    tracking_url = models.CharField(
        _("tracking link"), max_length=200, blank=True,
        help_text=_("Optional; {number} is replaced by the tracking number."))
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(pgettext_lazy("sort order", "order"), default=0)

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["position", "id"]
        default_permissions = ()

    def __str__(self):
        return self.name


class PaymentOption(models.Model):
    """The payment methods a tenant offers at checkout, in the order shown (支付方式).

    No rows: the supplier has not chosen yet, and every method is offered. Saved only
    through ``ordering.orders.services.settings.payment_methods_update``."""

    method = models.CharField(_("payment method"), max_length=12, unique=True,
                              choices=PaymentMethod.choices)
    is_active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveIntegerField(pgettext_lazy("sort order", "order"), default=0)

    class Meta:
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")
        ordering = ["position", "id"]
        default_permissions = ()

    def __str__(self):
        return self.get_method_display()


class CartLine(models.Model):
    """One line of a dealer login's cart: a variant in a unit (None = base unit)."""

    login = models.ForeignKey("customers.CustomerLogin", on_delete=models.CASCADE,
                              related_name="cart_lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("catalog.VariantUnit", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["login", "variant", "unit"], nulls_distinct=False,
                                    name="cart_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
        ]


class CartTemplate(models.Model):
    """A saved list of lines a dealer orders again and again (常购清单)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE,
                                 related_name="cart_templates")
    name = models.CharField(_("name"), max_length=60)
    lines = models.JSONField(default=list)  # [{"variant": id, "unit": id|None, "quantity": n}]
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("order template")
        verbose_name_plural = _("order templates")
        ordering = ["name", "id"]
        default_permissions = ()


class OrderDayCounter(models.Model):
    """The last order number handed out per day: updated in the order's transaction, so
    numbers are gap-free (a rolled-back order gives its number back)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=20, unique=True, null=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="orders")
    # the dealer login that ordered, or whose company staff ordered for
    login = models.ForeignKey("customers.CustomerLogin", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="orders")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("placed by"),
                                  null=True, on_delete=models.SET_NULL, related_name="+")
    on_behalf = models.BooleanField(_("placed by staff"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices,
                              default=OrderStatus.SUBMITTED, db_index=True)
    fulfilment_status = models.CharField(_("shipping"), max_length=12,
                                         choices=FulfilmentStatus.choices,
                                         default=FulfilmentStatus.UNSHIPPED)
    payment_status = models.CharField(_("payment"), max_length=12, choices=PaymentStatus.choices,
                                      default=PaymentStatus.UNPAID)
    payment_method = models.CharField(_("payment method"), max_length=12,
                                      choices=PaymentMethod.choices)
    # kept by ordering.finance: how much is paid (payment_status follows it), and whether
    # the order was accepted beyond what the customer may spend (finance review waits)
    amount_paid = models.DecimalField(_("paid"), default=ZERO, **MONEY)
    credit_hold = models.BooleanField(_("on credit hold"), default=False)
    # when what is owed on it falls due (the customer's payment terms), and how much of
    # it the rebate balance paid (spread over the lines: OrderLine.rebate)
    due_on = models.DateField(_("due"), null=True, blank=True)
    rebate_used = models.DecimalField(_("rebate used"), default=ZERO, **MONEY)
    # an amendment raised the total: review waits for the dealer to accept it
    awaiting_dealer = models.BooleanField(_("awaiting the dealer's confirmation"), default=False)
    stock_reserved = models.BooleanField(default=False)
    # shipping address, copied at checkout
    recipient = models.CharField(_("recipient"), max_length=80)
    phone = models.CharField(_("phone"), max_length=32)
    region_name = models.CharField(_("region"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=255)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    delivery_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    shipping_method = models.ForeignKey(ShippingMethod, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    shipping_method_name = models.CharField(_("shipping method"), max_length=60, blank=True)
    shipping_fee = models.DecimalField(_("shipping fee"), default=ZERO, **MONEY)
    remark = models.TextField(_("remark"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="private/orders/%Y/%m/",
                                  blank=True)
    subtotal = models.DecimalField(_("goods"), default=ZERO, **MONEY)
    total = models.DecimalField(_("total"), default=ZERO, **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    # a repeated submission with the same key returns this order
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    # the quotation (ordering.quotes) whose prices the order keeps, if it came from one
    quotation = models.ForeignKey("quotes.Quotation", verbose_name=_("quotation"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="orders")
    created_at = models.DateTimeField(_("ordered"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(pgettext_lazy("date", "shipped"), null=True, blank=True)

    scope_region_path = "customer__region"
    scope_assigned_path = "customer"

    class Meta:
        verbose_name = pgettext_lazy("sales order", "order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["placed_by", "idempotency_key"],
                                    condition=Q(idempotency_key__isnull=False),
                                    name="order_idempotency_key_unique"),
            models.CheckConstraint(condition=Q(shipping_fee__gte=0),
                                   name="order_shipping_fee_not_negative"),
        ]
        # the list's sorts (newest/oldest, highest total) and its common filters, each
        # ending in the id so that a page is read off the index in order
        indexes = [models.Index(fields=["customer", "-created_at"], name="order_customer_idx"),
                   models.Index(fields=["status", "-created_at"], name="order_status_idx"),
                   models.Index(fields=["-created_at", "-id"], name="order_created_idx"),
                   models.Index(fields=["-total", "-id"], name="order_total_idx")]

    def __str__(self):
        return self.number or f"#{self.pk}"


class OrderLine(models.Model):
    """A line as ordered: the product's name and the price are copied, so later catalog
    changes never change an order. Quantities are in ``unit``; ``base_quantity`` and
    shipped/returned quantities are in the base unit."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(_("product"), max_length=200)
    sku_code = models.CharField(_("SKU code"), max_length=40)
    spec_label = models.CharField(_("specifications"), max_length=200, blank=True)
    unit_name = models.CharField(_("unit"), max_length=20)
    base_unit_name = models.CharField(max_length=20)
    factor = models.PositiveIntegerField(default=1)
    quantity = models.PositiveIntegerField(_("quantity"))
    base_quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    list_price = models.DecimalField(_("list price"), **MONEY)
    price_rule = models.CharField(max_length=12, blank=True)
    price_note = models.CharField(max_length=200, blank=True)
    # 待核价: staff must set the price before the order leaves review
    price_pending = models.BooleanField(_("price to be confirmed"), default=False)
    line_total = models.DecimalField(_("amount"), **MONEY)
    rebate = models.DecimalField(_("rebate"), default=ZERO, **MONEY)  # its share of rebate_used
    shipped_quantity = models.PositiveIntegerField(pgettext_lazy("quantity", "shipped"), default=0)  # base units
    returned_quantity = models.PositiveIntegerField(_("returned"), default=0)  # base units
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["position", "id"]
        default_permissions = ()
        # the order list's search by exact SKU code (case-insensitive)
        indexes = [models.Index(Upper("sku_code"), name="order_line_sku_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(shipped_quantity__lte=models.F("base_quantity")),
                                   name="order_line_not_overshipped"),
            models.CheckConstraint(condition=Q(returned_quantity__lte=models.F("shipped_quantity")),
                                   name="order_line_returned_within_shipped"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
        ]

    @property
    def to_ship(self):
        return self.base_quantity - self.shipped_quantity


class OrderEvent(models.Model):
    """The order's timeline: every transition, amendment and shipment (append-only)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(pgettext_lazy("order event", "event"), max_length=16,
                            choices=EventKind.choices)
    step = models.CharField(max_length=20, blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(pgettext_lazy("order event", "reason"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "id"]
        default_permissions = ()


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.ForeignKey(Carrier, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    carrier_name = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    shipped_on = models.DateField(_("shipped on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["created_at", "id"]
        default_permissions = ()

    @property
    def tracking_link(self):
        template = self.carrier.tracking_url if self.carrier_id and self.carrier else ""
        if template and self.tracking_number and "{number}" in template:
            return template.replace("{number}", self.tracking_number)
        return ""


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="shipment_lines")
    quantity = models.PositiveIntegerField(_("quantity"))  # base units

    class Meta:
        default_permissions = ()
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1),
                                              name="shipment_line_quantity_positive")]


class ReturnRequest(models.Model):
    """退货单: goods the dealer sends back from an order's shipped lines. Its status is
    its own (``ordering.orders.services.returns``); the order's status does not change."""

    number = models.CharField(_("return number"), max_length=24, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="returns")
    status = models.CharField(_("status"), max_length=12, choices=ReturnStatus.choices,
                              default=ReturnStatus.REQUESTED, db_index=True)
    reason = models.TextField(pgettext_lazy("return", "reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    refund_amount = models.DecimalField(_("refund"), default=ZERO, **MONEY)
    refund_method = models.CharField(_("refund method"), max_length=10,
                                     choices=RefundMethod.choices, blank=True)
    refund_reference = models.CharField(_("refund reference"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_region_path = "customer__region"
    scope_assigned_path = "customer"

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-created_at", "-id"]
        default_permissions = ()

    def __str__(self):
        return self.number


class ReturnLine(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))  # base units
    received_quantity = models.PositiveIntegerField(pgettext_lazy("quantity", "received"), default=0)
    condition = models.CharField(_("condition"), max_length=8, choices=ReturnCondition.choices,
                                 blank=True)
    unit_price = models.DecimalField(_("unit price"), **MONEY)  # per base unit, as ordered

    class Meta:
        ordering = ["id"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="return_line_quantity_positive"),
            models.CheckConstraint(condition=Q(received_quantity__lte=models.F("quantity")),
                                   name="return_line_received_within_requested"),
        ]


class ReturnPhoto(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="private/returns/%Y/%m/")

    class Meta:
        default_permissions = ()


class ReturnEvent(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=ReturnStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        default_permissions = ()


class OrderMessage(ThreadMessage):
    """A message on an order between the dealer and the supplier's staff."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="messages")

    class Meta(ThreadMessage.Meta):
        verbose_name = _("order message")
        verbose_name_plural = _("order messages")


class OrderThreadRead(ThreadRead):
    """How far a user has read an order's messages (for unread counts)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")

    class Meta(ThreadRead.Meta):
        constraints = [models.UniqueConstraint(fields=["order", "user"],
                                               name="order_thread_read_unique")]


def _assign_scope():
    from ordering.customers.models import Customer

    Order.scope_assigned = ("customers.work_with_customer", Customer)
    ReturnRequest.scope_assigned = ("customers.work_with_customer", Customer)


_assign_scope()
