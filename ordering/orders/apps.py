from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "ordering.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self):
        import ordering.orders.exceptions  # noqa: F401 - registers the app's error codes
