"""Spreadsheet columns of the catalog: products and variants (one row per variant), level
prices, customer prices and stock.

As for customers, the django-import-export resources below are the one definition of
the columns: the export, the empty import templates and the headers the import
recognises (English, Chinese, the key and the aliases) all come from them. The file
formats and the import machinery are ``ordering.spreadsheets``.
"""

import re

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from ordering.catalog.specs import ordered as ordered_specs
from ordering.spreadsheets import SheetResource, yes_no_render

KINDS = ("products", "level_prices", "customer_prices", "stock")
KIND_LABELS = {"products": _("Products and variants"), "level_prices": _("Level prices"),
               "customer_prices": _("Customer prices"), "stock": _("Stock")}
# who may import each kind (exporting needs export_data)
KIND_PERMISSIONS = {"products": "manage_catalog", "level_prices": "manage_prices",
                    "customer_prices": "manage_prices", "stock": "manage_stock"}

# "Drinks/Juice", "Drinks > Juice"
CATEGORY_SEPARATORS = re.compile(r"\s*[/／›>]\s*")
# "Colour:Red;Size:M" — and the full-width forms Chinese keyboards type
SPEC_SEPARATORS = re.compile(r"\s*[;；\n]\s*")
SPEC_PAIR = re.compile(r"\s*[:：=]\s*")
# "box=12" (also "box×12", "box*12", "box x 12")
UNIT_PAIR = re.compile(r"^(?P<name>.+?)\s*[=×*xX]\s*(?P<factor>[\d,.]+)$")


class CategoryIndex:
    """Every category in one query: the full path of each (``Drinks/Juice``) for the
    export, and path look-ups for the import."""

    def __init__(self):
        from ordering.catalog.models import Category

        self.by_pk = {category.pk: category for category in Category.objects.all()}
        self.by_parent_name = {(category.parent_id, category.name.casefold()): category
                               for category in self.by_pk.values()}

    def names(self, category_id):
        names, seen = [], set()
        category = self.by_pk.get(category_id)
        while category is not None and category.pk not in seen and len(names) < 20:
            seen.add(category.pk)
            names.append(category.name)
            category = self.by_pk.get(category.parent_id)
        return names[::-1]

    def path(self, category_id):
        return "/".join(self.names(category_id))

    def find(self, parts):
        """The category at the path ``parts`` (names from the root), or None."""
        parent = None
        for name in parts:
            category = self.by_parent_name.get((getattr(parent, "pk", None), name.casefold()))
            if category is None:
                return None
            parent = category
        return parent

    def add(self, category):
        self.by_pk[category.pk] = category
        self.by_parent_name[(category.parent_id, category.name.casefold())] = category


def split_path(text):
    return [part for part in CATEGORY_SEPARATORS.split(str(text or "").strip()) if part]


def specs_render(variant):
    """"Colour:Red;Size:M" from prefetched spec values (attribute order)."""
    return ";".join(f"{value.attribute.name}:{value.value}"
                    for value in ordered_specs(variant.spec_values.all()))


def units_render(variant):
    """"box=12;case=48" from prefetched larger units."""
    return ";".join(f"{vu.unit.name}={vu.factor}"
                    for vu in sorted(variant.units.all(), key=lambda vu: vu.factor))


def _column(attribute, label, **kwargs):
    return Field(attribute=attribute, column_name=label, **kwargs)


class _CatalogResource(SheetResource):
    """Shared by the catalog's resources: the category index, loaded once per export."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.categories = None

    @property
    def aliases(self):
        return ALIASES[self.kind]

    def before_export(self, queryset, **kwargs):
        if self.categories is None:
            self.categories = CategoryIndex()


class ProductResource(_CatalogResource):
    """One row per variant; the product's columns repeat on each of its variants."""

    kind = "products"
    key_column = "variant_code"
    required = ("product_code", "variant_code")

    product_code = _column("product__code", _("Product code"))
    product_name = _column("product__name", _("Product name"))
    category = _column("product__category_id", _("Category"))
    brand = _column("product__brand", _("Brand"))
    tags = _column("product__tags", _("Tags"))
    unit = _column("product__unit", _("Base unit"))
    on_shelf = _column("product__on_shelf", _("On shelf"))
    variant_code = _column("code", _("SKU code"))
    barcode = _column("barcode", _("Barcode"))
    specs = _column("specs", _("Specifications"))
    list_price = _column("list_price", _("List price"))
    min_quantity = _column("min_quantity", _("Minimum order quantity"))
    order_multiple = _column("order_multiple", _("Order multiple"))
    units = _column("units", _("Larger units"))
    weight = _column("weight", _("Weight (kg)"))
    is_active = _column("is_active", _("Active"))

    class Meta(SheetResource.Meta):
        export_order = ("product_code", "product_name", "category", "brand", "tags", "unit",
                        "on_shelf", "variant_code", "barcode", "specs", "list_price",
                        "min_quantity", "order_multiple", "units", "weight", "is_active")

    def dehydrate_category(self, variant):
        return self.categories.path(variant.product.category_id)

    def dehydrate_brand(self, variant):
        return variant.product.brand.name if variant.product.brand_id else ""

    def dehydrate_tags(self, variant):
        return ", ".join(variant.product.tags or [])

    def dehydrate_unit(self, variant):
        return variant.product.unit.name

    def dehydrate_on_shelf(self, variant):
        return yes_no_render(variant.product.on_shelf)

    def dehydrate_specs(self, variant):
        return specs_render(variant)

    def dehydrate_list_price(self, variant):
        return variant.list_price

    def dehydrate_min_quantity(self, variant):
        return variant.min_quantity

    def dehydrate_order_multiple(self, variant):
        return variant.order_multiple

    def dehydrate_units(self, variant):
        return units_render(variant)

    def dehydrate_weight(self, variant):
        return variant.weight

    def dehydrate_is_active(self, variant):
        return yes_no_render(variant.is_active)


class LevelPriceResource(_CatalogResource):
    kind = "level_prices"
    key_column = "variant_code"
    required = ("variant_code", "level")
    export_only = ("product_name", "specs")

    variant_code = _column("variant__code", _("SKU code"))
    product_name = _column("variant__product__name", _("Product name"))
    specs = _column("specs", _("Specifications"))
    level = _column("level__name", _("Customer level"))
    price = _column("price", _("Price"))
    percent = _column("percent", _("% of list price"))

    class Meta(SheetResource.Meta):
        export_order = ("variant_code", "product_name", "specs", "level", "price", "percent")

    def dehydrate_specs(self, level_price):
        return specs_render(level_price.variant)

    def dehydrate_price(self, level_price):
        return level_price.price

    def dehydrate_percent(self, level_price):
        return level_price.percent


class CustomerPriceResource(_CatalogResource):
    kind = "customer_prices"
    key_column = "variant_code"
    required = ("variant_code", "customer_code", "price")
    export_only = ("product_name", "specs", "customer_name")

    variant_code = _column("variant__code", _("SKU code"))
    product_name = _column("variant__product__name", _("Product name"))
    specs = _column("specs", _("Specifications"))
    customer_code = _column("customer__code", _("Customer code"))
    customer_name = _column("customer__name", _("Company name"))
    price = _column("price", _("Price"))

    class Meta(SheetResource.Meta):
        export_order = ("variant_code", "product_name", "specs", "customer_code",
                        "customer_name", "price")

    def dehydrate_specs(self, customer_price):
        return specs_render(customer_price.variant)

    def dehydrate_price(self, customer_price):
        return customer_price.price


class StockResource(_CatalogResource):
    kind = "stock"
    key_column = "variant_code"
    required = ("variant_code",)
    export_only = ("product_name", "specs", "reserved", "available")

    variant_code = _column("code", _("SKU code"))
    product_name = _column("product__name", _("Product name"))
    specs = _column("specs", _("Specifications"))
    counted = _column("on_hand", _("Counted quantity"))
    received = _column("received", _("Received quantity"))
    reserved = _column("reserved", _("Reserved"))
    available = _column("available", _("Available"))

    class Meta(SheetResource.Meta):
        export_order = ("variant_code", "product_name", "specs", "counted", "received",
                        "reserved", "available")

    def dehydrate_specs(self, variant):
        return specs_render(variant)

    def dehydrate_counted(self, variant):
        return variant.on_hand

    def dehydrate_received(self, variant):
        return ""

    def dehydrate_reserved(self, variant):
        return variant.reserved

    def dehydrate_available(self, variant):
        return variant.on_hand - variant.reserved


RESOURCES = {"products": ProductResource, "level_prices": LevelPriceResource,
             "customer_prices": CustomerPriceResource, "stock": StockResource}


def resource_for(kind):
    return RESOURCES[kind]()


# What each column takes, shown next to the upload form.
COLUMN_HELP = {
    "products": {
        "product_code": _("Groups the rows of one product. A known code updates that "
                          "product; a new one adds it."),
        "product_name": _("Required for a new product."),
        "category": _("The category's path, e.g. Drinks/Juice. Missing categories are "
                      "created."),
        "brand": _("A new brand is created."),
        "tags": _("Separated by commas."),
        "unit": _("The unit the product is counted in (bottle, piece …). Required for a new "
                  "product."),
        "on_shelf": _("Yes or no. New products: yes."),
        "variant_code": _("Matches an existing variant (any case) to update it; a new code "
                          "adds a variant."),
        "specs": _("Name:value pairs separated by semicolons, e.g. Colour:Red;Size:M."),
        "list_price": _("Required for a new variant."),
        "min_quantity": _("A whole number, at least 1."),
        "order_multiple": _("Sold in multiples of this many base units (at least 1)."),
        "units": _("Larger units and how many base units each holds, e.g. box=12;case=48."),
        "is_active": _("Yes or no. Inactive variants cannot be ordered."),
    },
    "level_prices": {
        "variant_code": _("An existing variant."),
        "product_name": _("Exported only."),
        "specs": _("Exported only."),
        "level": _("The customer level's name."),
        "price": _("A fixed price — or leave it empty and fill in the percentage."),
        "percent": _("A percentage of the list price, e.g. 85."),
    },
    "customer_prices": {
        "variant_code": _("An existing variant."),
        "product_name": _("Exported only."),
        "specs": _("Exported only."),
        "customer_code": _("A customer you may work with."),
        "customer_name": _("Exported only."),
        "price": _("The customer's special price."),
    },
    "stock": {
        "variant_code": _("An existing variant."),
        "product_name": _("Exported only."),
        "specs": _("Exported only."),
        "counted": _("A stock count: the stock on hand becomes this quantity (an adjustment "
                     "with the reason “Stock import”)."),
        "received": _("Goods received: added to the stock on hand. Fill in one of the two "
                      "quantities per row."),
        "reserved": _("Exported only."),
        "available": _("Exported only."),
    },
}

_SKU = ("sku", "sku code", "variant code", "variant", "sku编码", "sku编号", "规格编码",
        "商品规格编码", "条目编码")
_PRODUCT_NAME = ("product", "name", "商品名称", "商品名", "品名", "名称")

ALIASES = {
    "products": {
        "product_code": ("product code", "spu", "spu code", "item code", "商品编码", "商品编号",
                         "商品代码", "货号", "spu编码"),
        "product_name": _PRODUCT_NAME,
        "category": ("category path", "分类", "商品分类", "类别", "类目", "分类路径"),
        "brand": ("品牌",),
        "tags": ("tag", "标签"),
        "unit": ("unit", "base unit", "uom", "单位", "基本单位", "计量单位"),
        "on_shelf": ("on shelf", "listed", "published", "上架", "是否上架", "上架状态"),
        "variant_code": _SKU,
        "barcode": ("ean", "upc", "gtin", "条码", "条形码", "国际条码"),
        "specs": ("specification", "specs", "variant options", "options", "规格", "规格属性",
                  "规格值"),
        "list_price": ("price", "list price", "标准价", "价格", "售价", "基础价", "市场价"),
        "min_quantity": ("moq", "minimum quantity", "min qty", "起订量", "最小起订量",
                         "最低起订量"),
        "order_multiple": ("multiple", "pack size", "订购倍数", "倍数", "起订倍数"),
        "units": ("larger unit", "units", "packaging", "辅助单位", "大单位", "包装单位",
                  "多单位"),
        "weight": ("weight", "重量", "重量kg", "重量(千克)"),
        "is_active": ("active", "enabled", "启用", "是否启用", "状态"),
    },
    "level_prices": {
        "variant_code": _SKU,
        "product_name": _PRODUCT_NAME,
        "specs": ("规格",),
        "level": ("level", "客户级别", "客户等级", "级别", "等级"),
        "price": ("level price", "fixed price", "价格", "级别价", "级别价格", "订货价"),
        "percent": ("percent", "percentage", "% of list", "折扣", "折扣率", "百分比",
                    "价格百分比"),
    },
    "customer_prices": {
        "variant_code": _SKU,
        "product_name": _PRODUCT_NAME,
        "specs": ("规格",),
        "customer_code": ("customer", "客户编码", "客户代码", "客户编号"),
        "customer_name": ("customer name", "客户名称", "公司名称"),
        "price": ("special price", "customer price", "价格", "客户价", "专属价", "客户价格"),
    },
    "stock": {
        "variant_code": _SKU,
        "product_name": _PRODUCT_NAME,
        "specs": ("规格",),
        "counted": ("count", "counted", "stock", "on hand", "quantity", "qty", "盘点数量",
                    "实盘数量", "库存", "库存数量", "实际库存", "现有库存"),
        "received": ("receipt", "received", "入库数量", "收货数量", "入库"),
        "reserved": ("占用", "已占用", "预占"),
        "available": ("可用", "可用库存"),
    },
}
