"""The dealer's message centre in the shop."""

from django.views.generic import TemplateView

from frontend.common.views.base import DealerRequiredMixin
from frontend.common.views.notifications import NotificationCentreMixin, NotificationOpenView


class DealerNotificationsView(DealerRequiredMixin, NotificationCentreMixin, TemplateView):
    template_name = "shop/notifications.html"


class DealerNotificationOpenView(DealerRequiredMixin, NotificationOpenView):
    list_url = "shop:notifications"
