"""Staff return pages (退货单), under /dashboard/returns/ in the "dashboard" namespace: the
list (status tabs), the detail (lines, reason, photos, timeline; approve, reject, goods
received per line, refund) and the photos, served only through the return.

Thin: every read goes through ordering.orders.selectors (scoped to the user: a return
out of reach is 404), every change through ordering.orders.services.returns, which
checks the permission, the scope and the status itself.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy, pgettext
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.common.views.base import PermissionRequiredMixin, raise_for
from frontend.dashboard.forms.returns import ApproveForm, ReceiveForm, RefundForm, RejectForm
from frontend.common.views.media import RETURN_PHOTOS, serve_private_image
from ordering.orders import selectors
from ordering.orders.enums import RefundMethod, ReturnStatus
from ordering.orders.services import returns as return_services
from roles.permissions import has_perm

PAGE_SIZE = 50
R = ReturnStatus
EVENT_TITLES = {R.REQUESTED: gettext_lazy("Return requested"),
                R.APPROVED: gettext_lazy("Return approved"),
                R.REJECTED: gettext_lazy("Return rejected"),
                R.RECEIVED: gettext_lazy("Goods received"),
                R.COMPLETED: gettext_lazy("Refunded")}


def _return_or_404(request, pk):
    found = selectors.return_get(actor=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


# --- list -------------------------------------------------------------------------------


def _tabs(counts, current):
    tabs = [("", pgettext("returns", "All"), sum(counts.values()))]
    tabs += [(value, label, counts.get(value, 0)) for value, label in ReturnStatus.choices]
    return [{"value": value, "label": label, "count": count, "active": value == current}
            for value, label, count in tabs]


class ReturnListView(PermissionRequiredMixin, View):
    permission = "manage_returns"
    template_name = "dashboard/returns/list.html"

    def get(self, request):
        user = request.user
        status = request.GET.get("status", "").strip()
        if status not in ReturnStatus.values:
            status = ""
        counts = dict(selectors.return_list(actor=user).prefetch_related(None).order_by()
                      .values_list("status").annotate(n=Count("pk")))
        queryset = selectors.return_list(actor=user, status=status).prefetch_related(None)
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, self.template_name, {
            "page": page, "status": status, "filters": {"status": status},
            "tabs": _tabs(counts, status), "can_orders": has_perm(user, "view_orders"),
        })


# --- detail and actions -----------------------------------------------------------------


class ReturnDetailMixin(PermissionRequiredMixin):
    permission = "manage_returns"
    template_name = "dashboard/returns/detail.html"

    def return_request(self):
        return _return_or_404(self.request, self.kwargs["pk"])

    def context(self, item, **extra):
        lines = list(item.lines.all())
        status = item.status
        ceiling = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
        context = {
            "item": item, "lines": lines, "photos": list(item.photos.all()),
            "timeline": [{"event": event, "title": EVENT_TITLES.get(event.status,
                                                                       event.get_status_display())}
                         for event in item.events.all()],
            "received": status in (R.RECEIVED, R.COMPLETED),
            "can_approve": status == R.REQUESTED,
            "can_reject": status in (R.REQUESTED, R.APPROVED),
            "can_receive": status == R.APPROVED,
            "can_refund": status == R.RECEIVED,
            "refund_ceiling": ceiling.quantize(Decimal("0.01")),
            "can_orders": has_perm(self.request.user, "view_orders"),
        }
        context.update(extra)
        if context["can_approve"] and "approve_form" not in context:
            context["approve_form"] = ApproveForm()
        if context["can_reject"] and "reject_form" not in context:
            context["reject_form"] = RejectForm()
        if context["can_receive"] and "receive_form" not in context:
            context["receive_form"] = ReceiveForm(lines=lines)
        if context["can_refund"] and "refund_form" not in context:
            context["refund_form"] = RefundForm(initial={
                "amount": item.refund_amount, "method": RefundMethod.RECORDED})
        return context

    def render_detail(self, item, status=200, **extra):
        return render(self.request, self.template_name, self.context(item, **extra),
                      status=status)

    def refused(self, exc, form_key, form):
        """A service refusal: 404/403 pages; the message on the form (400) or, when the
        return has moved on meanwhile (409), above the page."""
        raise_for(exc)
        item = self.return_request()
        if exc.fields:
            form_add_application_error(form, exc)
            return self.render_detail(item, status=exc.status, **{form_key: form})
        return self.render_detail(item, status=exc.status, action_error=exc.message)


class ReturnDetailView(ReturnDetailMixin, View):
    def get(self, request, pk):
        return self.render_detail(self.return_request())


class ReturnApproveView(ReturnDetailMixin, View):
    def post(self, request, pk):
        item = self.return_request()
        form = ApproveForm(request.POST)
        if not form.is_valid():
            return self.render_detail(item, status=400, approve_form=form)
        try:
            return_services.return_approve(actor=request.user, request=item,
                                           note=form.cleaned_data["note"])
        except ApplicationError as exc:
            return self.refused(exc, "approve_form", form)
        messages.success(request, _("Return approved: the dealer is asked to send the goods."))
        return redirect("dashboard:return-detail", pk=item.pk)


class ReturnRejectView(ReturnDetailMixin, View):
    def post(self, request, pk):
        item = self.return_request()
        form = RejectForm(request.POST)
        if not form.is_valid():
            return self.render_detail(item, status=400, reject_form=form, open_reject=True)
        try:
            return_services.return_reject(actor=request.user, request=item,
                                          reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            return self.refused(exc, "reject_form", form)
        messages.success(request, _("Return rejected."))
        return redirect("dashboard:return-detail", pk=item.pk)


class ReturnReceiveView(ReturnDetailMixin, View):
    def post(self, request, pk):
        item = self.return_request()
        form = ReceiveForm(request.POST, lines=item.lines.all())
        if not form.is_valid():
            return self.render_detail(item, status=400, receive_form=form)
        try:
            return_services.return_receive(actor=request.user, request=item,
                                           received=form.received())
        except ApplicationError as exc:
            return self.refused(exc, "receive_form", form)
        messages.success(request, _("Goods received. Resaleable goods are back in stock."))
        return redirect("dashboard:return-detail", pk=item.pk)


class ReturnRefundView(ReturnDetailMixin, View):
    def post(self, request, pk):
        item = self.return_request()
        form = RefundForm(request.POST)
        if not form.is_valid():
            return self.render_detail(item, status=400, refund_form=form)
        data = form.cleaned_data
        try:
            return_services.return_refund(actor=request.user, request=item,
                                          amount=data["amount"], method=data["method"],
                                          reference=data["reference"])
        except ApplicationError as exc:
            return self.refused(exc, "refund_form", form)
        messages.success(request, _("Refund recorded: the return is completed."))
        return redirect("dashboard:return-detail", pk=item.pk)


class ReturnPhotoView(PermissionRequiredMixin, View):
    """A photo of a return, only to staff who may handle this return. The content decides
    the type (the dealer's file name does not)."""

    permission = "manage_returns"

    def get(self, request, pk, photo):
        item = _return_or_404(request, pk)
        found = next((p for p in item.photos.all() if p.pk == photo), None)
        name = found.image.name if found is not None and found.image else ""
        return serve_private_image(name, folder=RETURN_PHOTOS,
                                   filename=f"{item.number}-{photo}")
