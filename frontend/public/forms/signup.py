"""Forms of the public site: signup and "e-mail me my sites"."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=120)
    slug = forms.CharField(
        label=_("Subdomain"), max_length=60,
        help_text=_("3–30 lowercase letters, digits or hyphens."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    owner_name = forms.CharField(label=_("Your name"), max_length=120)
    owner_email = forms.EmailField(label=_("Work e-mail"), max_length=254)
    owner_password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    language = forms.ChoiceField(label=_("Default language of your site"),
                                 choices=settings.LANGUAGES, initial="zh-hans")
    create_another = forms.BooleanField(
        label=_("Yes, create another site for this e-mail address"), required=False)
    # the plan chosen on the pricing page: the new site starts its trial, and its
    # administrator lands on the billing page with that plan picked
    plan = forms.SlugField(required=False, widget=forms.HiddenInput)

    def clean_plan(self):
        from billing.selectors import public_plan_codes

        code = self.cleaned_data.get("plan") or ""
        return code if code in public_plan_codes() else ""


class OwnerSitesForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
