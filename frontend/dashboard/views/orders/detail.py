"""Staff order pages: an order's detail (lines, totals, progress, timeline, shipments, its
returns) and what is done there: workflow actions, amendments in review, shipping, the
message thread with the dealer, the attachment."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.dashboard.forms.orders import ActionForm, AmendForm, ShipForm
from frontend.common.views.base import PermissionRequiredMixin, raise_for
from frontend.common.views.media import ORDER_ATTACHMENTS, serve_private_download
from frontend.dashboard.views.orders.common import _order_or_404
from ordering.finance import selectors as finance_selectors
from ordering.orders import selectors, workflow
from ordering.orders.documents import pdf_available
from ordering.orders.enums import EventKind
from ordering.orders.services import amendments, shipments
from ordering.orders.services import lines as line_service
from ordering.orders.services import messages as order_messages
from roles.permissions import has_perm


def _timeline(order):
    entries = []
    for event in order.events.all():
        entry = {"event": event, "title": event.get_kind_display(), "step": "", "diff": [],
                 "data": event.data or {}}
        if event.step and event.kind in (EventKind.APPROVED, EventKind.SKIPPED,
                                         EventKind.REJECTED, EventKind.CANCELLED,
                                         EventKind.AMENDED):
            entry["step"] = workflow.step_label(event.step)
        if event.kind == EventKind.AMENDED:
            entry["diff"] = amendments.amendment_rows(event)
        entries.append(entry)
    return entries


class OrderDetailMixin(PermissionRequiredMixin):
    template_name = "dashboard/orders/detail.html"

    def order(self):
        return _order_or_404(self.request, self.kwargs["pk"])

    def context(self, order, **extra):
        user = self.request.user
        lines = list(order.lines.all())
        allowed = workflow.allowed_actions(order, user)
        can_amend, can_ship = workflow.may_amend(order, user), workflow.may_ship(order, user)
        shipped_any = any(line.shipped_quantity for line in lines)
        context = {
            "order": order, "lines": lines, "allowed": allowed,
            "progress": workflow.progress(order), "timeline": _timeline(order),
            "shipments": list(order.shipments.all()),
            "pending_prices": [line for line in lines if line.price_pending],
            "can_amend": can_amend, "can_ship": can_ship,
            "amendable": workflow.is_amendable(order), "shippable": workflow.is_shippable(order),
            "can_customer": has_perm(user, "view_customers"),
            "pdf": pdf_available(),
            "shipped_any": shipped_any,
            # reading the thread marks it read for this user
            "thread": _thread(user, order),
            # only shipped goods can be returned
            "returns": list(selectors.return_list(actor=user).filter(order=order)
                            .prefetch_related(None)) if shipped_any else [],
            "can_returns": has_perm(user, "manage_returns"),
            # the finance reviewer sees the customer's money next to the order
            "finance": (finance_selectors.order_finance(order)
                        if has_perm(user, "view_finance") else None),
            "can_release_hold": order.credit_hold and has_perm(user, "manage_credit"),
        }
        context.update(extra)
        if can_amend and "amend_form" not in context:
            context["amend_form"] = AmendForm(order=order, lines=lines)
        if can_ship and "ship_form" not in context:
            context["ship_form"] = ShipForm(order=order, lines=lines, carriers=_carriers())
        if "action_form" not in context:
            context["action_form"] = ActionForm()
        return context

    def render_detail(self, order, status=200, **extra):
        return render(self.request, self.template_name, self.context(order, **extra),
                      status=status)


def _thread(user, order):
    """The order's messages; reading them marks them read for the user."""
    try:
        return order_messages.thread_open(actor=user, order=order)
    except ApplicationError:  # not on this order's thread: the page shows no messages
        return None


def _carriers():
    return selectors.carriers(active_only=True)


class OrderDetailView(OrderDetailMixin, View):
    permission = "view_orders"

    def get(self, request, pk):
        return self.render_detail(self.order())


class OrderActionView(OrderDetailMixin, View):
    """Approve, reject, cancel, or confirm receipt on the dealer's behalf. The workflow
    decides who may: a refusal is shown on the page."""

    permission = "view_orders"

    def post(self, request, pk):
        order = self.order()
        form = ActionForm(request.POST)
        if not form.is_valid():
            return self.render_detail(order, status=400, action_form=form,
                                      open_action=request.POST.get("action", ""))
        action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
        try:
            workflow.transition(order=order, action=action, actor=request.user, reason=reason)
        except ApplicationError as exc:
            raise_for(exc)
            if exc.fields:
                form_add_application_error(form, exc)
                return self.render_detail(order, status=exc.status, action_form=form,
                                          open_action=action)
            return self.render_detail(self.order(), status=exc.status, action_error=exc.message)
        messages.success(request, {
            workflow.APPROVE: _("Order approved."), workflow.REJECT: _("Order rejected."),
            workflow.CANCEL: _("Order cancelled."), workflow.RECEIVE: _("Receipt confirmed."),
        }[action])
        return redirect("dashboard:order-detail", pk=order.pk)


class OrderMessageView(OrderDetailMixin, View):
    """Write to the dealer on the order's thread."""

    permission = "view_orders"

    def post(self, request, pk):
        order = self.order()
        body = request.POST.get("body", "")
        try:
            order_messages.message_post(actor=request.user, order=order, body=body)
        except ApplicationError as exc:
            raise_for(exc)
            return self.render_detail(order, status=exc.status, message_error=exc.message,
                                      message_body=body)
        messages.success(request, _("Message sent."))
        return redirect(reverse("dashboard:order-detail", args=[order.pk]) + "#messages")


class OrderAmendView(OrderDetailMixin, View):
    permission = "amend_orders"

    def post(self, request, pk):
        order = self.order()
        lines = list(order.lines.all())
        form = AmendForm(request.POST, order=order, lines=lines)
        if not form.is_valid():
            return self.render_detail(order, status=400, amend_form=form)
        changes, remove = form.changes()
        add = []
        row = form.add_row()
        if row is not None:
            add, errors = line_service.rows_to_raw([row])
            if errors:
                for _row, message in errors:
                    form.add_error("add_sku", message)
                return self.render_detail(order, status=400, amend_form=form)
        try:
            amendments.order_amend(actor=request.user, order=order, changes=changes,
                                   remove=remove, add=add,
                                   shipping_fee=form.cleaned_data["shipping_fee"],
                                   reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            raise_for(exc)
            order = self.order()
            if exc.fields or workflow.is_amendable(order):
                form_add_application_error(form, exc)
                return self.render_detail(order, status=exc.status, amend_form=form)
            return self.render_detail(order, status=exc.status, action_error=exc.message)
        messages.success(request, _("Order changed. The dealer sees what changed."))
        return redirect("dashboard:order-detail", pk=order.pk)


class OrderShipView(OrderDetailMixin, View):
    permission = "ship_orders"

    def post(self, request, pk):
        order = self.order()
        lines = list(order.lines.all())
        form = ShipForm(request.POST, order=order, lines=lines, carriers=_carriers())
        if not form.is_valid():
            return self.render_detail(order, status=400, ship_form=form)
        data = form.cleaned_data
        try:
            shipments.shipment_create(
                actor=request.user, order=order, quantities=form.quantities(),
                carrier_id=data["carrier"], tracking_number=data["tracking_number"],
                shipped_on=data["shipped_on"], note=data["note"])
        except ApplicationError as exc:
            raise_for(exc)
            order = self.order()
            if exc.fields or workflow.is_shippable(order):
                form_add_application_error(form, exc)
                return self.render_detail(order, status=exc.status, ship_form=form)
            return self.render_detail(order, status=exc.status, action_error=exc.message)
        messages.success(request, _("Shipment recorded."))
        return redirect("dashboard:order-detail", pk=order.pk)


class OrderAttachmentView(PermissionRequiredMixin, View):
    """The dealer's attachment, only to staff who may see this order."""

    permission = "view_orders"

    def get(self, request, pk):
        order = _order_or_404(request, pk)
        name = order.attachment.name if order.attachment else ""
        return serve_private_download(name, folder=ORDER_ATTACHMENTS)
