from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ordering.settings.enums import FinanceRule, OverLimit, ReserveAt, StockDisplay

SINGLETON_ID = 1


class TenantSettings(models.Model):
    """The tenant's business settings: exactly one row per tenant schema (id 1).

    The row is created by the tenant migration that introduced it (so the template,
    clones and pool schemas carry it) and, should it ever be missing, lazily by
    ``selectors.tenant_settings()``.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID,
                                          editable=False)
    # Dealers may apply for an account on the tenant's site (off by default).
    self_registration = models.BooleanField(_("dealer self-registration"), default=False)
    # What dealers see of stock, and whether they may order beyond it.
    stock_display = models.CharField(_("stock shown to dealers"), max_length=8,
                                     choices=StockDisplay.choices, default=StockDisplay.LEVEL)
    allow_oversell = models.BooleanField(_("allow ordering beyond stock"), default=False)
    # The order workflow (ordering.orders.workflow): the steps switched off, when stock is
    # reserved, after how many days of shipping receipt is confirmed automatically
    # (0: never), and the smallest order a dealer may place.
    workflow_off = ArrayField(models.CharField(max_length=20), default=list, blank=True,
                              verbose_name=_("switched-off workflow steps"))
    reserve_stock_at = models.CharField(_("reserve stock"), max_length=8,
                                        choices=ReserveAt.choices, default=ReserveAt.SUBMIT)
    auto_receipt_days = models.PositiveSmallIntegerField(
        _("confirm receipt automatically after (days)"), default=7)
    min_order_amount = models.DecimalField(_("minimum order amount"), max_digits=14,
                                           decimal_places=2, default=0)
    # An order placed from an accepted quotation passes order review at once: its prices
    # were agreed in the quotation (ordering.quotes).
    quoted_skip_review = models.BooleanField(_("quoted orders skip order review"),
                                             default=False)
    # Finance (ordering.finance): an order beyond what the customer may spend is refused
    # or accepted on credit hold; when finance review may pass an order.
    credit_over_limit = models.CharField(_("an order beyond the credit limit"), max_length=8,
                                         choices=OverLimit.choices, default=OverLimit.REFUSE)
    finance_rule = models.CharField(_("finance review passes an order"), max_length=8,
                                    choices=FinanceRule.choices,
                                    default=FinanceRule.PAID_OR_CREDIT)
    # How dealers pay: the bank account a transfer goes to (shown to dealers), the share
    # of an order's goods the rebate balance may pay (0–100 %), and whether receivables
    # past their due date put the customer on credit hold (a daily task).
    bank_details = models.TextField(_("bank account for transfers"), blank=True)
    rebate_share = models.PositiveSmallIntegerField(
        _("share of the goods the rebate may pay (%)"), default=100)
    overdue_hold = models.BooleanField(_("put customers with overdue receivables on hold"),
                                       default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("business settings")
        verbose_name_plural = _("business settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=SINGLETON_ID),
                                   name="tenant_settings_single_row"),
            models.CheckConstraint(condition=Q(rebate_share__lte=100),
                                   name="tenant_settings_rebate_share_max"),
        ]

    def __str__(self):
        return str(_("business settings"))
