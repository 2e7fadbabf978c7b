"""Payments from dealers: recorded (by the dealer with its proof, or by staff for cash
or a cheque), then confirmed or rejected by finance. Confirming writes the ledger
entries once, whatever happens concurrently, and settles orders: the chosen ones, or
the oldest unpaid first; what is left stays on the account as credit. A top-up goes to
the prepaid balance."""

from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import money
from ordering.customers.services.guards import login_of
from ordering.finance.enums import (AccountKind, EntryKind, PaymentMethodKind, PaymentPurpose,
                                    PaymentStatus)
from ordering.finance.exceptions import (FinanceConflictError, FinanceError,
                                         FinanceErrorCode, FinanceNotFoundError)
from ordering.finance.models import Allocation, Payment
from ordering.finance.proofs import proof_digest, proof_validate
from ordering.finance.services.ledger import accounts_lock, ledger_now, ledger_post
from ordering.finance.services.orders import VOIDED, automatic_hold_lift, order_paid_add
from ordering.orders.exceptions import IdempotencyMismatch
from ordering.orders.services.checkout import normal_key, request_hash
from roles.enums import UserKind
from roles.permissions import can_reach, require_perm
from roles.services.audit import audit_record

MAX_AMOUNT = Decimal("1000000000")


def amount_above_zero(value, field="amount"):
    """A payment's amount: a number of cents above zero (the error names ``field``)."""
    try:
        amount = money(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT:
        message = _("Enter an amount above zero.")
        raise FinanceError(message, fields={field: [message]})
    return amount


def _customer_for(actor, customer):
    """A dealer records for its own company; staff need ``record_payments`` and to reach
    the customer."""
    if getattr(actor, "kind", None) == UserKind.DEALER:
        login = login_of(actor)
        if login is None or not login.can_order:
            raise FinanceNotFoundError(_("No such customer."))
        return login.customer
    require_perm(actor, "record_payments")
    if customer is None or (actor is not None and not can_reach(actor, customer)):
        raise FinanceNotFoundError(_("No such customer."))
    return customer


@transaction.atomic
def payment_record(*, actor, customer=None, amount, paid_on, method=PaymentMethodKind.TRANSFER,
                   purpose=PaymentPurpose.ORDERS, order_ids=(), reference="", note="",
                   proof=None, idempotency_key=None, ip=None):
    """Record a payment (pending until finance confirms it).

    ``idempotency_key`` (the API's ``Idempotency-Key``): the same key for the same
    customer with the same request returns the first payment, with ``repeated`` True,
    and records nothing, also when the requests race (the unique index on (customer,
    idempotency_key) lets one insert win; the others read the winner). The same key
    with a different request is refused (422)."""
    customer = _customer_for(actor, customer)
    key = normal_key(idempotency_key)
    amount = amount_above_zero(amount)
    if paid_on is None or paid_on > timezone.localdate():
        message = _("Give the day the money was paid (not in the future).")
        raise FinanceError(message, fields={"paid_on": [message]})
    if method not in PaymentMethodKind.values or purpose not in PaymentPurpose.values:
        raise FinanceError(_("Choose a payment method."))
    if getattr(actor, "kind", None) == UserKind.DEALER and method != PaymentMethodKind.TRANSFER:
        raise FinanceError(_("Record a bank transfer."), fields={"method": [
            _("Record a bank transfer.")]})
    reference, note = (reference or "").strip()[:80], (note or "").strip()[:300]
    if proof is not None:
        proof = proof_validate(proof)
    digest = request_hash({"customer": customer.pk, "amount": str(amount),
                           "paid_on": str(paid_on), "method": method, "purpose": purpose,
                           "orders": [str(pk) for pk in order_ids], "reference": reference,
                           "note": note, "proof": proof_digest(proof) if proof else ""})
    if key:
        first = _first_with_key(customer, key, digest)
        if first is not None:
            return first
    Order = apps.get_model("orders", "Order")
    orders = list(Order.objects.filter(customer=customer, pk__in=list(order_ids))
                  .exclude(status__in=VOIDED)) if purpose == PaymentPurpose.ORDERS else []
    if len(orders) != len(set(order_ids)) and purpose == PaymentPurpose.ORDERS:
        message = _("Choose among the company's open orders.")
        raise FinanceError(message, fields={"orders": [message]})
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                customer=customer, method=method, purpose=purpose, amount=amount,
                paid_on=paid_on, reference=reference, note=note,
                recorded_by=actor if getattr(actor, "pk", None) else None,
                created_at=ledger_now(), idempotency_key=key,
                request_hash=digest if key else "")
    except IntegrityError:
        first = _first_with_key(customer, key, digest) if key else None
        if first is None:
            raise
        return first  # the same key raced us and won
    payment.repeated = False
    payment.number = f"PAY-{timezone.localdate():%Y%m%d}-{payment.pk:05d}"
    if proof is not None:
        payment.proof.save(proof.name, proof, save=False)
    payment.save(update_fields=["number", "proof"])
    if orders:
        payment.orders.set(orders)
    audit_record(actor=actor, action="finance.payment_record", obj=payment, after={
        "customer": customer.pk, "amount": str(amount), "method": method, "purpose": purpose,
        "orders": [o.pk for o in orders]}, ip=ip)
    return payment


def _first_with_key(customer, key, digest):
    """The payment recorded earlier with ``key`` for ``customer`` (``repeated`` True), or
    None; refused when it was recorded from a different request."""
    first = Payment.objects.filter(customer=customer, idempotency_key=key).first()
    if first is not None and first.request_hash != digest:
        raise IdempotencyMismatch(_("This Idempotency-Key was used for a different payment."))
    if first is not None:
        first.repeated = True
    return first


def _lock_pending(payment):
    payment = Payment.objects.select_for_update().filter(pk=payment.pk).first()
    if payment is None:  # not in this tenant's schema
        raise FinanceNotFoundError(_("No such payment."))
    if payment.status != PaymentStatus.PENDING:
        raise FinanceConflictError(_("This payment was %(status)s already.") % {
            "status": payment.get_status_display().lower()}, code=FinanceErrorCode.PAYMENT_DECIDED)
    return payment


def _settle(payment, receivable, actor):
    """Allocate the payment to the chosen orders, else the oldest unpaid ones first."""
    Order = apps.get_model("orders", "Order")
    chosen = list(payment.orders.values_list("pk", flat=True))
    open_orders = (Order.objects.select_for_update().filter(customer_id=payment.customer_id,
                                                            amount_paid__lt=F("total"))
                   .exclude(status__in=VOIDED))
    if chosen:
        open_orders = open_orders.filter(pk__in=chosen)
    left = payment.amount
    for order in open_orders.order_by("created_at", "id"):
        if left <= 0:
            break
        part = min(left, money(order.total - order.amount_paid))
        Allocation.objects.create(payment=payment, order=order, amount=part)
        ledger_post(account=receivable, kind=EntryKind.PAYMENT, amount=-part, actor=actor,
                    order=order, payment=payment, memo=payment.number or "")
        order_paid_add(order, part)
        left -= part
    if left > 0:  # more than the orders: credit on the account
        ledger_post(account=receivable, kind=EntryKind.PAYMENT, amount=-left, actor=actor,
                    payment=payment, memo=payment.number or "")


@transaction.atomic
def payment_confirm(*, actor, payment, ip=None):
    """Finance confirms a recorded payment: its entries are written once (the payment row
    is locked; a second confirmation finds it decided) and it is locked for good."""
    require_perm(actor, "confirm_payments")
    if actor is not None and not can_reach(actor, payment.customer):
        raise FinanceNotFoundError(_("No such payment."))
    payment = _lock_pending(payment)
    if payment.method == PaymentMethodKind.ONLINE:
        raise FinanceConflictError(_("An online payment is confirmed by Stripe when the money "
                                     "arrives, not by hand."),
                                   code=FinanceErrorCode.ONLINE_PAYMENT)
    confirm_locked(payment, actor=actor)
    audit_record(actor=actor, action="finance.payment_confirm", obj=payment,
                 after={"amount": str(payment.amount)}, ip=ip)
    return payment


def confirm_locked(payment, *, actor=None):
    """Write the entries of a ``payment`` whose row the caller has locked in its
    transaction, and mark it confirmed: finance's confirmation of a pending payment and
    Stripe's (online payments, ``actor=None``; also an attempt that failed before and
    then succeeded) both go through here. Internal to finance: the caller checks that
    the payment may be confirmed and who may confirm it, and audits."""
    accounts = accounts_lock(payment.customer_id)
    if payment.purpose == PaymentPurpose.TOPUP:
        ledger_post(account=accounts[AccountKind.PREPAID], kind=EntryKind.PREPAID_TOPUP,
                    amount=payment.amount, actor=actor, payment=payment,
                    memo=payment.number or "")
    else:
        _settle(payment, accounts[AccountKind.RECEIVABLE], actor)
    payment.status, payment.decided_by, payment.decided_at, payment.reject_reason = (
        PaymentStatus.CONFIRMED, actor if getattr(actor, "pk", None) else None, ledger_now(),
        "")
    payment.save(update_fields=["status", "decided_by", "decided_at", "reject_reason"])
    automatic_hold_lift(payment.customer_id)
    return payment


@transaction.atomic
def payment_reject(*, actor, payment, reason, ip=None):
    require_perm(actor, "confirm_payments")
    if actor is not None and not can_reach(actor, payment.customer):
        raise FinanceNotFoundError(_("No such payment."))
    reason = (reason or "").strip()
    if not reason:
        raise FinanceError(_("Tell the dealer why."), fields={"reason": [_("Tell the dealer why.")]})
    payment = _lock_pending(payment)
    reject_locked(payment, reason=reason, actor=actor)
    audit_record(actor=actor, action="finance.payment_reject", obj=payment,
                 after={"reason": reason}, ip=ip)
    return payment


def reject_locked(payment, *, reason, actor=None):
    """Mark rejected, with ``reason``, a payment whose row the caller has locked in its
    transaction: finance's rejection and Stripe's failed attempt (online payments,
    ``actor=None``) both go through here. Internal to finance: the caller checks who may
    reject and audits."""
    payment.status, payment.reject_reason = PaymentStatus.REJECTED, reason[:300]
    payment.decided_by = actor if getattr(actor, "pk", None) else None
    payment.decided_at = timezone.now()
    payment.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
    return payment
