"""The ledger: every money movement is an entry on one of a customer's three accounts,
posted under the account rows' lock together with the running balance."""

import contextlib
import contextvars
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import money
from ordering.finance.enums import AccountKind, EntryKind
from ordering.finance.exceptions import (FinanceConflictError, FinanceError, FinanceErrorCode,
                                         FinanceNotFoundError)
from ordering.finance.models import Account, CreditTerms, Entry
from roles.permissions import can_reach, require_perm
from roles.services.audit import audit_record

KINDS = tuple(AccountKind.values)
_clock = contextvars.ContextVar("finance_clock", default=None)


def ledger_now():
    """When an entry happens: now, or the moment ``posting_at`` set (the demo's
    history)."""
    return _clock.get() or timezone.now()


@contextlib.contextmanager
def posting_at(moment):
    """Post entries (and date orders' due dates) at ``moment`` instead of now: for
    loading a history (the demo); never used by requests."""
    token = _clock.set(moment)
    try:
        yield
    finally:
        _clock.reset(token)


def _locked_accounts(customer_id, with_terms):
    qs = Account.objects.select_for_update(of=("self",)).filter(customer_id=customer_id)
    if with_terms:  # the customer (its credit limit now) and its terms, in the same query
        qs = qs.select_related("customer", "customer__credit_terms")
    return {a.kind: a for a in qs.order_by("kind")}


def accounts_lock(customer_id, *, with_terms=False):
    """The customer's three accounts, locked (``SELECT … FOR UPDATE``) until the end of
    the transaction: one query once they exist (they are made on first use). Every
    money decision about a customer reads its balances through this, so two orders or
    two payments of one customer are decided one after the other.

    ``with_terms``: the customer (``accounts["receivable"].customer``, its credit limit
    as it is now) and its ``CreditTerms`` (unsaved defaults when it has none) come with
    them, in the same query, as ``accounts["terms"]``."""
    found = _locked_accounts(customer_id, with_terms)
    if len(found) < len(KINDS):
        Account.objects.bulk_create(
            [Account(customer_id=customer_id, kind=kind) for kind in KINDS if kind not in found],
            ignore_conflicts=True)
        found = _locked_accounts(customer_id, with_terms)
    if with_terms:
        customer = found[AccountKind.RECEIVABLE].customer
        try:
            found["terms"] = customer.credit_terms
        except CreditTerms.DoesNotExist:
            found["terms"] = CreditTerms(customer_id=customer_id)
    return found


def ledger_post(*, account, kind, amount, actor=None, order=None, payment=None, memo="",
                reverses=None, at=None, reconciliation=None, return_request=None):
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
        reconciliation=reconciliation, return_request=return_request,
        actor=actor if getattr(actor, "pk", None) else None, created_at=at or ledger_now())


def customer_reach(actor, customer):
    """Staff act only on customers they may see (their regions, their assigned
    customers): another one is not found."""
    if actor is not None and not can_reach(actor, customer):
        raise FinanceNotFoundError(_("No such customer."))


@transaction.atomic
def entry_reverse(*, actor, entry, reason, ip=None, permission="adjust_balances",
                  reconciliation=None):
    """Undo ``entry`` with a counter-entry pointing at it (红冲). An entry is reversed at
    most once; a reversal is not reversed (post a new entry instead). ``reconciliation``:
    the statement whose dispute this answers."""
    if permission:
        require_perm(actor, permission)
    customer_reach(actor, entry.account.customer)
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
                           memo=reason, reverses=entry, reconciliation=reconciliation)
    audit_record(actor=actor, action="finance.entry_reverse", obj=entry.account.customer,
                 after={"entry": entry.pk, "amount": str(-entry.amount), "reason": reason},
                 ip=ip)
    return reversal


@transaction.atomic
def adjustment_post(*, actor, customer, account_kind, amount, reason, kind=EntryKind.ADJUSTMENT,
                    ip=None, reconciliation=None):
    """A manual adjustment (or a rebate grant) with its reason: needs ``adjust_balances``."""
    require_perm(actor, "adjust_balances")
    customer_reach(actor, customer)
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
    entry = ledger_post(account=account, kind=kind, amount=amount, actor=actor, memo=reason,
                        reconciliation=reconciliation)
    audit_record(actor=actor, action="finance.adjustment", obj=customer, after={
        "account": account_kind, "kind": kind, "amount": str(amount), "reason": reason}, ip=ip)
    return entry


def rebate_grant(*, actor, customer, amount, reason, ip=None):
    return adjustment_post(actor=actor, customer=customer, account_kind=AccountKind.REBATE,
                           amount=amount, reason=reason, kind=EntryKind.REBATE_GRANT, ip=ip)
