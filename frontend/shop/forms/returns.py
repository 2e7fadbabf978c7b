"""The dealer's return request form: per shipped line how many go back, the reason,
photos. It parses input only; ordering.orders.services.returns decides."""

from django import forms
from django.utils.translation import gettext as _, gettext_lazy

from ordering.orders.services.returns import MAX_PHOTOS

REASON_MAX = 1000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name: a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [found for found in (single(item, initial) for item in data) if found]
        found = single(data, initial)
        return [found] if found else []


class ReturnForm(forms.Form):
    """Per shipped line how many base units go back (blank is 0), the reason and photos."""

    # a service error names lines by their id; its summary shows unless reason/photos do
    service_line_field = "qty_{}"
    service_error_summary_with_lines = True

    reason = forms.CharField(
        label=gettext_lazy("Why do you return the goods?"), max_length=REASON_MAX,
        error_messages={"required": gettext_lazy("Say why you return the goods.")},
        widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(
        label=gettext_lazy("Photos (optional)"), required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))

    def __init__(self, data=None, files=None, *, rows, **kwargs):
        super().__init__(data, files, **kwargs)
        self.fields["photos"].help_text = _("Up to %(n)d photos: JPEG, PNG or WebP, 5 MB "
                                            "each.") % {"n": MAX_PHOTOS}
        self.rows = rows
        for row in rows:
            self.fields[f"qty_{row['line'].pk}"] = forms.IntegerField(
                label=row["line"].product_name, min_value=0, required=False,
                error_messages={"invalid": _("Enter a whole number."),
                                "min_value": _("Enter 0 or more.")})

    def line_rows(self):
        return [{**row, "field": self[f"qty_{row['line'].pk}"]} for row in self.rows]

    def quantities(self):
        data = self.cleaned_data
        return {row["line"].pk: data.get(f"qty_{row['line'].pk}") or 0 for row in self.rows}

