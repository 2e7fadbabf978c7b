"""Money races on real PostgreSQL with real threads: twenty orders of one customer at
once against its prepaid balance, and two finance reviewers confirming one payment at
once. These commit in acme (the ledger is append-only) and make their own customers."""

from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context

from ordering.finance import selectors
from ordering.finance.enums import AccountKind, PaymentStatus
from ordering.finance.models import Entry, Payment
from ordering.finance.services import ledger, payments
from ordering.orders.enums import PaymentMethod
from ordering.orders.enums import PaymentStatus as OrderPaymentStatus
from ordering.orders.models import Order
from ordering.orders.services.checkout import order_place
from tests.factories.roles import staff_with_roles
from tests.orders.test_concurrency import _run, acme_world  # noqa: F401


def test_twenty_prepaid_orders_at_once_never_overdraw_the_balance(acme_world):
    acme, dealers, variant, _order = acme_world
    v = variant(1000)
    (login, address), = dealers(1)
    with tenant_context(acme):
        ledger.adjustment_post(actor=None, customer=login.customer,
                               account_kind=AccountKind.PREPAID, amount="15.00",
                               reason="Top-up")

    def work():
        with tenant_context(acme):
            return order_place(actor=login.user, lines=[{"variant": v.pk, "quantity": 1}],
                               address_id=address.pk,
                               payment_method=PaymentMethod.PREPAID).order

    results = _run([work for _ in range(20)])
    accepted = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if not isinstance(r, Order)]
    # acme refuses an order the prepaid balance does not cover (its strict default)
    assert all(getattr(r, "code", None) == "insufficient_balance" for r in refused), refused
    with tenant_context(acme):
        orders = Order.objects.filter(customer=login.customer)
        total, = set(orders.values_list("total", flat=True))  # the customer's price
        fits = int(Decimal("15.00") // total)
        assert orders.count() == len(accepted) == fits  # as many as 15.00 pays in full
        assert orders.filter(payment_status=OrderPaymentStatus.PAID).count() == fits
        balances = selectors.balances(login.customer)
        assert balances.prepaid == Decimal("15.00") - fits * total  # never below zero
        assert balances.owed == 0
        assert selectors.ledger_mismatches() == []


def test_two_reviewers_confirming_one_payment_at_once_post_it_once(acme_world):
    acme, dealers, variant, order = acme_world
    v = variant(100)
    (login, address), = dealers(1)
    placed = order(login, address, [{"variant": v.pk, "quantity": 2}])()
    with tenant_context(acme):
        reviewers = [staff_with_roles("finance_reviewer",
                                      email=f"fin-{placed.pk}-{n}@acme.example")
                     for n in range(2)]
        payment = payments.payment_record(actor=login.user, amount=placed.total,
                                          paid_on=timezone.localdate(), order_ids=[placed.pk])

    def confirm(reviewer):
        def work():
            with tenant_context(acme):
                return payments.payment_confirm(actor=reviewer, payment=payment)
        return work

    results = _run([confirm(r) for r in reviewers])
    assert sum(isinstance(r, Payment) for r in results) == 1
    refused, = [r for r in results if not isinstance(r, Payment)]
    assert getattr(refused, "code", None) == "payment_decided"
    with tenant_context(acme):
        assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CONFIRMED
        assert Entry.objects.filter(payment=payment).count() == 1
        placed.refresh_from_db()
        assert placed.payment_status == OrderPaymentStatus.PAID
        assert selectors.balances(login.customer).owed == 0


def test_twenty_credit_orders_at_once_never_exceed_what_may_be_spent(acme_world):
    """The tenant's rule refuses an order beyond the credit left (acme keeps the strict
    defaults: refuse, finance review on paid or within credit)."""
    from ordering.settings.selectors import tenant_settings

    acme, dealers, variant, _order = acme_world
    v = variant(1000)
    (login, address), = dealers(1)
    with tenant_context(acme):
        assert tenant_settings().credit_over_limit == "refuse"
        customer = login.customer
        customer.credit_limit = Decimal("20.00")
        customer.save(update_fields=["credit_limit"])
        ledger.adjustment_post(actor=None, customer=customer, account_kind=AccountKind.PREPAID,
                               amount="0.01", reason="a cent held (never spent on credit)")

    def work():
        with tenant_context(acme):
            return order_place(actor=login.user, lines=[{"variant": v.pk, "quantity": 1}],
                               address_id=address.pk, payment_method=PaymentMethod.CREDIT).order

    results = _run([work for _ in range(20)])
    accepted = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if not isinstance(r, Order)]
    assert all(getattr(r, "code", None) == "over_credit" for r in refused), refused
    with tenant_context(acme):
        orders = Order.objects.filter(customer=customer)
        assert orders.count() == len(accepted)
        total = sum(orders.values_list("total", flat=True), Decimal("0"))
        price = orders.first().total
        assert total <= Decimal("20.00") and Decimal("20.00") - total < price
        assert selectors.balances(customer).owed == total
        assert selectors.balances(customer).prepaid == Decimal("0.01")
        assert selectors.ledger_mismatches() == []
