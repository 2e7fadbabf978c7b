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

from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_money, money
from ordering.finance.allocation import allocate
from ordering.finance.enums import AccountKind, EntryKind
from ordering.finance.exceptions import (FinanceConflictError, FinanceError,
                                         FinanceErrorCode)
from ordering.finance.models import CreditTerms, Entry, due_date
from ordering.finance.services.ledger import (accounts_lock, customer_reach, ledger_now,
                                              ledger_post)
from ordering.orders import workflow
from ordering.orders.enums import PaymentMethod, PaymentStatus
from ordering.settings.enums import FinanceRule, OverLimit
from ordering.settings.selectors import tenant_settings
from roles.permissions import require_perm
from roles.services.audit import audit_record

VOIDED = workflow.VOIDED
MAX_AMOUNT = Decimal("1000000000")


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


def rebate_usable(order, rebate_balance, share):
    """How much of ``order`` the rebate balance may pay: at most ``share`` % of the
    goods, the balance, and the total."""
    cap = money(order.subtotal * share / 100)
    return max(min(rebate_balance, cap, order.total), money(0))


def order_submitted(*, order, actor, use_rebate=False):
    """Post the order's charge and what pays it at once (rebate, prepaid), under the
    customer's account lock, and decide its credit. The order's money fields
    (``amount_paid``, ``payment_status``, ``credit_hold``, ``due_on``, ``rebate_used``)
    are set on ``order`` in memory: checkout saves them with the order's number in one
    UPDATE (the credit check costs three queries: the lock with the terms, the balance
    and the entry)."""
    accounts = accounts_lock(order.customer_id, with_terms=True)
    terms = accounts["terms"]
    receivable = accounts[AccountKind.RECEIVABLE]
    customer = receivable.customer
    config = tenant_settings()
    over_limit = config.credit_over_limit
    order.due_on = due_date(timezone.localtime(ledger_now()).date(), customer)
    ledger_post(account=receivable, kind=EntryKind.ORDER_CHARGE, amount=order.total,
                actor=actor, order=order, memo=order.number or "")
    paid = money(0)
    if use_rebate:
        rebate = rebate_usable(order, accounts[AccountKind.REBATE].balance, config.rebate_share)
        if rebate > 0:
            _pay_from(order, accounts, AccountKind.REBATE, rebate, actor)
            _rebate_spread(order, rebate)
            paid += rebate
    rest = money(order.total - paid)
    if order.payment_method == PaymentMethod.PREPAID and rest > 0:
        prepaid = accounts[AccountKind.PREPAID]
        if prepaid.balance >= rest:
            _pay_from(order, accounts, AccountKind.PREPAID, rest, actor)
            paid += rest
        elif over_limit == OverLimit.REFUSE:
            message = _("Your prepaid balance is %(balance)s; this order needs %(total)s "
                        "from it.") % {"balance": format_money(prepaid.balance),
                                       "total": format_money(rest)}
            raise FinanceError(message, code=FinanceErrorCode.INSUFFICIENT_BALANCE,
                               fields={"payment_method": [message]})
        elif over_limit == OverLimit.HOLD:
            order.credit_hold = True
    elif order.payment_method == PaymentMethod.CREDIT and over_limit != OverLimit.ALLOW:
        # the charge is posted: what the customer owes now includes this order
        left = credit_left(customer, accounts, terms=terms)
        if left < 0:
            if over_limit == OverLimit.REFUSE:
                before = dict(accounts)
                before[AccountKind.RECEIVABLE] = type(receivable)(
                    balance=receivable.balance - rest)
                message = _(
                    "This order (%(total)s) is beyond the credit left: limit %(limit)s + "
                    "temporary credit %(temporary)s − owed %(owed)s = %(left)s.") % {
                    "total": format_money(rest), **_parts(customer, before, terms)}
                raise FinanceConflictError(message, code=FinanceErrorCode.OVER_CREDIT,
                                           fields={"payment_method": [message]})
            order.credit_hold = True
    if paid:
        order.amount_paid = money(order.amount_paid + paid)
        order.payment_status = payment_status_for(order, order.amount_paid)


def _pay_from(order, accounts, kind, amount, actor):
    """Pay ``amount`` of ``order`` from the customer's prepaid or rebate balance."""
    spend, memo = ((EntryKind.REBATE_SPEND, _("Paid with rebate")) if kind == AccountKind.REBATE
                   else (EntryKind.PREPAID_SPEND, _("Paid from the prepaid balance")))
    ledger_post(account=accounts[kind], kind=spend, amount=-amount, actor=actor, order=order)
    ledger_post(account=accounts[AccountKind.RECEIVABLE], kind=EntryKind.PAYMENT,
                amount=-amount, actor=actor, order=order, memo=memo)


def _rebate_spread(order, rebate):
    """The rebate over the order's lines in proportion to their amounts (exactly)."""
    lines = list(order.lines.order_by("position", "id"))
    goods = [line.line_total for line in lines]
    # the rebate pays goods only; a shipping fee beyond the goods is not spread
    shares = allocate(min(rebate, sum(goods, money(0))), goods)
    for line, share in zip(lines, shares):
        line.rebate = share
    type(lines[0]).objects.bulk_update(lines, ["rebate"]) if lines else None
    order.rebate_used = rebate


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


def return_refunded(*, request, actor):
    """A completed return is a credit note on what the customer owes: the refund lowers
    the receivable, and settles what is still unpaid on the order first. The part the
    rebate paid of the returned goods goes back to the rebate balance (each line's
    rebate share, pro rata to the quantity returned); what the customer had paid beyond
    that goes to its prepaid balance (refund to the balance) or is recorded as paid out."""
    amount = money(request.refund_amount)
    if amount <= 0:
        return
    from ordering.orders.enums import RefundMethod

    order = type(request.order).objects.select_for_update().get(pk=request.order_id)
    accounts = accounts_lock(order.customer_id)
    receivable = accounts[AccountKind.RECEIVABLE]
    number = {"number": request.number}
    rebate_back = money(0)
    for line in request.lines.select_related("order_line"):
        ordered = line.order_line.base_quantity or 1
        rebate_back += money(line.order_line.rebate * min(line.received_quantity or line.quantity,
                                                          ordered) / ordered)
    rebate_back = min(rebate_back, amount)
    ledger_post(account=receivable, kind=EntryKind.REFUND, amount=-amount, actor=actor,
                order=order, return_request=request,
                memo=_("Return %(number)s") % number)
    settled = min(amount, max(money(order.total - order.amount_paid), money(0)))
    back = money(amount - settled)  # paid already: it goes back to the customer
    rebate_back = min(rebate_back, back)
    if rebate_back > 0:
        ledger_post(account=receivable, kind=EntryKind.REFUND, amount=rebate_back, actor=actor,
                    order=order, return_request=request,
                    memo=_("Return %(number)s: rebate given back") % number)
        ledger_post(account=accounts[AccountKind.REBATE], kind=EntryKind.REFUND,
                    amount=rebate_back, actor=actor, order=order, return_request=request,
                    memo=_("Return %(number)s") % number)
    rest = money(back - rebate_back)
    if rest > 0:
        to_balance = request.refund_method == RefundMethod.BALANCE
        ledger_post(account=receivable, kind=EntryKind.REFUND, amount=rest, actor=actor,
                    order=order, return_request=request,
                    memo=(_("Return %(number)s: to the prepaid balance") if to_balance
                          else _("Return %(number)s: refunded outside Orderline")) % number)
        if to_balance:
            ledger_post(account=accounts[AccountKind.PREPAID], kind=EntryKind.REFUND,
                        amount=rest, actor=actor, order=order, return_request=request,
                        memo=_("Return %(number)s") % number)
    if settled:
        order_paid_add(order, settled)


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
    customer_reach(actor, order.customer)
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
                        on_hold=None, hold_reason=None, credit_limit=None, payment_terms=None,
                        payment_days=None, ip=None):
    """A customer's credit in one transaction (needs ``manage_credit``): the credit
    limit and payment terms (the customer's own fields, changed and audited by its
    service), the temporary extra credit until a day, and the hold (a reason needed).
    Audited with before and after."""
    require_perm(actor, "manage_credit")
    customer_reach(actor, customer)
    changes = {name: value for name, value in (
        ("credit_limit", credit_limit), ("payment_terms", payment_terms),
        ("payment_days", payment_days)) if value is not None}
    if changes:
        from ordering.customers.services.customers import customer_update

        customer_update(actor=actor, customer=customer, ip=ip, **changes)
    row, _created = CreditTerms.objects.select_for_update().get_or_create(customer=customer)
    before = _terms_state(row)
    if temporary_credit is not None:
        try:
            amount = money(Decimal(str(temporary_credit)))
        except (InvalidOperation, ValueError):
            amount = money(-1)
        if amount < 0 or amount >= MAX_AMOUNT:
            raise FinanceError(_("Enter 0 or more."), fields={"temporary_credit": [
                _("Enter 0 or more.")]})
        row.temporary_credit = amount
        row.temporary_until = temporary_until if amount else None
    if on_hold is not None:
        reason = (hold_reason or "").strip()
        if on_hold and not reason:
            raise FinanceError(_("Give a reason."), fields={"hold_reason": [_("Give a reason.")]})
        if bool(on_hold) != row.on_hold or (on_hold and reason != row.hold_reason):
            row.on_hold, row.hold_reason, row.hold_automatic = bool(on_hold), reason[:300], False
    row.save()
    audit_record(actor=actor, action="finance.credit_terms", obj=customer, before=before,
                 after=_terms_state(row), ip=ip)
    return row


def _terms_state(row):
    return {"temporary_credit": str(row.temporary_credit),
            "temporary_until": str(row.temporary_until or ""), "on_hold": row.on_hold,
            "hold_reason": row.hold_reason}


def overdue_holds_apply(*, today=None):
    """The tenant's ``overdue_hold`` rule (a daily task per tenant): customers owing
    past a due date go on credit hold (automatically, with the oldest due date as the
    reason); customers held automatically who owe nothing overdue any more come off it.
    A hold set by hand is never lifted here. Returns ``(held, lifted)`` counts."""
    from ordering.finance.selectors import overdue_orders

    if not tenant_settings().overdue_hold:
        return 0, 0
    today = today or timezone.localdate()
    overdue = {row["customer_id"]: row["oldest"] for row in overdue_orders(today=today)
               .values("customer_id").annotate(oldest=Min("due_day"))
               .filter(customer__accounts__kind=AccountKind.RECEIVABLE,
                       customer__accounts__balance__gt=0)}
    held = 0
    customers = apps.get_model("customers", "Customer").objects.in_bulk(list(overdue))
    with transaction.atomic():
        existing = {terms.customer_id: terms for terms in CreditTerms.objects
                    .select_for_update().filter(customer_id__in=list(overdue))}
        for customer_id, oldest in overdue.items():
            terms = existing.get(customer_id)
            if terms is not None and terms.on_hold:
                continue
            reason = _("Overdue since %(date)s") % {"date": oldest.isoformat()}
            CreditTerms.objects.update_or_create(customer_id=customer_id, defaults={
                "on_hold": True, "hold_reason": reason, "hold_automatic": True})
            audit_record(actor=None, action="finance.overdue_hold", obj=customers[customer_id],
                         before={"on_hold": False}, after={"on_hold": True, "reason": reason})
            held += 1
        lifted = (CreditTerms.objects.filter(on_hold=True, hold_automatic=True)
                  .exclude(customer_id__in=list(overdue))
                  .update(on_hold=False, hold_reason="", hold_automatic=False))
    return held, lifted


def automatic_hold_lift(customer_id, *, today=None):
    """After a payment: an automatic hold ends when nothing is overdue any more."""
    from ordering.finance.selectors import overdue_orders

    if overdue_orders(today=today).filter(customer_id=customer_id).exists():
        return False
    return bool(CreditTerms.objects.filter(customer_id=customer_id, on_hold=True,
                                           hold_automatic=True)
                .update(on_hold=False, hold_reason="", hold_automatic=False))
