"""The message centre (站内消息) both signed-in surfaces share: a user's notifications,
newest first; opening one marks it read. The dashboard and the shop declare the pages."""

from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from ordering.notifications import selectors, services


class NotificationCentreMixin:
    template_name = None
    list_url = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.notification_list(user=self.request.user), 30).get_page(
            self.request.GET.get("page"))
        context.update(page=page, notifications=page.object_list,
                       unread=selectors.unread_count(self.request.user))
        return context


class NotificationOpenView(View):
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
