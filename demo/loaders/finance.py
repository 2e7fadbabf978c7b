"""Finance: the supplier's bank account and rebate share; for every customer a history
of payments against its orders (most paid, some partly, the newest open), prepaid
top-ups for some and rebate grants for others, bank transfers waiting for finance to
confirm, one customer on credit hold, one with a large overdue balance on credit
terms, and statements of account: one confirmed, one disputed, one waiting. Skipped
when the tenant has payments; needs the orders (the ``orders`` loader has already
posted every order's charge on its day, and paid those past finance review)."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import F, Sum
from django.utils import timezone

from ordering.customers.models import Customer
from ordering.finance.enums import PaymentMethodKind, PaymentPurpose
from ordering.finance.models import Payment
from ordering.finance.services import ledger, payments, reconciliation
from ordering.finance.services.orders import credit_terms_update
from ordering.notifications.services import muted
from ordering.orders.models import Order
from ordering.settings.services import settings_update


BANK = {"acme": "Acme Trading Co., Ltd.\nIndustrial and Commercial Bank of China, Shenzhen "
                "Futian branch\nAccount 4000 0231 0920 0188 888",
        "globex": "环球食品有限公司\n招商银行上海陆家嘴支行\n账号 1219 0888 0110 666"}


def load(supplier):
    """Post the customers' payments, top-ups, rebates, waiting transfers, a hold and the
    statements."""
    if Payment.objects.filter(reference__startswith="PAY-").exists():
        return
    rng = random.Random(f"finance-{supplier['slug']}")
    today = timezone.localdate()
    customers = list(Customer.objects.filter(status="active").order_by("pk"))
    settings_update(actor=None, action="finance.settings", bank_details=BANK.get(
        supplier["slug"], BANK["acme"]), rebate_share=30)
    with muted():
        for index, customer in enumerate(customers):
            _history(customer, rng, today, keep_owing=index == 1)
            if index % 3 == 0:
                paid_on = today - datetime.timedelta(days=rng.randint(20, 60))
                with ledger.posting_at(_moment(paid_on)):
                    payment = payments.payment_record(
                        actor=None, customer=customer, amount=Decimal(rng.choice((2000, 5000))),
                        paid_on=paid_on, method=PaymentMethodKind.TRANSFER,
                        purpose=PaymentPurpose.TOPUP, reference=f"TOPUP-{customer.pk}")
                    payments.payment_confirm(actor=None, payment=payment)
            if index % 4 == 1:
                with ledger.posting_at(_moment(today - datetime.timedelta(days=35))):
                    ledger.rebate_grant(actor=None, customer=customer,
                                        amount=Decimal(rng.choice((300, 800, 1200))),
                                        reason="Q3 volume rebate / 第三季度返利")
        waiting = 0  # bank transfers waiting for finance: three customers' newest open order
        for customer in customers[2:]:
            order = Order.objects.filter(customer=customer, amount_paid=0).exclude(
                status__in=("cancelled", "rejected")).order_by("-created_at").first()
            if order is None:
                continue
            payments.payment_record(
                actor=None, customer=customer, amount=order.total, paid_on=today,
                order_ids=[order.pk], reference=f"BANK-{order.number}",
                note="Transfer from the company account / 对公转账")
            waiting += 1
            if waiting == 3:
                break
        if len(customers) > 5:
            credit_terms_update(actor=None, customer=customers[5], on_hold=True,
                                hold_reason="Two invoices overdue; call before shipping / "
                                            "两张账单逾期，发货前请联系")
        _statements(customers, today)


def _moment(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 30)))


def _statements(customers, today):
    """Last month's statements for the first three customers that owe: the first
    confirmed, the second disputed on its largest charge, the third waiting."""
    start = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    end = today.replace(day=1) - datetime.timedelta(days=1)
    owing = [c for c in customers if c.logins.filter(is_primary=True).exists()][:3]
    finance = get_user_model().objects.filter(groups__role__key="finance_reviewer",
                                              is_active=True).order_by("pk").first()
    for index, customer in enumerate(owing):
        statement = reconciliation.reconciliation_issue(
            actor=finance, customer=customer, start=start, end=end,
            note="Monthly statement / 月度对账单")
        dealer = customer.logins.filter(is_primary=True).first().user
        if index == 0:
            reconciliation.reconciliation_confirm(actor=dealer, reconciliation=statement)
        elif index == 1:
            lines = list(reconciliation.reconciliation_lines(statement).filter(amount__gt=0)
                         .order_by("-amount")[:1])
            reconciliation.reconciliation_dispute(
                actor=dealer, reconciliation=statement,
                lines=[(lines[0].pk if lines else None,
                        "We returned two cases of this order; the charge should be lower. / "
                        "这张订单退了两箱，金额应减少。")])


def _history(customer, rng, today, *, keep_owing):
    """Pay most of the customer's older orders (a payment a week), leave the newest."""
    orders = Order.objects.filter(customer=customer).exclude(
        status__in=("cancelled", "rejected"))
    cutoff = timezone.now() - datetime.timedelta(days=14)
    owed = orders.filter(created_at__lt=cutoff, amount_paid__lt=F("total")).aggregate(
        total=Sum(F("total") - F("amount_paid")))["total"] or 0
    if not owed:
        return
    share = Decimal("0.35") if keep_owing else Decimal(rng.choice(("0.8", "0.9", "1")))
    amount = (owed * share).quantize(Decimal("0.01"))
    if amount <= 0:
        return
    paid_on = today - datetime.timedelta(days=rng.randint(3, 15))
    with ledger.posting_at(_moment(paid_on)):
        payment = payments.payment_record(
            actor=None, customer=customer, amount=amount, paid_on=paid_on,
            method=rng.choice((PaymentMethodKind.TRANSFER, PaymentMethodKind.TRANSFER,
                               PaymentMethodKind.CHEQUE)), reference=f"PAY-{customer.pk}")
        payments.payment_confirm(actor=None, payment=payment)


