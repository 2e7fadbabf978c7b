"""Online payments from dealers (card, Alipay, WeChat Pay …) through Stripe Connect: a
direct charge on the supplier's own Stripe account, so the money is the supplier's.

- The dealer chooses what to pay (``online_quote``): an order's unpaid part, several
  orders, an amount of what it owes (the oldest orders first) or a prepaid top-up.
- ``online_payment_start`` records a pending ``Payment`` (method online) and creates its
  PaymentIntent on the connected account, with what Stripe needs to find the payment
  again in its metadata (tenant schema, payment, customer, purpose, orders); the
  browser then pays with Stripe's Payment Element.
- Stripe's ``payment_intent.succeeded`` event (``billing.connect_webhooks``, in the
  tenant's schema) confirms the payment exactly once, through the same code as
  finance's confirmation (``payments.confirm_locked``); an event that arrives before
  the payment knows its PaymentIntent (or without the local payment) re-reads the
  PaymentIntent from Stripe and creates the payment from its metadata. Metadata that
  names another tenant, or a payment of another customer, has no effect.
- ``payment_intent.payment_failed`` / ``.canceled`` mark the attempt rejected with
  Stripe's message; a later success of the same PaymentIntent still confirms it.
- The dealer's return page re-reads the PaymentIntent (``online_payment_sync``) and
  confirms the same way, so the dealer sees the result even before the event.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import connect_adapter
from billing.enums import ConnectOutcome
from billing.exceptions import BillingError
from billing.selectors import connected_account_for, online_payments_ready
from core.money import format_money, money
from core.text import whole_number as _int
from ordering.customers.services.guards import login_of
from ordering.finance.enums import AccountKind, PaymentMethodKind, PaymentPurpose, PaymentStatus
from ordering.finance.exceptions import (FinanceConflictError, FinanceError, FinanceErrorCode,
                                         FinancePermissionError)
from ordering.finance.models import Account, Payment
from ordering.finance.services.orders import VOIDED
from ordering.finance.services.payments import amount_above_zero, confirm_locked, reject_locked
from roles.services.audit import audit_record

log = logging.getLogger(__name__)

MAX_ORDERS = 50  # per payment: their ids fit in the PaymentIntent's metadata (500 chars)
SUCCEEDED = "succeeded"


@dataclass(frozen=True)
class Quote:
    """What a dealer is about to pay online: ``orders`` chosen (empty: what it owes,
    the oldest orders first, or a top-up) and the amount."""

    purpose: str
    amount: Decimal
    orders: tuple = ()
    owed: Decimal = Decimal("0.00")

    @property
    def order_ids(self):
        return [order.pk for order in self.orders]


def online_available():
    """The current tenant's dealers may pay online."""
    return online_payments_ready(getattr(connection, "tenant", None))


def _dealer_customer(actor, *, paying=True):
    login = login_of(actor)
    if login is None:
        raise FinancePermissionError(_("Online payment is for the dealer's own logins."))
    if paying and not login.can_order:
        raise FinancePermissionError(_("Your login can view but not pay."))
    return login.customer


def amount_owed(customer):
    """What the customer owes (its receivable balance; negative: credit on account)."""
    balance = Account.objects.filter(customer=customer, kind=AccountKind.RECEIVABLE) \
        .values_list("balance", flat=True).first()
    return money(balance or 0)


def unpaid_orders(customer):
    """The customer's orders with something left to pay, oldest first."""
    Order = apps.get_model("orders", "Order")
    return (Order.objects.filter(customer=customer, amount_paid__lt=F("total"))
            .exclude(status__in=VOIDED).order_by("created_at", "id"))


def online_quote(*, customer, purpose, order_ids=(), amount=None):
    """Check what the dealer wants to pay and work out the amount: the unpaid part of
    the chosen orders, or ``amount`` (at most what it owes, when paying what it owes;
    anything above zero for a top-up)."""
    owed = amount_owed(customer)
    if purpose == PaymentPurpose.TOPUP:
        return Quote(purpose=purpose, amount=amount_above_zero(amount), owed=owed)
    if purpose != PaymentPurpose.ORDERS:
        raise FinanceError(_("Choose what to pay."))
    wanted = {pk for pk in (_int(value) for value in order_ids or ()) if pk}
    if wanted:
        if len(wanted) > MAX_ORDERS:
            message = _("Choose at most %(n)d orders at a time.") % {"n": MAX_ORDERS}
            raise FinanceError(message, fields={"orders": [message]})
        orders = tuple(unpaid_orders(customer).filter(pk__in=wanted))
        if len(orders) != len(wanted) or len(wanted) != len(order_ids):
            message = _("Choose among the company's unpaid orders.")
            raise FinanceError(message, fields={"orders": [message]})
        total = money(sum((order.total - order.amount_paid for order in orders), Decimal(0)))
        return Quote(purpose=purpose, amount=total, orders=orders, owed=owed)
    if owed <= 0:
        message = _("Nothing is outstanding.")
        raise FinanceError(message, fields={"amount": [message]})
    chosen = owed if amount in (None, "") else amount_above_zero(amount)
    if chosen > owed:
        message = _("You owe %(owed)s; to pay more, top up the prepaid balance.") % {
            "owed": format_money(owed)}
        raise FinanceError(message, fields={"amount": [message]})
    return Quote(purpose=purpose, amount=chosen, owed=owed)


def _request_hash(quote):
    return hashlib.sha256(json.dumps(
        [quote.purpose, str(quote.amount), quote.order_ids]).encode()).hexdigest()


def _metadata(payment, quote):
    """What Stripe keeps with the PaymentIntent and sends back in its events."""
    return {"tenant_schema": connection.schema_name, "payment_id": payment.pk,
            "payment_number": payment.number or "", "customer_id": payment.customer_id,
            "purpose": quote.purpose, "order_ids": ",".join(str(pk) for pk in quote.order_ids)}


def _number(payment):
    """The payment's number, as ``payment_record`` numbers them."""
    return f"PAY-{timezone.localdate():%Y%m%d}-{payment.pk:05d}"


@transaction.atomic
def _payment_for(*, actor, customer, quote, key, ip):
    """The pending online payment for this pay form: the one made for ``key`` before
    (a repeated or concurrent submission), else a new one."""
    request_hash = _request_hash(quote)
    if key:
        existing = Payment.objects.filter(customer=customer, idempotency_key=key).first()
        if existing is not None:
            if existing.request_hash != request_hash:
                raise FinanceConflictError(
                    _("This form was already sent with other details. Reload the page."),
                    code=FinanceErrorCode.ONLINE_KEY_REUSED)
            return existing
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                customer=customer, method=PaymentMethodKind.ONLINE, purpose=quote.purpose,
                amount=quote.amount, paid_on=timezone.localdate(), recorded_by=actor,
                idempotency_key=key, request_hash=request_hash)
    except IntegrityError:  # the same form sent twice at once: the first one made it
        existing = Payment.objects.filter(customer=customer, idempotency_key=key).first() \
            if key else None
        if existing is None or existing.request_hash != request_hash:
            raise
        return existing
    payment.number = _number(payment)
    payment.save(update_fields=["number"])
    if quote.orders:
        payment.orders.set(quote.orders)
    audit_record(actor=actor, action="finance.payment_online_start", obj=payment, after={
        "customer": customer.pk, "amount": str(quote.amount), "purpose": quote.purpose,
        "orders": quote.order_ids}, ip=ip)
    return payment


def online_payment_start(*, actor, purpose, order_ids=(), amount=None, key="", ip=None):
    """Start paying online: the pending payment and its PaymentIntent on the supplier's
    connected account. Returns ``(payment, client_secret)`` for Stripe.js. The same
    ``key`` (the pay form's token) returns the same payment and PaymentIntent."""
    customer = _dealer_customer(actor)
    tenant = connection.tenant
    if not online_available():
        raise FinanceConflictError(_("Online payment is not available at the moment."),
                                   code=FinanceErrorCode.ONLINE_UNAVAILABLE)
    quote = online_quote(customer=customer, purpose=purpose, order_ids=order_ids,
                         amount=amount)
    key = f"online:{key}"[:80] if key else None
    payment = _payment_for(actor=actor, customer=customer, quote=quote, key=key, ip=ip)
    if payment.status == PaymentStatus.CONFIRMED:
        raise FinanceConflictError(_("This payment has been made already."),
                                   code=FinanceErrorCode.PAYMENT_DECIDED)
    account_id = connected_account_for(tenant).account_id
    if payment.stripe_payment_intent:
        intent = connect_adapter.payment_intent_retrieve(account_id=account_id,
                                                         intent_id=payment.stripe_payment_intent)
        if intent is None:  # not on the account connected now
            raise FinanceConflictError(_("Online payment is not available at the moment."),
                                       code=FinanceErrorCode.ONLINE_UNAVAILABLE)
        if intent.get("status") == SUCCEEDED:
            raise FinanceConflictError(_("This payment has been made already."),
                                       code=FinanceErrorCode.PAYMENT_DECIDED)
        return payment, intent["client_secret"]
    try:
        intent = connect_adapter.payment_intent_create(
            account_id=account_id, amount=payment.amount, currency=tenant.currency,
            metadata=_metadata(payment, quote),
            description=f"{tenant.name} {payment.number}",
            idempotency_key=f"orderline-{connection.schema_name}-payment-{payment.pk}")
    except BillingError as error:
        # nothing to pay with: the attempt is over, the next submission starts afresh
        with transaction.atomic():
            failed = Payment.objects.select_for_update().get(pk=payment.pk)
            if failed.status == PaymentStatus.PENDING and not failed.stripe_payment_intent:
                reject_locked(failed, reason=str(error.message))
                Payment.objects.filter(pk=payment.pk).update(idempotency_key=None)
        raise
    Payment.objects.filter(pk=payment.pk, stripe_payment_intent__isnull=True).update(
        stripe_payment_intent=intent["id"])
    payment.stripe_payment_intent = intent["id"]
    return payment, intent["client_secret"]


# --- Stripe's answer -----------------------------------------------------------------


def _payment_from_metadata(intent):
    """``(payment, created)``: the local payment a PaymentIntent unknown here names in its
    metadata, given its PaymentIntent if it did not know it yet, or created from the
    metadata when it is missing. ``(None, False)`` when the metadata names another
    tenant's schema, a payment of another customer or of another PaymentIntent, or no
    customer of this tenant."""
    metadata = intent.get("metadata") or {}
    if metadata.get("tenant_schema") != connection.schema_name:
        return None, False
    customer_id, payment_id = _int(metadata.get("customer_id")), _int(metadata.get("payment_id"))
    payment = Payment.objects.filter(pk=payment_id).first() if payment_id else None
    if payment is not None:
        if (payment.customer_id != customer_id or payment.method != PaymentMethodKind.ONLINE
                or payment.stripe_payment_intent not in (None, intent["id"])):
            return None, False
        if payment.stripe_payment_intent is None:
            Payment.objects.filter(pk=payment.pk, stripe_payment_intent__isnull=True).update(
                stripe_payment_intent=intent["id"])
            payment.stripe_payment_intent = intent["id"]
        return payment, False
    Customer = apps.get_model("customers", "Customer")
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    if customer is None:
        return None, False
    purpose = metadata.get("purpose")
    purpose = purpose if purpose in PaymentPurpose.values else PaymentPurpose.ORDERS
    wanted = [pk for pk in (_int(v) for v in (metadata.get("order_ids") or "").split(",")) if pk]
    orders = list(apps.get_model("orders", "Order").objects.filter(
        customer=customer, pk__in=wanted).exclude(status__in=VOIDED)) \
        if purpose == PaymentPurpose.ORDERS else []
    amount = connect_adapter.from_minor(intent.get("amount_received") or intent.get("amount"),
                                        intent.get("currency") or "")
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                customer=customer, method=PaymentMethodKind.ONLINE, purpose=purpose,
                amount=amount, paid_on=timezone.localdate(),
                stripe_payment_intent=intent["id"],
                note=_("Recorded from Stripe: the payment was not found here."))
    except IntegrityError:  # recorded meanwhile by another event of the same intent
        return Payment.objects.filter(stripe_payment_intent=intent["id"]).first(), True
    payment.number = _number(payment)
    payment.save(update_fields=["number"])
    if orders:
        payment.orders.set(orders)
    return payment, True


def _matches(payment, intent, *, recreated=False):
    """The PaymentIntent is this payment's: same tenant, customer and payment (the
    payment it names, unless that one was missing and this one was made from the
    metadata), and what was charged is the payment's amount in the tenant's currency."""
    metadata = intent.get("metadata") or {}
    currency = (getattr(connection.tenant, "currency", "") or "").lower()
    charged = intent.get("amount_received") or intent.get("amount")
    return (payment.method == PaymentMethodKind.ONLINE
            and metadata.get("tenant_schema") == connection.schema_name
            and _int(metadata.get("customer_id")) == payment.customer_id
            and (recreated or _int(metadata.get("payment_id")) == payment.pk)
            and (intent.get("currency") or "").lower() == currency
            and charged == connect_adapter.to_minor(payment.amount, currency))


def _confirm_from_intent(payment, intent, *, recreated=False):
    """Confirm ``payment`` for its succeeded PaymentIntent, once: the payment row is
    locked and a confirmed one is left alone. An attempt marked failed before is
    confirmed too (the same PaymentIntent succeeded on a later try)."""
    if not _matches(payment, intent, recreated=recreated):
        log.warning("stripe payment intent %s does not match payment %s: no effect",
                    intent.get("id"), payment.pk)
        return ConnectOutcome.REFUSED
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == PaymentStatus.CONFIRMED:
        return ConnectOutcome.ALREADY
    confirm_locked(payment, actor=None)  # pending, or an attempt marked failed before
    audit_record(actor=None, action="finance.payment_confirm", obj=payment,
                 after={"amount": str(payment.amount), "stripe": intent["id"]})
    return ConnectOutcome.APPLIED


@transaction.atomic
def online_intent_succeeded(*, account_id, obj):
    """``payment_intent.succeeded`` on the tenant's connected account (in its schema)."""
    intent_id = str(obj.get("id") or "")
    payment = Payment.objects.filter(stripe_payment_intent=intent_id).first() \
        if intent_id else None
    intent, created = obj, False
    if payment is None and intent_id:
        # unknown here: Stripe's own copy says what it is for
        intent = connect_adapter.payment_intent_retrieve(account_id=account_id,
                                                         intent_id=intent_id)
        payment, created = _payment_from_metadata(intent) if intent else (None, False)
    if payment is None:
        log.warning("stripe payment intent %s names no payment of %s: no effect", intent_id,
                    connection.schema_name)
        return ConnectOutcome.REFUSED
    if intent.get("status") != SUCCEEDED:
        return ConnectOutcome.IGNORED
    return _confirm_from_intent(payment, intent, recreated=created)


@transaction.atomic
def online_intent_failed(*, account_id, obj):
    """``payment_intent.payment_failed`` or ``.canceled``: the pending attempt is marked
    rejected with Stripe's message (nothing was posted)."""
    payment = Payment.objects.select_for_update().filter(
        stripe_payment_intent=str(obj.get("id") or "")).first() if obj.get("id") else None
    if payment is None:
        return ConnectOutcome.IGNORED
    if payment.status != PaymentStatus.PENDING:
        return ConnectOutcome.ALREADY
    if obj.get("status") == "canceled":
        reason = _("The payment was cancelled.")
    else:
        reason = (obj.get("last_payment_error") or {}).get("message") \
            or _("The payment did not go through.")
    reject_locked(payment, reason=reason)
    audit_record(actor=None, action="finance.payment_online_failed", obj=payment,
                 after={"reason": payment.reject_reason, "stripe": obj.get("id")})
    return ConnectOutcome.APPLIED


def online_payment_get(*, actor, pk):
    """One of the dealer's company's online payments, or None."""
    customer = _dealer_customer(actor, paying=False)
    return Payment.objects.filter(pk=_int(pk) or 0, customer=customer,
                                  method=PaymentMethodKind.ONLINE).first()


def online_payment_sync(*, actor, payment):
    """The dealer is back from paying: re-read the PaymentIntent from Stripe and, when
    it succeeded, confirm the payment now (as the event will: once). Returns the
    payment as it stands and the PaymentIntent's status ("" when not read)."""
    if payment.status == PaymentStatus.CONFIRMED or not payment.stripe_payment_intent:
        return payment, ""
    connected = connected_account_for(connection.tenant)
    if connected is None or not connect_adapter.configured():
        return payment, ""
    try:
        intent = connect_adapter.payment_intent_retrieve(
            account_id=connected.account_id, intent_id=payment.stripe_payment_intent)
    except BillingError:
        log.warning("could not re-read stripe payment intent %s", payment.stripe_payment_intent)
        return payment, ""
    if intent is None:
        return payment, ""
    if intent.get("status") == SUCCEEDED:
        with transaction.atomic():
            _confirm_from_intent(payment, intent)
        payment.refresh_from_db()
    return payment, intent.get("status") or ""
