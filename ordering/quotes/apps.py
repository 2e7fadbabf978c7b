from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotesConfig(AppConfig):
    name = "ordering.quotes"
    label = "quotes"
    verbose_name = _("Quotations")

    def ready(self):
        from importlib import import_module

        import_module("ordering.quotes.exceptions")  # registers the app's error codes
