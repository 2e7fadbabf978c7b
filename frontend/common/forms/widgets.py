"""Widgets shared by every HTML form.

``DateInput`` is the only date widget the forms use: a browser's ``<input type="date">``
shows and sends ISO dates (``2026-12-06``) whatever the page's language, so the value
is always written in ISO, never in the active locale's first input format (which is
``2026/12/06`` in Simplified Chinese and leaves the field looking empty).
"""

from django import forms

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=ISO_DATE)

    def format_value(self, value):
        if hasattr(value, "strftime"):
            return value.strftime(ISO_DATE)
        return super().format_value(value)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; ``cleaned_data`` is a list (empty: none chosen). The
    service checks each file's type and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []
