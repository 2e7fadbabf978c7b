"""Forms of the dealer self-service pages in the shop. They parse input only; the
services (ordering.customers.services, roles.services.accounts) decide."""

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from frontend.common.forms.auth import ProfileForm
from ordering.customers.enums import BuyerRole


class DealerProfileForm(ProfileForm):
    """The dealer's own name, mobile phone and language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(dict(autocomplete="name"))
        self.fields["phone"].widget.attrs.update(dict(autocomplete="tel", inputmode="tel"))


class RegionTreeChoiceField(forms.ChoiceField):
    """A select of the tenant's regions, children indented under their parent; cleans
    to the Region (or None)."""

    def __init__(self, *, regions, **kwargs):
        self.regions = {str(region.pk): region for region in regions}
        choices = [("", "—")] + [
            (str(region.pk), "\u00a0\u00a0\u00a0" * region.depth
             + ("› " if region.depth else "") + region.name)
            for region in regions]
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.regions.get(value) if value else None


class ShopAddressForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient"), max_length=80,
                                widget=forms.TextInput(attrs=dict(autocomplete="name")))
    phone = forms.CharField(label=_("Phone"), max_length=32,
                            widget=forms.TextInput(attrs=dict(autocomplete="tel",
                                                                inputmode="tel")))
    address = forms.CharField(label=_("Address"), max_length=255,
                              help_text=_("Street, building, floor and room."),
                              widget=forms.Textarea(attrs=dict(rows=2,
                                                                 autocomplete="street-address")))
    postal_code = forms.CharField(label=_("Postal code"), max_length=12, required=False,
                                  widget=forms.TextInput(attrs=dict(
                                      autocomplete="postal-code", inputmode="numeric")))
    is_default = forms.BooleanField(label=_("Use as my default shipping address"),
                                    required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionTreeChoiceField(regions=regions, label=_("Region"),
                                                      required=False)
        self.order_fields(["recipient", "phone", "region", "address", "postal_code",
                           "is_default"])


ACCESS_INVITE = "invite"
ACCESS_PASSWORD = "password"


def _buyer_role_field():
    return forms.ChoiceField(label=_("Buyer role"), choices=BuyerRole.choices,
                             widget=forms.RadioSelect)


def _order_limit_field():
    return forms.DecimalField(label=_("Order limit"), min_value=0, max_digits=14,
                              decimal_places=2, required=False,
                              help_text=_("Orders above this amount wait for your approval."),
                              widget=forms.NumberInput(attrs=dict(inputmode="decimal",
                                                                    step="0.01", min="0")))


class ShopLoginForm(forms.Form):
    """The primary login opens another login for its company."""

    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             widget=forms.EmailInput(attrs=dict(autocomplete="off")))
    name = forms.CharField(label=pgettext_lazy("of a person", "Name"), max_length=120,
                           required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False,
                            widget=forms.TextInput(attrs=dict(inputmode="tel")))
    access = forms.ChoiceField(
        label=_("How does this person sign in?"), widget=forms.RadioSelect,
        initial=ACCESS_INVITE,
        choices=[(ACCESS_INVITE, _("Send an invitation e-mail to choose a password")),
                 (ACCESS_PASSWORD, _("Set an initial password now"))])
    password = forms.CharField(label=_("Initial password"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False, attrs=dict(
                                   autocomplete="new-password")),
                               help_text=_("Tell it to the person yourself; they must change "
                                           "it at their first sign-in."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer_role"] = _buyer_role_field()
        self.fields["order_limit"] = _order_limit_field()
        self.order_fields(["email", "name", "phone", "buyer_role", "order_limit", "access",
                           "password"])

    def clean(self):
        data = super().clean()
        if data.get("access") == ACCESS_PASSWORD and not data.get("password"):
            self.add_error("password", _("Enter the initial password, or send an invitation "
                                         "e-mail instead."))
        if data.get("access") != ACCESS_PASSWORD:
            data["password"] = ""
        return data


class ShopLoginEditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a person", "Name"), max_length=120,
                           required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False,
                            widget=forms.TextInput(attrs=dict(inputmode="tel")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer_role"] = _buyer_role_field()
        self.fields["order_limit"] = _order_limit_field()
