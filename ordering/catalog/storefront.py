"""The dealer storefront: what a dealer's login may see of the catalog, at its own
prices, and the colour × size order grid.

Visibility, in one place (``visible_products``): on-shelf products whose ``levels`` is
empty or holds the dealer's customer level, that have at least one active variant;
only active variants. Every price comes from the price engine
(``ordering.catalog.pricing``) for the dealer's customer, so a dealer never sees
another level's price and sees the same price on every page. Stock is shown as the
tenant's ``stock_display`` (its business settings) allows (``selectors.stock_for_dealer``).

Query budgets: ``dealer_products`` runs a constant number of queries however many
products a page shows (a price filter or price sort prices the whole candidate set in
Python — still a constant count); ``dealer_product`` likewise.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.core.files.storage import default_storage
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import (BooleanField, Count, Exists, F, Func, OuterRef, Prefetch, Q,
                              Subquery, Value, Window)
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _

from ordering.catalog.exceptions import (CatalogError, CatalogErrorCode, CatalogNotFoundError,
                                         CatalogPermissionError)
from ordering.catalog import pricing
from ordering.catalog.enums import StockDisplay
from ordering.catalog.models import (Brand, Category, Favourite, Product, ProductImage,
                                     Unit, Variant, VariantUnit)
from ordering.catalog.selectors import stock_for_dealer
from ordering.catalog.specs import SPEC_VALUES, attribute_key, spec_label
from ordering.catalog.specs import ordered as ordered_specs
from ordering.settings.selectors import tenant_settings

PAGE_SIZE = 24
MAX_PAGE_SIZE = 100
MAX_TAGS = 60
MAX_QUANTITY = 999_999  # per grid cell, in base units
SORTS = ("", "new", "name", "price", "-price")
_ORDER = {"": ("position", "-created_at", "-id"), "new": ("-created_at", "-id"),
          "name": ("name", "id")}


class ILike(Func):
    """``expression ILIKE pattern``: what the trigram (gin_trgm_ops) indexes serve.
    Django's ``icontains`` compiles to ``UPPER(x) LIKE UPPER(p)``, which cannot use
    them."""

    template = "%(expressions)s"
    arg_joiner = " ILIKE "
    output_field = BooleanField()


def _like(text, *, prefix_only=False):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Value(f"{escaped}%" if prefix_only else f"%{escaped}%")


def _level_id(login):
    return login.customer.level_id if login is not None else None


def visible_products(login):
    """The products ``login``'s company may see (on shelf, visible to its level, with
    at least one active variant)."""
    return products_visible_to(_level_id(login))


def products_visible_to(level_id):
    """The products a company of customer level ``level_id`` (None: no level) may see."""
    restricted = Product.levels.through.objects.filter(product_id=OuterRef("pk"))
    for_level = ~Exists(restricted)
    if level_id is not None:
        for_level |= Exists(restricted.filter(customerlevel_id=level_id))
    return Product.objects.filter(
        for_level, Exists(Variant.objects.filter(product_id=OuterRef("pk"), is_active=True)),
        on_shelf=True)


def _with_card_fields(qs, login):
    first_image = ProductImage.objects.filter(product_id=OuterRef("pk")).order_by("position",
                                                                                 "id")
    return qs.select_related("brand", "unit").annotate(
        thumb_name=Subquery(first_image.values("thumbnail")[:1]),
        image_name=Subquery(first_image.values("image")[:1]),
        is_favourite=Exists(Favourite.objects.filter(user_id=login.user_id,
                                                     product_id=OuterRef("pk"))))


def _available(variant):
    return max(variant.on_hand - variant.reserved, 0)


def stock_for(variants):
    """What the dealer sees of the stock of ``variants`` together (None: nothing)."""
    return stock_for_dealer(sum(_available(v) for v in variants))


def shows_stock():
    return tenant_settings().stock_display != StockDisplay.HIDDEN


# --- the product list ----------------------------------------------------------------


@dataclass
class ProductCard:
    product: Product
    image_url: str
    price_min: pricing.Price
    price_max: pricing.Price
    variant_count: int
    stock: dict | None
    is_favourite: bool

    @property
    def has_range(self):
        return self.price_min.price != self.price_max.price


def _card(product, variants, prices):
    offers = sorted((prices[v.pk] for v in variants), key=lambda p: p.price)
    name = product.thumb_name or product.image_name
    return ProductCard(product=product, image_url=default_storage.url(name) if name else "",
                       price_min=offers[0], price_max=offers[-1], variant_count=len(variants),
                       stock=stock_for(variants), is_favourite=product.is_favourite)


def _filtered(login, *, q="", category=None, brand=None, tag="", in_stock=False,
              favourites=False):
    qs = visible_products(login)
    active = Variant.objects.filter(product_id=OuterRef("pk"), is_active=True)
    q = " ".join((q or "").split())
    if q:
        # each branch on its own index: the name's trigram index (any part of the name,
        # Chinese or English), the variant code's trigram index (code prefix) and the
        # barcode's b-tree (exact; digits also match a barcode's beginning); product
        # codes by prefix
        by_name = Product.objects.filter(ILike(F("name"), _like(q))).values("pk")
        barcode = Q(barcode__startswith=q) if q.isdigit() else Q(barcode=q)
        by_variant = Variant.objects.filter(
            Q(ILike(F("code"), _like(q, prefix_only=True))) | barcode,
            is_active=True).values("product_id")
        qs = qs.filter(Q(pk__in=by_name) | Q(pk__in=by_variant)
                       | Q(ILike(F("code"), _like(q, prefix_only=True))))
    if category:
        qs = qs.filter(Q(category_id=category) | Q(category__path__contains=f"/{int(category)}/"))
    if brand:
        qs = qs.filter(brand_id=brand)
    if tag:
        qs = qs.filter(tags__contains=[tag])
    if in_stock and shows_stock():
        qs = qs.filter(Exists(active.filter(on_hand__gt=F("reserved"))))
    if favourites:
        qs = qs.filter(Exists(Favourite.objects.filter(user_id=login.user_id,
                                                       product_id=OuterRef("pk"))))
    return qs


def _active_variants():
    return Variant.objects.filter(is_active=True).order_by("product_id", "position", "id")


def dealer_products(login, q="", category=None, brand=None, tag="", price_min=None,
                    price_max=None, in_stock=False, sort="", *, favourites=False, page=1,
                    per_page=PAGE_SIZE):
    """One page (a ``django.core.paginator.Page``) of ``ProductCard``s for ``login``.

    ``category`` includes its sub-categories; ``price_min``/``price_max`` filter on the
    dealer's own price (a product matches when one of its variants does); ``sort`` is
    "" (the supplier's order), "new", "name", "price" (lowest first) or "-price"."""
    customer = login.customer
    sort = sort if sort in SORTS else ""
    per_page = min(max(int(per_page or PAGE_SIZE), 1), MAX_PAGE_SIZE)
    qs = _filtered(login, q=q, category=category, brand=brand, tag=tag, in_stock=in_stock,
                   favourites=favourites)
    if price_min is None and price_max is None and sort not in ("price", "-price"):
        # the database pages: the page's products (with the total: COUNT(*) OVER ()),
        # their variants, 3 queries for prices
        number = _page_number(page)
        qs = _with_card_fields(qs, login).order_by(*_ORDER[sort]).prefetch_related(
            Prefetch("variants", queryset=_active_variants(), to_attr="active_variants"))
        counted = qs.annotate(full_count=Window(Count("pk")))
        offset = (number - 1) * per_page
        products = list(counted[offset:offset + per_page])
        total = products[0].full_count if products else qs.count()
        if not products and total:  # past the last page: show the last one
            number = (total - 1) // per_page + 1
            offset = (number - 1) * per_page
            products = list(counted[offset:offset + per_page])
        prices = pricing.prices_for(customer, [v for p in products for v in p.active_variants])
        cards = [_card(p, p.active_variants, prices) for p in products if p.active_variants]
        return Page(cards, number, _CountedPaginator(total, per_page))
    # the dealer's price decides: price every candidate's variants (constant queries),
    # filter and sort in Python, then load the page's products
    product_order = [f"-product__{f[1:]}" if f.startswith("-") else f"product__{f}"
                     for f in _ORDER.get(sort, _ORDER[""])]
    variants = list(_active_variants().filter(product_id__in=qs.values("pk")).order_by(
        *product_order, "position", "id"))
    prices = pricing.prices_for(customer, variants)
    by_product = {}
    for variant in variants:
        by_product.setdefault(variant.product_id, []).append(variant)
    ids = list(by_product)  # in the product order asked for

    def matches(variant):
        price = prices[variant.pk].price
        return ((price_min is None or price >= price_min)
                and (price_max is None or price <= price_max))

    ids = [pk for pk in ids if any(matches(v) for v in by_product.get(pk, ()))]
    if sort == "price":
        ids.sort(key=lambda pk: min(prices[v.pk].price for v in by_product[pk]))
    elif sort == "-price":
        ids.sort(key=lambda pk: max(prices[v.pk].price for v in by_product[pk]), reverse=True)
    result = Paginator(ids, per_page).get_page(page)
    page_ids = list(result.object_list)
    loaded = {p.pk: p for p in _with_card_fields(Product.objects.filter(pk__in=page_ids), login)}
    result.object_list = [_card(loaded[pk], by_product[pk], prices) for pk in page_ids
                          if pk in loaded]
    return result


class _CountedPaginator(Paginator):
    """A paginator told its total (the page query counted it with a window)."""

    def __init__(self, count, per_page):
        super().__init__((), per_page)
        self.__dict__["count"] = count


MAX_PAGE = 100_000


def _page_number(page):
    try:
        return min(max(int(page), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


# --- navigation and filter choices ---------------------------------------------------


@dataclass
class CategoryNode:
    category: Category
    count: int  # visible products here and below
    depth: int = 0
    children: list = field(default_factory=list)

    @property
    def pk(self):
        return self.category.pk

    @property
    def name(self):
        return self.category.name


def category_tree(login):
    """The categories holding products the dealer sees (here or below), as a flat list
    of ``CategoryNode`` in tree order with ``depth`` (one query)."""
    visible = visible_products(login).values("pk")
    categories = list(Category.objects.annotate(
        n=Count("products", filter=Q(products__in=visible), distinct=True)).order_by(
        "position", "name", "id"))
    nodes = {c.pk: CategoryNode(category=c, count=0) for c in categories}
    for category in categories:
        for ancestor in [int(pk) for pk in category.path.strip("/").split("/") if pk] + [
                category.pk]:
            if ancestor in nodes:
                nodes[ancestor].count += category.n
    roots = []
    for category in categories:
        node = nodes[category.pk]
        if not node.count:
            continue
        parent = nodes.get(category.parent_id)
        (parent.children if parent is not None else roots).append(node)
    flat = []

    def walk(items, depth):
        for node in items:
            node.depth = depth
            flat.append(node)
            walk(node.children, depth + 1)

    walk(roots, 0)
    return flat


def filter_choices(login):
    """The brands and the tags (alphabetically) of the products the dealer sees, in
    one query: ``(brands, tags)``."""
    visible = visible_products(login)
    brands = Brand.objects.filter(Exists(visible.filter(brand_id=OuterRef("pk")))).annotate(
        kind=Value("b")).values_list("kind", "position", "name", "pk")
    tags = (visible.order_by().annotate(kind=Value("t"), zero=Value(0),
                                        tag=Func(F("tags"), function="unnest"), none=Value(0))
            .values_list("kind", "zero", "tag", "none").distinct())
    rows = brands.union(tags).order_by("kind", "position", "name")
    found_brands, found_tags = [], []
    for kind, _position, name, pk in rows:
        if kind == "b":
            found_brands.append(Brand(pk=pk, name=name))
        elif len(found_tags) < MAX_TAGS:
            found_tags.append(name)
    return found_brands, found_tags


# --- one product ---------------------------------------------------------------------


@dataclass
class Offer:
    """One variant as the dealer sees it."""

    variant: Variant
    price: pricing.Price  # one base unit
    units: list  # [(VariantUnit, Price)] larger units
    breaks: list  # [Price] from each quantity break that lowers the dealer's price
    stock: dict | None
    specs: list  # [SpecValue] in attribute order

    @property
    def label(self):
        return spec_label(self.specs) or self.variant.code


@dataclass
class Grid:
    """Two specification dimensions: ``rows`` values × ``columns`` values; ``cell(r, c)``
    the Offer of that combination, or None."""

    row_attribute: object
    column_attribute: object
    rows: list
    columns: list
    cells: dict

    def table(self):
        return [(row, [self.cells.get((row.pk, column.pk)) for column in self.columns])
                for row in self.rows]


@dataclass
class ProductDetail:
    product: Product
    images: list
    offers: list
    attributes: list  # [(SpecAttribute, [SpecValue])]
    is_favourite: bool
    grid: Grid | None

    def offer(self, variant_id):
        for offer in self.offers:
            if str(offer.variant.pk) == str(variant_id):
                return offer
        return None

    @property
    def price_min(self):
        return min(self.offers, key=lambda o: o.price.price).price

    @property
    def price_max(self):
        return max(self.offers, key=lambda o: o.price.price).price

    @property
    def stock(self):
        return stock_for([offer.variant for offer in self.offers])


def _grid(attributes, offers):
    if len(attributes) != 2:
        return None
    (row_attribute, rows), (column_attribute, columns) = attributes
    cells = {}
    for offer in offers:
        key = tuple(value.pk for value in offer.specs)
        if len(key) != 2 or key in cells:
            return None  # a variant without one value of each: no matrix
        cells[key] = offer
    return Grid(row_attribute=row_attribute, column_attribute=column_attribute, rows=rows,
                columns=columns, cells=cells)


def dealer_product(login, pk):
    """The product ``pk`` with its active variants at the dealer's prices (units, breaks),
    stock and images; NotFoundError when the dealer may not see it (constant queries)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise CatalogNotFoundError(_("No such product.")) from None
    # images and sales units ride along as JSON arrays (no query of their own)
    variants = _active_variants().annotate(unit_rows=ArraySubquery(
        VariantUnit.objects.filter(variant_id=OuterRef("pk")).order_by("factor").values(
            json=JSONObject(id="id", factor="factor", unit_id="unit_id",
                            unit_name="unit__name")))).prefetch_related(
        Prefetch("spec_values", queryset=SPEC_VALUES))
    product = (visible_products(login).filter(pk=pk).select_related("category", "brand", "unit")
               .annotate(is_favourite=Exists(Favourite.objects.filter(
                   user_id=login.user_id, product_id=OuterRef("pk"))),
                   image_rows=ArraySubquery(ProductImage.objects.filter(
                       product_id=OuterRef("pk")).order_by("position", "id").values(
                       json=JSONObject(id="id", image="image", thumbnail="thumbnail"))))
               .prefetch_related(Prefetch("variants", queryset=variants,
                                          to_attr="active_variants"))
               .first())
    if product is None:
        raise CatalogNotFoundError(_("No such product."))
    images = [ProductImage(pk=row["id"], product_id=product.pk, image=row["image"],
                           thumbnail=row["thumbnail"] or "") for row in product.image_rows]
    book = pricing.load_book(login.customer, product.active_variants)
    offers, attributes = [], {}
    for variant in product.active_variants:
        base = pricing.compute(variant, book)
        breaks = book.variant_breaks.get(variant.pk) or book.product_breaks.get(
            variant.product_id) or ()
        tiers = []
        for qb in breaks:
            tier = pricing.compute(variant, book, base_quantity=qb.min_quantity)
            if tier.unit_price < base.unit_price and tier.rule == "break":
                tiers.append(tier)
        units = []
        for row in variant.unit_rows:
            unit = VariantUnit(pk=row["id"], variant_id=variant.pk, factor=row["factor"],
                               unit=Unit(pk=row["unit_id"], name=row["unit_name"]))
            units.append((unit, pricing.compute(variant, book, factor=unit.factor,
                                                unit_name=unit.unit.name)))
        specs = ordered_specs(variant.spec_values.all())  # attribute order, as everywhere
        for value in specs:
            attributes.setdefault(value.attribute, {})[value.pk] = value
        offers.append(Offer(variant=variant, price=base, units=units, breaks=tiers,
                            stock=stock_for_dealer(_available(variant)),
                            specs=specs))
    ordered = sorted(attributes.items(), key=lambda item: attribute_key(item[0]))
    attributes = [(attribute, sorted(values.values(), key=lambda v: (v.position, v.value)))
                  for attribute, values in ordered]
    return ProductDetail(product=product, images=images, offers=offers,
                         attributes=attributes, is_favourite=product.is_favourite,
                         grid=_grid(attributes, offers))


# --- favourites ----------------------------------------------------------------------


@transaction.atomic
def favourite_toggle(*, login, product_id):
    """Add the product to the login's favourites, or remove it; returns True when it is
    now a favourite. Only products the dealer may see."""
    if not visible_products(login).filter(pk=product_id).exists():
        raise CatalogNotFoundError(_("No such product."))
    removed, _detail = Favourite.objects.filter(user_id=login.user_id,
                                                product_id=product_id).delete()
    if removed:
        return False
    try:
        with transaction.atomic():
            Favourite.objects.create(user_id=login.user_id, product_id=product_id)
    except IntegrityError:
        pass  # a double click: it is a favourite either way
    return True


# --- the order grid ------------------------------------------------------------------


def quantity_problem(variant, quantity, *, stock=True):
    """Why ``quantity`` (base units) of ``variant`` cannot be ordered, or None; ``stock``
    False leaves out what is in stock now (a quotation's quantity, ordered later)."""
    if quantity < 0:
        return _("Enter 0 or more.")
    if quantity > MAX_QUANTITY:
        return _("Enter at most %(n)s.") % {"n": f"{MAX_QUANTITY:,}"}
    if quantity < variant.min_quantity:
        return _("At least %(n)d.") % {"n": variant.min_quantity}
    if quantity % variant.order_multiple:
        return _("In multiples of %(n)d.") % {"n": variant.order_multiple}
    if stock and not variant.oversell and quantity > variant.on_hand - variant.reserved:
        available = max(variant.on_hand - variant.reserved, 0)
        if tenant_settings().stock_display == StockDisplay.EXACT:
            return _("Only %(n)d available.") % {"n": available}
        return _("Not enough stock.")
    return None


def grid_lines(login, product, quantities):
    """Validate the quantities a dealer typed into the order grid of ``product``
    (``quantities``: variant id → quantity in base units, as typed) and return the
    lines for the cart: ``[{"variant", "quantity", "price"}]`` in variant order, priced
    for the quantity. Raises ApplicationError with one field error per bad cell (keyed
    by the variant id), NotFoundError when the dealer may not see the product,
    PermissionDeniedError for a view-only login."""
    if not login.can_order:
        raise CatalogPermissionError(_("Your login can only view; it cannot order."))
    product_id = getattr(product, "pk", product)
    if not visible_products(login).filter(pk=product_id).exists():
        raise CatalogNotFoundError(_("No such product."))
    variants = {v.pk: v for v in _active_variants().filter(product_id=product_id)}
    errors, wanted = {}, {}
    for key, raw in (quantities or {}).items():
        try:
            variant = variants.get(int(key))
        except (TypeError, ValueError):
            variant = None
        if variant is None:
            errors[str(key)] = [_("This variant is not available.")]
            continue
        raw = "" if raw is None else str(raw).strip()
        if raw == "":
            continue
        try:
            quantity = int(raw)
        except ValueError:
            errors[str(key)] = [_("Enter a whole number.")]
            continue
        if quantity == 0:
            continue
        problem = quantity_problem(variant, quantity)
        if problem:
            errors[str(key)] = [problem]
        else:
            wanted[variant.pk] = quantity
    if errors:
        raise CatalogError(_("Check the quantities marked in red."), fields=errors)
    if not wanted:
        raise CatalogError(_("Enter a quantity for at least one variant."),
                               code=CatalogErrorCode.EMPTY)
    chosen = [v for v in variants.values() if v.pk in wanted]
    prices = pricing.prices_for(login.customer, chosen, quantities=wanted)
    return [{"variant": v, "quantity": wanted[v.pk], "price": prices[v.pk]} for v in chosen]


def lines_total(lines):
    """The total of ``grid_lines``' lines (Decimal)."""
    return sum((line["price"].line_total(line["quantity"]) for line in lines), Decimal("0"))
