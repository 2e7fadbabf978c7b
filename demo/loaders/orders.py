"""Orders: shipping methods, carriers, and ~300 orders per supplier over the past 90
days, in every state, with partial and full shipments, amendments, rejections and
cancellations, so the order desk, the dealer's order list and later the reports have
data. Every order goes through the real services and the workflow; only the timestamps
are moved back afterwards (the ledger posts each order's money on the order's day).
Orders past finance review were paid by transfer (or are on credit). Skipped when the tenant has orders; needs customers with
logins and addresses, and a catalog."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ordering.catalog.enums import MovementKind
from ordering.catalog.models import Variant, VariantUnit
from ordering.catalog.services.stock import stock_move
from ordering.customers.models import Customer
from ordering.notifications.services import muted
from ordering.orders import workflow
from ordering.finance.exceptions import FinanceError
from ordering.finance.services import payments
from ordering.finance.services.ledger import posting_at
from ordering.orders.enums import OrderStatus, PaymentMethod
from ordering.orders.enums import PaymentStatus as OrderPaymentStatus
from ordering.orders.models import Carrier, Order, OrderEvent, Shipment, ShippingMethod
from ordering.orders.services import amendments, checkout, shipments

ORDERS = 300
# The demo has no Stripe keys, so online payment is never offered there: the orders are
# paid by the offline methods (in their catalog order)
DEMO_PAYMENT_METHODS = (PaymentMethod.TRANSFER, PaymentMethod.PREPAID, PaymentMethod.CREDIT)
METHODS = {"acme": [("Express courier", "20.00"), ("Freight (3–5 days)", "60.00"),
                    ("Collect from warehouse", "0.00")],
           "globex": [("快递", "15.00"), ("物流专线", "50.00"), ("自提", "0.00")]}
CARRIERS = {"acme": [("SF Express", "https://www.sf-express.com/waybill/#search/bill-number/{number}"),
                     ("Deppon Logistics", ""), ("ZTO Express", "")],
            "globex": [("顺丰速运", "https://www.sf-express.com/waybill/#search/bill-number/{number}"),
                       ("德邦物流", ""), ("中通快递", "")]}
# the share of orders that end in each state (the rest complete)
FATES = [(OrderStatus.ORDER_REVIEW, 12), (OrderStatus.FINANCE_REVIEW, 8),
         (OrderStatus.OUTBOUND_REVIEW, 8), ("partial", 6), (OrderStatus.SHIPPING, 8),
         (OrderStatus.RECEIPT, 12), (OrderStatus.CANCELLED, 6), (OrderStatus.REJECTED, 4),
         (OrderStatus.COMPLETED, 136)]


def load(supplier):
    """Create the supplier's shipping methods, carriers and orders; returns how many
    orders were made."""
    slug = supplier["slug"]
    if Order.objects.exists():
        return 0
    for position, (name, fee) in enumerate(METHODS[slug]):
        ShippingMethod.objects.get_or_create(name=name, defaults={"fee": fee,
                                                                  "position": position})
    for position, (name, url) in enumerate(CARRIERS[slug]):
        Carrier.objects.get_or_create(name=name, defaults={"tracking_url": url,
                                                           "position": position})
    rng = random.Random(f"orders-{slug}")
    admin = get_user_model().objects.filter(groups__role__key="system_administrator",
                                            is_active=True).order_by("pk").first()
    customers = [c for c in Customer.objects.filter(status="active").prefetch_related(
        "addresses", "logins__user") if c.addresses.all() and c.logins.all()]
    variants = list(Variant.objects.filter(is_active=True, product__on_shelf=True,
                                           product__levels__isnull=True)
                    .values_list("pk", "min_quantity", "order_multiple"))
    for variant in Variant.objects.filter(pk__in=[pk for pk, _m, _n in variants]):
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=5000,
                   reason="Demo opening stock")  # enough for three months of orders
    units = {}  # variant → its larger sales units (cases), some lines are ordered in them
    for unit_pk, variant_pk, factor in VariantUnit.objects.filter(
            variant_id__in=[pk for pk, _m, _n in variants]).values_list(
            "pk", "variant_id", "factor"):
        units.setdefault(variant_pk, []).append((unit_pk, factor))
    fates = [fate for fate, weight in FATES for _ in range(weight)]
    methods = list(ShippingMethod.objects.all())
    carriers = list(Carrier.objects.all())
    now = timezone.now()
    made = 0
    with muted():
        for n in range(ORDERS):
            customer = customers[n % len(customers)]
            login = next(l for l in customer.logins.all() if l.is_primary)
            chosen = rng.sample(variants, rng.randint(1, 6))
            lines = [_line(pk, minimum, multiple, units.get(pk, ()), rng)
                     for pk, minimum, multiple in chosen]
            on_behalf = n % 9 == 0
            # spread over the past 90 days, older orders further along; the ledger
            # posts each order's money on its day
            moment = now - timedelta(days=90 * (ORDERS - n) / ORDERS, hours=rng.randint(0, 9))
            with transaction.atomic(), posting_at(moment):
                order = _place(admin if on_behalf else login.user, customer, lines,
                               rng.choice(DEMO_PAYMENT_METHODS), rng.choice(methods).pk,
                               "" if n % 4 else "Please deliver before noon / 请上午送达")
                _advance(order, fates[n % len(fates)], admin, login, carriers, rng, moment)
            _backdate(order, moment)
            made += 1
    return made


def _place(actor, customer, lines, method, shipping_method_id, remark):
    """Place the order with the payment method chosen; one the customer's money does
    not allow (no credit, not enough prepaid: the tenant refuses it) is paid by
    transfer instead, as a dealer would."""
    values = {"actor": actor, "customer": customer, "lines": lines,
              "address_id": customer.addresses.all()[0].pk,
              "shipping_method_id": shipping_method_id, "remark": remark}
    try:
        with transaction.atomic():
            return checkout.order_place(payment_method=method, **values).order
    except FinanceError:
        return checkout.order_place(payment_method=PaymentMethod.TRANSFER, **values).order


def _pay_for_review(order, admin, moment):
    """An order past finance review was paid (or is on credit): the transfer the dealer
    made a day after ordering, confirmed by finance."""
    if order.payment_status == OrderPaymentStatus.PAID or order.payment_method == \
            PaymentMethod.CREDIT:
        return
    with posting_at(moment + timedelta(days=1)):
        payment = payments.payment_record(
            actor=None, customer=order.customer, amount=order.total - order.amount_paid,
            paid_on=(moment + timedelta(days=1)).date(), order_ids=[order.pk],
            reference=f"BANK-{order.number}")
        payments.payment_confirm(actor=None, payment=payment)
    order.refresh_from_db()


def _line(pk, minimum, multiple, units, rng):
    """A demo order line: usually in the base unit, one in three in a larger unit (a
    case) when the variant has one that fits its minimum and multiple."""
    fitting = [(unit, factor) for unit, factor in units
               if factor % multiple == 0 and factor >= minimum]
    if fitting and rng.random() < 1 / 3:
        unit, _factor = rng.choice(fitting)
        return {"variant": pk, "unit": unit, "quantity": rng.randint(1, 3)}
    return {"variant": pk, "quantity": minimum * rng.randint(1, 3)
            if multiple == 1 else multiple * rng.randint(1, 3)}


def _advance(order, fate, admin, login, carriers, rng, moment):
    if fate == OrderStatus.ORDER_REVIEW:
        if rng.random() < 0.3:
            line = order.lines.first()
            amendments.order_amend(actor=admin, order=order, changes={
                str(line.pk): {"quantity": line.quantity + 1}},
                reason="Customer asked for one more by phone")
        return
    if fate == OrderStatus.CANCELLED:
        workflow.transition(order=order, action=workflow.CANCEL, actor=login.user,
                            reason="Ordered by mistake")
        return
    if fate == OrderStatus.REJECTED:
        workflow.transition(order=order, action=workflow.REJECT, actor=admin,
                            reason="Credit limit reached; please pay the open invoices first")
        return
    for step in workflow.REVIEW_STEPS:
        if fate == step:
            return
        if step == OrderStatus.FINANCE_REVIEW:
            _pay_for_review(order, admin, moment)
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=admin)
    if fate == OrderStatus.SHIPPING:
        return
    lines = list(order.lines.all())
    carrier = rng.choice(carriers)
    if fate == "partial":
        shipments.shipment_create(actor=admin, order=order, carrier_id=carrier.pk,
                                  tracking_number=f"SF{rng.randint(10**9, 10**10)}",
                                  quantities={lines[0].pk: max(1, lines[0].base_quantity // 2)})
        return
    shipments.shipment_create(actor=admin, order=order, carrier_id=carrier.pk,
                              tracking_number=f"SF{rng.randint(10**9, 10**10)}",
                              quantities={line.pk: line.base_quantity for line in lines})
    if fate == OrderStatus.COMPLETED:
        shipments.receipt_confirm(actor=login.user, order=order)


def _backdate(order, moment):
    """Move the order's timeline back to ``moment`` (events a few hours apart)."""
    Order.objects.filter(pk=order.pk).update(created_at=moment)
    for step, event in enumerate(OrderEvent.objects.filter(order=order).order_by("id")):
        OrderEvent.objects.filter(pk=event.pk).update(created_at=moment + timedelta(hours=3 * step))
    shipped = Shipment.objects.filter(order=order)
    if shipped.exists():
        shipped.update(created_at=moment + timedelta(days=1),
                       shipped_on=(moment + timedelta(days=1)).date())
        Order.objects.filter(pk=order.pk).update(shipped_at=moment + timedelta(days=1))
