"""The services behind online payments, without Stripe's API: amounts in the smallest
unit, what Stripe says about an account, and Stripe's answer about a payment whose
PaymentIntent is known here (confirmed through finance's own confirmation, once)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from billing import connect, connect_adapter
from billing.enums import ConnectStatus
from billing.models import ConnectedAccount
from billing.selectors import online_payments_ready
from ordering.finance import selectors
from ordering.finance.enums import EntryKind, PaymentMethodKind, PaymentStatus
from ordering.finance.models import Entry, Payment
from ordering.finance.services import online, payments
from tests.finance.conftest import place

pytestmark = pytest.mark.django_db


def _online_payment(shop, order, intent_id="pi_local_1"):
    payment = Payment.objects.create(
        customer=shop.customer, method=PaymentMethodKind.ONLINE, amount=order.total,
        paid_on=timezone.localdate(), stripe_payment_intent=intent_id, number="PAY-ONLINE-1")
    payment.orders.set([order])
    return payment


def _intent(payment, **changes):
    intent = {"id": payment.stripe_payment_intent, "object": "payment_intent",
              "status": "succeeded", "currency": "cny",
              "amount": connect_adapter.to_minor(payment.amount, "CNY"),
              "amount_received": connect_adapter.to_minor(payment.amount, "CNY"),
              "metadata": {"tenant_schema": connection.schema_name,
                           "payment_id": str(payment.pk),
                           "customer_id": str(payment.customer_id), "purpose": "orders"}}
    intent.update(changes)
    return intent


@pytest.mark.parametrize("amount, currency, minor", [
    ("95.00", "CNY", 9500), ("0.01", "USD", 1), ("1234567.89", "cny", 123456789),
    ("500", "JPY", 500)])
def test_amounts_go_to_stripe_in_the_smallest_unit(amount, currency, minor):
    assert connect_adapter.to_minor(Decimal(amount), currency) == minor
    assert connect_adapter.from_minor(minor, currency) == Decimal(amount).quantize(
        Decimal("0.01"))


def test_what_stripe_says_about_an_account_and_its_status(acme):
    assert connect.status_of(None) == ConnectStatus.NOT_CONNECTED
    connected = ConnectedAccount.objects.create(tenant=acme, account_id="acct_svc")
    assert connect.status_of(connected) == ConnectStatus.ONBOARDING
    connect.account_apply(connected=connected, stripe_account={
        "id": "acct_svc", "charges_enabled": False, "details_submitted": True,
        "capabilities": {"card_payments": "pending", "transfers": "active"},
        "requirements": {"disabled_reason": "requirements.pending_verification"}})
    assert connect.status_of(connected) == ConnectStatus.PENDING
    assert connected.capabilities == {"card_payments": "pending"}  # payment methods only
    assert connected.disabled_reason == "requirements.pending_verification"
    connect.account_apply(connected=connected, stripe_account={
        "id": "acct_svc", "charges_enabled": True, "details_submitted": True,
        "capabilities": {"card_payments": "active", "wechat_pay_payments": "active"}})
    connected.refresh_from_db()
    assert connect.status_of(connected) == ConnectStatus.ACTIVE
    assert (connected.charges_enabled, connected.disabled_reason) == (True, "")


def test_without_keys_no_tenant_is_ready_for_online_payments(acme, settings):
    ConnectedAccount.objects.create(tenant=acme, account_id="acct_ready", charges_enabled=True)
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_x", ""
    assert not online_payments_ready(acme)  # the browser needs the publishable key too
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    assert online_payments_ready(acme)
    assert not online_payments_ready(SimpleNamespace(schema_name="public"))


def test_stripe_and_finance_confirm_through_the_same_code(shop):
    by_hand, by_stripe = place(shop), place(shop)
    transfer = payments.payment_record(actor=shop.dana.user, amount=by_hand.total,
                                       paid_on=timezone.localdate(), order_ids=[by_hand.pk])
    payments.payment_confirm(actor=shop.staff.finance, payment=transfer)
    payment = _online_payment(shop, by_stripe)
    assert online.online_intent_succeeded(account_id="acct_any",
                                          obj=_intent(payment)) == "applied"
    manual, = Entry.objects.filter(payment=transfer)
    automatic, = Entry.objects.filter(payment=payment)
    assert (manual.kind, manual.amount) == (automatic.kind, automatic.amount) == (
        EntryKind.PAYMENT, Decimal("-95.00"))
    assert (manual.actor, automatic.actor) == (shop.staff.finance, None)
    payment.refresh_from_db()
    by_stripe.refresh_from_db()
    assert (payment.status, payment.decided_by) == (PaymentStatus.CONFIRMED, None)
    assert by_stripe.payment_status == "paid" and selectors.ledger_mismatches() == []
    # the same answer again: nothing more
    assert online.online_intent_succeeded(account_id="acct_any",
                                          obj=_intent(payment)) == "already"
    assert Entry.objects.filter(payment=payment).count() == 1


@pytest.mark.parametrize("changes", [
    {"amount_received": 9400}, {"currency": "usd"},
    {"metadata": {"tenant_schema": "elsewhere", "payment_id": "0", "customer_id": "0"}}])
def test_an_intent_that_is_not_exactly_the_payment_confirms_nothing(shop, changes):
    order = place(shop)
    payment = _online_payment(shop, order)
    intent = _intent(payment, **changes)
    assert online.online_intent_succeeded(account_id="acct_any", obj=intent) == "refused"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and not payment.entries.exists()


def test_a_failure_after_the_success_changes_nothing(shop):
    order = place(shop)
    payment = _online_payment(shop, order)
    online.online_intent_succeeded(account_id="acct_any", obj=_intent(payment))
    late = _intent(payment, status="requires_payment_method",
                   last_payment_error={"message": "Your card was declined."})
    assert online.online_intent_failed(account_id="acct_any", obj=late) == "already"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CONFIRMED and payment.reject_reason == ""


def test_a_cancelled_intent_marks_the_attempt_rejected(shop):
    order = place(shop)
    payment = _online_payment(shop, order)
    cancelled = _intent(payment, status="canceled")
    assert online.online_intent_failed(account_id="acct_any", obj=cancelled) == "applied"
    payment.refresh_from_db()
    assert (payment.status, payment.reject_reason) == (PaymentStatus.REJECTED,
                                                       "The payment was cancelled.")
    assert online.online_intent_failed(account_id="acct_any",
                                       obj={"id": "pi_unknown"}) == "ignored"
