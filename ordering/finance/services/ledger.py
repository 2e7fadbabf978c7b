"""The ledger: every money movement is an entry on one of a customer's three accounts,
posted under the account rows' lock together with the running balance."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import money
from ordering.finance.enums import AccountKind, EntryKind
from ordering.finance.exceptions import FinanceConflictError, FinanceError, FinanceErrorCode
from ordering.finance.models import Account, Entry
from roles.permissions import require_perm
from roles.services.audit import audit_record

KINDS = tuple(AccountKind.values)


def accounts_lock(customer_id):
    """The customer's three accounts, locked (``SELECT … FOR UPDATE``) until the end of
    the transaction: one query once they exist (they are made on first use). Every
    money decision about a customer reads its balances through this, so two orders or
    two payments of one customer are decided one after the other."""
    found = {a.kind: a for a in Account.objects.select_for_update()
             .filter(customer_id=customer_id).order_by("kind")}
    if len(found) < len(KINDS):
        Account.objects.bulk_create(
            [Account(customer_id=customer_id, kind=kind) for kind in KINDS if kind not in found],
            ignore_conflicts=True)
        found = {a.kind: a for a in Account.objects.select_for_update()
                 .filter(customer_id=customer_id).order_by("kind")}
    return found


def ledger_post(*, account, kind, amount, actor=None, order=None, payment=None, memo="",
                reverses=None, at=None):
    """Append one entry moving ``account`` by ``amount`` (signed) and update its running
    balance. The caller holds the account's lock (``accounts_lock``) in its transaction.
    Money held (prepaid, rebate) never goes below zero: the database refuses it. ``at``:
    when it happened (the demo's history; default now)."""
    amount = money(amount)
    if amount == 0:
        return None
    account.balance = money(account.balance + amount)
    Account.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
    return Entry.objects.create(
        account=account, kind=kind, amount=amount, balance_after=account.balance,
        order=order, payment=payment, reverses=reverses, memo=(memo or "")[:300],
        actor=actor if getattr(actor, "pk", None) else None, created_at=at or timezone.now())


@transaction.atomic
def entry_reverse(*, actor, entry, reason, ip=None, permission="adjust_balances"):
    """Undo ``entry`` with a counter-entry pointing at it (红冲). An entry is reversed at
    most once; a reversal is not reversed (post a new entry instead)."""
    if permission:
        require_perm(actor, permission)
    reason = (reason or "").strip()
    if not reason:
        raise FinanceError(_("Give a reason."), fields={"reason": [_("Give a reason.")]})
    accounts = accounts_lock(entry.account.customer_id)
    account = accounts[entry.account.kind]
    if entry.kind == EntryKind.REVERSAL:
        raise FinanceConflictError(_("A reversal cannot be reversed: post a new entry."),
                                   code=FinanceErrorCode.ALREADY_REVERSED)
    if Entry.objects.filter(reverses=entry).exists():
        raise FinanceConflictError(_("This entry was reversed already."),
                                   code=FinanceErrorCode.ALREADY_REVERSED)
    reversal = ledger_post(account=account, kind=EntryKind.REVERSAL, amount=-entry.amount,
                           actor=actor, order=entry.order, payment=entry.payment,
                           memo=reason, reverses=entry)
    audit_record(actor=actor, action="finance.entry_reverse", obj=entry.account.customer,
                 after={"entry": entry.pk, "amount": str(-entry.amount), "reason": reason},
                 ip=ip)
    return reversal


@transaction.atomic
def adjustment_post(*, actor, customer, account_kind, amount, reason, kind=EntryKind.ADJUSTMENT,
                    ip=None):
    """A manual adjustment (or a rebate grant) with its reason: needs ``adjust_balances``."""
    require_perm(actor, "adjust_balances")
    reason = (reason or "").strip()
    if not reason:
        raise FinanceError(_("Give a reason."), fields={"reason": [_("Give a reason.")]})
    try:
        amount = money(Decimal(str(amount)))
    except Exception as exc:  # noqa: BLE001 - any unparseable amount
        raise FinanceError(_("Enter an amount."), fields={"amount": [_("Enter an amount.")]}) \
            from exc
    if amount == 0:
        raise FinanceError(_("Enter an amount other than zero."),
                           fields={"amount": [_("Enter an amount other than zero.")]})
    account = accounts_lock(customer.pk)[account_kind]
    if account_kind != AccountKind.RECEIVABLE and account.balance + amount < 0:
        raise FinanceError(_("The balance cannot go below zero."),
                           code=FinanceErrorCode.INSUFFICIENT_BALANCE,
                           fields={"amount": [_("The balance cannot go below zero.")]})
    entry = ledger_post(account=account, kind=kind, amount=amount, actor=actor, memo=reason)
    audit_record(actor=actor, action="finance.adjustment", obj=customer, after={
        "account": account_kind, "kind": kind, "amount": str(amount), "reason": reason}, ip=ip)
    return entry


def rebate_grant(*, actor, customer, amount, reason, ip=None):
    return adjustment_post(actor=actor, customer=customer, account_kind=AccountKind.REBATE,
                           amount=amount, reason=reason, kind=EntryKind.REBATE_GRANT, ip=ip)
