"""Staff forms for inquiries and quotations: assigning, the quotation editor (one row
per inquiry line: price, quantity, tiers, the product it maps to, or declined) and
accepting on the dealer's behalf."""

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from frontend.common.forms.base import AcceptedVersionForm
from frontend.common.forms.widgets import DateInput
from frontend.dashboard.forms.orders import OrderCreateForm
from ordering.orders.services import lines as line_service
from ordering.quotes import tiers as tier_rules

ROW_FIELDS = ("price", "quantity", "tiers", "sku", "unit", "declined")


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int, required=False,
                                      empty_value=None)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", pgettext_lazy("assignee", "Nobody"))] + [
            (user.pk, user.name or user.email) for user in staff]


class QuotationForm(forms.Form):
    """The version's terms, and per inquiry line (``rows``, from ``editor_rows``) the
    fields ``price_<id>``, ``quantity_<id>``, ``tiers_<id>``, ``sku_<id>``,
    ``unit_<id>`` and ``declined_<id>``. ``lines()`` turns them into the service's
    lines; what it cannot read is kept in ``row_errors`` by inquiry line id."""

    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput(),
                                  help_text=_("The last day the dealer may accept it."),
                                  error_messages={"required": _("Enter the last valid day.")})
    shipping_fee = forms.DecimalField(label=_("Shipping fee"), min_value=0, max_digits=14,
                                      decimal_places=2, required=False)
    payment_terms = forms.CharField(label=_("Payment terms"), max_length=200, required=False,
                                    widget=forms.TextInput(attrs={
                                        "placeholder": _("e.g. a deposit of 30 percent, the rest before "
                                                         "shipping")}))
    note = forms.CharField(label=_("Note to the dealer"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        self.row_errors = {}
        for row in self.rows:
            pk = row["line"].pk
            self.fields[f"price_{pk}"] = forms.CharField(required=False, max_length=20)
            self.fields[f"quantity_{pk}"] = forms.IntegerField(
                min_value=1, max_value=10_000_000,
                error_messages={"required": _("Enter a quantity."),
                                "min_value": _("Enter a whole quantity above zero.")})
            self.fields[f"tiers_{pk}"] = forms.CharField(required=False, max_length=300)
            self.fields[f"sku_{pk}"] = forms.CharField(required=False, max_length=64)
            self.fields[f"unit_{pk}"] = forms.CharField(required=False, max_length=20)
            self.fields[f"declined_{pk}"] = forms.BooleanField(required=False)
            for name in ROW_FIELDS:
                self.initial.setdefault(f"{name}_{pk}", row["initial"].get(name))

    def bound_rows(self):
        """``[(row, {field name: bound field}, errors)]`` for the template."""
        return [(row, {name: self[f"{name}_{row['line'].pk}"] for name in ROW_FIELDS},
                 self.row_errors.get(row["line"].pk, []) + [
                     error for name in ROW_FIELDS
                     for error in self.errors.get(f"{name}_{row['line'].pk}", [])])
                for row in self.rows]

    def add_row_error(self, pk, message):
        self.row_errors.setdefault(int(pk), []).append(message)

    def lines(self):
        """The service's ``lines`` (one per inquiry line); None when a row cannot be
        read (its message is in ``row_errors``)."""
        data, made, codes = self.cleaned_data, [], []
        for row in self.rows:
            pk = row["line"].pk
            if data.get(f"declined_{pk}"):
                made.append({"inquiry_line": pk, "declined": True,
                             "quantity": data.get(f"quantity_{pk}") or row["line"].quantity})
                continue
            raw_tiers, error = tier_rules.parse_text(data.get(f"tiers_{pk}", ""))
            if error:
                self.add_row_error(pk, error)
                continue
            line = {"inquiry_line": pk, "unit_price": data.get(f"price_{pk}", ""),
                    "quantity": data.get(f"quantity_{pk}"), "tiers": raw_tiers}
            code = (data.get(f"sku_{pk}") or "").strip()
            if code:
                codes.append({"row": pk, "code": code, "quantity": 1,
                              "unit": (data.get(f"unit_{pk}") or "").strip()})
            elif row["line"].variant_id is None:
                line["variant"] = None  # a free-text line not matched (yet)
            made.append(line)
        if codes:
            resolved, errors = line_service.rows_to_raw(codes)
            for pk, message in errors:
                self.add_row_error(pk, message)
            found = {item["key"]: item for item in resolved}
            for line in made:
                item = found.get(line["inquiry_line"])
                if item is not None:
                    line["variant"], line["unit"] = item["variant"], item["unit"]
        return None if self.row_errors else made


class QuoteAcceptForm(AcceptedVersionForm, OrderCreateForm):
    """Accepting on the dealer's behalf: the order's address, shipping and payment
    method, date and remark (the lines and prices are the quotation's), a quantity for
    each line with tiers, and the version shown."""

    def __init__(self, data=None, *, tiered=(), **kwargs):
        super().__init__(data, **kwargs)
        del self.fields["lines"]
        self.tiered = list(tiered)
        for line in self.tiered:
            self.fields[f"quantity_{line.pk}"] = forms.IntegerField(
                min_value=1, max_value=10_000_000, initial=line.quantity,
                label=_("Quantity"))

    def quantities(self):
        return {line.pk: self.cleaned_data[f"quantity_{line.pk}"] for line in self.tiered}
