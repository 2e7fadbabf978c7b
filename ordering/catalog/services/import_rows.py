"""What the catalog's importers share: the limits, a service call whose error lands
on this sheet's column, variants looked up by code, and ``CatalogImporter`` (cells as
amounts and whole numbers, the variant column)."""

from decimal import Decimal

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from ordering.catalog.exceptions import CatalogError
from ordering import spreadsheets
from ordering.catalog.models import Variant
from ordering.spreadsheets import RowImporter

MAX_ROWS = 10_000
MONEY_LIMIT = Decimal("1e12")
QUANTITY_LIMIT = 1_000_000_000


def remapped(exc, columns, default=""):
    """The service's error with its field names turned into this sheet's column keys
    (a field-less error lands on ``default``)."""
    fields = {}
    for key, messages in (exc.fields or {}).items():
        fields.setdefault(columns.get(key, key), []).extend(messages)
    if not fields and default:
        fields = {default: [exc.message]}
    error = CatalogError(exc.message, fields=fields)
    error.code = exc.code
    return error


def call_service(service, columns, default="", **kwargs):
    try:
        return service(**kwargs)
    except ApplicationError as exc:
        raise remapped(exc, columns, default) from exc


def variants_by_code(codes, *, related=(), prefetch=()):
    """Variants whose code is one of ``codes`` (any case): code.casefold() → variant."""
    codes = sorted({code.lower() for code in codes if code})
    if not codes:
        return {}
    found = {}
    queryset = (Variant.objects.annotate(code_ci=Lower("code")).filter(code_ci__in=codes)
                .select_related("product", *related).prefetch_related(*prefetch))
    for variant in queryset:
        found[variant.code.casefold()] = variant
    return found


class CatalogImporter(RowImporter):
    """Shared helpers: cells as amounts and whole numbers, the variant column.

    Every write is atomic services only (each rolls itself back when it fails), so
    rows need no savepoint of their own."""

    key_column = "variant_code"
    savepoint_per_row = False

    def amount(self, row, key, *, required=False, minimum=Decimal("0"), places=2,
               limit=MONEY_LIMIT):
        if not row.has(key):
            if required:
                row.error(key, _("Enter an amount."))
            return None
        value = spreadsheets.parse_amount(row.text(key))
        if value is None:
            row.error(key, _("Enter an amount."))
        elif value < minimum or value >= limit:
            row.error(key, _("Enter an amount of 0 or more."))
        elif value != value.quantize(Decimal(1).scaleb(-places)):
            row.error(key, _("At most %(n)d decimal places.") % {"n": places})
        else:
            return value.quantize(Decimal(1).scaleb(-places))
        return None

    def whole(self, row, key, *, minimum, message):
        if not row.has(key):
            return None
        value = spreadsheets.parse_whole(row.text(key))
        if value is None or value < minimum or value > QUANTITY_LIMIT:
            row.error(key, message)
            return None
        return value

    def variant(self, row, variants):
        code = row.text("variant_code")
        if not code:
            row.error("variant_code", _("Enter the SKU code."))
            return None
        variant = variants.get(code.casefold())
        if variant is None:
            row.error("variant_code", _("No variant has the SKU code “%(code)s”.")
                      % {"code": code})
        return variant

    def first_row(self, seen, key, row, column, message):
        """Report ``row`` when ``key`` was already in an earlier row."""
        first = seen.setdefault(key, row.number)
        if first != row.number:
            row.error(column, message % {"row": first})
            return False
        return True
