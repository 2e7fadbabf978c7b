"""Finance: for every customer a history of payments against its orders (most paid,
some partly, the newest open), prepaid top-ups for some and rebate grants for others,
bank transfers waiting for finance to confirm, one customer on credit hold and one
with a large overdue balance. Skipped when the tenant has payments; needs the orders
(the ``orders`` loader has already posted every order's charge)."""

import datetime
import random
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from ordering.customers.models import Customer
from ordering.finance.enums import PaymentMethodKind, PaymentPurpose
from ordering.finance.models import Payment
from ordering.finance.services import ledger, payments
from ordering.finance.services.orders import credit_terms_update
from ordering.notifications.services import muted
from ordering.orders.models import Order


def load(supplier):
    """Post the customers' payments, top-ups, rebates, waiting transfers and a hold."""
    if Payment.objects.exists():
        return
    rng = random.Random(f"finance-{supplier['slug']}")
    today = timezone.localdate()
    customers = list(Customer.objects.filter(status="active").order_by("pk"))
    with muted():
        for index, customer in enumerate(customers):
            _history(customer, rng, today, keep_owing=index == 1)
            if index % 3 == 0:
                payment = payments.payment_record(
                    actor=None, customer=customer, amount=Decimal(rng.choice((2000, 5000))),
                    paid_on=today - datetime.timedelta(days=rng.randint(20, 60)),
                    method=PaymentMethodKind.TRANSFER, purpose=PaymentPurpose.TOPUP,
                    reference=f"TOPUP-{customer.pk}")
                payments.payment_confirm(actor=None, payment=payment)
            if index % 4 == 1:
                ledger.rebate_grant(actor=None, customer=customer,
                                    amount=Decimal(rng.choice((300, 800, 1200))),
                                    reason="Q3 volume rebate / 第三季度返利")
        for customer in customers[2:5]:  # bank transfers waiting for finance
            order = Order.objects.filter(customer=customer, amount_paid=0).exclude(
                status__in=("cancelled", "rejected")).order_by("-created_at").first()
            if order is not None:
                payments.payment_record(
                    actor=None, customer=customer, amount=order.total, paid_on=today,
                    order_ids=[order.pk], reference=f"BANK-{order.number}",
                    note="Transfer from the company account / 对公转账")
        if len(customers) > 5:
            credit_terms_update(actor=None, customer=customers[5], on_hold=True,
                                hold_reason="Two invoices overdue; call before shipping / "
                                            "两张账单逾期，发货前请联系")


def _history(customer, rng, today, *, keep_owing):
    """Pay most of the customer's older orders (a payment a week), leave the newest."""
    orders = Order.objects.filter(customer=customer).exclude(
        status__in=("cancelled", "rejected"))
    cutoff = timezone.now() - datetime.timedelta(days=14)
    owed = orders.filter(created_at__lt=cutoff).aggregate(total=Sum("total"))["total"] or 0
    if not owed:
        return
    share = Decimal("0.35") if keep_owing else Decimal(rng.choice(("0.8", "0.9", "1")))
    amount = (owed * share).quantize(Decimal("0.01"))
    if amount <= 0:
        return
    payment = payments.payment_record(
        actor=None, customer=customer, amount=amount,
        paid_on=today - datetime.timedelta(days=rng.randint(3, 15)),
        method=rng.choice((PaymentMethodKind.TRANSFER, PaymentMethodKind.TRANSFER,
                           PaymentMethodKind.CHEQUE)), reference=f"PAY-{customer.pk}")
    payments.payment_confirm(actor=None, payment=payment)


