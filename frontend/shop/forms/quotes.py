"""Forms of the dealer's inquiries and quotations (/shop/quotes/). They parse input only;
``ordering.quotes.services`` decide (and check everything again)."""

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from frontend.common.forms.base import AcceptedVersionForm
from frontend.common.forms.widgets import DateInput, MultipleFileField
from frontend.shop.forms.orders import CheckoutForm
from ordering.catalog.storefront import MAX_QUANTITY
from ordering.quotes.services import MAX_LINES, MAX_NOTE

EMPTY_CATALOG_ROWS = 2  # empty SKU rows below the prefilled ones (more with JS)
EMPTY_FREE_ROWS = 3  # empty free-text rows (more with JS)
MAX_REASON = 500
MAX_COMMENT = 500
QUANTITY_ATTRS = {"min": 1, "step": 1, "inputmode": "numeric"}
PRICE_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


def _quantity_field(label=_("Quantity"), *, required=False):
    return forms.IntegerField(
        label=label, required=required, min_value=1, max_value=MAX_QUANTITY,
        error_messages={"invalid": _("Enter a whole number."),
                        "min_value": _("Enter a quantity above zero."),
                        "max_value": _("Enter at most %(limit_value)s."),
                        "required": _("Enter a quantity.")},
        widget=forms.NumberInput(attrs=QUANTITY_ATTRS))


class InquiryForm(forms.Form):
    """What the whole inquiry asks besides its lines (also the cart's "ask for a
    quotation" form)."""

    delivery_date = forms.DateField(
        label=_("Wanted delivery date"), required=False, help_text=_("Optional."),
        error_messages={"invalid": _("Enter a date such as 2026-12-24.")}, widget=DateInput())
    note = forms.CharField(
        label=_("Note to the supplier"), max_length=MAX_NOTE, required=False,
        help_text=_("Optional: what the goods are for, packing, anything the price depends "
                    "on."),
        widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(
        label=_("Files"), required=False,
        help_text=_("Optional: drawings, specifications, photos — PDF, JPEG or PNG files of at "
                    "most 5 MB each."))


class CatalogLineForm(forms.Form):
    """A catalog line by SKU code, as in the cart's quick order."""

    code = forms.CharField(label=_("SKU code"), max_length=60, required=False,
                           widget=forms.TextInput(attrs={"autocapitalize": "characters",
                                                         "autocomplete": "off",
                                                         "spellcheck": "false"}))
    quantity = _quantity_field()
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False,
                           help_text=_("Blank: the product's own unit."))

    def row(self):
        """``{"code", "quantity", "unit"}`` or None for a row left empty."""
        data = self.cleaned_data if self.is_bound else {}
        code, unit = (data.get("code") or "").strip(), (data.get("unit") or "").strip()
        if not code and data.get("quantity") is None and not unit:
            return None
        return {"code": code, "quantity": data.get("quantity"), "unit": unit}


class FreeTextLineForm(forms.Form):
    """Something the catalog does not have (or the dealer cannot find): described."""

    description = forms.CharField(label=_("What you need"), max_length=200, required=False)
    quantity = _quantity_field()
    unit_text = forms.CharField(label=_("Unit"), max_length=20, required=False)
    target_price = forms.CharField(label=_("Target price"), max_length=20, required=False,
                                   help_text=_("Optional: the price you hope for, per unit."),
                                   widget=forms.TextInput(attrs=PRICE_ATTRS))

    def line(self):
        """A free-text raw line for ``inquiry_create``, or None for a row left empty."""
        data = self.cleaned_data if self.is_bound else {}
        values = {"description": (data.get("description") or "").strip(),
                  "quantity": data.get("quantity"),
                  "unit_text": (data.get("unit_text") or "").strip(),
                  "target_price": (data.get("target_price") or "").strip()}
        if not any(value not in (None, "") for value in values.values()):
            return None
        return values


def catalog_formset(*args, initial=None, **kwargs):
    factory = forms.formset_factory(CatalogLineForm, extra=EMPTY_CATALOG_ROWS,
                                    max_num=MAX_LINES, absolute_max=MAX_LINES,
                                    validate_max=True)
    return factory(*args, initial=initial, prefix="item", **kwargs)


def free_text_formset(*args, initial=None, **kwargs):
    factory = forms.formset_factory(FreeTextLineForm, extra=EMPTY_FREE_ROWS,
                                    max_num=MAX_LINES, absolute_max=MAX_LINES,
                                    validate_max=True)
    return factory(*args, initial=initial, prefix="free", **kwargs)


class ReasonForm(forms.Form):
    """Why the dealer declines a quotation or withdraws its inquiry (optional)."""

    reason = forms.CharField(label=pgettext_lazy("decline or withdraw", "Reason"),
                             max_length=MAX_REASON, required=False,
                             help_text=_("Optional: it helps the supplier."),
                             widget=forms.Textarea(attrs={"rows": 2}))


class CounterForm(forms.Form):
    """Per line of the current quotation: a wanted price, a wanted quantity, a comment.
    Lines left empty are not countered."""

    def __init__(self, data=None, *, lines, **kwargs):
        super().__init__(data, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"price_{line.pk}"] = forms.CharField(
                label=_("Wanted price"), max_length=20, required=False,
                widget=forms.TextInput(attrs=PRICE_ATTRS))
            self.fields[f"qty_{line.pk}"] = _quantity_field(_("Wanted quantity"))
            self.fields[f"comment_{line.pk}"] = forms.CharField(
                label=_("Comment"), max_length=MAX_COMMENT, required=False)
        self.line_errors = {}

    def counters(self):
        """One raw counter per line, in the quotation's order (the service skips the
        empty ones); index ``i`` is ``self.lines[i]``."""
        data = self.cleaned_data
        return [{"line": line.pk, "wanted_price": (data.get(f"price_{line.pk}") or "").strip(),
                 "wanted_quantity": data.get(f"qty_{line.pk}"),
                 "comment": (data.get(f"comment_{line.pk}") or "").strip()}
                for line in self.lines]

    def add_line_error(self, index, message):
        """A service's problem with the counter at ``index`` (its position)."""
        try:
            line = self.lines[int(index)]
        except (IndexError, TypeError, ValueError):
            self.add_error(None, message)
            return
        self.line_errors.setdefault(line.pk, []).append(message)

    def fields_of(self, line):
        return {"price": self[f"price_{line.pk}"], "quantity": self[f"qty_{line.pk}"],
                "comment": self[f"comment_{line.pk}"],
                "errors": self.line_errors.get(line.pk, [])}


class QuotationAcceptForm(AcceptedVersionForm, CheckoutForm):
    """Checkout's address, shipping and payment choices, delivery date, remark and token
    (the idempotency key), without the attachment and the rebate; per quoted line with
    quantity tiers the quantity to order (its tier's price applies); the version shown."""

    service_line_field = "qty_{}"  # a service error names lines by the quotation line id
    service_error_summary_with_lines = True

    attachment = None
    use_rebate = None

    def __init__(self, *args, tiered_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery_date"].label = _("Delivery date")
        self.tiered_lines = list(tiered_lines)
        for line in self.tiered_lines:
            self.fields[f"qty_{line.pk}"] = _quantity_field(required=True)

    def quantities(self):
        return {line.pk: self.cleaned_data[f"qty_{line.pk}"] for line in self.tiered_lines
                if self.cleaned_data.get(f"qty_{line.pk}") is not None}
