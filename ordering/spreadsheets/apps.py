from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpreadsheetsConfig(AppConfig):
    name = "ordering.spreadsheets"
    label = "spreadsheets"
    verbose_name = _("Spreadsheet imports")

    def ready(self):
        import ordering.spreadsheets.exceptions  # noqa: F401 - registers the app's error codes
