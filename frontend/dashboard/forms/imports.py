"""The upload form of the spreadsheet imports (customers, catalog)."""

from django import forms
from django.utils.translation import gettext as _, gettext_lazy

from ordering import spreadsheets

FORMAT_CHOICES = [("xlsx", gettext_lazy("Excel (.xlsx)")), ("csv", gettext_lazy("CSV (.csv)"))]


class SpreadsheetUploadForm(forms.Form):
    """The file of an import: .xlsx or .csv, at most 5 MB, read once into
    ``cleaned_data["content"]`` (with ``extension``). Subclasses add ``kind``."""

    field_order = ["kind", "file"]
    file_help = gettext_lazy("Excel (.xlsx) or CSV (UTF-8 or GB18030), at most 5 MB and 5000 "
                             "rows. The first row holds the column names.")

    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["file"].help_text = self.file_help

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = spreadsheets.file_extension(upload.name)
        if extension not in spreadsheets.FORMATS:
            raise forms.ValidationError(
                _("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."), code="type")
        too_large = _("The file is larger than 5 MB. Split it into several files.")
        if upload.size > spreadsheets.MAX_BYTES:
            raise forms.ValidationError(too_large, code="size")
        upload.seek(0)
        content = upload.read(spreadsheets.MAX_BYTES + 1)
        if len(content) > spreadsheets.MAX_BYTES:
            raise forms.ValidationError(too_large, code="size")
        if not content:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        self.cleaned_data["content"] = content
        self.cleaned_data["extension"] = extension
        return upload
