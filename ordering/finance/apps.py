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

        from billing import connect_webhooks
        from ordering.finance.services import online

        # Stripe's answer about dealers' online payments (Stripe Connect events)
        connect_webhooks.register("payment_intent.succeeded", online.online_intent_succeeded)
        for failed in ("payment_intent.payment_failed", "payment_intent.canceled"):
            connect_webhooks.register(failed, online.online_intent_failed)
