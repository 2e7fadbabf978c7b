"""Staff-side reads of the catalog: the product list (search, filters, sorting) and one
product with everything its editor and the API show. Every list is a constant number
of queries however many rows it shows. (The dealer-side reads live in
``ordering.catalog.storefront``.)

The catalog itself is not scoped (every staff member with ``view_catalog`` sees every
product), but the customers behind special prices are: a sales rep sees the special
prices of their own customers only.
"""

import re

from django.db.models import (Count, DecimalField, F, Func, IntegerField, OuterRef, Prefetch,
                              Q, Subquery, Value)
from django.db.models.functions import Coalesce

from core.text import whole_number as _int
from ordering.catalog import specs
from ordering.catalog.enums import StockDisplay, StockState
from ordering.catalog.models import (Brand, Category, CustomerPrice, LevelPrice, Product,
                                     ProductImage, QuantityBreak, SpecValue,
                                     StockMovement, Unit, Variant, VariantUnit)

SORTS = {
    "position": ("position", "-created_at", "-id"),
    "name": ("name", "id"), "-name": ("-name", "-id"),
    "code": ("code", "id"), "-code": ("-code", "-id"),
    "-created": ("-created_at", "-id"), "created": ("created_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "price": (F("min_price").asc(nulls_last=True), "id"),
    "-price": (F("max_price").desc(nulls_last=True), "-id"),
    "stock": ("available", "id"), "-stock": ("-available", "-id"),
}
SHELF = {"on": True, "off": False}
# a variant's specifications in the order their dimensions were defined (colour, size)
SPEC_VALUES = specs.SPEC_VALUES
VARIANT_SORTS = {
    "product": ("product__name", "product_id", "position", "id"),
    "code": ("code", "id"),
    "available": ("stock_available", "id"), "-available": ("-stock_available", "id"),
    "on_hand": ("on_hand", "id"), "-on_hand": ("-on_hand", "id"),
}


LOW_STOCK = 10  # available at or below this (and above 0) shows as "low"


def stock_state(available):
    if available <= 0:
        return StockState.OUT
    if available <= LOW_STOCK:
        return StockState.LOW
    return StockState.IN_STOCK


def stock_for_dealer(available):
    """What a dealer sees of ``available`` under the tenant's ``stock_display``: a number,
    a state, or None."""
    from ordering.settings.selectors import tenant_settings

    display = tenant_settings().stock_display
    if display == StockDisplay.EXACT:
        return {"quantity": max(available, 0), "state": stock_state(available)}
    if display == StockDisplay.LEVEL:
        return {"state": stock_state(available)}
    return None


def _pattern(query):
    """A case-insensitive "contains" as a regular expression: PostgreSQL's trigram (GIN
    ``gin_trgm_ops``) indexes answer ``~*`` directly, where Django's ``icontains``
    (``UPPER(x) LIKE …``) could not use them."""
    return re.sub(r"([^\w\s])", r"\\\1", query)


def _search_q(query):
    """Name or product code contain ``query``, or one of the variants' codes does, or a
    variant's barcode is exactly ``query`` (what a scanner types)."""
    pattern = _pattern(query)
    variants = Variant.objects.filter(Q(code__iregex=pattern) | Q(barcode=query))
    return (Q(name__iregex=pattern) | Q(code__iregex=pattern)
            | Q(pk__in=variants.values("product_id")))


def category_and_descendants_q(category, prefix="category"):
    return Q(**{f"{prefix}_id": category.pk}) | Q(
        **{f"{prefix}__path__startswith": f"{category.path}{category.pk}/"})


def _stock_state_q(state, field="available"):
    if state == StockState.OUT:
        return Q(**{f"{field}__lte": 0})
    if state == StockState.LOW:
        return Q(**{f"{field}__gt": 0, f"{field}__lte": LOW_STOCK})
    if state == StockState.IN_STOCK:
        return Q(**{f"{field}__gt": LOW_STOCK})
    return Q()


def _over_variants(function, expression, output_field, *, active=True):
    """``function(expression)`` over the product's (active) variants: a correlated
    subquery without GROUP BY, so that a page computes it for its own rows only."""
    variants = Variant.objects.filter(product=OuterRef("pk")).order_by()
    if active:
        variants = variants.filter(is_active=True)
    return Subquery(variants.annotate(value=Func(expression, function=function,
                                                 output_field=output_field)).values("value"),
                    output_field=output_field)


def _variant_figures():
    price = DecimalField(max_digits=14, decimal_places=2)
    return {"variant_count": _over_variants("COUNT", F("pk"), IntegerField(), active=False),
            "min_price": _over_variants("MIN", F("list_price"), price),
            "max_price": _over_variants("MAX", F("list_price"), price),
            "available": Coalesce(_over_variants("SUM", F("on_hand") - F("reserved"),
                                                 IntegerField()), Value(0))}


def product_list(*, actor=None, query="", category=None, brand=None, tag="", shelf="",
                 stock="", sort="position"):
    """Products with their category, brand and unit, the number of variants, the list
    price range, the stock available over their active variants (``available``, and
    ``stock_state`` from it) and their images in order (``ordered_images``; the first
    is the thumbnail). ``category`` includes its sub-categories; ``shelf``: on | off;
    ``stock``: in_stock | low | out."""
    qs = (Product.objects.select_related("category", "brand", "unit")
          .annotate(**_variant_figures())
          .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by(
              "position", "id"), to_attr="ordered_images")))
    query = (query or "").strip()[:100]
    if query:
        qs = qs.filter(_search_q(query))
    category_id = _int(category)
    if category_id:
        node = Category.objects.filter(pk=category_id).first()
        qs = qs.filter(category_and_descendants_q(node)) if node else qs.none()
    if _int(brand):
        qs = qs.filter(brand_id=_int(brand))
    tag = (tag or "").strip()
    if tag:
        qs = qs.filter(tags__contains=[tag])
    if shelf in SHELF:
        qs = qs.filter(on_shelf=SHELF[shelf])
    if stock in StockState.values:
        qs = qs.filter(_stock_state_q(stock))
    return qs.order_by(*SORTS.get(sort, SORTS["position"]))


def product_get(*, actor, pk, with_prices=True):
    """One product with its category, brand, unit, levels, images and variants (their
    spec values, larger units and image), or None. With ``with_prices``: each variant's
    ``level_prices`` and ``customer_prices`` (only customers the actor may see) and the
    quantity breaks (``product_breaks`` on the product, ``breaks`` on each variant) — a
    constant number of queries however many variants."""
    pk = _int(pk)
    if pk is None:
        return None
    prefetches = [
        "levels",
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"),
                 to_attr="ordered_images"),
        Prefetch("variants", queryset=Variant.objects.order_by("position", "id"),
                 to_attr="ordered_variants"),
        Prefetch("ordered_variants__spec_values", queryset=SPEC_VALUES),
        Prefetch("ordered_variants__units", queryset=VariantUnit.objects.select_related("unit")),
    ]
    if with_prices:
        from ordering.customers.models import Customer
        from roles.permissions import scope

        prefetches += [
            Prefetch("ordered_variants__level_prices",
                     queryset=LevelPrice.objects.select_related("level")),
            Prefetch("ordered_variants__customer_prices",
                     queryset=CustomerPrice.objects.filter(
                         customer__in=scope(actor, Customer.objects.all()))
                     .select_related("customer").order_by("customer__name", "id")),
        ]
    product = (Product.objects.select_related("category", "brand", "unit")
               .prefetch_related(*prefetches).filter(pk=pk).first())
    if product is None:
        return None
    if with_prices:
        breaks = list(QuantityBreak.objects.filter(
            Q(product=product) | Q(variant__product=product)).order_by("min_quantity"))
        product.product_breaks = [qb for qb in breaks if qb.product_id]
        for variant in product.ordered_variants:
            variant.breaks = [qb for qb in breaks if qb.variant_id == variant.pk]
    return product


def variant_specs(variant):
    """"Colour: Red / Size: M" from prefetched spec values (attribute order)."""
    return specs.variant_spec_label(variant, with_names=True)


def variant_get(*, actor, pk):
    """One variant with its product (and the product's unit), or None."""
    pk = _int(pk)
    if pk is None:
        return None
    return (Variant.objects.select_related("product", "product__unit")
            .prefetch_related(Prefetch("spec_values", queryset=SPEC_VALUES))
            .filter(pk=pk).first())


def variant_stock_list(*, actor=None, query="", category=None, stock="", active="",
                       sort="product"):
    """Variants with their product and stock figures (``stock_available`` annotated:
    on hand − reserved), for the stock page."""
    qs = (Variant.objects.select_related("product", "product__unit")
          .prefetch_related(Prefetch("spec_values", queryset=SPEC_VALUES))
          .annotate(stock_available=F("on_hand") - F("reserved")))
    query = (query or "").strip()[:100]
    if query:
        pattern = _pattern(query)
        qs = qs.filter(Q(code__iregex=pattern) | Q(barcode=query)
                       | Q(product__name__iregex=pattern) | Q(product__code__iregex=pattern))
    category_id = _int(category)
    if category_id:
        node = Category.objects.filter(pk=category_id).first()
        qs = qs.filter(category_and_descendants_q(node, "product__category")) if node \
            else qs.none()
    if stock in StockState.values:
        qs = qs.filter(_stock_state_q(stock, "stock_available"))
    if active == "yes":
        qs = qs.filter(is_active=True)
    elif active == "no":
        qs = qs.filter(is_active=False)
    return qs.order_by(*VARIANT_SORTS.get(sort, VARIANT_SORTS["product"]))


def movement_list(*, actor=None, variant):
    """The variant's stock ledger, newest first, with who made each change."""
    return StockMovement.objects.filter(variant=variant).select_related("actor").order_by(
        "-created_at", "-id")


def category_tree(*, actor=None):
    """Every category in tree order (parents before their children, siblings by
    position then name), each with ``depth``, ``indent`` and ``product_count`` (its
    own)."""
    categories = list(Category.objects.annotate(product_count=Count("products")))
    children = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.position, c.name.lower(), c.pk))
    ordered = []

    def walk(parent_id, depth):
        for category in children.get(parent_id, ()):
            category.depth = depth
            category.indent = "\u00a0\u00a0\u00a0" * depth  # for <option> labels
            ordered.append(category)
            walk(category.pk, depth + 1)

    walk(None, 0)
    return ordered


def brand_list(*, actor=None):
    return Brand.objects.annotate(product_count=Count("products")).order_by("position", "name")


def unit_list(*, actor=None):
    return Unit.objects.order_by("name")


def spec_attribute_list(*, actor=None):
    """The specifications in use with their values (``value_list``), in one query."""
    attributes = {}
    for value in SpecValue.objects.select_related("attribute").order_by(
            "attribute__position", "attribute__name", "position", "value"):
        attribute = attributes.setdefault(value.attribute_id, value.attribute)
        attribute.__dict__.setdefault("value_list", []).append(value)
    return list(attributes.values())


def product_tags(*, actor=None):
    """Every tag in use on products, sorted."""
    tags = (Product.objects.annotate(tag=Func("tags", function="unnest")).order_by()
            .values_list("tag", flat=True).distinct())
    return sorted(tags, key=str.lower)


def stock_totals(*, actor=None):
    """How many active variants are in stock, low and out (for the stock page header)."""
    return (Variant.objects.filter(is_active=True)
            .annotate(stock_available=F("on_hand") - F("reserved"))
            .aggregate(out=Count("pk", filter=Q(stock_available__lte=0)),
                       low=Count("pk", filter=Q(stock_available__gt=0,
                                                stock_available__lte=LOW_STOCK)),
                       in_stock=Count("pk", filter=Q(stock_available__gt=LOW_STOCK))))



def category_choices():
    """Every category, for validating a choice field (its choices come from the tree)."""
    return Category.objects.all()
