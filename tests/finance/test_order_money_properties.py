"""Property-based (Hypothesis) over random sequences of what happens to a customer's
orders and money through the real services: orders placed on credit, by transfer or
from the prepaid balance, with or without the rebate; payments confirmed (the oldest
first), top-ups, rebate grants, amendments (a new shipping fee) and cancellations.
After every sequence: each running balance equals the sum of its entries, money held
never goes below zero, what each order shows as paid equals what its ledger says paid
it, the rebate's line shares add up to what the rebate paid, and for any period a
statement's opening balance plus its entries is its closing balance."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings, strategies as st

from ordering.customers.services import contacts as contact_services
from ordering.customers.services import customers as customer_services
from ordering.finance import selectors
from ordering.finance.enums import AccountKind, EntryKind
from ordering.finance.models import Entry
from ordering.finance.services import ledger, payments
from ordering.orders import workflow
from ordering.orders.enums import PaymentMethod
from ordering.orders.models import Order
from ordering.orders.services.amendments import order_amend
from ordering.orders.services.checkout import order_place
from ordering.settings.services import settings_update
from tests.finance.test_ledger_properties import assert_balances_add_up

EXAMPLES = 40

money = st.decimals(min_value=Decimal("1"), max_value=Decimal("400"), places=2)
place = st.tuples(st.just("order"), st.sampled_from(
    [PaymentMethod.TRANSFER, PaymentMethod.CREDIT, PaymentMethod.PREPAID]),
    st.integers(1, 3), st.booleans())
pay = st.tuples(st.just("pay"), money)
topup = st.tuples(st.just("topup"), money)
rebate = st.tuples(st.just("rebate"), money)
cancel = st.tuples(st.just("cancel"), st.integers(0, 50))
amend = st.tuples(st.just("amend"), st.integers(0, 50),
                  st.decimals(min_value=Decimal("0"), max_value=Decimal("60"), places=2))
operations = st.lists(st.one_of(place, place, pay, topup, rebate, cancel, amend),
                      min_size=1, max_size=14)


def _paid_by_ledger(order):
    """What the order's receivable entries say paid it (payments less their reversals,
    credit notes of returns included)."""
    total = Decimal("0")
    for entry in Entry.objects.filter(order=order, account__kind=AccountKind.RECEIVABLE
                                      ).select_related("reverses"):
        kind = entry.reverses.kind if entry.kind == EntryKind.REVERSAL else entry.kind
        if kind == EntryKind.PAYMENT:
            total -= entry.amount
    return total


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=operations, share=st.integers(0, 100),
       period=st.tuples(st.integers(0, 3), st.integers(0, 3)))
def test_orders_payments_and_balances_add_up(shop, operations, share, period):
    admin = shop.staff.admin
    with transaction.atomic():
        settings_update(actor=None, rebate_share=share)
        customer = customer_services.customer_create(actor=None, name="Property Stores",
                                                     level=shop.level)
        address = contact_services.address_save(actor=None, customer=customer, recipient="P",
                                                phone="1", address="Road")
        for operation in operations:
            kind = operation[0]
            open_orders = list(Order.objects.filter(customer=customer)
                               .exclude(status__in=workflow.VOIDED).order_by("id"))
            if kind == "order":
                _k, method, quantity, use_rebate = operation
                order_place(actor=admin, customer=customer, address_id=address.pk,
                            shipping_method_id=shop.truck.pk,
                            payment_method=method, use_rebate=use_rebate,
                            lines=[{"variant": shop.juice.pk, "quantity": quantity}])
            elif kind in ("pay", "topup"):
                payment = payments.payment_record(
                    actor=admin, customer=customer, amount=operation[1], method="cash",
                    purpose="topup" if kind == "topup" else "orders",
                    paid_on=timezone.localdate())
                payments.payment_confirm(actor=admin, payment=payment)
            elif kind == "rebate":
                ledger.rebate_grant(actor=admin, customer=customer, amount=operation[1],
                                    reason="property")
            elif open_orders and kind == "cancel":
                order = open_orders[operation[1] % len(open_orders)]
                if workflow.may_cancel(order, admin):
                    workflow.transition(order=order, action=workflow.CANCEL, actor=admin,
                                        reason="property")
            elif open_orders and kind == "amend":
                order = open_orders[operation[1] % len(open_orders)]
                if workflow.is_amendable(order) and order.shipping_fee != operation[2]:
                    order_amend(actor=admin, order=order, shipping_fee=operation[2],
                                reason="property")
        assert_balances_add_up(customer)
        for order in Order.objects.filter(customer=customer).prefetch_related("lines"):
            assert order.amount_paid == _paid_by_ledger(order), order
            assert sum((line.rebate for line in order.lines.all()), Decimal("0")) == \
                order.rebate_used
            assert order.rebate_used <= order.subtotal * share / 100
        first, last = sorted(period)
        today = timezone.localdate()
        for kind in AccountKind.values:
            statement = selectors.statement(customer, kind=kind,
                                            start=today - datetime.timedelta(days=last),
                                            end=today - datetime.timedelta(days=first))
            assert statement.opening + sum((e.amount for e in statement.entries),
                                           Decimal("0")) == statement.closing
        transaction.set_rollback(True)
