"""The quotations demo (issue 15 item 7): the loader, run into the test tenant with the
demo's earlier loaders cut down to size, leaves inquiries in every working state with
versions, free-text lines mapped and declined, tiers, and an order at the quoted
prices; running it again adds nothing."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F

from demo import suppliers
from demo.loaders import catalog, customers, orders, quotes, supplier_load
from ordering.orders.enums import OrderStatus
from ordering.orders.models import Order
from ordering.quotes import documents, selectors, totals, workflow
from ordering.quotes.enums import DealerStatus, InquiryStatus, RoundStatus
from ordering.quotes.models import Counter, Inquiry, InquiryEvent, Quotation, QuotationLine

SPEC = {"slug": "acme", "name": "Acme Beverages", "language": "en",
        "owner": ("owner@acme.example", "Alice Chen"),
        "dealer": ("dealer@acme.example", "Riverside Trading Co.")}


@pytest.fixture
def loaded(in_acme, monkeypatch):
    monkeypatch.setattr(customers, "CUSTOMERS_PER_SUPPLIER", 6)
    monkeypatch.setattr(catalog, "BEVERAGES", {"Juice": ["Orange"], "Water": ["Spring Water"]})
    monkeypatch.setattr(orders, "ORDERS", 3)
    monkeypatch.setattr(orders, "FATES", [(OrderStatus.ORDER_REVIEW, 1)])
    supplier_load(SPEC, only=("regions", "staff", "customers", "catalog", "orders"))
    before = Order.objects.count()
    assert quotes.load(SPEC) == len(quotes.STORIES)
    return before


def test_the_demo_has_inquiries_in_every_state_with_versions(loaded):
    inquiries = Inquiry.objects.all()
    assert inquiries.count() == len(quotes.STORIES) >= 12
    assert set(inquiries.values_list("status", flat=True)) == set(InquiryStatus.values)
    rounds = set(Quotation.objects.values_list("status", flat=True))
    assert rounds == set(RoundStatus.values) - {RoundStatus.WITHDRAWN}
    assert Inquiry.objects.filter(status=InquiryStatus.IN_PROGRESS,
                                  assigned_to__isnull=False).exists()
    assert Counter.objects.exists()
    # re-quoted after a counter-offer: the second version differs from the first
    requoted = Inquiry.objects.filter(status=InquiryStatus.QUOTED, quotations__version=2,
                                      quotations__status=RoundStatus.SENT,
                                      quotations__inquiry__quotations__counters__isnull=False
                                      ).distinct().get()
    v1, v2 = requoted.quotations.order_by("version")
    assert [l.unit_price for l in v1.lines.all()] != [l.unit_price for l in v2.lines.all()]
    # expired honestly: its validity passed before today and the expiry service closed it
    expired = Inquiry.objects.get(status=InquiryStatus.EXPIRED)
    last = expired.quotations.get()
    assert last.status == RoundStatus.EXPIRED and last.valid_until < expired.events.get(
        action="expire").created_at.date()
    assert last.created_at.date() < last.valid_until
    # free-text lines: mapped to a product, and declined
    free = QuotationLine.objects.filter(inquiry_line__variant__isnull=True)
    assert free.filter(variant__isnull=False).exists() and free.filter(declined=True).exists()
    assert QuotationLine.objects.exclude(tiers=[]).exists()
    assert Quotation.objects.filter(shipping_fee__gt=0).exclude(payment_terms="").exists()
    # every timeline reads forwards: asked, then each step after the one before
    for inquiry in inquiries:
        moments = [e.created_at for e in inquiry.events.order_by("id")]
        assert moments == sorted(moments) and all(m >= inquiry.created_at for m in moments)
    # several customers and staff, a sales rep quoting for their own customer among them
    assert Inquiry.objects.values("customer").distinct().count() >= 4
    creators = set(Quotation.objects.values_list("created_by__groups__role__key", flat=True))
    assert {"sales_rep", "system_administrator"} <= creators
    assert Inquiry.objects.filter(customer__sales_rep__isnull=False,
                                  quotations__created_by=F("customer__sales_rep")).exists()
    # the demo dealer's shop shows every status a dealer sees
    demo = Inquiry.objects.filter(login__user__email=SPEC["dealer"][0])
    assert {workflow.dealer_status(s) for s in demo.values_list("status", flat=True)} == set(
        DealerStatus.values)
    # notes in the customers' language (the acme demo writes both)
    notes = list(Inquiry.objects.values_list("note", flat=True))
    assert all(note and any("\u4e00" <= ch <= "\u9fff" for ch in note) for note in notes)
    assert not Quotation.objects.filter(note="").exists()


def test_accepted_quotations_became_orders_at_the_quoted_prices_once(loaded):
    accepted = Inquiry.objects.filter(status=InquiryStatus.ACCEPTED)
    assert accepted.count() == 2
    assert Order.objects.count() == loaded + 2
    tiered = 0
    for inquiry in accepted:
        order = Order.objects.get(quotation__inquiry=inquiry)
        quotation = order.quotation
        assert quotation.status == RoundStatus.ACCEPTED
        quoted = {l.variant_id: l for l in quotation.lines.all() if not l.declined}
        for line in order.lines.all():
            source = quoted[line.variant_id]
            assert line.unit_price == totals.line_price(source, line.quantity)
            assert line.price_rule == "quoted"
            tiered += line.unit_price != source.unit_price
        assert order.shipping_fee == quotation.shipping_fee
    assert tiered >= 1  # a tier was chosen on one line
    assert any(Order.objects.get(quotation__inquiry=i).on_behalf for i in accepted)
    # every version prints
    tenant = connection.tenant
    for inquiry in Inquiry.objects.all():
        detail = selectors.inquiry_detail(actor=_admin(), pk=inquiry.pk)
        for quotation in detail.quotations.all():
            sheet = documents.quotation_sheet(detail, quotation, tenant=tenant)
            assert sheet["totals"] == totals.quotation_totals(quotation)
    # running the loader again adds nothing
    counts = (Inquiry.objects.count(), Quotation.objects.count(), Order.objects.count(),
              InquiryEvent.objects.count())
    assert quotes.load(SPEC) == 0
    assert (Inquiry.objects.count(), Quotation.objects.count(), Order.objects.count(),
            InquiryEvent.objects.count()) == counts


def _admin():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__role__key="system_administrator",
                                           is_active=True).order_by("pk").first()


def test_the_loader_is_registered_after_the_orders_it_needs():
    from demo import loaders

    assert loaders.LOADERS.index("quotes") > loaders.LOADERS.index("orders")
    assert loaders.LOADERS.index("quotes") > loaders.LOADERS.index("finance")


def test_a_decimal_target_price_is_kept_for_each_free_text_line():
    for lines in quotes.FREE_TEXT.values():
        assert all(Decimal(target) > 0 and len(unit) <= 20 and len(text) <= 200
                   for text, unit, target in lines)
    assert suppliers.SUPPLIERS[0]["slug"] in quotes.TEXTS
