"""Staff order pages, under /dashboard/orders/ in the "dashboard" namespace: the list
(status tabs, search, filters, sorting, bulk approval), the detail (lines, totals,
progress through the workflow, timeline, shipments; approve, reject, cancel, amend in
review, ship, confirm receipt; the message thread with the dealer, the order's returns),
the attachment, a print view and a PDF, orders on a dealer's behalf (代下单) and the
order settings (workflow, shipping methods, carriers). The list shows each order's
unread messages.

Thin: every read goes through ordering.orders.selectors (scoped to the user: an order
out of reach is 404), every change through ordering.orders.workflow.transition or
ordering.orders.services, which check permission and scope themselves.
"""

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, pgettext
from django.views import View

from core.exceptions import ApplicationError
from frontend.forms import form_add_application_error
from frontend.forms_orders import (ActionForm, AmendForm, BulkApproveForm, CarrierForm,
                                   PaymentMethodsForm,
                                   OrderCreateForm, OrderSettingsForm, ShipForm,
                                   ShippingMethodForm)
from frontend.mixins import PermissionRequiredMixin
from frontend.views.media import ORDER_ATTACHMENTS, serve_private_download
from ordering.customers import selectors as customer_selectors
from ordering.customers.enums import CustomerStatus
from ordering.orders import selectors, workflow
from ordering.orders.documents import order_pdf, pdf_available
from ordering.orders.enums import EventKind, OrderStatus
from ordering.orders.services import amendments, checkout, shipments
from ordering.orders.services import lines as line_service
from ordering.orders.services import messages as order_messages
from ordering.orders.services import settings as settings_services
from ordering.settings.selectors import tenant_settings
from roles.backends import client_ip
from roles.permissions import has_perm

PAGE_SIZE = 50
FILTERS = ("status", "q", "customer", "sales_rep", "since", "until", "min_total", "max_total",
           "sort")


def _raise_for(exc):
    """A service's not-found / permission error becomes the matching error page."""
    if exc.status == 404:
        raise Http404(exc.message) from exc
    if exc.status == 403:
        raise PermissionDenied(exc.message) from exc


def _order_or_404(request, pk):
    order = selectors.order_get(actor=request.user, pk=pk)
    if order is None:
        raise Http404
    return order


def approvable_statuses(user):
    """The review steps whose approval the user's roles grant."""
    return {step.status for step in workflow.STEPS
            if step.review and step.perm and has_perm(user, step.perm)}


# --- list -------------------------------------------------------------------------------


def list_filters(request):
    return {key: request.GET.get(key, "").strip() for key in FILTERS}


def _tabs(counts, current):
    open_count = selectors.count_from_status_counts(counts, status="open")
    tabs = [("", pgettext("orders", "All"), sum(counts.values())),
            ("open", pgettext("orders", "Open"), open_count)]
    tabs += [(value, label, counts.get(value, 0)) for value, label in OrderStatus.choices
             if value != OrderStatus.SUBMITTED or counts.get(value)]
    return [{"value": value, "label": label, "count": count, "active": value == current}
            for value, label, count in tabs]


class OrderListView(PermissionRequiredMixin, View):
    permission = "view_orders"
    template_name = "dashboard/orders/list.html"

    def get(self, request):
        from ordering.customers.services.customers import sales_rep_choices

        user = request.user
        filters = list_filters(request)
        queryset = selectors.order_list(
            actor=user, q=filters["q"], status=filters["status"], customer=filters["customer"],
            sales_rep=filters["sales_rep"], since=filters["since"], until=filters["until"],
            min_total=filters["min_total"], max_total=filters["max_total"],
            sort=filters["sort"] or "new")
        queryset = order_messages.with_unread(queryset, user, dealer=False)
        counts = selectors.status_counts(actor=user)
        paginator = Paginator(queryset, PAGE_SIZE)
        if not any(filters[key] for key in FILTERS if key not in ("status", "sort")):
            # the tabs counted these orders already: no second COUNT over the history
            paginator.count = selectors.count_from_status_counts(counts,
                                                                 status=filters["status"])
        page = paginator.get_page(request.GET.get("page"))
        tab_query = urlencode({k: v for k, v in request.GET.items()
                               if k not in ("status", "page") and v})
        customers = customer_selectors.customer_list(actor=user).prefetch_related(None) \
            .select_related(None).only("pk", "name")
        return render(request, self.template_name, {
            "page": page, "filters": filters, "query_string": request.GET.urlencode(),
            "tab_query": tab_query,
            "tabs": _tabs(counts, filters["status"]),
            "customers": list(customers.values_list("pk", "name")),
            "sales_reps": list(sales_rep_choices()),
            "sorts": [("new", _("Newest")), ("old", _("Oldest")), ("total", _("Highest total")),
                      ("number", _("Order number"))],
            "approvable": approvable_statuses(user),
            "can_place": has_perm(user, "place_orders"),
        })


class OrderBulkApproveView(PermissionRequiredMixin, View):
    """Approve several orders: each on its own, each reported (approved, or why not)."""

    permission = "view_orders"

    def post(self, request):
        form = BulkApproveForm(request.POST)
        form.is_valid()
        query = form.cleaned_data.get("next_query", "")
        back = reverse("dashboard:orders") + (f"?{query}" if query else "")
        ids = form.order_ids()
        if not ids:
            messages.error(request, _("Select the orders to approve."))
            return redirect(back)
        approved, failed = [], []
        for pk in ids[:PAGE_SIZE]:
            order = selectors.order_get(actor=request.user, pk=pk)
            if order is None:
                failed.append((f"#{pk}", _("No such order.")))
                continue
            try:
                workflow.transition(order=order, action=workflow.APPROVE, actor=request.user)
            except ApplicationError as exc:
                failed.append((str(order), str(exc.message)))
                continue
            approved.append(str(order))
        if approved:
            messages.success(request, _("Approved: %(orders)s.") % {"orders": ", ".join(approved)})
        for number, message in failed:
            messages.error(request, _("%(order)s not approved: %(reason)s") % {
                "order": number, "reason": message})
        return redirect(back)


# --- detail -----------------------------------------------------------------------------


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
        return order_messages.thread(actor=user, order=order)
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
            _raise_for(exc)
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
            _raise_for(exc)
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
            _raise_for(exc)
            order = self.order()
            if exc.fields or workflow.is_amendable(order):
                form.add_service_error(exc)
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
            _raise_for(exc)
            order = self.order()
            if exc.fields or workflow.is_shippable(order):
                form.add_service_error(exc)
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


# --- print and PDF (ordering.orders.documents) ----------------------------------------------------------------------


class OrderPrintView(PermissionRequiredMixin, View):
    """The order sheet and its delivery note, laid out for printing."""

    permission = "view_orders"
    template_name = "dashboard/orders/print.html"

    def get(self, request, pk):
        order = _order_or_404(request, pk)
        return render(request, self.template_name, {
            "order": order, "lines": list(order.lines.all()),
            "shipments": list(order.shipments.all()), "pdf": pdf_available()})


class OrderPdfView(PermissionRequiredMixin, View):
    permission = "view_orders"

    def get(self, request, pk):
        order = _order_or_404(request, pk)
        if not pdf_available():
            raise Http404(_("PDF downloads are not available."))
        content = order_pdf(order, tenant=request.tenant)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{order.number or order.pk}.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- orders on a dealer's behalf --------------------------------------------------------


def _line_problems(error):
    """Messages of a service's per-line errors ({key: [message]})."""
    problems = (error.fields or {}).get("lines")
    if not isinstance(problems, dict):
        return []
    found = []
    for key, messages_ in problems.items():
        for message in messages_:
            found.append(_("Line %(row)s: %(message)s") % {"row": key, "message": message}
                         if str(key).isdigit() else str(message))
    return found


class OrderCreateView(PermissionRequiredMixin, View):
    """代下单: choose a customer (among those the user may order for), then the lines
    (pasted ``SKU,qty[,unit]``), address, shipping and payment method, date and remark."""

    permission = "place_orders"
    template_name = "dashboard/orders/create.html"

    def _customers(self):
        return customer_selectors.customer_list(actor=self.request.user,
                                                status=CustomerStatus.ACTIVE) \
            .prefetch_related(None).select_related(None)

    def _customer(self, value):
        if not value:
            return None
        pk = line_service._int(value)
        customer = self._customers().filter(pk=pk).first() if pk else None
        if customer is None:
            raise Http404
        return customer

    def _form(self, customer, data=None):
        addresses = list(customer.addresses.all())
        methods = selectors.shipping_methods(active_only=True)
        initial = {"token": secrets.token_urlsafe(24)}
        return OrderCreateForm(data, customer=customer, addresses=addresses,
                               shipping_methods=methods, initial=initial)

    def _render(self, customer, form, status=200, problems=()):
        customers = [] if customer else list(self._customers().values_list("pk", "name"))
        return render(self.request, self.template_name, {
            "customer": customer, "form": form, "customers": customers,
            "problems": problems}, status=status)

    def get(self, request):
        customer = self._customer(request.GET.get("customer"))
        return self._render(customer, self._form(customer) if customer else None)

    def post(self, request):
        customer = self._customer(request.POST.get("customer"))
        if customer is None:
            return self._render(None, None, status=400, problems=[_("Choose a customer.")])
        form = self._form(customer, request.POST)
        if not form.is_valid():
            return self._render(customer, form, status=400)
        data = form.cleaned_data
        rows, errors = line_service.parse_quick_order(data["lines"])
        raw = []
        if rows:
            raw, more = line_service.rows_to_raw(rows)
            errors += more
        if errors or not raw:
            for row, message in errors or [(None, _("Enter at least one line."))]:
                form.add_error("lines", _("Line %(row)s: %(message)s") % {
                    "row": row, "message": message} if row else message)
            return self._render(customer, form, status=400)
        try:
            order = checkout.order_place(
                actor=request.user, customer=customer, lines=raw, address_id=data["address"],
                payment_method=data["payment_method"],
                shipping_method_id=data["shipping_method"], delivery_date=data["delivery_date"],
                remark=data["remark"], idempotency_key=data["token"])
        except ApplicationError as exc:
            _raise_for(exc)
            problems = _line_problems(exc)
            if problems:
                form.add_error("lines", exc.message)
                for problem in problems:
                    form.add_error("lines", problem)
            else:
                form_add_application_error(form, exc)
            return self._render(customer, form, status=exc.status if exc.status != 409 else 400)
        messages.success(request, _("Order %(number)s placed for %(customer)s.") % {
            "number": order.number, "customer": customer.name})
        return redirect("dashboard:order-detail", pk=order.pk)


# --- settings ---------------------------------------------------------------------------


def _method_form(method=None, data=None):
    initial = {"is_active": True, "position": 0} if method is None else {
        "name": method.name, "fee": method.fee, "is_active": method.is_active,
        "position": method.position}
    return ShippingMethodForm(data, initial=initial,
                              prefix=f"method-{method.pk}" if method else "method-new")


def _carrier_form(carrier=None, data=None):
    initial = {"is_active": True, "position": 0} if carrier is None else {
        "name": carrier.name, "tracking_url": carrier.tracking_url,
        "is_active": carrier.is_active, "position": carrier.position}
    return CarrierForm(data, initial=initial,
                       prefix=f"carrier-{carrier.pk}" if carrier else "carrier-new")


class OrderSettingsView(PermissionRequiredMixin, View):
    """The workflow, stock reservation, automatic receipt and minimum order; the
    shipping methods and carriers (each saved on its own)."""

    permission = "manage_settings"
    template_name = "dashboard/orders/settings.html"

    def render_page(self, form=None, status=200, bound=None):
        if form is None:
            current = tenant_settings()
            off = set(workflow.switched_off())
            form = OrderSettingsForm(initial={
                "steps": [s for s in workflow.SKIPPABLE if s not in off],
                "reserve_stock_at": current.reserve_stock_at,
                "auto_receipt_days": current.auto_receipt_days,
                "min_order_amount": current.min_order_amount})
        bound = bound or {}
        methods = [(m, bound.get(("method", m.pk)) or _method_form(m))
                   for m in selectors.shipping_methods()]
        carriers = [(c, bound.get(("carrier", c.pk)) or _carrier_form(c))
                    for c in selectors.carriers()]
        payments = bound.get(("payments", None)) or PaymentMethodsForm(
            initial={"methods": selectors.offered_payment_methods()})
        return render(self.request, self.template_name, {
            "form": form, "methods": methods, "carriers": carriers, "payments": payments,
            "new_method": bound.get(("method", None)) or _method_form(),
            "new_carrier": bound.get(("carrier", None)) or _carrier_form(),
            "shipping_label": workflow.step_label(OrderStatus.SHIPPING),
        }, status=status)

    def get(self, request):
        return self.render_page()

    def post(self, request):
        form = OrderSettingsForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        try:
            settings_services.order_settings_update(
                actor=request.user, workflow_off=form.workflow_off(),
                reserve_stock_at=data["reserve_stock_at"],
                auto_receipt_days=data["auto_receipt_days"],
                min_order_amount=data["min_order_amount"], ip=client_ip(request))
        except ApplicationError as exc:
            _raise_for(exc)
            form_add_application_error(form, exc)
            return self.render_page(form, status=400)
        messages.success(request, _("Order settings saved."))
        return redirect("dashboard:order-settings")


class PaymentMethodsSaveView(OrderSettingsView):
    """Which payment methods dealers are offered at checkout."""

    def get(self, request):
        return redirect("dashboard:order-settings")

    def post(self, request):
        form = PaymentMethodsForm(request.POST)
        if form.is_valid():
            try:
                settings_services.payment_methods_update(
                    actor=request.user, methods=form.cleaned_data["methods"],
                    ip=client_ip(request))
            except ApplicationError as exc:
                _raise_for(exc)
                form_add_application_error(form, exc)
            else:
                messages.success(request, _("Payment methods saved."))
                return redirect(reverse("dashboard:order-settings") + "#payment-methods")
        return self.render_page(status=400, bound={("payments", None): form})


class ShippingMethodSaveView(OrderSettingsView):
    """Add a shipping method (no ``pk``) or change one."""

    def get(self, request, pk=None):
        return redirect("dashboard:order-settings")

    def post(self, request, pk=None):
        method = None
        if pk is not None:
            method = selectors.shipping_method_get(pk=pk)
            if method is None:
                raise Http404
        form = _method_form(method, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                settings_services.shipping_method_save(
                    actor=request.user, method=method, name=data["name"], fee=data["fee"],
                    is_active=data["is_active"], position=data["position"] or 0,
                    ip=client_ip(request))
            except ApplicationError as exc:
                _raise_for(exc)
                form_add_application_error(form, exc)
            else:
                messages.success(request, _("Shipping method saved."))
                return redirect(reverse("dashboard:order-settings") + "#shipping-methods")
        return self.render_page(status=400, bound={("method", pk): form})


class CarrierSaveView(OrderSettingsView):
    """Add a carrier (no ``pk``) or change one."""

    def get(self, request, pk=None):
        return redirect("dashboard:order-settings")

    def post(self, request, pk=None):
        carrier = None
        if pk is not None:
            carrier = selectors.carrier_get(pk=pk)
            if carrier is None:
                raise Http404
        form = _carrier_form(carrier, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                settings_services.carrier_save(
                    actor=request.user, carrier=carrier, name=data["name"],
                    tracking_url=data["tracking_url"], is_active=data["is_active"],
                    position=data["position"] or 0, ip=client_ip(request))
            except ApplicationError as exc:
                _raise_for(exc)
                form_add_application_error(form, exc)
            else:
                messages.success(request, _("Carrier saved."))
                return redirect(reverse("dashboard:order-settings") + "#carriers")
        return self.render_page(status=400, bound={("carrier", pk): form})
