"""Forms of the staff catalog pages. They parse input only; ordering.catalog.services
decide (codes, prices, units, permissions)."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from ordering.catalog.enums import StockDisplay

MONEY = {"max_digits": 14, "decimal_places": 2}
_SPLIT = re.compile(r"[,;，；\n]")
_SPEC_SPLIT = re.compile(r"[/;，；\n]")


class CategorySelect(forms.ModelChoiceField):
    """Categories in tree order, indented by depth (``queryset`` is a category_tree list
    turned into a queryset order by the caller)."""

    def __init__(self, *args, tree=(), **kwargs):
        self.tree = {c.pk: c for c in tree}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        depth = getattr(self.tree.get(obj.pk), "depth", 0)
        return "\u00a0\u00a0" * depth + ("› " if depth else "") + obj.name


def _category_field(tree, required=False, label=_("Category")):
    from ordering.catalog.selectors import category_choices

    field = CategorySelect(label=label, required=required, empty_label="—",
                           queryset=category_choices(), tree=tree)
    # keep the tree order without a second query: choices come from the list we have
    field.choices = [("", "—")] + [(c.pk, field.label_from_instance(c)) for c in tree]
    return field


def parse_tags(value):
    return [t.strip() for t in _SPLIT.split(value or "") if t.strip()]


class ProductForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a thing", "Name"), max_length=200)
    code = forms.CharField(label=_("Product code"), max_length=40,
                           help_text=_("Letters, digits, dots, dashes, slashes or underscores."))
    brand = forms.CharField(label=_("Brand"), max_length=80, required=False,
                            widget=forms.TextInput(attrs={"list": "brand-options",
                                                          "autocomplete": "off"}),
                            help_text=_("Type a brand or pick one; a new brand is added."))
    unit = forms.CharField(label=_("Base unit"), max_length=20,
                           widget=forms.TextInput(attrs={"list": "unit-options",
                                                         "autocomplete": "off"}),
                           help_text=_("The unit stock and prices count in: piece, bottle, "
                                       "kg … Type one or pick one."))
    tags = forms.CharField(label=_("Tags"), max_length=400, required=False,
                           help_text=_("Separate tags with commas."))
    description = forms.CharField(
        label=_("Description"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Simple HTML is kept (paragraphs, bold, lists, links, tables, images); "
                    "anything else is removed."))
    on_shelf = forms.BooleanField(label=_("On shelf"), required=False,
                                  help_text=_("Dealers see and order only products on the "
                                              "shelf."))
    position = forms.IntegerField(label=pgettext_lazy("sort order", "Order"), required=False, min_value=-100000,
                                  max_value=100000,
                                  help_text=_("Lower numbers come first in lists."))

    def __init__(self, *args, tree=(), levels=None, **kwargs):
        from ordering.customers.selectors import level_choices

        super().__init__(*args, **kwargs)
        self.fields["category"] = _category_field(tree)
        self.fields["levels"] = forms.ModelMultipleChoiceField(
            label=_("Visible to"), required=False,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            queryset=level_choices(),
            help_text=_("Leave all unticked to show the product to every customer level."))
        if levels is not None:
            self.fields["levels"].choices = [(level.pk, level.name) for level in levels]
        self.order_fields(["name", "code", "category", "brand", "unit", "tags", "description",
                           "on_shelf", "levels", "position"])

    def clean_tags(self):
        return parse_tags(self.cleaned_data["tags"])


class ProductCreateForm(ProductForm):
    """A new product. Without specifications it is sold as it is: its price, and the
    stock on hand today, are on this form (one variant); with specifications (colour,
    size …) the variants are added on the product's page next."""

    has_specs = forms.BooleanField(
        label=_("This product comes in several specifications (colour, size …)"),
        required=False,
        help_text=_("Then you add each variant with its own price and stock after saving."))
    list_price = forms.DecimalField(
        label=_("Price"), required=False, min_value=0, max_digits=14, decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
        error_messages={"invalid": _("Enter an amount.")},
        help_text=_("The list price of one base unit."))
    opening_stock = forms.IntegerField(
        label=_("Opening stock"), required=False, min_value=0, max_value=10**9,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1", "min": "0"}),
        error_messages={"invalid": _("Whole numbers only.")},
        help_text=_("How many base units you have now (recorded as a stock receipt)."))

    def clean(self):
        data = super().clean()
        if not data.get("has_specs") and data.get("list_price") is None \
                and "list_price" not in self.errors:
            self.add_error("list_price", _("Enter the price."))
        return data


def parse_specs(text):
    """"Colour: Red / Size: M" → [("Colour", "Red"), ("Size", "M")]."""
    pairs = []
    for part in _SPEC_SPLIT.split(text or ""):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.replace("：", ":").partition(":")
        if not sep or not name.strip() or not value.strip():
            raise ValidationError(_("Write specifications as “Colour: Red / Size: M”."))
        pairs.append((name.strip(), value.strip()))
    if len({name.lower() for name, _value in pairs}) != len(pairs):
        raise ValidationError(_("Give each specification once."))
    return pairs


def parse_units(text):
    """"box = 12, case = 48" → [("box", 12), ("case", 48)]."""
    units = []
    for part in _SPLIT.split(text or ""):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(.+?)\s*[=:×xX*]\s*(\d{1,6})", part)
        if not match:
            raise ValidationError(_("Write larger units as “box = 12, case = 48”."))
        units.append((match.group(1).strip()[:20], int(match.group(2))))
    return units


class VariantRowForm(forms.Form):
    """One row of the variants table (no ``id``: a new variant)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    code = forms.CharField(label=_("SKU code"), max_length=40, required=False)
    barcode = forms.CharField(label=_("Barcode"), max_length=40, required=False)
    specs = forms.CharField(label=_("Specifications"), max_length=300, required=False)
    list_price = forms.DecimalField(label=_("List price"), min_value=0, required=False, **MONEY)
    weight = forms.DecimalField(label=_("Weight (kg)"), min_value=0, max_digits=10,
                                decimal_places=3, required=False)
    min_quantity = forms.IntegerField(label=_("Min. qty"), min_value=1, max_value=1000000,
                                      initial=1, required=False)
    order_multiple = forms.IntegerField(label=_("Multiple"), min_value=1, max_value=1000000,
                                        initial=1, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    units = forms.CharField(label=_("Larger units"), max_length=200, required=False)
    image = forms.TypedChoiceField(label=_("Image"), required=False, coerce=int,
                                   empty_value=None)

    def __init__(self, *args, image_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].choices = [("", "—")] + list(image_choices)
        for field in self.fields.values():  # the table's header is the visible label
            field.widget.attrs.setdefault("aria-label", field.label)

    def is_blank_new_row(self):
        data = self.cleaned_data
        return not data.get("id") and not data.get("code") and data.get("list_price") is None

    def clean_specs(self):
        return parse_specs(self.cleaned_data["specs"])

    def clean_units(self):
        return parse_units(self.cleaned_data["units"])

    def clean(self):
        data = super().clean()
        if self.errors or self.is_blank_new_row():
            return data
        if not data.get("code"):
            self.add_error("code", _("Enter the SKU code."))
        if data.get("list_price") is None:
            self.add_error("list_price", _("Enter the list price."))
        return data


class BaseVariantFormSet(forms.BaseFormSet):
    def __init__(self, *args, image_choices=(), **kwargs):
        self.image_choices = image_choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"image_choices": self.image_choices}

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if i >= self.initial_form_count():
            form.fields["code"].widget.attrs["placeholder"] = _("New variant: SKU code")
        return form

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"),
                         empty_permitted=True, use_required_attribute=False,
                         image_choices=self.image_choices, renderer=self.renderer)
        self.add_fields(form, None)
        return form


VariantFormSet = forms.formset_factory(VariantRowForm, formset=BaseVariantFormSet, extra=1,
                                       max_num=400, absolute_max=500)


class GenerateForm(forms.Form):
    """Up to three specification dimensions; every combination becomes a variant."""

    ROWS = 3
    list_price = forms.DecimalField(label=_("List price"), min_value=0, **MONEY)
    code_prefix = forms.CharField(label=_("SKU code prefix"), max_length=30, required=False,
                                  help_text=_("Codes are numbered PREFIX-1, PREFIX-2 …; the prefix is "
                                              "the product code when empty."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, self.ROWS + 1):
            self.fields[f"attribute_{n}"] = forms.CharField(
                label=_("Specification"), max_length=40, required=False)
            self.fields[f"values_{n}"] = forms.CharField(
                label=_("Values"), max_length=1000, required=False)

    def rows(self):
        return [(self[f"attribute_{n}"], self[f"values_{n}"]) for n in range(1, self.ROWS + 1)]

    def clean(self):
        data = super().clean()
        specs = []
        for n in range(1, self.ROWS + 1):
            name = (data.get(f"attribute_{n}") or "").strip()
            values = list(dict.fromkeys(parse_tags(data.get(f"values_{n}"))))
            if name and not values:
                self.add_error(f"values_{n}", _("Enter the values, separated by commas."))
            elif values and not name:
                self.add_error(f"attribute_{n}", _("Name the specification (e.g. Colour)."))
            elif name:
                specs.append((name, values))
        if not specs and not self.errors:
            raise ValidationError(_("Choose at least one specification and its values."))
        if len({name.lower() for name, _values in specs}) != len(specs):
            raise ValidationError(_("Give each specification once."))
        data["specs"] = specs
        return data

    def combinations(self):
        count = 1
        for _name, values in self.cleaned_data["specs"]:
            count *= len(values)
        return count


def parse_level_price(text):
    """"12.50" → (Decimal("12.50"), None); "90%" → (None, Decimal("90")); "" → (None, None)."""
    text = (text or "").strip().replace("％", "%").replace(",", ".")
    if not text:
        return None, None
    percent = text.endswith("%")
    try:
        value = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        raise ValidationError(_("Enter a price (12.50) or a percentage of list (90%).")) from None
    if not value.is_finite() or value < 0:
        raise ValidationError(_("Enter a price (12.50) or a percentage of list (90%)."))
    return (None, value) if percent else (value, None)


class LevelPriceForm(forms.Form):
    """A cell per variant × level: a fixed price, a % of list, or empty (the level's
    default percentage)."""

    def __init__(self, *args, variants=(), levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = []
        for variant in variants:
            for level in levels:
                name = f"lp_{variant.pk}_{level.pk}"
                self.fields[name] = forms.CharField(required=False, max_length=20)
                self.cells.append((name, variant, level))

    def clean(self):
        data = super().clean()
        for name, _variant, _level in self.cells:
            try:
                data[name] = parse_level_price(data.get(name))
            except ValidationError as exc:
                self.add_error(name, exc)
        return data


class CustomerPriceForm(forms.Form):
    customer = forms.CharField(label=_("Customer"), max_length=120,
                               help_text=_("The customer's code or name."))
    variant = forms.ChoiceField(label=_("Variant"))
    price = forms.DecimalField(label=_("Special price"), min_value=0, **MONEY)

    def __init__(self, *args, variants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant"].choices = [("all", _("All variants"))] + [
            (str(v.pk), v.code) for v in variants]


class QuantityBreaksForm(forms.Form):
    """The breaks of one target (the product, or one variant): up to ROWS rows of
    (from quantity, unit price | discount %)."""

    ROWS = 5
    target = forms.ChoiceField(label=_("Applies to"))

    def __init__(self, *args, variants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("product", _("All variants of the product"))] + [
            (str(v.pk), v.code) for v in variants]
        for n in range(self.ROWS):
            self.fields[f"min_{n}"] = forms.IntegerField(required=False, min_value=2,
                                                         max_value=10000000)
            self.fields[f"price_{n}"] = forms.DecimalField(required=False, min_value=0, **MONEY)
            self.fields[f"discount_{n}"] = forms.DecimalField(
                required=False, min_value=Decimal("0.01"), max_value=Decimal("99.99"),
                max_digits=5, decimal_places=2)
            for name, label in ((f"min_{n}", _("From quantity")), (f"price_{n}", _("Unit price")),
                                (f"discount_{n}", _("Discount %"))):
                self.fields[name].widget.attrs["aria-label"] = label

    def rows(self):
        return [(self[f"min_{n}"], self[f"price_{n}"], self[f"discount_{n}"])
                for n in range(self.ROWS)]

    def clean(self):
        data = super().clean()
        breaks = []
        for n in range(self.ROWS):
            minimum, price, discount = (data.get(f"min_{n}"), data.get(f"price_{n}"),
                                        data.get(f"discount_{n}"))
            if minimum is None and price is None and discount is None:
                continue
            if minimum is None:
                self.add_error(f"min_{n}", _("Enter the quantity the break starts at."))
            elif (price is None) == (discount is None):
                self.add_error(f"price_{n}", _("Give a unit price or a discount, not both."))
            else:
                breaks.append({"min_quantity": minimum, "price": price,
                               "discount_percent": discount})
        data["breaks"] = breaks
        return data


class CategoryForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a thing", "Name"), max_length=80)
    position = forms.IntegerField(label=pgettext_lazy("sort order", "Order"), min_value=0, max_value=100000,
                                  required=False)

    def __init__(self, *args, tree=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tree is not None:
            self.fields["parent"] = _category_field(
                tree, label=pgettext_lazy("category", "Part of"))
            self.fields["parent"].choices = [("", _("— top level —"))] + \
                self.fields["parent"].choices[1:]
            self.order_fields(["name", "parent", "position"])


class StockAdjustForm(forms.Form):
    change = forms.IntegerField(label=pgettext_lazy("stock", "Change"),
                                min_value=-10000000, max_value=10000000,
                                help_text=_("Signed: 12 adds twelve, -3 removes three."))
    reason = forms.CharField(label=pgettext_lazy("stock", "Reason"), max_length=200,
                             help_text=_("E.g. stock count, breakage, expired."))

    def clean_change(self):
        change = self.cleaned_data["change"]
        if change == 0:
            raise ValidationError(_("Enter a change other than zero."))
        return change


class StockReceiptForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity received"), min_value=1,
                                  max_value=10000000)
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False,
                                help_text=_("Delivery note or purchase order number."))
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)


class CatalogSettingsForm(forms.Form):
    stock_display = forms.ChoiceField(label=_("Dealers see stock as"),
                                      choices=StockDisplay.choices, widget=forms.RadioSelect)
    allow_oversell = forms.BooleanField(
        label=_("Allow overselling"), required=False,
        help_text=_("Dealers may order more than is available; stock goes below zero until "
                    "you receive more."))


class BulkPriceForm(forms.Form):
    percent = forms.DecimalField(label=_("Change list prices by %"), max_digits=6,
                                 decimal_places=2)


def selected_ids(data, name="products"):
    raw = data.getlist(name) if hasattr(data, "getlist") else []
    return [int(v) for v in raw if v.isascii() and v.isdecimal() and len(v) < 18]
