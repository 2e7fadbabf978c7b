"""Payments: a dealer records a transfer, finance confirms (the ledger and the orders
follow) or rejects it; settling the oldest orders first; top-ups; who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from ordering.finance import selectors
from ordering.finance.enums import EntryKind, PaymentPurpose, PaymentStatus
from ordering.finance.models import Allocation
from ordering.finance.services import payments
from ordering.orders.enums import PaymentStatus as OrderPaymentStatus
from tests.finance.conftest import place

TODAY = timezone.localdate


def test_a_transfer_settles_the_chosen_order_once_confirmed(shop):
    first, second = place(shop), place(shop)
    payment = payments.payment_record(actor=shop.dana.user, amount="95.00", paid_on=TODAY(),
                                      order_ids=[second.pk], reference="ICBC 8812")
    assert payment.status == PaymentStatus.PENDING and payment.number.startswith("PAY-")
    assert selectors.balances(shop.customer).owed == Decimal("190.00")  # not yet
    payments.payment_confirm(actor=shop.staff.finance, payment=payment)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.payment_status == OrderPaymentStatus.PAID
    assert first.payment_status == OrderPaymentStatus.UNPAID
    assert selectors.balances(shop.customer).owed == Decimal("95.00")
    with pytest.raises(ApplicationError) as again:
        payments.payment_confirm(actor=shop.staff.finance, payment=payment)
    assert again.value.code == "payment_decided"


def test_without_chosen_orders_the_oldest_are_paid_first_and_the_rest_is_credit(shop):
    first, second = place(shop), place(shop)
    payment = payments.payment_record(actor=shop.staff.finance, customer=shop.customer,
                                      amount="150.00", paid_on=TODAY(), method="cash")
    payments.payment_confirm(actor=shop.staff.finance, payment=payment)
    allocations = {a.order_id: a.amount for a in Allocation.objects.filter(payment=payment)}
    assert allocations == {first.pk: Decimal("95.00"), second.pk: Decimal("55.00")}
    second.refresh_from_db()
    assert second.payment_status == OrderPaymentStatus.PARTIAL
    overpaid = payments.payment_record(actor=shop.staff.finance, customer=shop.customer,
                                       amount="100.00", paid_on=TODAY(), method="cash")
    payments.payment_confirm(actor=shop.staff.finance, payment=overpaid)
    assert selectors.balances(shop.customer).owed == Decimal("-60.00")  # credit on account
    assert selectors.ledger_mismatches() == []


def test_a_top_up_goes_to_the_prepaid_balance(shop):
    payment = payments.payment_record(actor=shop.dana.user, amount="500", paid_on=TODAY(),
                                      purpose=PaymentPurpose.TOPUP)
    payments.payment_confirm(actor=shop.staff.finance, payment=payment)
    assert selectors.balances(shop.customer).prepaid == Decimal("500.00")
    assert payment.entries.get().kind == EntryKind.PREPAID_TOPUP


def test_a_rejected_payment_moves_no_money_and_keeps_its_reason(shop):
    payment = payments.payment_record(actor=shop.dana.user, amount="95", paid_on=TODAY())
    with pytest.raises(ApplicationError):
        payments.payment_reject(actor=shop.staff.finance, payment=payment, reason="")
    payments.payment_reject(actor=shop.staff.finance, payment=payment,
                            reason="No such transfer on our statement")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REJECTED and not payment.entries.exists()


def test_bad_input_is_refused_with_nothing_saved(shop):
    for amount in ("0", "-5", "abc", "1e12"):
        with pytest.raises(ApplicationError) as refused:
            payments.payment_record(actor=shop.dana.user, amount=amount, paid_on=TODAY())
        assert "amount" in refused.value.fields
    with pytest.raises(ApplicationError) as future:
        payments.payment_record(actor=shop.dana.user, amount="5",
                                paid_on=TODAY() + datetime.timedelta(days=1))
    assert "paid_on" in future.value.fields
    other = place(shop, actor=shop.olga.user)
    with pytest.raises(ApplicationError) as foreign:  # another company's order
        payments.payment_record(actor=shop.dana.user, amount="5", paid_on=TODAY(),
                                order_ids=[other.pk])
    assert "orders" in foreign.value.fields
    assert not shop.customer.payments.exists()


def test_who_may_record_and_confirm(shop):
    with pytest.raises(NotFoundError):  # a view-only login records nothing
        payments.payment_record(actor=shop.viewer.user, amount="5", paid_on=TODAY())
    with pytest.raises(PermissionDeniedError):
        payments.payment_record(actor=shop.staff.shipper, customer=shop.customer, amount="5",
                                paid_on=TODAY(), method="cash")
    payment = payments.payment_record(actor=shop.dana.user, amount="5", paid_on=TODAY())
    for user in (shop.staff.reviewer, shop.staff.sales, shop.dana.user):
        with pytest.raises(PermissionDeniedError):
            payments.payment_confirm(actor=user, payment=payment)
    with pytest.raises(ApplicationError):  # a dealer records only transfers
        payments.payment_record(actor=shop.dana.user, amount="5", paid_on=TODAY(),
                                method="cash")
