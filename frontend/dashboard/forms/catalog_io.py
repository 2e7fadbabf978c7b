"""Forms of the catalog import and export (dashboard)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from frontend.dashboard.forms.imports import FORMAT_CHOICES, SpreadsheetUploadForm
from ordering.catalog.resources import KIND_LABELS, KIND_PERMISSIONS, KINDS
from roles.permissions import has_perm

KIND_CHOICES = [(kind, KIND_LABELS[kind]) for kind in KINDS]


def importable_kinds(user):
    """The kinds ``user`` may import (each needs its own permission)."""
    return [kind for kind in KINDS if has_perm(user, KIND_PERMISSIONS[kind])]


class CatalogImportForm(SpreadsheetUploadForm):
    file_help = _("Excel (.xlsx) or CSV (UTF-8 or GB18030), at most 5 MB and 10,000 rows. "
                  "The first row holds the column names.")

    kind = forms.ChoiceField(label=_("What to import"), choices=KIND_CHOICES)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        allowed = set(importable_kinds(user)) if user is not None else set(KINDS)
        self.fields["kind"].choices = [(k, label) for k, label in KIND_CHOICES if k in allowed]


class CatalogExportForm(forms.Form):
    kind = forms.ChoiceField(choices=KIND_CHOICES, required=False)
    format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False)

    def clean_kind(self):
        return self.cleaned_data.get("kind") or "products"

    def clean_format(self):
        return self.cleaned_data.get("format") or "xlsx"
