"""Shapes of the catalog API (staff). Input serializers only parse (types, lengths, ids
that must exist); ordering.catalog.services decide everything else. Output serializers
present what ordering.catalog.selectors read (prefetched: no query per row)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import CleanTextSerializer
from ordering.catalog.enums import MovementKind, StockState
from ordering.catalog.models import Category
from ordering.customers.api.serializers import LevelField

MONEY = {"max_digits": 14, "decimal_places": 2}


# --- references --------------------------------------------------------------------


class RefSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()

    class Meta:
        ref_name = "CatalogRef"


class CategoryField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("No such category."),
        "incorrect_type": _("Give the category's id (a number)."),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=Category.objects.all(), **kwargs)


# --- output ------------------------------------------------------------------------


class ImageSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    position = serializers.IntegerField()

    class Meta:
        ref_name = "ProductImage"

    def get_url(self, image) -> str:
        return image.image.url

    def get_thumbnail_url(self, image) -> str:
        return image.thumbnail_url


class SpecSerializer(CleanTextSerializer):
    attribute = serializers.CharField(source="attribute.name")
    value = serializers.CharField()

    class Meta:
        ref_name = "VariantSpec"


class VariantUnitSerializer(CleanTextSerializer):
    unit = serializers.CharField(source="unit.name")
    factor = serializers.IntegerField(help_text="Base units in one of this unit.")

    class Meta:
        ref_name = "VariantUnit"


class LevelPriceSerializer(CleanTextSerializer):
    level = RefSerializer()
    price = serializers.DecimalField(**MONEY, allow_null=True)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True,
                                       help_text="% of the list price.")

    class Meta:
        ref_name = "LevelPrice"


class CustomerRefSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "CatalogCustomerRef"


class CustomerPriceSerializer(CleanTextSerializer):
    customer = CustomerRefSerializer()
    price = serializers.DecimalField(**MONEY)

    class Meta:
        ref_name = "CustomerPrice"


class QuantityBreakSerializer(CleanTextSerializer):
    min_quantity = serializers.IntegerField()
    price = serializers.DecimalField(**MONEY, allow_null=True)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2,
                                                allow_null=True)

    class Meta:
        ref_name = "QuantityBreak"


class StockSerializer(CleanTextSerializer):
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()
    state = serializers.ChoiceField(choices=StockState.choices)

    class Meta:
        ref_name = "VariantStock"


class VariantSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    barcode = serializers.CharField()
    specs = SpecSerializer(many=True, source="spec_values.all")
    weight = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)
    list_price = serializers.DecimalField(**MONEY)
    image = serializers.IntegerField(source="image_id", allow_null=True)
    min_quantity = serializers.IntegerField()
    order_multiple = serializers.IntegerField()
    is_active = serializers.BooleanField()
    position = serializers.IntegerField()
    units = VariantUnitSerializer(many=True, source="units.all")
    stock = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Variant"

    @extend_schema_field(StockSerializer)
    def get_stock(self, variant):
        from ordering.catalog.selectors import stock_state

        return {"on_hand": variant.on_hand, "reserved": variant.reserved,
                "available": variant.available, "state": stock_state(variant.available)}


class VariantWithPricesSerializer(VariantSerializer):
    level_prices = LevelPriceSerializer(many=True, source="level_prices.all")
    customer_prices = CustomerPriceSerializer(
        many=True, source="customer_prices.all",
        help_text="Special prices of the customers you may see.")
    quantity_breaks = QuantityBreakSerializer(many=True, source="breaks")

    class Meta:
        ref_name = "VariantWithPrices"


class ProductListItemSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    category = RefSerializer(allow_null=True)
    brand = RefSerializer(allow_null=True)
    unit = RefSerializer()
    tags = serializers.ListField(child=serializers.CharField())
    on_shelf = serializers.BooleanField()
    position = serializers.IntegerField()
    variant_count = serializers.IntegerField()
    min_price = serializers.DecimalField(**MONEY, allow_null=True,
                                         help_text="Lowest list price of the active variants.")
    max_price = serializers.DecimalField(**MONEY, allow_null=True)
    available = serializers.IntegerField(help_text="Available stock of the active variants.")
    stock_state = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ProductListItem"

    def get_stock_state(self, product) -> str:
        from ordering.catalog.selectors import stock_state

        return stock_state(product.available)

    def get_thumbnail_url(self, product) -> str | None:
        images = product.ordered_images
        return images[0].thumbnail_url if images else None


class ProductDetailSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    category = RefSerializer(allow_null=True)
    brand = RefSerializer(allow_null=True)
    unit = RefSerializer()
    tags = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField(help_text="Sanitised HTML.")
    on_shelf = serializers.BooleanField()
    levels = RefSerializer(many=True, source="levels.all",
                           help_text="Customer levels that see the product (empty: all).")
    position = serializers.IntegerField()
    images = ImageSerializer(many=True, source="ordered_images")
    variants = VariantWithPricesSerializer(many=True, source="ordered_variants")
    quantity_breaks = QuantityBreakSerializer(many=True, source="product_breaks",
                                              help_text="Breaks for every variant (a "
                                                        "variant's own breaks win).")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ProductDetail"


class StockMovementSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MovementKind.choices)
    on_hand_change = serializers.IntegerField()
    reserved_change = serializers.IntegerField()
    on_hand_after = serializers.IntegerField()
    reserved_after = serializers.IntegerField()
    reason = serializers.CharField()
    reference = serializers.CharField()
    actor = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "StockMovement"

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_actor(self, movement):
        if movement.actor is None:
            return None
        return {"id": movement.actor.pk, "name": movement.actor.name or movement.actor.email}


class CategorySerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    position = serializers.IntegerField()
    depth = serializers.IntegerField()
    product_count = serializers.IntegerField(help_text="Products directly in it.")

    class Meta:
        ref_name = "Category"


class BrandSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    product_count = serializers.IntegerField(required=False)

    class Meta:
        ref_name = "Brand"


class UnitSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()

    class Meta:
        ref_name = "Unit"


# --- input -------------------------------------------------------------------------


class SpecInputSerializer(CleanTextSerializer):
    attribute = serializers.CharField(max_length=40)
    value = serializers.CharField(max_length=40)

    class Meta:
        ref_name = "VariantSpecInput"


class UnitInputSerializer(CleanTextSerializer):
    unit = serializers.CharField(max_length=20, help_text="Unit name (created if new).")
    factor = serializers.IntegerField(min_value=2, max_value=1000000)

    class Meta:
        ref_name = "VariantUnitInput"


class VariantInputSerializer(CleanTextSerializer):
    code = serializers.CharField(max_length=40)
    barcode = serializers.CharField(max_length=40, required=False, allow_blank=True)
    specs = SpecInputSerializer(many=True, required=False)
    weight = serializers.DecimalField(max_digits=10, decimal_places=3, min_value=0,
                                      required=False, allow_null=True)
    list_price = serializers.DecimalField(**MONEY, min_value=0)
    image = serializers.IntegerField(required=False, allow_null=True,
                                     help_text="Id of one of the product's images.")
    min_quantity = serializers.IntegerField(min_value=1, max_value=1000000, required=False)
    order_multiple = serializers.IntegerField(min_value=1, max_value=1000000, required=False)
    is_active = serializers.BooleanField(required=False)
    units = UnitInputSerializer(many=True, required=False,
                                help_text="Larger units (replace the current ones).")

    class Meta:
        ref_name = "VariantInput"

    def validate_specs(self, specs):
        names = [row["attribute"].strip().lower() for row in specs]
        if len(set(names)) != len(names):
            raise serializers.ValidationError(_("Give each specification once."))
        return specs


class ProductInputSerializer(CleanTextSerializer):
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=40)
    category = CategoryField(required=False, allow_null=True)
    brand = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                  allow_null=True, help_text="Brand name (created if new).")
    unit = serializers.CharField(max_length=20, help_text="Base unit name (created if new).")
    tags = serializers.ListField(child=serializers.CharField(max_length=30), required=False,
                                 max_length=30)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True,
                                        help_text="HTML; sanitised on save.")
    on_shelf = serializers.BooleanField(required=False)
    position = serializers.IntegerField(required=False, min_value=-100000, max_value=100000)
    levels = serializers.ListField(child=LevelField(), required=False,
                                   help_text="Customer level ids that see it (empty: all).")

    class Meta:
        ref_name = "ProductInput"


class ProductCreateSerializer(ProductInputSerializer):
    variants = VariantInputSerializer(many=True, required=False, max_length=400)

    class Meta:
        ref_name = "ProductCreate"


class StockMovementInputSerializer(CleanTextSerializer):
    kind = serializers.ChoiceField(choices=[MovementKind.ADJUSTMENT, MovementKind.RECEIPT])
    quantity = serializers.IntegerField(
        min_value=-10000000, max_value=10000000,
        help_text="Adjustment: a signed change of on-hand stock (12 or -3). Receipt: the "
                  "quantity received (above zero). In base units.")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                   help_text="Required for adjustments.")
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)

    class Meta:
        ref_name = "StockMovementInput"


class CategoryInputSerializer(CleanTextSerializer):
    name = serializers.CharField(max_length=80)
    parent = CategoryField(required=False, allow_null=True)
    position = serializers.IntegerField(required=False, min_value=0, max_value=100000)

    class Meta:
        ref_name = "CategoryInput"


class NameInputSerializer(CleanTextSerializer):
    name = serializers.CharField(max_length=80)

    class Meta:
        ref_name = "CatalogNameInput"


class ImageUploadSerializer(CleanTextSerializer):
    images = serializers.ListField(child=serializers.FileField(), allow_empty=False,
                                   max_length=20,
                                   help_text="JPEG, PNG or WebP, at most 5 MB each.")

    class Meta:
        ref_name = "ProductImageUpload"
