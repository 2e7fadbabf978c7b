"""Products (SPU) and their variants (SKU), units, images, level and customer prices
and quantity breaks. Permission: manage_catalog (prices: manage_prices)."""

import itertools
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from billing.limits import limit_check
from core.exceptions import ApplicationError
from ordering.catalog.exceptions import CatalogError, CatalogNotFoundError
from ordering.catalog.models import (Brand, Category, CustomerPrice, LevelPrice, Product,
                                     ProductImage, QuantityBreak, SpecAttribute, SpecValue,
                                     Unit, Variant, VariantUnit)
from ordering.customers.services.guards import require_perm
from roles.services.audit import audit_record

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
MAX_VARIANTS = 400
ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4",
                "blockquote", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "span"}


def _error(field, message):
    return CatalogError(message, fields={field: [message]})


def clean_description(html):
    """Safe rich text: a short allow-list of tags, links and images over http(s) only."""
    import nh3

    return nh3.clean(html or "", tags=ALLOWED_TAGS,
                     attributes={"a": {"href", "title"}, "img": {"src", "alt"},
                                 "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def _money(value, field, *, allow_none=False):
    if value in (None, "") and allow_none:
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise _error(field, _("Enter an amount.")) from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise _error(field, _("Enter an amount of 0 or more."))
    return amount.quantize(Decimal("0.01"))


def _code(value, field):
    value = (value or "").strip()
    if not _CODE.match(value):
        raise _error(field, _("Use letters, digits, dots, dashes, slashes or underscores "
                              "(at most 40)."))
    return value


def _tags(tags):
    from ordering.customers.services.customers import clean_tags

    return clean_tags(tags)


# --- reference data ----------------------------------------------------------------


def unit_get_or_create(name):
    name = (name or "").strip()[:20]
    if not name:
        raise _error("unit", _("Enter the unit."))
    unit = Unit.objects.filter(name__iexact=name).first()
    return unit or Unit.objects.create(name=name)


def brand_get_or_create(name):
    name = (name or "").strip()[:80]
    if not name:
        return None
    return Brand.objects.filter(name__iexact=name).first() or Brand.objects.create(name=name)


@transaction.atomic
def category_create(*, actor, name, parent=None, position=0, ip=None):
    require_perm(actor, "manage_catalog")
    name = (name or "").strip()[:80]
    if not name:
        raise _error("name", _("Enter the category's name."))
    category = Category(name=name, parent=parent, position=position or 0,
                        path=f"{parent.path}{parent.pk}/" if parent else "/")
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError as exc:
        raise _error("name", _("A category with this name already exists here.")) from exc
    audit_record(actor=actor, action="catalog.category_create", obj=category,
                 after={"name": name, "parent": getattr(parent, "pk", None)}, ip=ip)
    return category


@transaction.atomic
def category_update(*, actor, category, name=None, position=None, ip=None):
    """Rename a category and/or change its place among its siblings."""
    require_perm(actor, "manage_catalog")
    category = Category.objects.select_for_update().get(pk=category.pk)
    before = {"name": category.name, "position": category.position}
    if name is not None:
        category.name = (name or "").strip()[:80]
        if not category.name:
            raise _error("name", _("Enter the category's name."))
    if position is not None:
        category.position = max(int(position), 0)
    try:
        with transaction.atomic():
            category.save(update_fields=["name", "position"])
    except IntegrityError as exc:
        raise _error("name", _("A category with this name already exists here.")) from exc
    audit_record(actor=actor, action="catalog.category_update", obj=category, before=before,
                 after={"name": category.name, "position": category.position}, ip=ip)
    return category


def spec_value_get_or_create(attribute_name, value):
    attribute_name, value = (attribute_name or "").strip()[:40], (value or "").strip()[:40]
    if not attribute_name or not value:
        raise _error("specs", _("Give each specification a name and a value."))
    attribute = (SpecAttribute.objects.filter(name__iexact=attribute_name).first()
                 or SpecAttribute.objects.create(name=attribute_name))
    return (SpecValue.objects.filter(attribute=attribute, value__iexact=value).first()
            or SpecValue.objects.create(attribute=attribute, value=value,
                                        position=attribute.values.count()))


# --- products ----------------------------------------------------------------------

PRODUCT_FIELDS = ("name", "code", "category", "brand", "tags", "description", "unit",
                  "on_shelf", "position")


def _product_values(values, *, partial):
    """Checked product fields; ``brand`` and ``unit`` may be given by name (made when
    new, matched without regard to case)."""
    cleaned = {k: values[k] for k in PRODUCT_FIELDS if k in values}
    if isinstance(cleaned.get("brand"), str):
        cleaned["brand"] = brand_get_or_create(cleaned["brand"])
    if isinstance(cleaned.get("unit"), str):
        cleaned["unit"] = unit_get_or_create(cleaned["unit"])
    if not partial or "name" in cleaned:
        cleaned["name"] = (cleaned.get("name") or "").strip()
        if not cleaned["name"]:
            raise _error("name", _("Enter the product's name."))
        if len(cleaned["name"]) > 200:
            raise _error("name", _("At most %(n)d characters.") % {"n": 200})
    if not partial or "code" in cleaned:
        cleaned["code"] = _code(cleaned.get("code"), "code")
    if "tags" in cleaned:
        cleaned["tags"] = _tags(cleaned["tags"])
    if "description" in cleaned:
        cleaned["description"] = clean_description(cleaned["description"])
    if not partial and cleaned.get("unit") is None:
        raise _error("unit", _("Choose the base unit."))
    return cleaned


def _save_unique(obj, field, constraint, message, update_fields=None):
    """Save ``obj``; its unique ``constraint`` failing is an error on ``field``. Only
    from an atomic service that raises the error on (no query after it): the service's
    own savepoint undoes the failed INSERT, so none is needed here (imports save two
    statements a row)."""
    try:
        obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        if constraint in str(exc):
            raise _error(field, message) from exc
        raise


def product_snapshot(product):
    return {"name": product.name, "code": product.code, "category": product.category_id,
            "brand": product.brand_id, "tags": list(product.tags), "unit": product.unit_id,
            "on_shelf": product.on_shelf}


@transaction.atomic
def product_create(*, actor, levels=None, ip=None, **values):
    """A product without variants yet (add them with ``variants_generate`` or
    ``variant_save``). ``levels``: the customer levels that see it (empty: all)."""
    require_perm(actor, "manage_catalog")
    product = Product(**_product_values(values, partial=False))
    _save_unique(product, "code", "product_code_unique_ci",
                 _("Another product already has this code."))
    if levels:
        product.levels.set(levels)
    audit_record(actor=actor, action="catalog.product_create", obj=product,
                 after=product_snapshot(product), ip=ip)
    return product


MAX_OPENING_STOCK = 10**9


@transaction.atomic
def product_create_single(*, actor, list_price, opening_stock=0, levels=None, ip=None,
                          **values):
    """A product sold without specifications, in one step: the product, its one variant
    (the SKU code is the product code) with its price, and its opening stock as a
    receipt in the stock ledger. All or nothing. Opening stock needs ``manage_stock``
    as well as ``manage_catalog``."""
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.services.stock import stock_move

    require_perm(actor, "manage_catalog")
    try:
        stock = int(opening_stock or 0)
    except (TypeError, ValueError):
        raise _error("opening_stock", _("Whole numbers only.")) from None
    if not 0 <= stock <= MAX_OPENING_STOCK:
        raise _error("opening_stock", _("Enter 0 or more."))
    if stock:
        require_perm(actor, "manage_stock")
    price = _money(list_price, "list_price")
    product = product_create(actor=actor, levels=levels, ip=ip, **values)
    variant = variant_save(actor=actor, product=product, code=product.code, list_price=price,
                           position=0, ip=ip)
    if stock:
        stock_move(actor=actor, variant=variant, kind=MovementKind.RECEIPT, quantity=stock,
                   reason=_("Opening stock"))
    return product


@transaction.atomic
def product_update(*, actor, product, levels=None, ip=None, **values):
    require_perm(actor, "manage_catalog")
    product = Product.objects.select_for_update().get(pk=product.pk)
    before = product_snapshot(product)
    for key, value in _product_values(values, partial=True).items():
        setattr(product, key, value)
    _save_unique(product, "code", "product_code_unique_ci",
                 _("Another product already has this code."))
    if levels is not None:
        product.levels.set(levels)
    audit_record(actor=actor, action="catalog.product_update", obj=product, before=before,
                 after=product_snapshot(product), ip=ip)
    return product


@transaction.atomic
def products_set_shelf(*, actor, product_ids, on_shelf, ip=None):
    """Bulk on/off shelf. Returns how many changed."""
    require_perm(actor, "manage_catalog")
    changed = Product.objects.filter(pk__in=product_ids).exclude(on_shelf=on_shelf).update(
        on_shelf=on_shelf)
    audit_record(actor=actor, action="catalog.shelf", after={
        "products": sorted(int(pk) for pk in product_ids), "on_shelf": on_shelf}, ip=ip)
    return changed


@transaction.atomic
def products_change_prices(*, actor, product_ids, percent, ip=None):
    """Bulk price change: every variant's list price × (100 + percent) / 100."""
    require_perm(actor, "manage_prices")
    try:
        percent = Decimal(str(percent))
    except InvalidOperation as exc:
        raise _error("percent", _("Enter a percentage, e.g. 5 or -10.")) from exc
    if not percent.is_finite() or not Decimal("-90") <= percent <= Decimal("500") or not percent:
        raise _error("percent", _("Enter a change between -90 and 500 percent."))
    variants = Variant.objects.select_for_update().filter(product_id__in=product_ids)
    factor = (Decimal("100") + percent) / Decimal("100")
    from ordering.catalog.pricing import money

    changed = []
    for variant in variants:
        variant.list_price = money(variant.list_price * factor)
        changed.append(variant)
    Variant.objects.bulk_update(changed, ["list_price"])
    audit_record(actor=actor, action="catalog.price_change", after={
        "products": sorted(int(pk) for pk in product_ids), "percent": str(percent),
        "variants": len(changed)}, ip=ip)
    return len(changed)


# --- variants ----------------------------------------------------------------------


def _oversell():
    from ordering.settings.selectors import tenant_settings

    return tenant_settings().allow_oversell


VARIANT_FIELDS = ["code", "barcode", "list_price", "weight", "min_quantity", "order_multiple",
                  "is_active", "image", "position"]


def variant_snapshot(variant):
    return {"code": variant.code, "barcode": variant.barcode,
            "list_price": str(variant.list_price), "min_quantity": variant.min_quantity,
            "order_multiple": variant.order_multiple, "is_active": variant.is_active}


@transaction.atomic
def variant_save(*, actor, product, variant=None, code, list_price, barcode="",
                 spec_values=None, weight=None, min_quantity=1, order_multiple=1,
                 is_active=True, image=None, units=None, position=None, ip=None):
    """Add a variant to ``product`` (``variant=None``) or change one. ``units``: pairs of
    (Unit or unit name, factor) for the larger units it is also sold in (replaces the
    current ones); ``spec_values``: SpecValues or (specification, value) name pairs.
    ``position`` of a new variant: after the product's others unless given (imports
    that know it save a query)."""
    require_perm(actor, "manage_catalog")
    limit_check(connection.tenant, "skus", adding=int(variant is None and bool(is_active)),
                actor=actor)
    if variant is not None and variant.product_id != product.pk:
        raise CatalogNotFoundError(_("No such variant."))
    before = variant_snapshot(variant) if variant else None
    variant = variant or Variant(product=product, oversell=_oversell(),
                                 position=product.variants.count() if position is None
                                 else position)
    variant.code = _code(code, "code")
    variant.barcode = (barcode or "").strip()[:40]
    variant.list_price = _money(list_price, "list_price")
    variant.weight = weight
    try:
        variant.min_quantity, variant.order_multiple = int(min_quantity), int(order_multiple)
    except (TypeError, ValueError) as exc:
        raise _error("min_quantity", _("Enter whole numbers.")) from exc
    if variant.min_quantity < 1 or variant.order_multiple < 1:
        raise _error("min_quantity", _("The minimum and the multiple are at least 1."))
    variant.is_active = bool(is_active)
    if image is not None and image.product_id != product.pk:
        raise _error("image", _("Choose one of this product's images."))
    variant.image = image
    created = variant.pk is None
    # An existing variant saves only what this service owns: stock and the oversell
    # flag change through services/stock.py while an editor holds an older copy.
    _save_unique(variant, "code", "variant_code_unique_ci",
                 _("Another variant already has this SKU code."),
                 update_fields=None if created else VARIANT_FIELDS)
    # a new variant has no spec values or units to replace (saves queries in imports)
    # None keeps what a variant has (a price-only edit must not wipe its specifications
    # or larger units); a new variant has nothing to replace (saves queries in imports)
    if spec_values is not None:
        spec_values = [value if isinstance(value, SpecValue)
                       else spec_value_get_or_create(*value) for value in spec_values]
    if spec_values is not None and not created:
        variant.spec_values.set(spec_values)
    elif spec_values:
        variant.spec_values.add(*spec_values)
    if units is not None:
        if not created:
            VariantUnit.objects.filter(variant=variant).delete()
        seen, rows = set(), []
        for unit, factor in units:
            if isinstance(unit, str):
                unit = unit_get_or_create(unit)
            if unit.pk in seen or unit.pk == product.unit_id:
                raise _error("units", _("Each unit once, and not the base unit."))
            if int(factor) < 2:
                raise _error("units", _("A larger unit holds at least 2 base units."))
            seen.add(unit.pk)
            rows.append(VariantUnit(variant=variant, unit=unit, factor=int(factor)))
        VariantUnit.objects.bulk_create(rows)
    audit_record(actor=actor, action="catalog.variant_save", obj=variant, before=before,
                 after=variant_snapshot(variant), ip=ip)
    return variant


@transaction.atomic
def variants_generate(*, actor, product, specs, list_price, code_prefix=None, units=(),
                      ip=None):
    """Every combination of the chosen spec values (colour × size …) as a variant with
    ``list_price``; combinations that already exist are kept. ``specs``: a list of
    (attribute name, [values]). Codes are ``<product code>-<n>``. Returns the new ones."""
    require_perm(actor, "manage_catalog")
    groups = [[spec_value_get_or_create(name, value) for value in values]
              for name, values in specs if values]
    if not groups:
        raise _error("specs", _("Choose at least one specification value."))
    combinations = list(itertools.product(*groups))
    if len(combinations) + product.variants.count() > MAX_VARIANTS:
        raise _error("specs", _("At most %(n)d variants per product.") % {"n": MAX_VARIANTS})
    existing = {frozenset(v.spec_values.values_list("pk", flat=True))
                for v in product.variants.prefetch_related("spec_values")}
    prefix = code_prefix or product.code
    made = []
    number = product.variants.count()
    for combination in combinations:
        key = frozenset(value.pk for value in combination)
        if key in existing:
            continue
        number += 1
        code = f"{prefix}-{number}"
        while Variant.objects.filter(code__iexact=code).exists():
            number += 1
            code = f"{prefix}-{number}"
        made.append(variant_save(actor=actor, product=product, code=code,
                                 list_price=list_price, spec_values=combination,
                                 units=units, ip=ip))
    return made


# --- prices ------------------------------------------------------------------------


@transaction.atomic
def level_price_set(*, actor, variant, level, price=None, percent=None, ip=None):
    """A level's price for a variant: fixed ``price`` or ``percent`` of list; neither
    removes it (the level's default percentage applies again)."""
    require_perm(actor, "manage_prices")
    price = _money(price, "price", allow_none=True)
    if percent not in (None, ""):
        try:
            percent = Decimal(str(percent))
        except InvalidOperation as exc:
            raise _error("percent", _("Enter a percentage.")) from exc
        if not percent.is_finite():
            raise _error("percent", _("Enter a percentage."))
        percent = percent.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if not Decimal("0") < percent <= Decimal("1000"):
            raise _error("percent", _("Enter more than 0 and at most 1000."))
    else:
        percent = None
    if price is not None and percent is not None:
        raise _error("price", _("Give a fixed price or a percentage, not both."))
    LevelPrice.objects.filter(variant=variant, level=level).delete()
    if price is not None or percent is not None:
        LevelPrice.objects.create(variant=variant, level=level, price=price, percent=percent)
    audit_record(actor=actor, action="catalog.level_price", obj=variant, after={
        "level": level.pk, "price": str(price) if price is not None else None,
        "percent": str(percent) if percent is not None else None}, ip=ip)


@transaction.atomic
def customer_price_set(*, actor, variant, customer, price=None, ip=None):
    """A customer's special price for a variant; ``price=None`` removes it. The actor
    must reach the customer (sales reps: their own customers)."""
    require_perm(actor, "manage_prices")
    from ordering.customers.services.guards import require_customer

    require_customer(actor, "view_customers", customer)
    price = _money(price, "price", allow_none=True)
    CustomerPrice.objects.filter(variant=variant, customer=customer).delete()
    if price is not None:
        CustomerPrice.objects.create(variant=variant, customer=customer, price=price)
    audit_record(actor=actor, action="catalog.customer_price", obj=variant, after={
        "customer": customer.pk, "price": str(price) if price is not None else None}, ip=ip)


@transaction.atomic
def quantity_breaks_set(*, actor, breaks, product=None, variant=None, ip=None):
    """Replace the quantity breaks of a product or a variant with ``breaks``: a list of
    dicts {min_quantity, price} or {min_quantity, discount_percent}."""
    require_perm(actor, "manage_prices")
    if (product is None) == (variant is None):
        raise CatalogError(_("Quantity breaks belong to a product or a variant."))
    QuantityBreak.objects.filter(product=product, variant=variant).delete()
    seen = set()
    for row in breaks:
        try:
            minimum = int(row.get("min_quantity"))
        except (TypeError, ValueError) as exc:
            raise _error("breaks", _("Enter the quantity each break starts at.")) from exc
        if minimum < 2 or minimum in seen:
            raise _error("breaks", _("Breaks start at 2 or more, each quantity once."))
        seen.add(minimum)
        price = _money(row.get("price"), "breaks", allow_none=True)
        discount = row.get("discount_percent")
        try:
            discount = Decimal(str(discount)) if discount not in (None, "") else None
        except InvalidOperation as exc:
            raise _error("breaks", _("Enter the discount as a number.")) from exc
        if discount is not None:
            if not discount.is_finite():
                raise _error("breaks", _("Enter the discount as a number."))
            discount = discount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if (price is None) == (discount is None) or (
                discount is not None and not Decimal("0") < discount < Decimal("100")):
            raise _error("breaks", _("Each break has a unit price or a discount between 0 and "
                                     "100 %."))
        QuantityBreak.objects.create(product=product, variant=variant, min_quantity=minimum,
                                     price=price, discount_percent=discount)
    audit_record(actor=actor, action="catalog.quantity_breaks", obj=product or variant,
                 after={"breaks": [{k: str(v) for k, v in row.items()} for row in breaks]},
                 ip=ip)


# --- images ------------------------------------------------------------------------


@transaction.atomic
def image_add(*, actor, product, upload, ip=None):
    """Add an image (JPEG, PNG or WebP, ≤ 5 MB, checked by content); its thumbnail is
    made in the background."""
    require_perm(actor, "manage_catalog")
    from ordering.customers.services.applications import licence_validate

    try:
        extension = licence_validate(upload)
    except ApplicationError as exc:
        raise _error("image", exc.fields.get("licence", [exc.message])[0]) from exc
    upload.name = f"image.{extension}"
    image = ProductImage.objects.create(product=product, image=upload,
                                        position=product.images.count())
    from core.background import enqueue_on_commit
    from ordering.catalog.tasks import thumbnail_task

    enqueue_on_commit(thumbnail_task, image.pk)
    audit_record(actor=actor, action="catalog.image_add", obj=product,
                 after={"image": image.image.name}, ip=ip)
    return image


@transaction.atomic
def images_reorder(*, actor, product, image_ids, ip=None):
    require_perm(actor, "manage_catalog")
    images = {image.pk: image for image in product.images.all()}
    if set(int(pk) for pk in image_ids) != set(images):
        raise CatalogError(_("Give every image of the product once."))
    for position, pk in enumerate(image_ids):
        images[int(pk)].position = position
    ProductImage.objects.bulk_update(images.values(), ["position"])
    audit_record(actor=actor, action="catalog.image_reorder", obj=product,
                 after={"images": [int(pk) for pk in image_ids]}, ip=ip)


@transaction.atomic
def image_delete(*, actor, image, ip=None):
    require_perm(actor, "manage_catalog")
    product = image.product
    name = image.image.name
    files = [f.name for f in (image.image, image.thumbnail) if f]
    image.delete()

    def remove_files():
        from django.core.files.storage import default_storage

        for file_name in files:
            default_storage.delete(file_name)

    transaction.on_commit(remove_files)  # the files go only if the delete is kept
    audit_record(actor=actor, action="catalog.image_delete", obj=product,
                 after={"image": name}, ip=ip)
