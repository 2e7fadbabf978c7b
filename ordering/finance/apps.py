from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "ordering.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self):
        import ordering.finance.exceptions  # noqa: F401 - registers the app's error codes
        from ordering.finance.services import orders as finance_orders
        from ordering.orders import hooks

        for event in hooks.EVENTS:  # the order's life posts to its customer's ledger
            hooks.register(event, getattr(finance_orders, event))
