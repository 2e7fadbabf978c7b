"""Inquiries and quotations over the API: what goes in and what comes out.

Inputs only check shapes (types, lengths, ranges); the services decide the rest and
refuse line by line in ``error.fields.lines``. Money goes out as strings with two
decimals, like everywhere in the API."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import CleanTextSerializer
from ordering.catalog.specs import variant_spec_label
from ordering.catalog.storefront import MAX_QUANTITY
from ordering.customers.api.serializers import NamedRefSerializer, StaffRefSerializer
from ordering.orders.api.serializers import OrderDetailsSerializer
from ordering.quotes import selectors, workflow
from ordering.quotes.services import MAX_LINES, MAX_NOTE
from ordering.quotes.tiers import MAX_TIERS

MONEY = {"max_digits": 14, "decimal_places": 2}


# --- input -------------------------------------------------------------------------------


class InquiryLineInputSerializer(CleanTextSerializer):
    """A catalog line (``variant``, ``unit``) or a free-text line (``description``,
    ``unit_text``, ``target_price``)."""

    variant = serializers.IntegerField(required=False, allow_null=True,
                                       help_text=_("Variant (SKU) id, for a catalog line."))
    unit = serializers.IntegerField(required=False, allow_null=True,
                                    help_text=_("Sales unit id; empty for the base unit."))
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                        help_text=_("What is wanted, for a free-text line."))
    unit_text = serializers.CharField(required=False, allow_blank=True, max_length=20)
    target_price = serializers.DecimalField(required=False, allow_null=True, min_value=0,
                                            **MONEY)


class InquiryDetailsSerializer(CleanTextSerializer):
    delivery_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_NOTE,
                                 default="")


class InquiryCreateSerializer(InquiryDetailsSerializer):
    lines = InquiryLineInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES)


class QuoteTierSerializer(CleanTextSerializer):
    min_qty = serializers.IntegerField(min_value=2, max_value=MAX_QUANTITY)
    price = serializers.DecimalField(min_value=0, **MONEY)


class QuoteLineInputSerializer(CleanTextSerializer):
    """The answer to one inquiry line: a price (with optional tiers), or ``declined``.
    ``variant``/``unit`` map a free-text line (or change a catalog one); left out, the
    line keeps what was asked."""

    inquiry_line = serializers.IntegerField()
    declined = serializers.BooleanField(required=False)
    unit_price = serializers.DecimalField(required=False, allow_null=True, min_value=0,
                                          **MONEY)
    tiers = QuoteTierSerializer(many=True, required=False, max_length=MAX_TIERS)
    quantity = serializers.IntegerField(required=False, min_value=1, max_value=MAX_QUANTITY)
    variant = serializers.IntegerField(required=False, allow_null=True)
    unit = serializers.IntegerField(required=False, allow_null=True)


class QuotationSendSerializer(CleanTextSerializer):
    lines = QuoteLineInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES,
                                     help_text=_("One per inquiry line."))
    valid_until = serializers.DateField()
    shipping_fee = serializers.DecimalField(required=False, min_value=0, default=Decimal("0"),
                                            **MONEY)
    payment_terms = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                          default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_NOTE,
                                 default="")


class CounterLineInputSerializer(CleanTextSerializer):
    line = serializers.IntegerField(help_text=_("Quotation line id (of the current version)."))
    wanted_price = serializers.DecimalField(required=False, allow_null=True, min_value=0,
                                            **MONEY)
    wanted_quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                               max_value=MAX_QUANTITY)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CounterInputSerializer(CleanTextSerializer):
    counters = CounterLineInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES)


class InquiryReasonSerializer(CleanTextSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class InquiryAssignSerializer(CleanTextSerializer):
    assigned_to = serializers.IntegerField(allow_null=True,
                                           help_text=_("A staff member's id; null: nobody."))


class QuotationAcceptSerializer(OrderDetailsSerializer):
    """The order's details (as at checkout), per quotation line with tiers the quantity
    wanted (default: the quoted one; the tier for it applies; a line without tiers is
    ordered at its quoted quantity) and the version accepted."""

    use_rebate = None
    quantities = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY), required=False,
        help_text=_("Quotation line id → quantity, for lines with quantity tiers."))
    version = serializers.IntegerField(
        required=False, allow_null=True, min_value=1,
        help_text=_("The version you accept (recommended): refused with 409 "
                    "quotation_changed when another version is current by now."))


# --- output ------------------------------------------------------------------------------


class QuotedVariantSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    sku_code = serializers.CharField(source="code")
    product_name = serializers.CharField(source="product.name")
    spec_label = serializers.SerializerMethodField()

    def get_spec_label(self, variant) -> str:
        return variant_spec_label(variant)


class _LineSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    variant = QuotedVariantSerializer(allow_null=True)
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    unit_name = serializers.SerializerMethodField()
    factor = serializers.SerializerMethodField()
    quantity = serializers.IntegerField()

    def get_unit_name(self, line) -> str:
        if line.unit_id:
            return line.unit.unit.name
        if line.variant_id:
            return line.variant.product.unit.name
        return getattr(line, "unit_text", "")

    def get_factor(self, line) -> int:
        return line.unit.factor if line.unit_id else 1


class InquiryLineSerializer(_LineSerializer):
    description = serializers.CharField()
    unit_text = serializers.CharField()
    target_price = serializers.DecimalField(allow_null=True, **MONEY)
    free_text = serializers.BooleanField(source="is_free_text")


class QuotationLineSerializer(_LineSerializer):
    inquiry_line = serializers.IntegerField(source="inquiry_line_id")
    declined = serializers.BooleanField()
    unit_price = serializers.DecimalField(allow_null=True, **MONEY)
    reference_price = serializers.DecimalField(
        allow_null=True, help_text=_("The price engine's price for this customer."), **MONEY)
    tiers = QuoteTierSerializer(many=True)


class CounterSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    line = serializers.IntegerField(source="line_id")
    wanted_price = serializers.DecimalField(allow_null=True, **MONEY)
    wanted_quantity = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class QuotationSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    shipping_fee = serializers.DecimalField(**MONEY)
    valid_until = serializers.DateField()
    payment_terms = serializers.CharField()
    note = serializers.CharField()
    created_by = StaffRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    lines = QuotationLineSerializer(many=True)
    counters = CounterSerializer(many=True)


class InquiryEventSerializer(CleanTextSerializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.SerializerMethodField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_actor(self, event) -> str:
        return (event.actor.name or event.actor.email) if event.actor_id else ""


class _InquirySerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    customer = NamedRefSerializer()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    assigned_to = StaffRefSerializer(allow_null=True)
    delivery_date = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()


class _DealerStatusSerializer(serializers.Serializer):
    """The dealer's simple status (submitted, quoted, needs your answer, accepted,
    closed)."""

    dealer_status = serializers.SerializerMethodField()
    dealer_status_label = serializers.SerializerMethodField()

    def get_dealer_status(self, inquiry) -> str:
        return workflow.dealer_status(inquiry.status).value

    def get_dealer_status_label(self, inquiry) -> str:
        return str(workflow.dealer_status(inquiry.status).label)


class InquiryListItemSerializer(_InquirySerializer):
    line_count = serializers.IntegerField()
    latest_version = serializers.IntegerField(allow_null=True)
    valid_until = serializers.DateField(source="latest_valid_until", allow_null=True,
                                        help_text=_("The latest version's validity date."))


class DealerInquiryListItemSerializer(_DealerStatusSerializer, InquiryListItemSerializer):
    pass


class InquiryDetailSerializer(_InquirySerializer):
    """An inquiry with its lines, every quotation version (lines, counter-offers), its
    timeline and the actions the caller may take now."""

    note = serializers.CharField()
    lines = InquiryLineSerializer(many=True)
    versions = QuotationSerializer(many=True, source="quotations")
    events = InquiryEventSerializer(many=True)
    actions = serializers.SerializerMethodField(
        help_text=_("What you may do now: assign, quote, counter, accept, decline, "
                    "withdraw."))

    def get_actions(self, inquiry) -> list[str]:
        request = self.context.get("request")
        return selectors.allowed_actions(inquiry, request.user) if request else []


class DealerInquiryDetailSerializer(_DealerStatusSerializer, InquiryDetailSerializer):
    pass


class DiffRowSerializer(CleanTextSerializer):
    inquiry_line = serializers.IntegerField()
    old = QuotationLineSerializer(allow_null=True)
    new = QuotationLineSerializer(allow_null=True)
    changes = serializers.SerializerMethodField(
        help_text=_('Each changed field → {"old", "new"} (declined, variant, unit, quantity, '
                    'unit_price, tiers); {"added": true} or {"removed": true} for a line in '
                    "one version only."))

    def get_changes(self, row) -> dict:
        return {name.removesuffix("_id"): (value if isinstance(value, bool) else
                                          {"old": _plain(value[0]), "new": _plain(value[1])})
                for name, value in row["changes"].items()}


def _plain(value):
    return f"{value:.2f}" if isinstance(value, Decimal) else value


class QuotationDiffSerializer(CleanTextSerializer):
    inquiry = serializers.IntegerField()
    older = serializers.IntegerField(help_text=_("The older version's number."))
    newer = serializers.IntegerField(help_text=_("The newer version's number."))
    lines = DiffRowSerializer(many=True)
