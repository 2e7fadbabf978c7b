"""The catalog: categories, brands, units, specifications, products (SPU) and their
variants (SKU) with units, stock and its ledger, and the price rules the price engine
reads (level prices, customer prices, quantity breaks). Writes go through
``ordering.catalog.services``; prices are computed only by ``ordering.catalog.pricing``."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from ordering.catalog.enums import MovementKind

MONEY = {"max_digits": 14, "decimal_places": 2}


class Category(models.Model):
    """A tree (``path`` holds the ancestors' ids, like regions), ordered by position."""

    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=80)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    path = models.CharField(max_length=255, editable=False, db_index=True, default="/")
    position = models.PositiveIntegerField(pgettext_lazy("sort order", "order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path", "position", "name"]
        default_permissions = ()
        constraints = [models.UniqueConstraint("parent", Lower("name"), nulls_distinct=False,
                                               name="category_unique_name_per_parent")]

    def __str__(self):
        return self.name


class Brand(models.Model):
    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=80)
    position = models.PositiveIntegerField(pgettext_lazy("sort order", "order"), default=0)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["position", "name"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(Lower("name"), name="brand_unique_name")]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """A unit of sale: piece, bottle, box, case …"""

    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=20)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(Lower("name"), name="unit_unique_name")]

    def __str__(self):
        return self.name


class SpecAttribute(models.Model):
    """A specification dimension: colour, size, flavour …"""

    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=40)
    position = models.PositiveIntegerField(pgettext_lazy("sort order", "order"), default=0)

    class Meta:
        verbose_name = _("specification")
        verbose_name_plural = _("specifications")
        ordering = ["position", "name"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(Lower("name"), name="spec_attribute_unique_name")]

    def __str__(self):
        return self.name


class SpecValue(models.Model):
    attribute = models.ForeignKey(SpecAttribute, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(_("value"), max_length=40)
    position = models.PositiveIntegerField(pgettext_lazy("sort order", "order"), default=0)

    class Meta:
        verbose_name = _("specification value")
        verbose_name_plural = _("specification values")
        ordering = ["attribute__position", "position", "value"]
        default_permissions = ()
        constraints = [models.UniqueConstraint("attribute", Lower("value"),
                                               name="spec_value_unique_per_attribute")]

    def __str__(self):
        return self.value


class Product(models.Model):
    """A product (SPU). Dealers see it when it is on the shelf and, if ``levels`` is not
    empty, only when their customer level is one of them."""

    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=200)
    code = models.CharField(_("product code"), max_length=40)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="products")
    brand = models.ForeignKey(Brand, verbose_name=_("brand"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="products")
    tags = ArrayField(models.CharField(max_length=30), verbose_name=_("tags"), default=list,
                      blank=True)
    description = models.TextField(_("description"), blank=True)  # sanitised HTML
    unit = models.ForeignKey(Unit, verbose_name=_("base unit"), on_delete=models.PROTECT,
                             related_name="+")
    on_shelf = models.BooleanField(_("on shelf"), default=True, db_index=True)
    levels = models.ManyToManyField("customers.CustomerLevel", verbose_name=_("visible to"),
                                    blank=True, related_name="+")
    position = models.IntegerField(pgettext_lazy("sort order", "order"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["position", "-created_at", "id"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(Lower("code"), name="product_code_unique_ci")]
        indexes = [GinIndex(fields=["tags"], name="product_tags_gin"),
                   GinIndex(fields=["name"], name="product_name_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self):
        return self.name


def product_image_path(instance, filename):
    import uuid

    return f"catalog/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to=product_image_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=product_image_path, blank=True)
    position = models.PositiveIntegerField(pgettext_lazy("sort order", "order"), default=0)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "id"]
        default_permissions = ()

    def __str__(self):
        return self.image.name

    @property
    def thumbnail_url(self):
        return (self.thumbnail or self.image).url


class Variant(models.Model):
    """A variant (SKU), sold in its product's base unit and optional larger units."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    code = models.CharField(_("SKU code"), max_length=40)
    barcode = models.CharField(_("barcode"), max_length=40, blank=True, db_index=True)
    spec_values = models.ManyToManyField(SpecValue, verbose_name=_("specifications"),
                                         blank=True, related_name="variants")
    weight = models.DecimalField(_("weight (kg)"), max_digits=10, decimal_places=3, null=True,
                                 blank=True)
    list_price = models.DecimalField(_("list price"), **MONEY,
                                     validators=[MinValueValidator(Decimal("0"))])
    image = models.ForeignKey(ProductImage, verbose_name=_("image"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    min_quantity = models.PositiveIntegerField(_("minimum order quantity"), default=1)
    order_multiple = models.PositiveIntegerField(_("order multiple"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(pgettext_lazy("sort order", "order"), default=0)
    # stock, in the base unit; changed only through ordering.catalog.services.stock
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    # copied from the tenant's setting: may available stock go below zero?
    oversell = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["product_id", "position", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(Lower("code"), name="variant_code_unique_ci"),
            models.CheckConstraint(condition=Q(list_price__gte=0),
                                   name="variant_list_price_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="variant_reserved_not_negative"),
            models.CheckConstraint(
                condition=Q(oversell=True) | Q(on_hand__gte=models.F("reserved")),
                name="variant_available_not_negative"),
            models.CheckConstraint(condition=Q(min_quantity__gte=1) & Q(order_multiple__gte=1),
                                   name="variant_quantities_positive"),
        ]
        indexes = [GinIndex(fields=["code"], name="variant_code_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self):
        return self.code

    @property
    def available(self):
        return self.on_hand - self.reserved


class VariantUnit(models.Model):
    """A larger unit a variant is also sold in: 1 box = ``factor`` base units."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    factor = models.PositiveIntegerField(_("base units per unit"))

    class Meta:
        verbose_name = _("sales unit")
        verbose_name_plural = _("sales units")
        ordering = ["factor"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["variant", "unit"], name="variant_unit_unique"),
            models.CheckConstraint(condition=Q(factor__gte=2), name="variant_unit_factor_gt_one"),
        ]


class StockMovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValueError("The stock ledger is append-only.")

    def delete(self):
        raise ValueError("The stock ledger is append-only.")


class StockMovement(models.Model):
    """Every change of a variant's stock, in base units (append-only)."""

    objects = StockMovementQuerySet.as_manager()

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(pgettext_lazy("stock movement", "kind"), max_length=16,
                            choices=MovementKind.choices)
    on_hand_change = models.IntegerField(_("on hand change"), default=0)
    reserved_change = models.IntegerField(_("reserved change"), default=0)
    on_hand_after = models.IntegerField(_("on hand after"))
    reserved_after = models.IntegerField(_("reserved after"))
    reason = models.CharField(pgettext_lazy("stock movement", "reason"), max_length=200,
                              blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-id"]
        default_permissions = ()

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("The stock ledger is append-only.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The stock ledger is append-only.")


class LevelPrice(models.Model):
    """A customer level's price for a variant: a fixed price or a % of the list price."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="level_prices")
    level = models.ForeignKey("customers.CustomerLevel", on_delete=models.CASCADE,
                              related_name="+")
    price = models.DecimalField(_("price"), null=True, blank=True, **MONEY)
    # xgettext:no-python-format
    percent = models.DecimalField(_("% of list price"), max_digits=5, decimal_places=2,
                                  null=True, blank=True)

    class Meta:
        verbose_name = _("level price")
        verbose_name_plural = _("level prices")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["variant", "level"], name="level_price_unique"),
            models.CheckConstraint(
                condition=(Q(price__isnull=False, percent__isnull=True, price__gte=0)
                           | Q(price__isnull=True, percent__isnull=False, percent__gt=0,
                               percent__lte=1000)),
                name="level_price_fixed_or_percent"),
        ]


class CustomerPrice(models.Model):
    """A customer's special price for a variant (overrides its level's price)."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE,
                                related_name="customer_prices")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE,
                                 related_name="special_prices")
    price = models.DecimalField(_("price"), **MONEY)

    class Meta:
        verbose_name = _("customer price")
        verbose_name_plural = _("customer prices")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["variant", "customer"], name="customer_price_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="customer_price_not_negative"),
        ]


class QuantityBreak(models.Model):
    """From ``min_quantity`` base units on, a lower price: a fixed unit price or a
    discount in % off the price the other rules gave. On a variant, or on a product for
    all its variants (the variant's own breaks win)."""

    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="quantity_breaks")
    variant = models.ForeignKey(Variant, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="quantity_breaks")
    min_quantity = models.PositiveIntegerField(_("from quantity"))
    price = models.DecimalField(_("unit price"), null=True, blank=True, **MONEY)
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2,
                                           null=True, blank=True)

    class Meta:
        verbose_name = _("quantity break")
        verbose_name_plural = _("quantity breaks")
        ordering = ["min_quantity"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(product__isnull=True) ^ Q(variant__isnull=True),
                                   name="quantity_break_product_xor_variant"),
            models.CheckConstraint(
                condition=(Q(price__isnull=False, discount_percent__isnull=True, price__gte=0)
                           | Q(price__isnull=True, discount_percent__gt=0,
                               discount_percent__lt=100)),
                name="quantity_break_price_or_discount"),
            models.CheckConstraint(condition=Q(min_quantity__gte=2),
                                   name="quantity_break_from_two"),
        ]


class Favourite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="favourite_products")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["user", "product"],
                                               name="favourite_unique")]
