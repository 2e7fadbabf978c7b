from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "ordering.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        import ordering.catalog.exceptions  # noqa: F401 - registers the app's error codes
