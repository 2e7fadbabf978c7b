"""Forms of the dealer's cart, checkout and orders (/shop/). They parse input only;
``ordering.orders.services`` decide (and check everything again)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from core.uploads import document_check
from frontend.common.forms.widgets import DateInput
from ordering import spreadsheets
from ordering.catalog.storefront import MAX_QUANTITY
from ordering.orders.enums import OrderStatus, PaymentMethod
from ordering.orders.services.checkout import MAX_REMARK
from ordering.orders.services.messages import MAX_BODY

MAX_QUICK_TEXT = 50_000


def new_token():
    return uuid.uuid4().hex


def cart_lines_from_post(data):
    """The lines a product page, the list or the order grid posts: the lists
    ``variant``, ``unit`` and ``quantity`` side by side → raw lines for the cart service
    (which checks every one)."""
    variants, units = data.getlist("variant"), data.getlist("unit")
    quantities = data.getlist("quantity")
    lines = []
    for index, variant in enumerate(variants):
        unit = units[index] if index < len(units) else ""
        quantity = quantities[index] if index < len(quantities) else ""
        lines.append({"variant": variant.strip(), "unit": (unit or "").strip() or None,
                      "quantity": (quantity or "").strip(), "key": index + 1})
    return lines


class CartLineForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY,
        error_messages={"required": _("Enter a quantity."),
                        "invalid": _("Enter a whole number."),
                        "min_value": _("Enter a quantity above zero."),
                        "max_value": _("Enter at most %(limit_value)s.")})
    # "" keeps the unit; "base" is the product's base unit; else a sales unit's id
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)


class TemplateSaveForm(forms.Form):
    name = forms.CharField(label=_("Template name"), max_length=60,
                           error_messages={"required": _("Name the template.")})


class QuickOrderForm(forms.Form):
    text = forms.CharField(
        label=_("Paste lines"), max_length=MAX_QUICK_TEXT, required=False, strip=False,
        help_text=_("One line per product: SKU code, quantity and, optionally, the unit."),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "off",
                                     "placeholder": "OJ-1, 24\nCO-1, 2, case"}))
    file = forms.FileField(
        label=_("Or upload a sheet"), required=False,
        help_text=_("Excel (.xlsx) or CSV: SKU code, quantity, unit in the first columns; the "
                    "first row holds the column names."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        extension = spreadsheets.file_extension(upload.name)
        if extension not in spreadsheets.FORMATS:
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
        too_large = _("The file is larger than 5 MB. Split it into several files.")
        if upload.size > spreadsheets.MAX_BYTES:
            raise forms.ValidationError(too_large)
        upload.seek(0)
        content = upload.read(spreadsheets.MAX_BYTES + 1)
        if len(content) > spreadsheets.MAX_BYTES:
            raise forms.ValidationError(too_large)
        if not content:
            raise forms.ValidationError(_("The file is empty."))
        self.cleaned_data["content"] = content
        self.cleaned_data["extension"] = extension
        return upload

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("text") or "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Paste at least one line: SKU code, quantity — or "
                                          "upload a sheet."))
        return data


class CheckoutForm(forms.Form):
    """Choices come from the company's addresses and the supplier's active shipping
    methods (passed in by the view); ``token`` is the idempotency key of this form."""

    address = forms.ChoiceField(label=_("Shipping address"), widget=forms.RadioSelect,
                                error_messages={"required": _("Choose a shipping address.")})
    delivery_date = forms.DateField(
        label=_("Requested delivery date"), required=False,
        help_text=_("Optional."),
        error_messages={"invalid": _("Enter a date such as 2026-12-24.")},
        widget=DateInput())
    shipping_method = forms.ChoiceField(label=_("Shipping method"), widget=forms.RadioSelect,
                                        required=False)
    payment_method = forms.ChoiceField(label=_("Payment method"), widget=forms.RadioSelect,
                                       choices=PaymentMethod.choices,
                                       error_messages={"required": _("Choose how you will pay.")})
    use_rebate = forms.BooleanField(label=_("Pay part with my rebate balance"), required=False)
    remark = forms.CharField(label=_("Remark"), max_length=MAX_REMARK, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(
        label=_("Attachment"), required=False,
        help_text=_("Optional: a PDF, JPEG or PNG file of at most 5 MB (e.g. your purchase "
                    "order)."),
        error_messages={"empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    token = forms.CharField(max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args, addresses=(), shipping_methods=(), payment_methods=None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        if payment_methods is not None:  # the ones the supplier offers, in its order
            labels = dict(PaymentMethod.choices)
            self.fields["payment_method"].choices = [(m, labels[m]) for m in payment_methods]
        self.addresses = list(addresses)
        self.shipping_methods = list(shipping_methods)
        self.fields["address"].choices = [(str(a.pk), str(a.pk)) for a in self.addresses]
        self.fields["shipping_method"].choices = [(str(m.pk), m.name)
                                                  for m in self.shipping_methods]
        if self.shipping_methods:
            self.fields["shipping_method"].required = True
            self.fields["shipping_method"].error_messages["required"] = _(
                "Choose a shipping method.")
        if not self.addresses:
            self.fields["address"].error_messages["required"] = _(
                "Add a shipping address to your account first.")

    def refuse_reused_token(self):
        """The token was used already for an order with other details: say so, and give
        the form a fresh token for the next try."""
        self.add_error(None, _("This form was already sent with other details. Check your "
                               "orders, then send it again."))
        self.data = self.data.copy()
        self.data["token"] = new_token()

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        error = document_check(upload)  # renamed to the type its content shows
        if error:
            raise forms.ValidationError(error)
        return upload


class CancelForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("cancellation", "Reason"), max_length=500,
                             error_messages={"required": _("Give a reason.")},
                             widget=forms.Textarea(attrs={"rows": 2}))


STATUS_FILTER_CHOICES = [("", _("All orders")), ("open", pgettext_lazy("orders", "Open"))] \
    + list(OrderStatus.choices)


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False)
    since = forms.DateField(label=_("From"), required=False,
                            widget=DateInput())
    until = forms.DateField(label=_("To"), required=False,
                            widget=DateInput())
    q = forms.CharField(label=_("Order number"), max_length=40, required=False)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), max_length=MAX_BODY,
        error_messages={"required": _("Write a message."),
                        "max_length": _("Keep the message under %(limit_value)d "
                                                   "characters.")},
        widget=forms.Textarea(attrs={"rows": 2}))
