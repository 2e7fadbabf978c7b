"""Forms of the staff order pages. They parse input only; ordering.orders.services and
the workflow decide (permissions, scope, stock, prices, what may happen when)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _g, gettext_lazy as _, pgettext_lazy

from billing import connect_adapter
from frontend.common.forms.widgets import DateInput
from ordering.orders import workflow
from ordering.orders.enums import PaymentMethod, ReserveAt
from ordering.orders.selectors import available_payment_methods, offered_payment_methods

MONEY = {"max_digits": 14, "decimal_places": 2}
REASON_MAX = 500
ADD_KEY = "add"  # the key of the line to add, in service errors


class ActionForm(forms.Form):
    """Approve, reject, cancel or confirm receipt (reject and cancel need a reason)."""

    ACTIONS = (workflow.APPROVE, workflow.REJECT, workflow.CANCEL, workflow.RECEIVE)

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    reason = forms.CharField(label=pgettext_lazy("reject or cancel", "Reason"), max_length=REASON_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("action") in (workflow.REJECT, workflow.CANCEL) \
                and not (data.get("reason") or "").strip():
            self.add_error("reason", _g("Give a reason."))
        return data


class BulkApproveForm(forms.Form):
    next_query = forms.CharField(required=False, max_length=2000)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self._ids = data.getlist("orders") if data is not None else []

    def order_ids(self):
        return sorted({int(v) for v in self._ids if str(v).isascii() and str(v).isdecimal()
                       and len(str(v)) < 18})


class AmendForm(forms.Form):
    """Per line: quantity, unit price, a reason for a new price, remove; one line to add
    (SKU code, quantity, unit); the shipping fee; a note for the dealer."""

    # a service error keyed by line id lands on the line's quantity, the added row's on its SKU
    service_line_field = "qty_{}"
    service_error_aliases = {ADD_KEY: "add_sku"}

    add_sku = forms.CharField(label=_("SKU code"), max_length=40, required=False)
    add_quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10**7,
                                      required=False)
    add_unit = forms.CharField(label=_("Unit (optional)"), max_length=20, required=False)
    shipping_fee = forms.DecimalField(label=_("Shipping fee"), min_value=0, **MONEY)
    reason = forms.CharField(label=_("Note for the dealer"), max_length=REASON_MAX,
                             required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, *, order, lines, **kwargs):
        initial = {"shipping_fee": order.shipping_fee}
        super().__init__(data, initial=initial, **kwargs)
        self.order, self.lines = order, list(lines)
        for line in self.lines:
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=_("Quantity"), min_value=1, max_value=10**7, initial=line.quantity)
            self.fields[f"price_{line.pk}"] = forms.DecimalField(
                label=_("Unit price"), min_value=0, initial=line.unit_price, **MONEY)
            self.fields[f"why_{line.pk}"] = forms.CharField(
                label=_("Reason for the new price"), max_length=200, required=False)
            self.fields[f"remove_{line.pk}"] = forms.BooleanField(label=_("Remove"),
                                                                  required=False)

    def clean(self):
        data = super().clean()
        if data.get("add_sku") and not data.get("add_quantity"):
            self.add_error("add_quantity", _g("Enter a quantity above zero."))
        if data.get("add_quantity") and not (data.get("add_sku") or "").strip():
            self.add_error("add_sku", _g("Enter the SKU code of the product to add."))
        return data

    def rows(self):
        """(line, quantity, price, reason, remove) bound fields for the template."""
        return [(line, self[f"qty_{line.pk}"], self[f"price_{line.pk}"], self[f"why_{line.pk}"],
                 self[f"remove_{line.pk}"]) for line in self.lines]

    def changes(self):
        data = self.cleaned_data
        changes, remove = {}, []
        for line in self.lines:
            if data.get(f"remove_{line.pk}"):
                remove.append(line.pk)
                continue
            changes[line.pk] = {"quantity": data[f"qty_{line.pk}"],
                                "unit_price": data[f"price_{line.pk}"],
                                "price_reason": data.get(f"why_{line.pk}", "")}
        return changes, remove

    def add_row(self):
        """The line to add as a quick-order row, or None."""
        data = self.cleaned_data
        sku = (data.get("add_sku") or "").strip()
        if not sku:
            return None
        return {"code": sku, "quantity": data["add_quantity"],
                "unit": (data.get("add_unit") or "").strip(), "row": ADD_KEY}

    def line_errors(self):
        """{line id: [messages]} of the per-line fields."""
        found = {}
        for line in self.lines:
            messages = []
            for prefix in ("qty", "price", "why", "remove"):
                messages += self.errors.get(f"{prefix}_{line.pk}", [])
            if messages:
                found[line.pk] = messages
        return found


class ShipForm(forms.Form):
    """Quantities to ship per line (in base units, default: what is left), carrier,
    tracking number, date, note."""

    service_line_field = "ship_{}"  # a service error keyed by line id

    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60, required=False)
    shipped_on = forms.DateField(label=_("Shipped on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, data=None, *, order, lines, carriers, **kwargs):
        super().__init__(data, initial={"shipped_on": timezone.localdate()}, **kwargs)
        self.order = order
        self.lines = [line for line in lines if line.to_ship > 0]
        self.fields["carrier"] = forms.TypedChoiceField(
            label=_("Carrier"), required=False, coerce=int, empty_value=None,
            choices=[("", "—")] + [(c.pk, c.name) for c in carriers])
        self.order_fields(["carrier", "tracking_number", "shipped_on", "note"])
        for line in self.lines:
            self.fields[f"ship_{line.pk}"] = forms.IntegerField(
                label=_("Quantity to ship"), min_value=0, max_value=line.to_ship,
                initial=line.to_ship)

    def rows(self):
        return [(line, self[f"ship_{line.pk}"]) for line in self.lines]

    def quantities(self):
        return {line.pk: self.cleaned_data.get(f"ship_{line.pk}") or 0 for line in self.lines}

class OrderCreateForm(forms.Form):
    """An order on a dealer's behalf (代下单)."""

    lines = forms.CharField(
        label=_("Lines"), max_length=50000, widget=forms.Textarea(attrs={
            "rows": 6, "spellcheck": "false", "placeholder": "OJ-1, 12\nCO-1, 2, case"}),
        help_text=_("One line per product: SKU code, quantity and, optionally, the unit "
                    "(e.g. “A-100, 12” or “A-100, 2, case”)."))
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    delivery_date = forms.DateField(label=_("Requested delivery date"), required=False,
                                    widget=DateInput())
    remark = forms.CharField(label=_("Remark"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    token = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, data=None, *, customer, addresses, shipping_methods, **kwargs):
        super().__init__(data, **kwargs)
        self.customer, self.has_addresses = customer, bool(addresses)
        default = next((a.pk for a in addresses if a.is_default), None)
        self.fields["address"] = forms.TypedChoiceField(
            label=_("Shipping address"), coerce=int, initial=default,
            choices=[("", "—")] + [(a.pk, f"{a.recipient} · {a.phone} · {a.address}")
                                   for a in addresses])
        self.fields["shipping_method"] = forms.TypedChoiceField(
            label=_("Shipping method"), coerce=int, required=False, empty_value=None,
            choices=[("", "—")] + [(m.pk, f"{m.name} ({m.fee})") for m in shipping_methods])
        if shipping_methods:  # the default: the first active method
            self.fields["shipping_method"].initial = shipping_methods[0].pk
        # only the payment methods the supplier offers
        offered = offered_payment_methods()
        self.fields["payment_method"].choices = [
            (value, label) for value, label in PaymentMethod.choices if value in offered]
        self.order_fields(["lines", "address", "shipping_method", "payment_method",
                           "delivery_date", "remark", "token"])


class OrderSettingsForm(forms.Form):
    steps = forms.MultipleChoiceField(
        label=_("Steps an order goes through"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick a step to switch it off: orders then pass it at once. Orders "
                    "waiting at a step you switch off move on shortly after you save."))
    reserve_stock_at = forms.ChoiceField(label=_("Reserve stock"), choices=ReserveAt.choices,
                                         widget=forms.RadioSelect)
    auto_receipt_days = forms.IntegerField(
        label=_("Confirm receipt automatically after (days)"), min_value=0, max_value=90,
        help_text=_("0: never; the dealer or your shipping staff confirm receipt."))
    min_order_amount = forms.DecimalField(label=_("Minimum order amount"), min_value=0,
                                          **MONEY)
    quoted_skip_review = forms.BooleanField(
        label=_("Orders from an accepted quotation skip order review"), required=False,
        help_text=_("Their prices were agreed in the quotation. An order with a price still "
                    "to be confirmed stays at order review."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steps"].choices = [(status, workflow.step_label(status))
                                        for status in workflow.SKIPPABLE]

    def workflow_off(self):
        return [s for s in workflow.SKIPPABLE if s not in self.cleaned_data["steps"]]


class PaymentMethodsForm(forms.Form):
    methods = forms.MultipleChoiceField(
        label=_("Payment methods offered at checkout"), choices=PaymentMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Offer at least one payment method.")},
        help_text=_("Dealers choose one of these when they place an order. Credit orders "
                    "still stay within each dealer's credit limit."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # online payment appears once the supplier's Stripe account accepts payments
        available = set(available_payment_methods())
        self.fields["methods"].choices = [(value, label) for value, label in PaymentMethod.choices
                                          if value in available]
        # hidden, but the platform could take payments: the supplier has to connect first
        self.online_to_connect = (PaymentMethod.ONLINE not in available
                                  and connect_adapter.configured())


class ShippingMethodForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a thing", "Name"), max_length=60)
    fee = forms.DecimalField(label=_("Fee"), min_value=0, **MONEY)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=10000,
                                  required=False)


class CarrierForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a thing", "Name"), max_length=60)
    tracking_url = forms.CharField(
        label=_("Tracking link"), max_length=200, required=False,
        help_text=_("Optional; {number} is replaced by the tracking number."))
    is_active = forms.BooleanField(label=_("Active"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=10000,
                                  required=False)

    def clean_tracking_url(self):
        url = (self.cleaned_data.get("tracking_url") or "").strip()
        if url and "{number}" not in url:
            raise forms.ValidationError(_g("Put {number} where the tracking number goes."))
        return url
