"""Money is scoped like its customer: a sales rep sees the payments and receivables of
the customers assigned to them (the guardian grant), and nothing of the others."""

from django.utils import timezone
from guardian.shortcuts import assign_perm

from ordering.finance import selectors
from ordering.finance.services import payments
from tests.finance.conftest import place


def test_a_sales_rep_sees_the_money_of_assigned_customers_only(shop):
    rep = shop.staff.sales
    place(shop)
    place(shop, actor=shop.olga.user)
    mine = payments.payment_record(actor=shop.dana.user, amount="5",
                                   paid_on=timezone.localdate())
    payments.payment_record(actor=shop.olga.user, amount="6", paid_on=timezone.localdate())
    assert list(selectors.payments(actor=rep)) == []
    assign_perm("customers.work_with_customer", rep, shop.customer)
    assert list(selectors.payments(actor=rep)) == [mine]
    assert [a.customer_id for a in selectors.receivables(actor=rep)] == [shop.customer.pk]
    assert selectors.payment_get(actor=rep, pk=mine.pk) == mine
