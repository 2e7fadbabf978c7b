"""The message centre (站内消息): a signed-in user's notifications, newest first, on the
dashboard for staff and in the shop for dealers; opening one marks it read."""

from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView
from django.views import View

from frontend.mixins import DealerRequiredMixin, StaffRequiredMixin
from ordering.notifications import selectors, services


class _Centre:
    template_name = None
    list_url = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.notification_list(user=self.request.user), 30).get_page(
            self.request.GET.get("page"))
        context.update(page=page, notifications=page.object_list,
                       unread=selectors.unread_count(self.request.user))
        return context


class _Open(View):
    """POST: mark one read and go to what it is about (or mark all read)."""

    list_url = None

    def post(self, request, pk=None):
        services.mark_read(user=request.user, pk=pk)
        if pk is None:
            return redirect(self.list_url)
        note = selectors.notification_list(user=request.user).filter(pk=pk).first()
        target = note.link if note and note.link else None
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect(self.list_url)


class StaffNotificationsView(StaffRequiredMixin, _Centre, TemplateView):
    template_name = "dashboard/notifications.html"


class StaffNotificationOpenView(StaffRequiredMixin, _Open):
    list_url = "dashboard:notifications"


class DealerNotificationsView(DealerRequiredMixin, _Centre, TemplateView):
    template_name = "shop/notifications.html"


class DealerNotificationOpenView(DealerRequiredMixin, _Open):
    list_url = "shop:notifications"
