"""What an order's life posts to its customer's ledger (registered as order hooks in
``FinanceConfig.ready``), finance review's rule, and credit holds.

- Submitted: the total becomes a receivable. Paid from the prepaid balance: the prepaid
  balance pays it at once when it covers it. On credit: the order must fit in the credit
  left (limit + temporary credit − what is owed). What happens to an order that does
  not fit is the tenant's ``credit_over_limit``: accepted (finance decides at review;
  the default), refused with each part of that sum, or accepted on credit hold.
- Cancelled or rejected: its charge, its amendments and what the prepaid balance paid
  are reversed; a bank payment already confirmed for it stays on the account as credit.
- Amended: the difference is posted.
- Finance review passes only what the tenant's ``finance_rule`` allows (by default the
  reviewer decides by hand, as before the ledger existed).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_money, money
from ordering.finance.enums import AccountKind, EntryKind
from ordering.finance.exceptions import (FinanceConflictError, FinanceError,
                                         FinanceErrorCode)
from ordering.finance.models import CreditTerms, Entry
from ordering.finance.services.ledger import accounts_lock, ledger_post
from ordering.orders import workflow
from ordering.orders.enums import PaymentMethod, PaymentStatus
from ordering.settings.enums import FinanceRule, OverLimit
from ordering.settings.selectors import tenant_settings
from roles.permissions import require_perm
from roles.services.audit import audit_record

VOIDED = workflow.VOIDED


def credit_left(customer, accounts, *, terms=None, today=None):
    """Credit limit + temporary credit − what is owed (may be negative)."""
    today = today or timezone.localdate()
    if terms is None:
        terms = CreditTerms.objects.filter(customer_id=customer.pk).first()
    temporary = terms.temporary_on(today) if terms else money(0)
    return money(customer.credit_limit + temporary - accounts[AccountKind.RECEIVABLE].balance)


def _parts(customer, accounts, terms):
    today = timezone.localdate()
    return {"limit": format_money(customer.credit_limit),
            "temporary": format_money(terms.temporary_on(today) if terms else 0),
            "owed": format_money(accounts[AccountKind.RECEIVABLE].balance),
            "left": format_money(credit_left(customer, accounts, terms=terms, today=today))}


def payment_status_for(order, paid):
    if paid <= 0:
        return PaymentStatus.UNPAID
    return PaymentStatus.PAID if paid >= order.total else PaymentStatus.PARTIAL


def order_paid_add(order, amount):
    """Add ``amount`` (signed) to what is paid on ``order``; its payment status follows."""
    paid = money(order.amount_paid + amount)
    order.amount_paid, order.payment_status = paid, payment_status_for(order, paid)
    type(order).objects.filter(pk=order.pk).update(amount_paid=paid,
                                                   payment_status=order.payment_status)


def order_submitted(*, order, actor):
    customer = order.customer
    accounts = accounts_lock(customer.pk)
    receivable = accounts[AccountKind.RECEIVABLE]
    over_limit = tenant_settings().credit_over_limit
    pay_from_prepaid = False
    if order.payment_method == PaymentMethod.PREPAID:
        prepaid = accounts[AccountKind.PREPAID]
        pay_from_prepaid = prepaid.balance >= order.total
        if not pay_from_prepaid and over_limit == OverLimit.REFUSE:
            message = _("Your prepaid balance is %(balance)s; this order comes to %(total)s.") % {
                "balance": format_money(prepaid.balance), "total": format_money(order.total)}
            raise FinanceError(message, code=FinanceErrorCode.INSUFFICIENT_BALANCE,
                               fields={"payment_method": [message]})
        if not pay_from_prepaid and over_limit == OverLimit.HOLD:
            _hold(order)
    elif order.payment_method == PaymentMethod.CREDIT and over_limit != OverLimit.ALLOW:
        terms = CreditTerms.objects.filter(customer_id=customer.pk).first()
        left = credit_left(customer, accounts, terms=terms)
        if order.total > left:
            if over_limit == OverLimit.REFUSE:
                message = _(
                    "This order (%(total)s) is beyond the credit left: limit %(limit)s + "
                    "temporary credit %(temporary)s − owed %(owed)s = %(left)s.") % {
                    "total": format_money(order.total), **_parts(customer, accounts, terms)}
                raise FinanceConflictError(message, code=FinanceErrorCode.OVER_CREDIT,
                                           fields={"payment_method": [message]})
            _hold(order)
    ledger_post(account=receivable, kind=EntryKind.ORDER_CHARGE, amount=order.total,
                actor=actor, order=order, memo=order.number or "")
    if pay_from_prepaid:
        ledger_post(account=accounts[AccountKind.PREPAID], kind=EntryKind.PREPAID_SPEND,
                    amount=-order.total, actor=actor, order=order)
        ledger_post(account=receivable, kind=EntryKind.PAYMENT, amount=-order.total,
                    actor=actor, order=order, memo=_("Paid from the prepaid balance"))
        order_paid_add(order, order.total)


def _hold(order):
    order.credit_hold = True
    type(order).objects.filter(pk=order.pk).update(credit_hold=True)


def order_voided(*, order, actor):
    """Reverse what the order posted, newest first (bank payments stay as credit)."""
    entries = list(Entry.objects.filter(order=order, payment__isnull=True,
                                        reverses__isnull=True, reversed_by__isnull=True)
                   .exclude(kind=EntryKind.REVERSAL).select_related("account")
                   .order_by("-created_at", "-id"))
    if not entries:
        return
    accounts = accounts_lock(order.customer_id)
    refunded = money(0)
    reason = _("Order %(number)s cancelled") % {"number": order.number or order.pk}
    for entry in entries:
        ledger_post(account=accounts[entry.account.kind], kind=EntryKind.REVERSAL,
                    amount=-entry.amount, actor=actor, order=order, reverses=entry, memo=reason)
        if entry.kind == EntryKind.PAYMENT:
            refunded += -entry.amount
    if refunded:
        order_paid_add(order, -refunded)


def order_amended(*, order, previous_total, actor):
    difference = money(order.total - previous_total)
    if not difference:
        return
    accounts = accounts_lock(order.customer_id)
    ledger_post(account=accounts[AccountKind.RECEIVABLE], kind=EntryKind.ORDER_ADJUSTMENT,
                amount=difference, actor=actor, order=order,
                memo=_("Order %(number)s changed") % {"number": order.number or order.pk})
    order_paid_add(order, 0)  # a higher total may make a paid order partly paid


def finance_review(*, order, actor):
    """Finance review passes only a paid order, or (the tenant's rule) one within credit
    and not on hold."""
    rule = tenant_settings().finance_rule
    if order.payment_status == PaymentStatus.PAID or rule == FinanceRule.MANUAL:
        return
    terms = CreditTerms.objects.filter(customer_id=order.customer_id).first()
    if rule == FinanceRule.PAID_ONLY:
        raise FinanceConflictError(_("This order is not paid yet: finance review passes only "
                                     "paid orders."), code=FinanceErrorCode.NOT_PAID)
    if order.credit_hold or (terms and terms.on_hold):
        raise FinanceConflictError(
            _("This order is on credit hold: it passes when it is paid or the hold is "
              "released."), code=FinanceErrorCode.ON_CREDIT_HOLD)
    if order.payment_method != PaymentMethod.CREDIT:
        raise FinanceConflictError(_("This order is not paid yet."),
                                   code=FinanceErrorCode.NOT_PAID)


@transaction.atomic
def order_hold_release(*, actor, order, reason, ip=None):
    """Let an order on credit hold pass finance review (needs ``manage_credit`` and a
    reason; audited)."""
    require_perm(actor, "manage_credit")
    reason = (reason or "").strip()
    if not reason:
        raise FinanceError(_("Give a reason."), fields={"reason": [_("Give a reason.")]})
    order = type(order).objects.select_for_update().get(pk=order.pk)
    if not order.credit_hold:
        raise FinanceConflictError(_("This order is not on credit hold."))
    type(order).objects.filter(pk=order.pk).update(credit_hold=False)
    order.credit_hold = False
    audit_record(actor=actor, action="finance.hold_release", obj=order,
                 before={"credit_hold": True}, after={"credit_hold": False, "reason": reason},
                 ip=ip)
    return order


@transaction.atomic
def credit_terms_update(*, actor, customer, temporary_credit=None, temporary_until=None,
                        on_hold=None, hold_reason=None, ip=None):
    """A customer's temporary credit and hold (needs ``manage_credit``; audited with
    before and after). Putting a customer on hold needs a reason."""
    require_perm(actor, "manage_credit")
    terms, _created = CreditTerms.objects.select_for_update().get_or_create(customer=customer)
    before = {"temporary_credit": str(terms.temporary_credit),
              "temporary_until": str(terms.temporary_until or ""), "on_hold": terms.on_hold,
              "hold_reason": terms.hold_reason}
    if temporary_credit is not None:
        amount = money(temporary_credit)
        if amount < 0:
            raise FinanceError(_("Enter 0 or more."), fields={"temporary_credit": [
                _("Enter 0 or more.")]})
        terms.temporary_credit = amount
        terms.temporary_until = temporary_until
    if on_hold is not None:
        reason = (hold_reason or "").strip()
        if on_hold and not reason:
            raise FinanceError(_("Give a reason."), fields={"hold_reason": [_("Give a reason.")]})
        terms.on_hold, terms.hold_reason, terms.hold_automatic = on_hold, reason, False
    terms.save()
    audit_record(actor=actor, action="finance.credit_terms", obj=customer, before=before, after={
        "temporary_credit": str(terms.temporary_credit),
        "temporary_until": str(terms.temporary_until or ""), "on_hold": terms.on_hold,
        "hold_reason": terms.hold_reason}, ip=ip)
    return terms
