"""Forms of the staff customer pages. They parse input only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from ordering.customers.enums import BuyerRole, PaymentTerms


class RegionSelect(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name


class StaffSelect(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name or obj.email


def region_field(required=False, label=_("Region")):
    from roles.selectors import region_choices

    return RegionSelect(label=label, required=required, empty_label="—",
                        queryset=region_choices())


def level_field(required=False):
    from ordering.customers.selectors import level_choices

    return forms.ModelChoiceField(label=_("Customer level"), required=required, empty_label="—",
                                  queryset=level_choices())


def sales_rep_field(required=False):
    from ordering.customers.services.customers import sales_rep_choices

    return StaffSelect(label=_("Sales rep"), required=required, empty_label="—",
                       queryset=sales_rep_choices())


class CustomerForm(forms.Form):
    code = forms.CharField(label=_("Customer code"), max_length=32, required=False,
                           help_text=_("Leave empty to number it automatically (C00001 …)."))
    name = forms.CharField(label=_("Company name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    tags = forms.CharField(label=_("Tags"), max_length=400, required=False,
                           help_text=_("Separate tags with commas."))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    credit_limit = forms.DecimalField(label=_("Credit limit"), min_value=0, max_digits=14,
                                      decimal_places=2, required=False)
    payment_terms = forms.ChoiceField(label=_("Payment terms"), choices=PaymentTerms.choices)
    payment_days = forms.IntegerField(label=_("Credit days"), min_value=0, max_value=365,
                                      required=False)
    invoice_title = forms.CharField(label=_("Invoice title"), max_length=120, required=False)
    tax_number = forms.CharField(label=_("Tax number"), max_length=40, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=120, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=60, required=False)
    invoice_address = forms.CharField(label=_("Registered address"), max_length=255,
                                      required=False)
    invoice_phone = forms.CharField(label=_("Registered phone"), max_length=32, required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=80, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)

    MAIN = ("code", "name", "phone", "email", "region", "level", "sales_rep", "tags", "notes")
    CREDIT = ("credit_limit", "payment_terms", "payment_days")
    INVOICE = ("invoice_title", "tax_number", "bank_name", "bank_account", "invoice_address",
               "invoice_phone")
    CONTACT = ("contact_name", "contact_phone")

    def __init__(self, *args, creating=True, can_credit=True, hidden=(), **kwargs):
        """``hidden``: the fields the user may not read (selectors.customer_hidden_fields),
        left off the form and so never sent to the service."""
        super().__init__(*args, **kwargs)
        for name in hidden:
            self.fields.pop(name, None)
        self.fields["region"] = region_field()
        self.fields["level"] = level_field()
        self.fields["sales_rep"] = sales_rep_field()
        if not creating:
            for name in self.CONTACT:
                del self.fields[name]
        if not can_credit:
            for name in self.CREDIT:
                if name not in self.fields:
                    continue
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Set by staff with the credit permission.")

    def sections(self):
        return [(title, [self[name] for name in names if name in self.fields])
                for title, names in ((_("Customer"), self.MAIN),
                                     (_("Primary contact"), self.CONTACT),
                                     (_("Credit and payment"), self.CREDIT),
                                     (_("Invoice details"), self.INVOICE))
                if any(name in self.fields for name in names)]

    def service_values(self):
        data = dict(self.cleaned_data)
        for name in self.CONTACT:
            data.pop(name, None)
        for name in self.CREDIT:
            if name not in self.fields or self.fields[name].disabled:
                data.pop(name, None)
        if data.get("payment_days") is None and "payment_days" in data:
            data["payment_days"] = 0
        if data.get("credit_limit") is None and "credit_limit" in data:
            data["credit_limit"] = 0
        return data


class ContactForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a person", "Name"), max_length=80)
    title = forms.CharField(label=_("Position"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)


class AddressForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient"), max_length=80)
    phone = forms.CharField(label=_("Phone"), max_length=32)
    address = forms.CharField(label=_("Address"), max_length=255)
    postal_code = forms.CharField(label=_("Postal code"), max_length=12, required=False)
    is_default = forms.BooleanField(label=_("Default address"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = region_field()
        self.order_fields(["recipient", "phone", "region", "address", "postal_code",
                           "is_default"])


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    name = forms.CharField(label=pgettext_lazy("of a person", "Name"), max_length=120,
                           required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    buyer_role = forms.ChoiceField(label=_("Buyer role"), choices=BuyerRole.choices)
    order_limit = forms.DecimalField(label=_("Order limit"), min_value=0, max_digits=14,
                                     decimal_places=2, required=False,
                                     help_text=_("Orders above this amount wait for the "
                                                 "primary login's approval."))
    is_primary = forms.BooleanField(label=_("Primary login"), required=False)
    password = forms.CharField(label=_("Initial password"), required=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("Leave empty to e-mail an invitation link. An "
                                           "initial password must be changed at the first "
                                           "sign-in."))


class LoginEditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a person", "Name"), max_length=120,
                           required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    buyer_role = forms.ChoiceField(label=_("Buyer role"), choices=BuyerRole.choices)
    order_limit = forms.DecimalField(label=_("Order limit"), min_value=0, max_digits=14,
                                     decimal_places=2, required=False)
    is_primary = forms.BooleanField(label=_("Primary login"), required=False)


class LevelForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a thing", "Name"), max_length=60)
    # "%" is literal here, not a placeholder: the comments keep xgettext from flagging
    # these messages python-format (msgfmt would then reject any translation).
    price_percent = forms.DecimalField(
        # xgettext:no-python-format
        label=_("Price (% of list price)"), min_value=0, max_value=100, max_digits=5,
        decimal_places=2, initial=100,
        # xgettext:no-python-format
        help_text=_("100 = list price; 90 = 10 % off."))
    position = forms.IntegerField(label=pgettext_lazy("sort order", "Order"), min_value=0, required=False)
    is_default = forms.BooleanField(label=_("Default for new customers"), required=False)


class BulkAssignForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sales_rep"] = sales_rep_field()
        self.fields["level"] = level_field()
        self.fields["unassign"] = forms.BooleanField(required=False)

    def customer_ids(self):
        raw = self.data.getlist("customers") if hasattr(self.data, "getlist") else []
        return [int(v) for v in raw if v.isascii() and v.isdecimal() and len(v) < 18]
