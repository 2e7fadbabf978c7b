"""Import the catalog from Excel (.xlsx) or CSV — products and variants, level prices,
customer prices, stock — and export it.

The machinery is the customers' (``ordering.spreadsheets``): a *dry run* that validates
every row through the same code and rolls back, then — only when every row is valid
and the user confirms — the real import in one transaction, all or nothing, recorded
as one ``catalog.import`` audit entry with its counts. Every write goes through the
catalog services (``product_create`` / ``product_update``, ``variant_save``,
``level_price_set``, ``customer_price_set``, ``stock_move``); an ``ApplicationError``
they raise becomes a row error on the column it names.

Speed (10,000 variant rows in well under a minute, see ``bench/catalog_import.py``):
everything a row refers to is looked up once per file — variants, products,
categories, brands, units, specification values, levels, customers, current prices
— and the reference data a file introduces (a new category path, brand, unit or
specification value) is created once per file, before the rows, not once per row. A
row whose values equal what is stored is counted as up to date and not written.

Empty cells leave an existing product's or variant's value unchanged. Per kind:

* products — one row per variant; the product's columns (name, category, brand, tags,
  base unit, on shelf) may repeat on each of its variants' rows (they must agree);
* level prices — a fixed price or a percentage of the list price per variant and level;
* customer prices — a special price per variant and customer (customers the importer
  may work with only);
* stock — a counted quantity (the stock on hand becomes it: an adjustment with the
  reason "Stock import") or a received quantity (a receipt).

The products importer is ``product_import``; what every importer shares (limits, the
service call whose error lands on a column, variants by code) is ``import_rows``.
"""

from decimal import Decimal

from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from ordering.catalog.exceptions import CatalogError
from ordering import spreadsheets
from ordering.catalog.enums import MovementKind
from ordering.catalog.models import CustomerPrice, LevelPrice, SpecValue, Variant, VariantUnit
from ordering.catalog.resources import (KIND_LABELS, KIND_PERMISSIONS, KINDS,
                                        CustomerPriceResource, LevelPriceResource,
                                        StockResource, resource_for)
from ordering.catalog.services import products as catalog
from ordering.catalog.services.import_rows import (MAX_ROWS, CatalogImporter, call_service,
                                                   variants_by_code)
from ordering.catalog.services.product_import import ProductImporter  # noqa: F401
from ordering.catalog.services.stock import stock_move
from ordering.customers.services.guards import require_perm
from ordering.spreadsheets import FORMATS, ImportFileError
from roles.services.audit import audit_record

def _authorise(actor, kind):
    if kind not in KINDS:
        raise ImportFileError(_("Choose what to import."))
    require_perm(actor, KIND_PERMISSIONS[kind])


# --- level prices ------------------------------------------------------------------


class LevelPriceImporter(CatalogImporter):
    model = LevelPrice
    resource_class = LevelPriceResource

    @classmethod
    def missing_columns(cls, seen):
        missing = [key for key in cls.resource_class.required if key not in seen]
        if not {"price", "percent"} & set(seen):
            missing.append("price")
        return missing

    def prepare(self, rows):
        from ordering.customers.models import CustomerLevel

        self.variants = variants_by_code([row.text("variant_code") for row in rows])
        self.levels = {level.name.casefold(): level for level in CustomerLevel.objects.all()}
        self.current = {(lp.variant_id, lp.level_id): lp for lp in LevelPrice.objects.filter(
            variant__in=[v.pk for v in self.variants.values()])} if self.variants else {}
        self.seen = {}

    def parse(self, row):
        row.variant = self.variant(row, self.variants)
        row.level = None
        if not row.has("level"):
            row.error("level", _("Enter the customer level."))
        else:
            row.level = self.levels.get(row.text("level").casefold())
            if row.level is None:
                names = ", ".join(level.name for level in list(self.levels.values())[:10])
                row.error("level", _("Unknown customer level “%(name)s” (levels: %(names)s).")
                          % {"name": row.text("level"), "names": names or "—"})
        price = self.amount(row, "price")
        percent = None
        if row.has("percent"):
            percent = spreadsheets.parse_amount(row.text("percent").rstrip("%％"))
            if percent is None or not Decimal("0") < percent <= Decimal("1000"):
                row.error("percent", _("Enter a percentage above 0 and at most 1000."))
                percent = None
            elif percent != percent.quantize(Decimal("0.01")):
                row.error("percent", _("At most %(n)d decimal places.") % {"n": 2})
                percent = None
        if row.has("price") and row.has("percent"):
            row.error("percent", _("Give a fixed price or a percentage, not both."))
        elif not row.has("price") and not row.has("percent"):
            row.error("price", _("Enter a price or a percentage."))
        row.values = {"price": price, "percent": percent}
        if row.variant is not None and row.level is not None:
            self.first_row(self.seen, (row.variant.pk, row.level.pk), row, "level",
                           _("This variant's price for this level is also in row %(row)d."))

    def write(self, row):
        current = self.current.get((row.variant.pk, row.level.pk))
        price, percent = row.values["price"], row.values["percent"]
        if current is not None and current.price == price and current.percent == percent:
            return "unchanged"
        call_service(catalog.level_price_set, {}, "price", actor=self.actor, variant=row.variant,
              level=row.level, price=price, percent=percent, ip=self.ip)
        return "updated" if current is not None else "created"


# --- customer prices ---------------------------------------------------------------


class CustomerPriceImporter(CatalogImporter):
    model = CustomerPrice
    resource_class = CustomerPriceResource

    def prepare(self, rows):
        from ordering.customers.models import Customer
        from roles.permissions import scope

        self.variants = variants_by_code([row.text("variant_code") for row in rows])
        codes = sorted({row.text("customer_code").lower() for row in rows
                        if row.text("customer_code")})
        customers = Customer.objects.annotate(code_ci=Lower("code")).filter(code_ci__in=codes)
        if self.actor is not None:
            customers = scope(self.actor, customers)
        self.customers = {c.code.casefold(): c for c in customers} if codes else {}
        self.current = {(cp.variant_id, cp.customer_id): cp for cp in
                        CustomerPrice.objects.filter(
                            variant__in=[v.pk for v in self.variants.values()],
                            customer__in=[c.pk for c in self.customers.values()])
                        } if self.variants and self.customers else {}
        self.seen = {}

    def parse(self, row):
        row.variant = self.variant(row, self.variants)
        code = row.text("customer_code")
        row.customer = self.customers.get(code.casefold()) if code else None
        if not code:
            row.error("customer_code", _("Enter the customer code."))
        elif row.customer is None:
            row.error("customer_code", _("No such customer."))
        row.values = {"price": self.amount(row, "price", required=True)}
        if row.variant is not None and row.customer is not None:
            self.first_row(self.seen, (row.variant.pk, row.customer.pk), row, "customer_code",
                           _("This variant's price for this customer is also in row "
                             "%(row)d."))

    def write(self, row):
        current = self.current.get((row.variant.pk, row.customer.pk))
        if current is not None and current.price == row.values["price"]:
            return "unchanged"
        call_service(catalog.customer_price_set, {}, "price", actor=self.actor, variant=row.variant,
              customer=row.customer, price=row.values["price"], ip=self.ip)
        return "updated" if current is not None else "created"


# --- stock -------------------------------------------------------------------------


class StockImporter(CatalogImporter):
    model = Variant
    resource_class = StockResource

    @classmethod
    def missing_columns(cls, seen):
        missing = [key for key in cls.resource_class.required if key not in seen]
        if not {"counted", "received"} & set(seen):
            missing.append("counted")
        return missing

    def prepare(self, rows):
        self.variants = variants_by_code([row.text("variant_code") for row in rows])
        self.on_hand = {}
        if self.variants:
            # A count sets the stock to a number: lock the counted variants (in key order,
            # one query) so that no order moves them between reading and adjusting. The
            # check does not lock: it would hold up checkouts for nothing.
            queryset = Variant.objects.filter(pk__in=[v.pk for v in self.variants.values()])
            if not self.dry_run:
                queryset = queryset.select_for_update().order_by("pk")
            self.on_hand = dict(queryset.values_list("pk", "on_hand"))
        self.seen = {}

    def parse(self, row):
        row.variant = self.variant(row, self.variants)
        counted = self.whole(row, "counted", minimum=0,
                             message=_("Enter a whole number of 0 or more."))
        received = self.whole(row, "received", minimum=1,
                              message=_("Enter a whole number above 0."))
        if row.has("counted") and row.has("received"):
            row.error("received", _("Fill in the counted or the received quantity, not both."))
        elif not row.has("counted") and not row.has("received"):
            row.error("counted", _("Fill in the counted or the received quantity."))
        row.values = {"counted": counted, "received": received}
        if row.variant is not None:
            self.first_row(self.seen, row.variant.pk, row, "variant_code",
                           _("This SKU code is also in row %(row)d."))

    def write(self, row):
        reference = self.filename[:60]
        if row.values["received"] is not None:
            call_service(stock_move, {}, "received", actor=self.actor, variant=row.variant,
                  kind=MovementKind.RECEIPT, quantity=row.values["received"],
                  reason=_("Stock import"), reference=reference)
            return "updated"
        change = row.values["counted"] - self.on_hand[row.variant.pk]
        if not change:
            return "unchanged"
        call_service(stock_move, {}, "counted", actor=self.actor, variant=row.variant,
              kind=MovementKind.ADJUSTMENT, on_hand_change=change, reason=_("Stock import"),
              reference=reference)
        return "updated"


IMPORTERS = {"products": ProductImporter, "level_prices": LevelPriceImporter,
             "customer_prices": CustomerPriceImporter, "stock": StockImporter}


# --- import ------------------------------------------------------------------------


def read_file(*, content, extension):
    """The file's first sheet as a ``tablib.Dataset``, or ``ImportFileError``."""
    return spreadsheets.read_file(content=content, extension=extension, max_rows=MAX_ROWS)


def import_rows(*, actor, kind, dataset, filename="", dry_run=True, ip=None):
    """Validate (``dry_run``) or import the dataset's rows; see the module docstring.
    Returns an ``ImportResult``: with errors nothing was written."""
    _authorise(actor, kind)
    return spreadsheets.import_dataset(
        importer_class=IMPORTERS[kind], actor=actor, kind=kind, dataset=dataset,
        filename=filename, dry_run=dry_run, ip=ip, audit_action="catalog.import",
        label="catalog import")


def import_file(*, actor, kind, content, extension, filename="", dry_run=True, ip=None):
    """``read_file`` then ``import_rows``."""
    _authorise(actor, kind)
    dataset = read_file(content=content, extension=extension)
    return import_rows(actor=actor, kind=kind, dataset=dataset, filename=filename,
                       dry_run=dry_run, ip=ip)


def _check(kind, dataset):
    resource = resource_for(kind)
    _mapping, _ignored, seen = spreadsheets.map_columns(
        resource, [str(h or "") for h in (dataset.headers or [])])
    spreadsheets.require_columns(resource, IMPORTERS[kind].missing_columns(seen))


JOBS = spreadsheets.ImportJobs(
    app="catalog", kinds=KINDS, task="ordering.catalog.tasks.catalog_import_task",
    authorise=_authorise, check=_check, max_rows=MAX_ROWS,
    import_file=lambda **kwargs: import_file(**kwargs),
    no_longer_allowed=gettext_lazy("Your account can no longer import into the catalog."))


def job_run(*, token, dry_run, user_id, language="", ip=None):
    """The background task: check (``dry_run``) or import the job's upload."""
    JOBS.run(token=token, dry_run=dry_run, user_id=user_id, language=language, ip=ip)


# --- export ------------------------------------------------------------------------

TEXT_COLUMNS = {"product_code", "variant_code", "barcode", "customer_code"}


def _spec_prefetch(prefix=""):
    return Prefetch(f"{prefix}spec_values",
                    queryset=SpecValue.objects.select_related("attribute"))


def export_rows(*, actor, kind, products):
    """The rows of ``kind`` for the products (a filtered ``selectors.product_list``), in
    the list's order, with what the export reads joined or prefetched: a constant
    number of queries however many rows."""
    order = {pk: index for index, pk in enumerate(
        products.prefetch_related(None).values_list("pk", flat=True))}
    if kind in ("products", "stock"):
        rows = list(Variant.objects.filter(product_id__in=list(order))
                    .select_related("product", "product__category", "product__brand",
                                    "product__unit")
                    .prefetch_related(_spec_prefetch(),
                                      Prefetch("units", queryset=VariantUnit.objects
                                               .select_related("unit"))))
        rows.sort(key=lambda v: (order[v.product_id], v.position, v.pk))
        return rows
    if kind == "level_prices":
        rows = list(LevelPrice.objects.filter(variant__product_id__in=list(order))
                    .select_related("variant", "variant__product", "level")
                    .prefetch_related(_spec_prefetch("variant__")))
        rows.sort(key=lambda lp: (order[lp.variant.product_id], lp.variant.position,
                                  lp.variant_id, lp.level.position, lp.level_id))
        return rows
    from ordering.customers.models import Customer
    from roles.permissions import scope

    customers = Customer.objects.all()
    if actor is not None:
        customers = scope(actor, customers)
    rows = list(CustomerPrice.objects.filter(variant__product_id__in=list(order),
                                             customer__in=customers)
                .select_related("variant", "variant__product", "customer")
                .prefetch_related(_spec_prefetch("variant__")))
    rows.sort(key=lambda cp: (order[cp.variant.product_id], cp.variant.position,
                              cp.variant_id, cp.customer.name.casefold(), cp.customer_id))
    return rows


def export_file(*, actor, kind, extension, products, filters=None, ip=None):
    """Products and variants, level prices, customer prices or stock of the products
    (``selectors.product_list`` with the list's filters) as .xlsx or .csv:
    ``(bytes, filename)``."""
    require_perm(actor, "export_data")
    if kind not in KINDS or extension not in FORMATS:
        raise CatalogError(_("Choose what to export and the file type."))
    rows = export_rows(actor=actor, kind=kind, products=products)
    data, count = spreadsheets.sheet_bytes(resource_for(kind), rows, extension=extension,
                                           title=KIND_LABELS[kind], text_keys=TEXT_COLUMNS)
    audit_record(actor=actor, action="catalog.export", obj=None, ip=ip,
                 after={"kind": kind, "format": extension, "rows": count,
                        "filters": {k: v for k, v in (filters or {}).items() if v}})
    stamp = timezone.localdate().strftime("%Y%m%d")
    return data, f"catalog-{kind.replace('_', '-')}-{stamp}.{extension}"


def template_file(*, kind, extension="xlsx"):
    """An empty import template: the header row the resource exports."""
    if kind not in KINDS or extension not in FORMATS:
        raise CatalogError(_("Choose what to import and the file type."))
    data, _count = spreadsheets.sheet_bytes(resource_for(kind), [], extension=extension,
                                            title=KIND_LABELS[kind], text_keys=TEXT_COLUMNS)
    return data, f"catalog-{kind.replace('_', '-')}-template.{extension}"
