from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from core.mail import email_send
from tenants.enums import Currency


def form_add_application_error(form, error):
    """Show a service's ApplicationError on the form: per field where it names one."""
    for field, messages in error.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.message)


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("E-mail or mobile phone"), max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


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


class CompanyProfileForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=120)
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class TenantPasswordResetForm(PasswordResetForm):
    """Sends the reset link for this subdomain by a background task, in the user's language."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        user = context["user"]
        url = "{protocol}://{domain}/password/reset/{uid}/{token}/".format(**context)
        email_send(
            to=to_email,
            template="email/password_reset",
            context={"url": url, "name": user.get_short_name(), "site": context["domain"]},
            language=user.preferred_language or settings.LANGUAGE_CODE,
        )
