"""Inquiries (询价单), their lines, and the quotation versions (报价单) answering them.

A quotation version is written once, when staff send it, and never edited: a new round
(after a counter-offer, or after expiry) is a new ``Quotation`` row with the next
``version``; every version stays. ``Inquiry.status`` and ``Quotation.status`` change
only in ``ordering.quotes.workflow.transition`` (a test greps for assignments
elsewhere). Every other write goes through ``ordering.quotes.services``.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from ordering.notifications.models import ThreadMessage, ThreadRead
from ordering.quotes.enums import InquiryStatus, RoundStatus

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")


class InquiryDayCounter(models.Model):
    """The last inquiry number handed out per day (Q-YYYYMMDD-NNNN), gap-free."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()


class Inquiry(models.Model):
    number = models.CharField(_("inquiry number"), max_length=20, unique=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="inquiries")
    login = models.ForeignKey("customers.CustomerLogin", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="inquiries")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=InquiryStatus.choices,
                              default=InquiryStatus.NEW, db_index=True)
    delivery_date = models.DateField(_("wanted delivery date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_region_path = "customer__region"
    scope_assigned_path = "customer"

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        indexes = [models.Index(fields=["customer", "-created_at"], name="inquiry_customer_idx"),
                   models.Index(fields=["status", "-created_at"], name="inquiry_status_idx")]

    def __str__(self):
        return self.number


class InquiryLine(models.Model):
    """A catalog line (variant, unit, quantity) or a free-text line (description,
    quantity, unit text, target price)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    variant = models.ForeignKey("catalog.Variant", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("catalog.VariantUnit", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    unit_text = models.CharField(_("unit"), max_length=20, blank=True)
    target_price = models.DecimalField(_("target price"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["position", "id"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1),
                                   name="inquiry_line_quantity_positive"),
            models.CheckConstraint(condition=Q(variant__isnull=False) | ~Q(description=""),
                                   name="inquiry_line_variant_or_text"),
        ]

    @property
    def is_free_text(self):
        return self.variant_id is None


class Quotation(models.Model):
    """One version (round) of the answer to an inquiry: immutable once sent."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="quotations")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=RoundStatus.choices,
                              default=RoundStatus.SENT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    shipping_fee = models.DecimalField(_("shipping fee"), default=ZERO, **MONEY)
    valid_until = models.DateField(_("valid until"))
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")
        ordering = ["inquiry", "version"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "version"],
                                    name="quotation_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="quotation_version_positive"),
            models.CheckConstraint(condition=Q(shipping_fee__gte=0),
                                   name="quotation_shipping_fee_not_negative"),
        ]

    def __str__(self):
        return f"{self.inquiry.number} v{self.version}"


class QuotationLine(models.Model):
    """The price of one inquiry line in one version, or declined. A free-text line may be
    priced before it is mapped to a variant; it must be mapped (in a later version) or
    declined before the quotation can be accepted. ``unit_price`` is per ``unit``;
    ``tiers`` are ``[{"min_qty": 100, "price": "9.50"}]`` (in ``unit``), ascending."""

    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")
    inquiry_line = models.ForeignKey(InquiryLine, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    declined = models.BooleanField(pgettext_lazy("quotation line", "declined"), default=False)
    variant = models.ForeignKey("catalog.Variant", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("catalog.VariantUnit", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), null=True, blank=True, **MONEY)
    reference_price = models.DecimalField(_("reference price"), null=True, blank=True, **MONEY)
    tiers = models.JSONField(_("quantity tiers"), default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1),
                                   name="quotation_line_quantity_positive"),
            models.CheckConstraint(condition=Q(declined=True) | Q(unit_price__gte=0),
                                   name="quotation_line_priced_or_declined"),
        ]


class Counter(models.Model):
    """The dealer's counter-offer on one line of one version: a wanted price and/or
    quantity, and a comment."""

    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="counters")
    line = models.ForeignKey(QuotationLine, on_delete=models.CASCADE, related_name="counters")
    wanted_price = models.DecimalField(_("wanted price"), null=True, blank=True, **MONEY)
    wanted_quantity = models.PositiveIntegerField(_("wanted quantity"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("counter-offer")
        verbose_name_plural = _("counter-offers")
        ordering = ["id"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["quotation", "line"],
                                               name="counter_one_per_line")]


class InquiryEvent(models.Model):
    """The inquiry's timeline: every transition (append-only)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        default_permissions = ()


class InquiryMessage(ThreadMessage):
    """A message on an inquiry between the dealer's company and the supplier's staff
    (the thread: ``ordering.quotes.messages``)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages")

    class Meta(ThreadMessage.Meta):
        verbose_name = _("inquiry message")
        verbose_name_plural = _("inquiry messages")


class InquiryThreadRead(ThreadRead):
    """How far a user has read an inquiry's messages (for unread counts)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="+")

    class Meta(ThreadRead.Meta):
        constraints = [models.UniqueConstraint(fields=["inquiry", "user"],
                                               name="inquiry_thread_read_unique")]


class InquiryAttachment(models.Model):
    """A file on an inquiry: the dealer's (with the inquiry or later) or the supplier's
    (with a quotation version, ``quotation``). Private: served only through a view that
    checks the user may see the inquiry (``selectors.inquiry_attachment``)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="attachments")
    quotation = models.ForeignKey(Quotation, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="attachments")
    file = models.FileField(_("file"), upload_to="private/inquiries/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    from_dealer = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        default_permissions = ()


def _assign_scope():
    from ordering.customers.models import Customer

    Inquiry.scope_assigned = ("customers.work_with_customer", Customer)


_assign_scope()
