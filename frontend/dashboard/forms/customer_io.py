"""Forms of the customer import and export (dashboard)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from frontend.dashboard.forms.imports import FORMAT_CHOICES, SpreadsheetUploadForm
from ordering.customers.resources import KIND_LABELS, KINDS

KIND_CHOICES = [(kind, KIND_LABELS[kind]) for kind in KINDS]


class CustomerImportForm(SpreadsheetUploadForm):
    kind = forms.ChoiceField(label=_("What to import"), choices=KIND_CHOICES,
                             initial="customers")


class CustomerExportForm(forms.Form):
    kind = forms.ChoiceField(choices=KIND_CHOICES, required=False)
    format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False)

    def clean_kind(self):
        return self.cleaned_data.get("kind") or "customers"

    def clean_format(self):
        return self.cleaned_data.get("format") or "xlsx"
