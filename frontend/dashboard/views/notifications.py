"""The staff message centre on the dashboard."""

from django.views.generic import TemplateView

from frontend.common.views.base import StaffRequiredMixin
from frontend.common.views.notifications import NotificationCentreMixin, NotificationOpenView


class StaffNotificationsView(StaffRequiredMixin, NotificationCentreMixin, TemplateView):
    template_name = "dashboard/notifications.html"


class StaffNotificationOpenView(StaffRequiredMixin, NotificationOpenView):
    list_url = "dashboard:notifications"
