"""What an order's life posts: the charge at submission, the prepaid balance paying at
once, credit checks under the tenant's rule, reversals on cancellation, amendments, and
finance review's rule."""

from decimal import Decimal

import pytest

from core.exceptions import ApplicationError, PermissionDeniedError
from ordering.finance import selectors
from ordering.finance.enums import AccountKind, EntryKind
from ordering.finance.models import Entry
from ordering.finance.services import ledger
from ordering.finance.services import orders as finance_orders
from ordering.orders import workflow
from ordering.orders.enums import OrderStatus, PaymentMethod, PaymentStatus
from ordering.settings.enums import FinanceRule, OverLimit
from tests.finance.conftest import finance_rules, place

TOTAL = Decimal("95.00")  # 10 bottles at the Gold price (8.00) + the truck (15.00)


def _limit(customer, amount):
    customer.credit_limit = Decimal(amount)
    customer.save(update_fields=["credit_limit"])


def test_a_submitted_order_becomes_a_receivable_and_cancelling_reverses_it(shop):
    order = place(shop)
    assert order.total == TOTAL
    assert selectors.balances(shop.customer).owed == TOTAL
    workflow.transition(order=order, action=workflow.CANCEL, actor=shop.dana.user,
                        reason="Ordered twice")
    assert selectors.balances(shop.customer).owed == 0
    kinds = list(Entry.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds == [EntryKind.ORDER_CHARGE, EntryKind.REVERSAL]
    assert selectors.ledger_mismatches() == []


def test_the_prepaid_balance_pays_at_once_and_comes_back_on_rejection(shop):
    ledger.adjustment_post(actor=None, customer=shop.customer, account_kind=AccountKind.PREPAID,
                           amount="100", reason="Top-up by cash")
    order = place(shop, payment_method=PaymentMethod.PREPAID)
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PAID and order.amount_paid == TOTAL
    balances = selectors.balances(shop.customer)
    assert (balances.prepaid, balances.owed) == (Decimal("5.00"), 0)
    workflow.transition(order=order, action=workflow.REJECT, actor=shop.staff.reviewer,
                        reason="Out of season")
    order.refresh_from_db()
    balances = selectors.balances(shop.customer)
    assert (balances.prepaid, balances.owed) == (Decimal("100.00"), 0)
    assert order.payment_status == PaymentStatus.UNPAID
    assert selectors.ledger_mismatches() == []


def test_a_prepaid_order_the_balance_does_not_cover_is_refused_when_the_tenant_says_so(shop):
    finance_rules(over_limit=OverLimit.REFUSE)
    ledger.adjustment_post(actor=None, customer=shop.customer, account_kind=AccountKind.PREPAID,
                           amount="50", reason="Top-up")
    with pytest.raises(ApplicationError) as refused:
        place(shop, payment_method=PaymentMethod.PREPAID)
    assert refused.value.code == "insufficient_balance"
    assert "¥50.00" in refused.value.message and "¥95.00" in refused.value.message
    assert selectors.balances(shop.customer).prepaid == Decimal("50.00")


def test_a_credit_order_beyond_the_credit_left_is_refused_with_each_part(shop):
    finance_rules(over_limit=OverLimit.REFUSE)
    _limit(shop.customer, "150")
    place(shop, payment_method=PaymentMethod.CREDIT)  # 95 of 150
    with pytest.raises(ApplicationError) as refused:
        place(shop, payment_method=PaymentMethod.CREDIT)  # 95 more: 55 left
    message = refused.value.message
    assert refused.value.code == "over_credit" and refused.value.status == 409
    for part in ("¥95.00", "¥150.00", "¥0.00", "¥55.00"):
        assert part in message
    assert selectors.balances(shop.customer).owed == TOTAL  # nothing of the second kept


def test_temporary_credit_counts_until_its_day(shop):
    import datetime

    from django.utils import timezone

    finance_rules(over_limit=OverLimit.REFUSE)
    _limit(shop.customer, "100")
    finance_orders.credit_terms_update(actor=None, customer=shop.customer,
                                       temporary_credit="100",
                                       temporary_until=timezone.localdate())
    place(shop, payment_method=PaymentMethod.CREDIT)
    place(shop, payment_method=PaymentMethod.CREDIT)  # 190 of 100 + 100
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    finance_orders.credit_terms_update(actor=None, customer=shop.customer,
                                       temporary_credit="100", temporary_until=yesterday)
    assert selectors.balances(shop.customer).credit_left == Decimal("-90.00")


def test_beyond_credit_on_hold_then_finance_review_waits_for_a_release(shop):
    finance_rules(over_limit=OverLimit.HOLD, rule=FinanceRule.PAID_OR_CREDIT)
    order = place(shop, payment_method=PaymentMethod.CREDIT)  # limit 0: on hold
    order.refresh_from_db()
    assert order.credit_hold
    order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.reviewer)
    assert order.status == OrderStatus.FINANCE_REVIEW
    with pytest.raises(ApplicationError) as waiting:
        workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.finance)
    assert waiting.value.code == "on_credit_hold"
    with pytest.raises(PermissionDeniedError):
        finance_orders.order_hold_release(actor=shop.staff.reviewer, order=order, reason="ok")
    with pytest.raises(ApplicationError):
        finance_orders.order_hold_release(actor=shop.staff.finance, order=order, reason=" ")
    finance_orders.order_hold_release(actor=shop.staff.finance, order=order,
                                      reason="Agreed with the owner by phone")
    order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.finance)
    assert order.status == OrderStatus.OUTBOUND_REVIEW
    from roles.models import AuditLog

    assert AuditLog.objects.filter(action="finance.hold_release").count() == 1


def test_finance_review_passes_only_paid_orders_under_the_strict_rule(shop):
    finance_rules(rule=FinanceRule.PAID_ONLY)
    order = place(shop)  # bank transfer, not paid yet
    order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.reviewer)
    with pytest.raises(ApplicationError) as unpaid:
        workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.finance)
    assert unpaid.value.code == "not_paid"
    from ordering.finance.services import payments

    from django.utils import timezone

    payment = payments.payment_record(actor=shop.dana.user, amount=TOTAL,
                                      paid_on=timezone.localdate(), order_ids=[order.pk])
    payments.payment_confirm(actor=shop.staff.finance, payment=payment)
    order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.finance)
    assert order.status == OrderStatus.OUTBOUND_REVIEW


def test_an_amendment_posts_the_difference(shop):
    from ordering.orders.services import amendments

    order = place(shop)
    line = order.lines.get()
    amendments.order_amend(actor=shop.staff.reviewer, order=order,
                           changes={line.pk: {"quantity": 5}}, reason="Half now")
    order.refresh_from_db()
    assert order.total == Decimal("55.00")
    assert selectors.balances(shop.customer).owed == Decimal("55.00")
    assert Entry.objects.filter(order=order, kind=EntryKind.ORDER_ADJUSTMENT).get().amount == \
        Decimal("-40.00")
