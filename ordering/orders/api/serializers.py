"""Orders over the API: what goes in and what comes out."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import CleanTextSerializer
from ordering.orders import workflow
from ordering.orders.enums import PaymentMethod, RefundMethod, ReturnCondition

MONEY = {"max_digits": 14, "decimal_places": 2}


# --- input -------------------------------------------------------------------------------


class LineInputSerializer(CleanTextSerializer):
    variant = serializers.IntegerField(help_text=_("Variant (SKU) id."))
    unit = serializers.IntegerField(required=False, allow_null=True,
                                    help_text=_("Sales unit id; empty for the base unit."))
    quantity = serializers.IntegerField(min_value=1, max_value=999_999,
                                        help_text=_("In the unit given."))


class OrderDetailsSerializer(CleanTextSerializer):
    address = serializers.IntegerField(help_text=_("The customer's shipping address id."))
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    shipping_method = serializers.IntegerField(required=False, allow_null=True)
    delivery_date = serializers.DateField(required=False, allow_null=True)
    remark = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    use_rebate = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Pay part with the customer's rebate balance (up to the supplier's share "
                    "of the goods)."))


class OrderCreateSerializer(OrderDetailsSerializer):
    customer = serializers.IntegerField(required=False,
                                        help_text=_("Staff ordering on a dealer's behalf."))
    lines = LineInputSerializer(many=True, allow_empty=False)


class CartAddSerializer(CleanTextSerializer):
    lines = LineInputSerializer(many=True, allow_empty=False)


class CartLineUpdateSerializer(CleanTextSerializer):
    quantity = serializers.IntegerField(min_value=1, max_value=999_999)
    unit = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                 help_text=_('Sales unit id, or "base".'))


class QuickOrderSerializer(CleanTextSerializer):
    text = serializers.CharField(max_length=50_000,
                                 help_text=_("Lines of “SKU code, quantity[, unit]”."))


class ReasonSerializer(CleanTextSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class LineChangeSerializer(CleanTextSerializer):
    line = serializers.IntegerField()
    quantity = serializers.IntegerField(required=False, min_value=1, max_value=999_999)
    unit_price = serializers.DecimalField(required=False, **MONEY)
    price_reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class AmendSerializer(CleanTextSerializer):
    changes = LineChangeSerializer(many=True, required=False)
    remove = serializers.ListField(child=serializers.IntegerField(), required=False)
    add = LineInputSerializer(many=True, required=False)
    shipping_fee = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class ShipmentInputSerializer(CleanTextSerializer):
    quantities = serializers.DictField(child=serializers.IntegerField(min_value=0),
                                       help_text=_("Order line id → base units to ship."))
    carrier = serializers.IntegerField(required=False, allow_null=True)
    tracking_number = serializers.CharField(required=False, allow_blank=True, max_length=60)
    shipped_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


# --- output ------------------------------------------------------------------------------


class OrderLineSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    variant = serializers.IntegerField(source="variant_id")
    sku_code = serializers.CharField()
    product_name = serializers.CharField()
    spec_label = serializers.CharField()
    unit_name = serializers.CharField()
    factor = serializers.IntegerField()
    quantity = serializers.IntegerField()
    base_quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(**MONEY)
    line_total = serializers.DecimalField(**MONEY)
    price_note = serializers.CharField()
    price_pending = serializers.BooleanField()
    shipped_quantity = serializers.IntegerField()
    returned_quantity = serializers.IntegerField()


class OrderEventSerializer(CleanTextSerializer):
    kind = serializers.CharField()
    step = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.SerializerMethodField()
    reason = serializers.CharField()
    data = serializers.JSONField()
    created_at = serializers.DateTimeField()

    def get_actor(self, event) -> str:
        return (event.actor.name or event.actor.email) if event.actor_id else ""


class ShipmentLineSerializer(CleanTextSerializer):
    line = serializers.IntegerField(source="order_line_id")
    quantity = serializers.IntegerField()


class ShipmentSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    carrier = serializers.CharField(source="carrier_name")
    tracking_number = serializers.CharField()
    tracking_link = serializers.CharField()
    shipped_on = serializers.DateField()
    note = serializers.CharField()
    lines = ShipmentLineSerializer(many=True)


class OrderListItemSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.name")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    fulfilment_status = serializers.CharField()
    payment_status = serializers.CharField()
    on_behalf = serializers.BooleanField()
    awaiting_dealer = serializers.BooleanField()
    subtotal = serializers.DecimalField(**MONEY)
    shipping_fee = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    line_count = serializers.IntegerField(required=False)
    created_at = serializers.DateTimeField()


class OrderDetailSerializer(OrderListItemSerializer):
    recipient = serializers.CharField()
    phone = serializers.CharField()
    region_name = serializers.CharField()
    address = serializers.CharField()
    postal_code = serializers.CharField()
    delivery_date = serializers.DateField(allow_null=True)
    shipping_method = serializers.CharField(source="shipping_method_name")
    payment_method = serializers.CharField()
    amount_paid = serializers.DecimalField(**MONEY)
    rebate_used = serializers.DecimalField(**MONEY)
    due_on = serializers.DateField(allow_null=True)
    credit_hold = serializers.BooleanField()
    remark = serializers.CharField()
    lines = OrderLineSerializer(many=True)
    events = OrderEventSerializer(many=True)
    shipments = ShipmentSerializer(many=True)
    steps = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    def get_steps(self, order) -> list[str]:
        return [step.status for step in workflow.steps_on()]

    def get_actions(self, order) -> list[str]:
        request = self.context.get("request")
        return workflow.allowed_actions(order, request.user) if request else []


class CartLineSerializer(CleanTextSerializer):
    id = serializers.IntegerField(source="key")
    variant = serializers.IntegerField(source="variant.pk")
    sku_code = serializers.CharField(source="variant.code")
    name = serializers.CharField(source="label")
    unit = serializers.SerializerMethodField()
    unit_name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    price_note = serializers.SerializerMethodField()
    problem = serializers.CharField()

    def get_unit(self, line) -> int | None:
        return line.unit.pk if line.unit else None

    def get_price_note(self, line) -> str:
        return "; ".join(map(str, line.price.dealer_explanation)) if line.price else ""


class CartSerializer(CleanTextSerializer):
    lines = CartLineSerializer(many=True)
    unavailable = serializers.SerializerMethodField()
    subtotal = serializers.DecimalField(**MONEY)
    ok = serializers.BooleanField()

    def get_unavailable(self, cart) -> list[dict]:
        return [{"id": key, "message": str(message)} for key, message in cart.unavailable]


class ShippingMethodSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    fee = serializers.DecimalField(**MONEY)


class CarrierSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tracking_url = serializers.CharField()


class QuickOrderErrorSerializer(CleanTextSerializer):
    row = serializers.IntegerField()
    message = serializers.CharField()


class QuickOrderResultSerializer(CartSerializer):
    added = serializers.IntegerField()
    errors = QuickOrderErrorSerializer(many=True)


class ReturnLineSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    order_line = serializers.IntegerField(source="order_line_id")
    sku_code = serializers.CharField(source="order_line.sku_code")
    product_name = serializers.CharField(source="order_line.product_name")
    quantity = serializers.IntegerField()
    received_quantity = serializers.IntegerField()
    condition = serializers.CharField()
    unit_price = serializers.DecimalField(**MONEY)


class ReturnEventSerializer(CleanTextSerializer):
    status = serializers.CharField()
    actor = serializers.SerializerMethodField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_actor(self, event) -> str:
        return (event.actor.name or event.actor.email) if event.actor_id else ""


class ReturnSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    order = serializers.IntegerField(source="order_id")
    order_number = serializers.CharField(source="order.number")
    customer = serializers.IntegerField(source="customer_id")
    status = serializers.CharField()
    reason = serializers.CharField()
    refund_amount = serializers.DecimalField(**MONEY)
    refund_method = serializers.CharField()
    lines = ReturnLineSerializer(many=True)
    events = ReturnEventSerializer(many=True)
    created_at = serializers.DateTimeField()


class ReturnRequestSerializer(CleanTextSerializer):
    quantities = serializers.DictField(child=serializers.IntegerField(min_value=0),
                                       help_text=_("Order line id → base units to return."))
    reason = serializers.CharField(max_length=2000)


class ReturnReceiveLineSerializer(CleanTextSerializer):
    line = serializers.IntegerField(help_text=_("Return line id."))
    quantity = serializers.IntegerField(min_value=0)
    condition = serializers.ChoiceField(choices=ReturnCondition.choices)


class ReturnReceiveSerializer(CleanTextSerializer):
    lines = ReturnReceiveLineSerializer(many=True)


class ReturnRefundSerializer(CleanTextSerializer):
    amount = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    method = serializers.ChoiceField(choices=RefundMethod.choices, default=RefundMethod.RECORDED)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=60)


class MessageSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    from_dealer = serializers.BooleanField()
    author = serializers.SerializerMethodField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_author(self, message) -> str:
        return (message.author.name or message.author.email) if message.author_id else ""


class MessageInputSerializer(CleanTextSerializer):
    body = serializers.CharField(max_length=2000)
