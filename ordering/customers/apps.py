from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "ordering.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        import ordering.customers.exceptions  # noqa: F401 - registers the app's error codes
