"""The operator's second-factor forms: a code from the authenticator or a backup code."""

from django import forms
from django.utils.translation import pgettext_lazy


class CodeForm(forms.Form):
    token = forms.CharField(
        label=pgettext_lazy("one-time code", "Code"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True, "spellcheck": "false"}))
