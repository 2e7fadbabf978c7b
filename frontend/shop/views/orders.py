"""The dealer's cart, checkout and orders under /shop/ (mobile-first).

Thin: the cart, checkout, workflow, shipment and amendment services do every write
and check again who may do what; reads go through ``ordering.orders.selectors``
(another company's order is None → 404). A view-only login sees everything but gets
no changing buttons and a 403 on every POST but a message on the order (it may talk to
the supplier about an order it can see); staff get 403 (the shop is for dealers). The
order's message thread goes through ``ordering.orders.services.messages``.
"""

import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _, ngettext
from django.views import View

from core.exceptions import (ApplicationError, ConflictError, NotFoundError,
                             PermissionDeniedError)
from frontend.common.forms.base import form_add_application_error
from frontend.shop.forms.orders import (CancelForm, CartLineForm, CheckoutForm, MessageForm,
                                        OrderFilterForm, QuickOrderForm, TemplateSaveForm, cart_lines_from_post,
                                        new_token)
from frontend.shop.views.storefront import StorefrontMixin
from frontend.common.views.media import ORDER_ATTACHMENTS, serve_private_download
from ordering.catalog import storefront
from ordering.finance import selectors as finance_selectors
from ordering.orders import selectors, workflow
from ordering.finance.services.online import online_available
from ordering.orders.enums import EventKind, OrderStatus, PaymentMethod
from ordering.orders.exceptions import IdempotencyMismatch
from ordering.orders.services import amendments as amendment_services
from ordering.orders.services import cart as cart_services
from ordering.orders.services import checkout as checkout_services
from ordering.orders.services import messages as message_services

S = OrderStatus
ORDERS_PER_PAGE = 20
STATUS_COLOURS = {
    S.SUBMITTED: "secondary", S.ORDER_REVIEW: "warning", S.FINANCE_REVIEW: "warning",
    S.OUTBOUND_REVIEW: "warning", S.SHIPPING: "info", S.RECEIPT: "primary",
    S.COMPLETED: "success", S.CANCELLED: "light", S.REJECTED: "danger",
}


class _PostNeedsOrderer:
    """Runs after the login lookup: a view-only login may look, never change (403),
    except where ``viewers_may_post`` (a message on an order it can see)."""

    viewers_may_post = False

    def dispatch(self, request, *args, **kwargs):
        # the services find the login again through the user: hand them the one loaded
        request.user.customer_login = self.dealer_login
        if request.method not in ("GET", "HEAD", "OPTIONS") and not self.viewers_may_post \
                and not self.dealer_login.can_order:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ShopOrdersMixin(StorefrontMixin, _PostNeedsOrderer):
    """A signed-in dealer linked to a company (``self.dealer_login``); anonymous → sign
    in, staff → 403, a sign-in without a company → the friendly 404 page."""

    @property
    def login(self):
        return self.dealer_login

    def safe_next(self, default):
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
                target, allowed_hosts={self.request.get_host()},
                require_https=self.request.is_secure()):
            return target
        return default


def _messages_for_unavailable(request, unknown):
    for key, message in unknown:
        if key not in (None, ""):
            messages.warning(request, _("%(line)s: %(problem)s") % {"line": key,
                                                                    "problem": message})
        else:
            messages.warning(request, message)


# --- the cart ------------------------------------------------------------------------


class CartView(ShopOrdersMixin, View):
    """The cart priced live: lines with their problems, quantities and units to change,
    the subtotal; quick order (paste or sheet) and saved templates."""

    template_name = "shop/orders/cart.html"

    def render_cart(self, *, status=200, line_errors=None, quick_form=None, quick_errors=None,
                    template_form=None):
        login = self.login
        cart = selectors.cart_view(login=login)
        line_errors = line_errors or {}
        rows = []
        for line in cart.lines:
            units = [{"value": "base", "label": line.base_unit_name, "factor": 1,
                      "selected": line.unit is None}]
            units += [{"value": str(unit.pk), "label": unit.unit.name, "factor": unit.factor,
                       "selected": line.unit is not None and unit.pk == line.unit.pk}
                      for unit in line.variant.units.all()]
            rows.append({"line": line, "id": line.key, "units": units,
                         "error": line_errors.get(line.key, "")})
        templates = list(login.customer.cart_templates.all())
        return render(self.request, self.template_name, self.context(
            cart=cart, rows=rows, unavailable=cart.unavailable, cart_count=cart.count,
            can_order=login.can_order, templates=templates,
            quick_form=quick_form or QuickOrderForm(), quick_errors=quick_errors or [],
            template_form=template_form or TemplateSaveForm(),
            line_error_ids=set(line_errors)), status=status)

    def get(self, request):
        return self.render_cart()


class CartAddView(ShopOrdersMixin, View):
    """POST lines (``variant``/``unit``/``quantity`` side by side) from the product page
    or the order grid, or ``product`` + ``quantity`` for a product with one variant (the
    list's quick add); back to ``next`` with a message, else to the cart."""

    def post(self, request):
        login = self.login
        back = self.safe_next(reverse("shop:cart"))
        if request.POST.get("product"):
            try:
                detail = storefront.dealer_product(login, request.POST["product"])
            except NotFoundError:
                raise Http404 from None
            if len(detail.offers) != 1:
                messages.info(request, _("Choose an option of this product first."))
                return redirect("shop:product", pk=detail.product.pk)
            lines = [{"variant": detail.offers[0].variant.pk, "unit": None,
                      "quantity": request.POST.get("quantity", "").strip(),
                      "key": detail.offers[0].variant.code}]
        else:
            lines = cart_lines_from_post(request.POST)
        try:
            added = cart_services.cart_add(login=login, lines=lines)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ApplicationError as exc:
            problems = [message for messages_ in exc.fields.values() for message in messages_]
            return render(request, "shop/orders/cart_add_error.html", self.context(
                message=exc.message, problems=problems, back=back), status=400)
        messages.success(request, ngettext("%(n)d line added to your cart.",
                                           "%(n)d lines added to your cart.", added) % {
            "n": added})
        variants = {str(line["variant"]) for line in lines}
        for line in selectors.cart_view(login=login).problems:
            if str(line.variant.pk) in variants:
                messages.warning(request, line.problem)
        return redirect(back)


class CartLineUpdateView(CartView):
    http_method_names = ["post"]

    def post(self, request, pk):
        form = CartLineForm(request.POST)
        if not form.is_valid():
            error = next(iter(form.errors.values()))[0]
            return self.render_cart(status=400, line_errors={pk: error})
        try:
            cart_services.cart_update(login=self.login, line_id=pk,
                                      quantity=form.cleaned_data["quantity"],
                                      unit=form.cleaned_data["unit"] or "")
        except NotFoundError as exc:
            messages.info(request, exc.message)
            return redirect("shop:cart")
        except ApplicationError as exc:
            error = next(iter(exc.fields.values()), [exc.message])[0]
            return self.render_cart(status=400, line_errors={pk: error})
        messages.success(request, _("Your cart has been updated."))
        return redirect("shop:cart")


class CartLineRemoveView(ShopOrdersMixin, View):
    def post(self, request, pk):
        cart_services.cart_remove(login=self.login, line_id=pk)
        messages.success(request, _("The line has been removed from your cart."))
        return redirect("shop:cart")


class CartClearView(ShopOrdersMixin, View):
    def post(self, request):
        cart_services.cart_clear(login=self.login)
        messages.success(request, _("Your cart is empty now."))
        return redirect("shop:cart")


class QuickOrderView(CartView):
    """Pasted ``SKU,qty[,unit]`` lines and/or an uploaded sheet: the good lines go into
    the cart, the bad ones are listed by line or row with their message."""

    http_method_names = ["post"]

    def post(self, request):
        form = QuickOrderForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_cart(status=400, quick_form=form)
        login, data = self.login, form.cleaned_data
        added, errors, failed_text_rows = 0, [], set()
        text = data.get("text") or ""
        try:
            if text.strip():
                count, text_errors = cart_services.quick_order(login=login, text=text)
                added += count
                errors += [(_("Line %(n)s") % {"n": row}, message) for row, message in text_errors]
                failed_text_rows = {row for row, _message in text_errors}
            if data.get("file"):
                rows, row_errors = cart_services.quick_order_rows_from_file(
                    content=data["content"], extension=data["extension"])
                if rows:
                    count, more = cart_services.quick_order(login=login, rows=rows)
                    added += count
                    row_errors = sorted(row_errors + more, key=lambda e: e[0] or 0)
                elif not row_errors:
                    row_errors = [(None, _("The sheet has no lines."))]
                errors += [(_("Row %(n)s") % {"n": row} if row else _("Sheet"), message)
                           for row, message in row_errors]
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ApplicationError as exc:
            field = "file" if data.get("file") and not text.strip() else None
            form.add_error(field, exc.message)
            return self.render_cart(status=400, quick_form=form)
        if added:
            messages.success(request, ngettext("%(n)d line added to your cart.",
                                               "%(n)d lines added to your cart.", added) % {
                "n": added})
        if not errors:
            return redirect("shop:cart")
        # keep only the pasted lines that failed, to correct and send again
        kept = "\n".join(line for number, line in enumerate(text.splitlines(), start=1)
                         if number in failed_text_rows)
        return self.render_cart(status=200 if added else 400, quick_errors=errors,
                                quick_form=QuickOrderForm(initial={"text": kept}))


class TemplateSaveView(CartView):
    http_method_names = ["post"]

    def post(self, request):
        form = TemplateSaveForm(request.POST)
        if not form.is_valid():
            return self.render_cart(status=400, template_form=form)
        try:
            template = cart_services.template_save(login=self.login,
                                                   name=form.cleaned_data["name"])
        except ApplicationError as exc:
            form.add_error("name" if "name" in exc.fields else None, exc.message)
            return self.render_cart(status=400, template_form=form)
        messages.success(request, _("Saved as the template “%(name)s”.") % {
            "name": template.name})
        return redirect("shop:cart")


class TemplateApplyView(ShopOrdersMixin, View):
    def post(self, request, pk):
        try:
            added, unknown = cart_services.template_apply(login=self.login, template_id=pk)
        except NotFoundError:
            raise Http404 from None
        if added:
            messages.success(request, ngettext("%(n)d line added to your cart.",
                                               "%(n)d lines added to your cart.", added) % {
                "n": added})
        if unknown:
            messages.warning(request, ngettext(
                "%(n)d line of the template is no longer available.",
                "%(n)d lines of the template are no longer available.", len(unknown)) % {
                "n": len(unknown)})
        return redirect("shop:cart")


class TemplateDeleteView(ShopOrdersMixin, View):
    def post(self, request, pk):
        cart_services.template_delete(login=self.login, template_id=pk)
        messages.success(request, _("The template has been deleted."))
        return redirect("shop:cart")


# --- checkout ------------------------------------------------------------------------


class CheckoutView(ShopOrdersMixin, View):
    """Address, delivery date, shipping and payment method, remark and attachment, with
    the order's summary. The form's token is the idempotency key: a double click or a
    retry returns the first order."""

    template_name = "shop/orders/checkout.html"

    def _choices(self):
        addresses = list(self.login.customer.addresses.select_related(
            "region", "region__parent").order_by("-is_default", "id"))
        methods = selectors.shipping_methods(active_only=True)
        return addresses, methods

    def _render(self, form, cart, *, status=200):
        methods = form.shipping_methods
        chosen = form["shipping_method"].value()
        method = next((m for m in methods if str(m.pk) == str(chosen or "")), None)
        fee = method.fee if method else 0
        address_id = str(form["address"].value() or "")
        return render(self.request, self.template_name, self.context(
            form=form, cart=cart, cart_count=cart.count, addresses=form.addresses,
            address_id=address_id, methods=methods, method=method, fee=fee,
            total=cart.subtotal + fee, payment_choices=form.fields["payment_method"].choices,
            payment_value=form["payment_method"].value() or "",
            method_value=str(chosen or ""),
            money=finance_selectors.checkout_money(self.login.customer, cart.subtotal)),
            status=status)

    def get(self, request):
        cart = selectors.cart_view(login=self.login)
        if not cart.count:
            messages.info(request, _("Your cart is empty."))
            return redirect("shop:cart")
        addresses, methods = self._choices()
        # An address just added from checkout (?address=<id>, one of the company's own)
        # comes back selected; else the default address.
        wanted = request.GET.get("address", "")
        default = (next((a for a in addresses if str(a.pk) == wanted), None)
                   or next((a for a in addresses if a.is_default),
                           addresses[0] if addresses else None))
        payments = selectors.offered_payment_methods()
        form = CheckoutForm(addresses=addresses, shipping_methods=methods,
                            payment_methods=payments, initial={
            "address": str(default.pk) if default else "",
            # The default shipping method is the first active one (by position).
            "shipping_method": str(methods[0].pk) if methods else "",
            "payment_method": payments[0], "token": new_token()})
        return self._render(form, cart)

    def post(self, request):
        addresses, methods = self._choices()
        form = CheckoutForm(request.POST, request.FILES, addresses=addresses,
                            shipping_methods=methods,
                            payment_methods=selectors.offered_payment_methods())
        if form.is_valid():
            data = form.cleaned_data
            try:
                order, _created = checkout_services.cart_checkout(
                    actor=request.user, address_id=data["address"],
                    payment_method=data["payment_method"],
                    shipping_method_id=data.get("shipping_method") or None,
                    delivery_date=data.get("delivery_date"), remark=data.get("remark") or "",
                    attachment=data.get("attachment"), idempotency_key=data["token"],
                    use_rebate=data.get("use_rebate", False))
            except PermissionDeniedError:
                raise PermissionDenied from None
            except IdempotencyMismatch:
                form.refuse_reused_token()
            except ApplicationError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("Thank you! Your order %(number)s has been "
                                            "placed.") % {"number": order.number})
                if order.payment_method == PaymentMethod.ONLINE:  # pay it now
                    return redirect("shop:order-pay", pk=order.pk)
                return redirect("shop:order-detail", pk=order.pk)
        return self._render(form, selectors.cart_view(login=self.login), status=400)


def _add_error(form, exc):
    """A checkout error on its field; line problems show on the summary's lines, so the
    form gets the message once."""
    shown = False
    for field, problems in exc.fields.items():
        if field in form.fields and isinstance(problems, (list, tuple)):
            for problem in problems:
                form.add_error(field, problem)
                shown = True
    if not shown:
        form.add_error(None, exc.message)


# --- orders --------------------------------------------------------------------------


class OrderListView(ShopOrdersMixin, View):
    template_name = "shop/orders/list.html"

    def get(self, request):
        form = OrderFilterForm(request.GET)
        valid = form.is_valid()
        data = form.cleaned_data
        orders = selectors.with_unread(selectors.dealer_order_list(
            login=self.login, q=data.get("q") or "", status=data.get("status") or "",
            since=data.get("since"), until=data.get("until")), request.user, dealer=True)
        page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
        filters = {key: request.GET.get(key, "") for key in form.fields
                   if key not in form.errors}
        rows = [{"order": order, "colour": STATUS_COLOURS.get(order.status, "secondary")}
                for order in page.object_list]
        return render(request, self.template_name, self.context(
            form=form, page=page, rows=rows, filters=filters,
            filtered=any(filters.values())), status=200 if valid else 400)


def _actor_label(event):
    actor = event.actor
    if actor is None:
        return _("Automatic")
    return actor.name or actor.email


def _event_text(event):
    step = workflow.step_label(event.step) if event.step else ""
    kind = event.kind
    if kind == EventKind.SUBMITTED:
        return _("Order submitted")
    if kind == EventKind.APPROVED:
        return _("%(step)s passed") % {"step": step}
    if kind == EventKind.SKIPPED:
        return _("%(step)s skipped: the supplier has switched this step off") % {"step": step}
    if kind == EventKind.REJECTED:
        return _("Rejected at %(step)s") % {"step": step}
    if kind == EventKind.CANCELLED:
        return _("Order cancelled")
    if kind == EventKind.AMENDED:
        return _("The supplier changed the order")
    if kind == EventKind.CONFIRMED:
        return _("The changed order was accepted")
    if kind == EventKind.SHIPPED:
        return _("Shipped")
    if kind == EventKind.RECEIVED:
        return _("Receipt confirmed")
    return event.get_kind_display()


class OrderMixin(ShopOrdersMixin):
    def order_or_404(self, pk):
        order = selectors.dealer_order_get(login=self.login, pk=pk)
        if order is None:
            raise Http404
        return order


class OrderDetailView(OrderMixin, View):
    template_name = "shop/orders/detail.html"

    def render_order(self, order, *, cancel_form=None, message_form=None, error="",
                     status=200):
        user, login = self.request.user, self.login
        can_order = login.can_order
        events = [{"event": event, "text": _event_text(event), "actor": _actor_label(event),
                   "diff": amendment_services.amendment_rows(event) if event.kind == EventKind.AMENDED else [],
                   "internal": event.kind in (EventKind.STOCK_RESERVED,
                                              EventKind.STOCK_RELEASED)}
                  for event in reversed(list(order.events.all()))]
        stop_event = next((row["event"] for row in events if row["event"].kind in (
            EventKind.CANCELLED, EventKind.REJECTED)), None)
        lines = list(order.lines.all())
        shipped = any(line.shipped_quantity for line in lines)
        # returns are of shipped goods: an order with nothing shipped has none to show
        returns = list(order.returns.all()) if shipped else []
        can_return = shipped and workflow.may_return(order, user)
        thread = message_services.thread_open(actor=user, order=order)  # marks it read
        return render(self.request, self.template_name, self.context(
            order=order, lines=lines, shipments=list(order.shipments.all()),
            events=events, progress=workflow.progress(order, submitted=True), stop_event=stop_event,
            colour=STATUS_COLOURS.get(order.status, "secondary"),
            can_order=can_order,
            can_pay_online=can_order and order.amount_paid < order.total
            and order.status not in workflow.VOIDED and online_available(),
            can_cancel=workflow.may_cancel(order, user),
            can_receive=workflow.may_receive(order, user),
            awaits_dealer=workflow.awaits_dealer(order),
            can_accept=workflow.may_accept(order, user),
            cancel_form=cancel_form or CancelForm(), action_error=error,
            returns=returns, can_return=can_return, thread=thread,
            message_form=message_form or MessageForm(),
            attachment_name=os.path.basename(order.attachment.name) if order.attachment
            else ""), status=status)

    def get(self, request, pk):
        return self.render_order(self.order_or_404(pk))


class ShopActionMixin:
    """POST an action on one of the company's objects (an order, an inquiry); a refusal
    shows on the object's page. A view defines ``load(pk)`` (the object or 404),
    ``show(obj, error=, status=)`` (its page) and ``done_url`` (a URL name taking the
    pk); each action defines ``act(obj, request)``, which calls the service and returns a
    response, or None for ``success`` as a message and back to the object's page."""

    http_method_names = ["post"]
    success = ""
    done_url = ""

    def post(self, request, pk):
        obj = self.load(pk)
        try:
            response = self.act(obj, request)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except NotFoundError:
            raise Http404 from None
        except ApplicationError as exc:
            status = 409 if isinstance(exc, ConflictError) else 400
            return self.show(self.load(pk), error=exc.message, status=status)
        if response is not None:
            return response
        messages.success(request, self.success)
        return redirect(self.done_url, pk=obj.pk)


class _OrderActionView(ShopActionMixin, OrderDetailView):
    done_url = "shop:order-detail"

    def load(self, pk):
        return self.order_or_404(pk)

    def show(self, order, **kwargs):
        return self.render_order(order, **kwargs)


class OrderCancelView(_OrderActionView):
    def act(self, order, request):
        form = CancelForm(request.POST)
        if not form.is_valid():
            return self.render_order(order, cancel_form=form, status=400)
        workflow.transition(order=order, action=workflow.CANCEL, actor=request.user,
                            reason=form.cleaned_data["reason"])
        self.success = _("Your order has been cancelled.")
        return None


class OrderReceiveView(_OrderActionView):
    def act(self, order, request):
        workflow.transition(order=order, action=workflow.RECEIVE, actor=request.user)
        self.success = _("Thank you: receipt confirmed.")
        return None


class OrderAcceptView(_OrderActionView):
    def act(self, order, request):
        amendment_services.amendment_accept(actor=request.user, order=order)
        self.success = _("You accepted the changed order.")
        return None


class OrderMessageView(_OrderActionView):
    """POST a message on the order's thread (view-only logins too: they see the order)."""

    viewers_may_post = True

    def act(self, order, request):
        form = MessageForm(request.POST)
        if not form.is_valid():
            return self.render_order(order, message_form=form, status=400)
        try:
            message_services.message_post(actor=request.user, order=order,
                                          body=form.cleaned_data["body"])
        except (NotFoundError, PermissionDeniedError):
            raise
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.render_order(order, message_form=form, status=400)
        messages.success(request, _("Your message has been sent."))
        return redirect(reverse("shop:order-detail", args=[order.pk]) + "#messages")


class OrderReorderView(_OrderActionView):
    def act(self, order, request):
        added, unknown = cart_services.reorder(login=self.login, order=order)
        if added:
            messages.success(request, ngettext(
                "%(n)d line of %(number)s added to your cart at today's prices.",
                "%(n)d lines of %(number)s added to your cart at today's prices.", added) % {
                "n": added, "number": order.number})
        _messages_for_unavailable(request, unknown)
        return redirect("shop:cart")


class OrderAttachmentView(OrderMixin, View):
    """The file attached at checkout (a download, never shown inline)."""

    def get(self, request, pk):
        order = self.order_or_404(pk)
        name = order.attachment.name if order.attachment else ""
        return serve_private_download(name, folder=ORDER_ATTACHMENTS)
