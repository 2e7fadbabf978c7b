"""Forms every signed-in surface shares: sign-in, password reset, one's own profile."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from core.mail import email_send


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("E-mail or mobile phone"), max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


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
