"""Quotations: fourteen inquiries per supplier, in every working state and with
versions — new, in progress (assigned to the customer's sales rep), quoted, countered,
re-quoted after a counter-offer (v2 differs from v1), accepted (an order at the quoted
prices, a quantity tier chosen; one accepted by staff on the dealer's behalf),
declined, expired (and one expired then re-quoted), withdrawn — with free-text lines
(mapped to a product, or declined), quantity tiers, shipping fees, payment terms and
notes in the customers' language, spread over several customers and staff; half are
the demo dealer's, so its shop shows every dealer status.

Everything goes through ``ordering.quotes.services`` (the workflow moves every
status); only the timestamps are moved back afterwards, so each inquiry reads as a
story over the past three weeks. The expired quotation is told honestly: it was sent
with a seven-day validity three weeks ago (its send date and validity moved back
together), then the expiry service closed it. Acceptances happen now (the order and
its ledger entry are today's). Skipped when the tenant has inquiries; needs customers
with logins and addresses, staff, a catalog with stock and the shipping methods (the
``orders`` loader)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ordering.catalog.models import Variant
from ordering.customers.models import Customer
from ordering.notifications.services import muted
from ordering.orders.enums import PaymentMethod
from ordering.orders.models import ShippingMethod
from ordering.quotes import services
from ordering.quotes.models import Counter, Inquiry, InquiryEvent, Quotation

CENT = Decimal("0.01")
# (what is asked for, its unit, a target price); the first is mapped to a product, the
# second declined, the third asked for alone
FREE_TEXT = {
    "acme": [("Mineral water 500ml with our own label / 矿泉水500ml（定制标签）", "bottle", "2.80"),
             ("Paper cups 250ml, 1,000 a carton / 250ml纸杯，每箱1000只", "carton", "45.00"),
             ("Gift box of six assorted juices / 六瓶装果汁礼盒", "box", "60.00")],
    "globex": [("定制刺绣Logo工装外套", "件", "180.00"),
               ("牛皮纸购物袋（印店名）", "个", "1.50"),
               ("羊毛围巾 灰色 180×30cm", "条", "65.00")],
}
TEXTS = {
    "acme": {
        "ask": "Stock for the Mid-Autumn promotion, please quote / 中秋促销备货，请报价",
        "ask_urgent": "Urgent: our shop opens next month / 新店下月开业，请尽快报价",
        "terms": "30 days after delivery / 货到30天付款",
        "terms_prepaid": "Payment before shipment / 款到发货",
        "note": "Prices include 13% VAT; shipped within 7 days of the order / "
                "含13%增值税，下单后7天内发货",
        "note_v2": "Revised after your counter-offer: best price for this volume / "
                   "根据贵司还价调整，此数量下的最优价格",
        "counter": "A competitor offers 5% less; can you match it? / 同行报价低5%，能否跟进？",
        "counter_qty": "We would take more at a better price / 价格合适可以多订",
        "decline": "Above our budget this season / 超出本季预算",
        "withdraw": "The promotion was cancelled / 促销活动取消，暂不需要",
    },
    "globex": {
        "ask": "秋冬季备货，请尽快报价，谢谢",
        "ask_urgent": "新店下月开业，急需，请优先报价",
        "terms": "月结30天",
        "terms_prepaid": "款到发货",
        "note": "含13%增值税，大货下单后7天内发出；量大可再议",
        "note_v2": "已根据贵司还价调整，此数量下为最优价格",
        "counter": "同行报价低5%，能否再让一点？",
        "counter_qty": "价格合适可以多订",
        "decline": "价格超出本季预算",
        "withdraw": "客户活动取消，暂不需要",
    },
}
# what becomes of each inquiry, in the order they are asked (oldest first), and whose it
# is: the demo dealer's company (its shop shows every dealer status) or another customer
DEMO, OTHER = "demo", "other"
STORIES = (("expired", OTHER), ("declined", DEMO), ("expired_requoted", DEMO),
           ("withdrawn", OTHER), ("declined", OTHER), ("requoted", OTHER),
           ("countered", DEMO), ("quoted_unmapped", OTHER), ("accepted", DEMO),
           ("accepted_on_behalf", OTHER), ("quoted", DEMO), ("in_progress", OTHER),
           ("new", DEMO), ("new_free_text", OTHER))
# the product a free-text line is matched to: the first whose name has one of these
MATCH = {"acme": ("Mineral Water 500ml", "Water"), "globex": ("夹克", "外套")}
DAYS_AGO = 21


def load(supplier):
    """Ask, assign, quote, counter, re-quote, accept, decline, expire and withdraw the
    supplier's demo inquiries; returns how many were made."""
    if Inquiry.objects.exists():
        return 0
    slug = supplier["slug"]
    customers = [c for c in Customer.objects.filter(status="active").select_related(
        "sales_rep").prefetch_related("addresses", "logins__user").order_by("pk")
        if c.addresses.all() and any(l.is_primary and l.can_order for l in c.logins.all())]
    variants = list(Variant.objects.filter(
        is_active=True, product__on_shelf=True, product__levels__isnull=True,
        on_hand__gte=1000).select_related("product").order_by("pk"))
    shipping = ShippingMethod.objects.order_by("position", "pk").first()
    admin = get_user_model().objects.filter(groups__role__key="system_administrator",
                                            is_active=True).order_by("pk").first()
    if not customers or len(variants) < 4 or shipping is None or admin is None:
        return 0
    demo = next((c for c in customers if any(
        l.user.email == supplier["dealer"][0] for l in c.logins.all())), customers[0])
    world = _World(slug, [c for c in customers if c != demo] or [demo], variants, shipping,
                   admin)
    with muted(), transaction.atomic():
        for index, (story, whose) in enumerate(STORIES):
            getattr(world, story)(index, demo if whose == DEMO else world.other())
    return len(STORIES)


class _Timeline:
    """Moves what the services just wrote for one inquiry (its events, versions and
    counter-offers) to the moment it happens in the story."""

    def __init__(self, inquiry, start):
        self.inquiry, self.moment = inquiry, start
        self.seen = {InquiryEvent: 0, Quotation: 0, Counter: 0}
        Inquiry.objects.filter(pk=inquiry.pk).update(created_at=start)

    def after(self, hours):
        self.moment += timedelta(hours=hours)
        filters = {InquiryEvent: {"inquiry": self.inquiry}, Quotation: {"inquiry": self.inquiry},
                   Counter: {"quotation__inquiry": self.inquiry}}
        for model, where in filters.items():
            made = model.objects.filter(pk__gt=self.seen[model], **where)
            last = made.order_by("-pk").values_list("pk", flat=True).first()
            if last is not None:
                made.update(created_at=self.moment)
                self.seen[model] = last
        return self.moment


class _World:
    def __init__(self, slug, others, variants, shipping, admin):
        self.slug, self.others, self.variants = slug, others, variants
        self.shipping, self.admin = shipping, admin
        self.rng = random.Random(f"quotes-{slug}")
        self.texts, self.free_text = TEXTS[slug], FREE_TEXT[slug]
        self.now = timezone.now()
        self.turn = 0

    # --- the people ------------------------------------------------------------------

    def other(self):
        """The next of the other customers, in turn."""
        self.turn += 1
        return self.others[(self.turn - 1) % len(self.others)]

    def dealer(self, customer):
        return next(l for l in customer.logins.all() if l.is_primary and l.can_order).user

    def staff(self, customer):
        """Who quotes: the customer's sales rep, else the administrator."""
        return customer.sales_rep if customer.sales_rep_id else self.admin

    # --- the lines -------------------------------------------------------------------

    def catalog_lines(self, count):
        """``count`` catalog lines at quantities the variants may be ordered in."""
        lines = []
        for variant in self.rng.sample(self.variants, count):
            step = variant.order_multiple
            base = max(variant.min_quantity, step)
            base += (-base) % step
            lines.append({"variant": variant.pk, "quantity": base * self.rng.choice((10, 20))})
        return lines

    def free_lines(self, *which):
        return [{"description": self.free_text[i][0], "unit_text": self.free_text[i][1],
                 "target_price": self.free_text[i][2],
                 "quantity": self.rng.choice((50, 100, 200))} for i in which]

    def ask(self, index, customer, lines, *, urgent=False):
        start = self.now - timedelta(days=DAYS_AGO - index * 1.5, hours=self.rng.randint(0, 5))
        inquiry = services.inquiry_create(
            actor=self.dealer(customer), lines=lines,
            delivery_date=timezone.localdate() + timedelta(days=self.rng.randint(20, 40)),
            note=self.texts["ask_urgent" if urgent else "ask"])
        return inquiry, _Timeline(inquiry, start)

    def prices(self, inquiry, *, cut=Decimal("0.92"), tiers=True, map_to=None,
               decline_text=False):
        """A quotation's lines: catalog lines a little under list price (the first with
        two quantity tiers); the first free-text line mapped to ``map_to`` when given,
        the others declined when ``decline_text``, else priced (still to be mapped)."""
        made, tiered, mapped = [], not tiers, map_to is None
        for line in inquiry.lines.select_related("variant"):
            if line.variant_id:
                price = (line.variant.list_price * cut).quantize(CENT)
                row = {"inquiry_line": line.pk, "unit_price": str(price)}
                if not tiered:
                    row["tiers"] = [{"min_qty": line.quantity * times,
                                     "price": str((price * off).quantize(CENT))}
                                    for times, off in ((2, Decimal("0.96")),
                                                       (5, Decimal("0.92")))]
                    tiered = True
                made.append(row)
            elif not mapped:
                made.append({"inquiry_line": line.pk, "variant": map_to.pk,
                             "unit_price": str((line.target_price * Decimal("1.05"))
                                               .quantize(CENT))})
                mapped = True
            elif decline_text:
                made.append({"inquiry_line": line.pk, "declined": True})
            else:
                made.append({"inquiry_line": line.pk, "unit_price": str(
                    (line.target_price * Decimal("1.05")).quantize(CENT))})
        return made

    def send(self, inquiry, staff, lines, *, days=14, terms="terms", note="note", fee="30.00"):
        return services.quotation_send(
            actor=staff, inquiry=inquiry, lines=lines,
            valid_until=timezone.localdate() + timedelta(days=days), shipping_fee=fee,
            payment_terms=self.texts[terms], note=self.texts[note])

    def spare_variant(self, lines):
        """The product a free-text line is matched to: one named like it (``MATCH``),
        not already a line of the inquiry."""
        taken = {line["variant"] for line in lines if "variant" in line}
        free = [v for v in self.variants if v.pk not in taken]
        for word in MATCH[self.slug]:
            named = [v for v in free if word.lower() in v.product.name.lower()]
            if named:
                return named[0]
        return free[0]

    def counter(self, inquiry, dealer, *, quantity=False):
        version = inquiry.quotations.order_by("-version").first()
        first = version.lines.filter(declined=False).order_by("position").first()
        wanted = {"line": first.pk, "comment": self.texts["counter"],
                  "wanted_price": str((first.unit_price * Decimal("0.95")).quantize(CENT))}
        if quantity:
            wanted["wanted_quantity"] = first.quantity * 2
            wanted["comment"] = self.texts["counter_qty"]
        return services.quotation_counter(actor=dealer, inquiry=inquiry, counters=[wanted])

    # --- the stories -----------------------------------------------------------------

    def new(self, index, customer):
        lines = self.catalog_lines(2) + self.free_lines(2)
        self.ask(index, customer, lines)

    def new_free_text(self, index, customer):
        self.ask(index, customer, self.free_lines(0, 2), urgent=True)

    def in_progress(self, index, customer):
        inquiry, clock = self.ask(index, customer, self.catalog_lines(3))
        services.inquiry_assign(actor=self.admin, inquiry=inquiry, assignee=self.staff(customer))
        clock.after(3)

    def quoted(self, index, customer):
        lines = self.catalog_lines(2) + self.free_lines(0, 1)
        inquiry, clock = self.ask(index, customer, lines)
        staff = self.staff(customer)
        services.inquiry_assign(actor=self.admin, inquiry=inquiry, assignee=staff)
        clock.after(2)
        self.send(inquiry, staff, self.prices(inquiry, map_to=self.spare_variant(lines),
                                              decline_text=True))
        clock.after(20)

    def quoted_unmapped(self, index, customer):
        """Quoted, the free-text line priced but not yet matched to a product: the dealer
        cannot accept it until a new version maps it or declines it."""
        lines = self.catalog_lines(1) + self.free_lines(2)
        inquiry, clock = self.ask(index, customer, lines)
        self.send(inquiry, self.staff(customer), self.prices(inquiry, tiers=False),
                  terms="terms_prepaid", fee="0.00")
        clock.after(26)

    def countered(self, index, customer):
        inquiry, clock = self.ask(index, customer, self.catalog_lines(3))
        self.send(inquiry, self.staff(customer), self.prices(inquiry))
        clock.after(24)
        self.counter(inquiry, self.dealer(customer), quantity=True)
        clock.after(30)

    def requoted(self, index, customer):
        """v1, a counter-offer on the first line, v2 a lower price and the free-text
        line declined this time."""
        lines = self.catalog_lines(2) + self.free_lines(0)
        inquiry, clock = self.ask(index, customer, lines)
        staff, dealer = self.staff(customer), self.dealer(customer)
        mapped = self.spare_variant(lines)
        self.send(inquiry, staff, self.prices(inquiry, map_to=mapped))
        clock.after(22)
        self.counter(inquiry, dealer)
        clock.after(18)
        self.send(inquiry, staff, self.prices(inquiry, cut=Decimal("0.89"), decline_text=True),
                  note="note_v2")
        clock.after(5)

    def accepted(self, index, customer):
        """v1, a counter-offer, v2; the dealer accepts v2 ordering twice the first line's
        quantity, so its first tier applies."""
        lines = self.catalog_lines(2) + self.free_lines(0, 1)
        inquiry, clock = self.ask(index, customer, lines)
        staff, dealer = self.staff(customer), self.dealer(customer)
        mapped = self.spare_variant(lines)
        self.send(inquiry, staff, self.prices(inquiry, map_to=mapped, decline_text=True))
        clock.after(20)
        self.counter(inquiry, dealer)
        clock.after(16)
        v2 = self.send(inquiry, staff, self.prices(inquiry, cut=Decimal("0.90"),
                                                   map_to=mapped, decline_text=True),
                       note="note_v2")
        clock.after(24)
        tiered = next(line for line in v2.lines.all() if line.tiers)
        self.accept(inquiry, customer, dealer, {tiered.pk: tiered.quantity * 2})

    def accepted_on_behalf(self, index, customer):
        inquiry, clock = self.ask(index, customer, self.catalog_lines(2))
        staff = self.staff(customer)
        self.send(inquiry, staff, self.prices(inquiry), terms="terms_prepaid")
        clock.after(28)
        self.accept(inquiry, customer, staff, None)

    def accept(self, inquiry, customer, actor, quantities):
        """Accepted now (the order and its ledger entry are today's)."""
        services.quotation_accept(
            actor=actor, inquiry=inquiry, address_id=customer.addresses.all()[0].pk,
            payment_method=PaymentMethod.TRANSFER, shipping_method_id=self.shipping.pk,
            quantities=quantities, idempotency_key=f"demo-{inquiry.number}")

    def declined(self, index, customer):
        inquiry, clock = self.ask(index, customer, self.catalog_lines(2) + self.free_lines(1))
        self.send(inquiry, self.staff(customer), self.prices(inquiry, decline_text=True))
        clock.after(26)
        services.quotation_decline(actor=self.dealer(customer), inquiry=inquiry,
                                   reason=self.texts["decline"])
        clock.after(40)

    def withdrawn(self, index, customer):
        inquiry, clock = self.ask(index, customer, self.catalog_lines(2))
        services.inquiry_assign(actor=self.admin, inquiry=inquiry, assignee=self.staff(customer))
        clock.after(4)
        services.inquiry_withdraw(actor=self.dealer(customer), inquiry=inquiry,
                                  reason=self.texts["withdraw"])
        clock.after(30)

    def expired(self, index, customer, *, requote=False):
        """Sent with a seven-day validity near the start of the story, then closed by
        the expiry service once that day had passed."""
        inquiry, clock = self.ask(index, customer, self.catalog_lines(2))
        staff = self.staff(customer)
        sent = self.send(inquiry, staff, self.prices(inquiry), days=0)
        moment = clock.after(6)
        Quotation.objects.filter(pk=sent.pk).update(
            valid_until=timezone.localtime(moment).date() + timedelta(days=7))
        services.quotations_expire()
        clock.after(24 * 8)
        if requote:
            self.send(inquiry, staff, self.prices(inquiry, cut=Decimal("0.94")))
            clock.after(24 * 3)

    def expired_requoted(self, index, customer):
        self.expired(index, customer, requote=True)
