"""The products-and-variants importer (one row per variant; the product's columns may
repeat on each of its variants' rows). See ``ordering.catalog.services.imports``."""

import logging
from decimal import Decimal

from django.db import DatabaseError, transaction
from django.db.models import Count, Prefetch
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from ordering.catalog.exceptions import CatalogError
from ordering import spreadsheets
from ordering.catalog.models import (Brand, Product, SpecAttribute, SpecValue, Unit, Variant,
                                     VariantUnit)
from ordering.catalog.resources import (SPEC_PAIR, SPEC_SEPARATORS, UNIT_PAIR, CategoryIndex,
                                        ProductResource, split_path)
from ordering.catalog.services import products as catalog
from ordering.catalog.services.import_rows import (QUANTITY_LIMIT, CatalogImporter,
                                                   call_service, variants_by_code)
from ordering.customers.services.customers import clean_tags

log = logging.getLogger(__name__)


# --- products and variants ---------------------------------------------------------

PRODUCT_KEYS = ("product_name", "category", "brand", "tags", "unit", "on_shelf")
# a product service's field → this sheet's column
PRODUCT_COLUMNS = {"name": "product_name", "code": "product_code", "category": "category",
                   "brand": "brand", "tags": "tags", "unit": "unit", "on_shelf": "on_shelf"}
VARIANT_COLUMNS = {"code": "variant_code", "list_price": "list_price", "barcode": "barcode",
                   "min_quantity": "min_quantity", "order_multiple": "order_multiple",
                   "units": "units", "specs": "specs", "image": "variant_code"}


class ProductImporter(CatalogImporter):
    """One row per variant. Products are grouped by their code: the first row of a
    product creates or updates it, every row saves its variant."""

    model = Variant
    resource_class = ProductResource

    def prepare(self, rows):
        self.variants = variants_by_code(
            [row.text("variant_code") for row in rows],
            related=("product__unit", "image"),
            prefetch=("spec_values", Prefetch("units", queryset=VariantUnit.objects.all())))
        codes = sorted({row.text("product_code").lower() for row in rows
                        if row.text("product_code")})
        self.products = {product.code.casefold(): product for product in
                         Product.objects.annotate(code_ci=Lower("code"))
                         .filter(code_ci__in=codes).select_related("unit")} if codes else {}
        self.categories = CategoryIndex()
        self.units = {unit.name.casefold(): unit for unit in Unit.objects.all()}
        self.brands = {brand.name.casefold(): brand for brand in Brand.objects.all()}
        self.attributes = {a.name.casefold(): a for a in SpecAttribute.objects.all()}
        self.spec_values = {(value.attribute_id, value.value.casefold()): value
                            for value in SpecValue.objects.all()}
        self.seen_variants = {}
        self.product_rows = {}  # product code → {"first": Row, "values": {...}, "rows": …}
        self.needed = {"categories": {}, "units": {}, "brands": {}, "specs": {}}
        self.saved_products = {}  # product code → Product written by this import
        # where each product's next new variant goes (one query for all products)
        self.positions = dict(Variant.objects.filter(
            product__in=[p.pk for p in self.products.values()]).order_by().values("product_id")
            .annotate(n=Count("pk")).values_list("product_id", "n")) if self.products else {}

    # parse ----------------------------------------------------------------------

    def parse(self, row):
        code = row.text("product_code")
        if not code:
            row.error("product_code", _("Enter the product code."))
        elif len(code) > 40:
            row.error("product_code", _("At most %(n)d characters.") % {"n": 40})
        row.product = self.products.get(code.casefold()) if code else None
        row.product_key = code.casefold()
        self.parse_product(row)
        self.parse_variant(row)
        if code:
            self.merge_product(row)

    def parse_product(self, row):
        values = row.product_values = {}
        if row.has("product_name"):
            name = row.text("product_name")
            if len(name) > 200:
                row.error("product_name", _("At most %(n)d characters.") % {"n": 200})
            else:
                values["name"] = name
        if row.has("category"):
            parts = split_path(row.text("category"))
            if any(len(part) > 80 for part in parts):
                row.error("category", _("At most %(n)d characters per category.") % {"n": 80})
            elif len(parts) > 10:
                row.error("category", _("At most %(n)d levels of categories.") % {"n": 10})
            else:
                values["category"] = tuple(parts)
                self.needed["categories"].setdefault(
                    tuple(part.casefold() for part in parts), (tuple(parts), []))[1].append(row)
        if row.has("brand"):
            brand = row.text("brand")
            if len(brand) > 80:
                row.error("brand", _("At most %(n)d characters.") % {"n": 80})
            else:
                values["brand"] = brand
                self.needed["brands"].setdefault(brand.casefold(), (brand, []))[1].append(row)
        if row.has("tags"):
            try:
                values["tags"] = clean_tags(row.text("tags"))
            except ApplicationError as exc:
                row.error("tags", exc.message)
        if row.has("unit"):
            unit = row.text("unit")
            if len(unit) > 20:
                row.error("unit", _("At most %(n)d characters.") % {"n": 20})
            else:
                values["unit"] = unit
                self.needed["units"].setdefault(unit.casefold(), (unit, []))[1].append(row)
        self.clean_yes_no(row, "on_shelf")
        if "on_shelf" in row.values:
            values["on_shelf"] = row.values.pop("on_shelf")

    def parse_variant(self, row):
        code = row.text("variant_code")
        row.variant = None
        if not code:
            row.error("variant_code", _("Enter the SKU code."))
        elif len(code) > 40:
            row.error("variant_code", _("At most %(n)d characters.") % {"n": 40})
        elif self.first_row(self.seen_variants, code.casefold(), row, "variant_code",
                            _("This SKU code is also in row %(row)d.")):
            row.variant = self.variants.get(code.casefold())
            if (row.variant is not None and row.product_key
                    and row.variant.product.code.casefold() != row.product_key):
                row.error("variant_code", _("This SKU belongs to the product “%(code)s”.")
                          % {"code": row.variant.product.code})
        values = row.values
        if row.has("barcode"):
            barcode = row.text("barcode")
            if len(barcode) > 40:
                row.error("barcode", _("At most %(n)d characters.") % {"n": 40})
            values["barcode"] = barcode
        if row.has("specs"):
            pairs = self.parse_specs(row)
            if pairs is not None:
                values["specs"] = pairs
        price = self.amount(row, "list_price", required=row.variant is None)
        if price is not None:
            values["list_price"] = price
        for key in ("min_quantity", "order_multiple"):
            number = self.whole(row, key, minimum=1,
                                message=_("Enter a whole number of 1 or more."))
            if number is not None:
                values[key] = number
        if row.has("units"):
            units = self.parse_units(row)
            if units is not None:
                values["units"] = units
        weight = self.amount(row, "weight", places=3, limit=Decimal("1e7"))
        if weight is not None:
            values["weight"] = weight
        self.clean_yes_no(row, "is_active")

    def parse_specs(self, row):
        pairs, attributes = [], set()
        for part in SPEC_SEPARATORS.split(row.text("specs")):
            if not part:
                continue
            bits = SPEC_PAIR.split(part, maxsplit=1)
            if len(bits) != 2 or not bits[0].strip() or not bits[1].strip():
                row.error("specs", _("Write each specification as name:value, separated by "
                                     "semicolons (Colour:Red;Size:M)."))
                return None
            name, value = bits[0].strip(), bits[1].strip()
            if len(name) > 40 or len(value) > 40:
                row.error("specs", _("At most %(n)d characters per name and value.")
                          % {"n": 40})
                return None
            if name.casefold() in attributes:
                row.error("specs", _("“%(name)s” is given twice.") % {"name": name})
                return None
            attributes.add(name.casefold())
            pairs.append((name, value))
            self.needed["specs"].setdefault((name.casefold(), value.casefold()),
                                            ((name, value), []))[1].append(row)
        return pairs

    def parse_units(self, row):
        units, names = [], set()
        for part in SPEC_SEPARATORS.split(row.text("units")):
            if not part:
                continue
            match = UNIT_PAIR.match(part)
            factor = spreadsheets.parse_whole(match["factor"]) if match else None
            if factor is None:
                row.error("units", _("Write each larger unit as name=quantity, e.g. "
                                     "box=12;case=48."))
                return None
            name = match["name"].strip()
            if len(name) > 20:
                row.error("units", _("At most %(n)d characters per unit.") % {"n": 20})
                return None
            if factor < 2 or factor > QUANTITY_LIMIT:
                row.error("units", _("A larger unit holds at least 2 base units."))
                return None
            if name.casefold() in names:
                row.error("units", _("“%(name)s” is given twice.") % {"name": name})
                return None
            names.add(name.casefold())
            units.append((name, factor))
            self.needed["units"].setdefault(name.casefold(), (name, []))[1].append(row)
        return units

    @staticmethod
    def _comparable(key, value):
        if key in ("brand", "unit", "name"):
            return value.casefold() if key != "name" else value
        if key == "category":
            return tuple(part.casefold() for part in value)
        if key == "tags":
            return tuple(tag.casefold() for tag in value)
        return value

    def merge_product(self, row):
        """The product's values over all its rows: the first non-empty one of each
        column; a later row giving another value is an error."""
        entry = self.product_rows.setdefault(row.product_key,
                                             {"first": row, "values": {}, "rows": {}})
        for key, value in row.product_values.items():
            if key not in entry["values"]:
                entry["values"][key] = value
                entry["rows"][key] = row.number
            elif self._comparable(key, entry["values"][key]) != self._comparable(key, value):
                column = PRODUCT_COLUMNS.get(key, key)
                row.error(column, _("Row %(row)d gives this product another value.")
                          % {"row": entry["rows"][key]})

    # reference data, once per file ---------------------------------------------

    def after_parse(self, rows):
        for key, entry in self.product_rows.items():
            if key in self.products:
                continue
            first = entry["first"]
            if not entry["values"].get("name"):
                first.error("product_name", _("Enter the product's name."))
            if not entry["values"].get("unit"):
                first.error("unit", _("Enter the base unit of a new product."))
        self.create_reference_data()

    def create_reference_data(self):
        """Create the units, brands, specification values and category paths the file
        names that do not exist yet — once each, for every row that needs them."""
        def guarded(rows, column, make):
            try:
                with transaction.atomic():  # a name another user just created, too
                    return make()
            except ApplicationError as exc:
                message = exc.message
            except DatabaseError:
                log.exception("catalog import: reference data could not be created")
                message = _("This value could not be saved. Check it or ask support.")
            for row in rows:
                row.error(column, message)
            return None

        for key, (name, rows) in self.needed["units"].items():
            if key not in self.units and not all(row.errors for row in rows):
                unit = guarded(rows, "unit", lambda: catalog.unit_get_or_create(name))
                if unit is not None:
                    self.units[key] = unit
        for key, (name, rows) in self.needed["brands"].items():
            if key not in self.brands and not all(row.errors for row in rows):
                brand = guarded(rows, "brand", lambda: catalog.brand_get_or_create(name))
                if brand is not None:
                    self.brands[key] = brand
        for (attribute_key, value_key), ((name, value), rows) in self.needed["specs"].items():
            attribute = self.attributes.get(attribute_key)
            if ((attribute is None or (attribute.pk, value_key) not in self.spec_values)
                    and not all(row.errors for row in rows)):
                spec = guarded(rows, "specs",
                               lambda: catalog.spec_value_get_or_create(name, value))
                if spec is not None:
                    self.attributes[attribute_key] = spec.attribute
                    self.spec_values[(spec.attribute_id, value_key)] = spec
        for _key, (parts, rows) in sorted(self.needed["categories"].items(),
                                          key=lambda item: len(item[0])):
            if self.categories.find(parts) is None and not all(row.errors for row in rows):
                guarded(rows, "category", lambda: self.category_path(parts))

    def category_path(self, parts):
        parent = None
        for index in range(len(parts)):
            found = self.categories.find(parts[:index + 1])
            if found is None:
                found = catalog.category_create(actor=self.actor, name=parts[index],
                                                parent=parent, ip=self.ip)
                self.categories.add(found)
            parent = found
        return parent

    # write ----------------------------------------------------------------------

    def product_values(self, values):
        """The product service's keyword arguments for the merged ``values``, with the
        reference data resolved."""
        def known(column, found):
            if found is None:  # its creation failed on another row of this product
                message = _("This value could not be used (see the other rows of this "
                            "product).")
                raise CatalogError(message, fields={column: [message]})
            return found

        resolved = {key: values[key] for key in ("name", "tags", "on_shelf") if key in values}
        if "category" in values:
            resolved["category"] = known("category", self.categories.find(values["category"]))
        if "brand" in values:
            resolved["brand"] = known("brand", self.brands.get(values["brand"].casefold()))
        if "unit" in values:
            resolved["unit"] = known("unit", self.units.get(values["unit"].casefold()))
        return resolved

    @staticmethod
    def product_changes(product, resolved):
        """The resolved values that differ from ``product``'s."""
        def comparable(key, value):
            if key in ("category", "brand", "unit"):
                return value.pk
            return list(value) if key == "tags" else value

        current = {"name": product.name, "tags": list(product.tags),
                   "on_shelf": product.on_shelf, "category": product.category_id,
                   "brand": product.brand_id, "unit": product.unit_id}
        return {key: value for key, value in resolved.items()
                if current[key] != comparable(key, value)}

    def write_product(self, row):
        """The row's product, created or updated on its first row; (product, changed)."""
        key = row.product_key
        if key in self.saved_products:
            return self.saved_products[key], False
        resolved = self.product_values(self.product_rows[key]["values"])
        if row.product is None:
            product = call_service(catalog.product_create, PRODUCT_COLUMNS, "product_code",
                            actor=self.actor, ip=self.ip, code=row.text("product_code"),
                            **resolved)
        else:
            changes = self.product_changes(row.product, resolved)
            if not changes:
                self.saved_products[key] = row.product
                return row.product, False
            product = call_service(catalog.product_update, PRODUCT_COLUMNS, "product_code",
                            actor=self.actor, product=row.product, ip=self.ip, **changes)
        # kept even when this row's variant fails: without a row savepoint the product
        # stays written, and the product's next row must not create it again
        self.saved_products[key] = product
        return product, True

    def variant_arguments(self, row, product):
        """variant_save's keyword arguments: the row's values over the variant's own."""
        variant, values = row.variant, row.values
        if "specs" in values:
            specs = [self.spec_values[(self.attributes[name.casefold()].pk, value.casefold())]
                     for name, value in values["specs"]]
        else:
            specs = None if variant is not None else []  # None: unchanged
        if "units" in values:
            units = [(self.units[name.casefold()], factor) for name, factor in values["units"]]
        elif variant is not None:
            units = None  # unchanged
        else:
            units = ()

        def pick(key, default):
            if key in values:
                return values[key]
            return getattr(variant, key) if variant is not None else default

        code = variant.code if variant is not None else row.text("variant_code")
        return {"code": code, "list_price": pick("list_price", None),
                "barcode": pick("barcode", ""), "spec_values": specs,
                "weight": pick("weight", None), "min_quantity": pick("min_quantity", 1),
                "order_multiple": pick("order_multiple", 1),
                "is_active": pick("is_active", True),
                "image": variant.image if variant is not None and variant.image_id else None,
                "units": units}

    @staticmethod
    def variant_unchanged(variant, arguments):
        if (arguments["code"] != variant.code or arguments["barcode"] != variant.barcode
                or arguments["list_price"] != variant.list_price
                or arguments["weight"] != variant.weight
                or arguments["min_quantity"] != variant.min_quantity
                or arguments["order_multiple"] != variant.order_multiple
                or arguments["is_active"] != variant.is_active):
            return False
        if arguments["spec_values"] is not None and (
                {v.pk for v in arguments["spec_values"]}
                != {v.pk for v in variant.spec_values.all()}):
            return False
        if arguments["units"] is not None and (
                {(unit.pk, int(factor)) for unit, factor in arguments["units"]}
                != {(vu.unit_id, vu.factor) for vu in variant.units.all()}):
            return False
        return True

    def write(self, row):
        product, product_changed = self.write_product(row)
        arguments = self.variant_arguments(row, product)
        if row.variant is not None and self.variant_unchanged(row.variant, arguments):
            outcome = "updated" if product_changed else "unchanged"
        else:
            if row.variant is None:
                arguments["position"] = self.positions.get(product.pk, 0)
            call_service(catalog.variant_save, VARIANT_COLUMNS, "variant_code", actor=self.actor,
                  product=product, variant=row.variant, ip=self.ip, **arguments)
            if row.variant is None:
                self.positions[product.pk] = arguments["position"] + 1
            outcome = "created" if row.variant is None else "updated"
        return outcome
