"""Staff order pages: the order settings (workflow steps, stock reservation, automatic
receipt, minimum order, payment methods, shipping methods, carriers)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.common.views.base import PermissionRequiredMixin
from frontend.dashboard.forms.orders import (CarrierForm, OrderSettingsForm, PaymentMethodsForm,
                                             ShippingMethodForm)
from ordering.orders import selectors, workflow
from ordering.orders.enums import OrderStatus
from ordering.orders.services import settings as settings_services
from ordering.settings.selectors import tenant_settings
from roles.backends import client_ip


def _found(item):
    if item is None:
        raise Http404
    return item


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
                "min_order_amount": current.min_order_amount,
                "quoted_skip_review": current.quoted_skip_review})
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
                min_order_amount=data["min_order_amount"],
                quoted_skip_review=data["quoted_skip_review"], ip=client_ip(request))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.render_page(form, status=400)
        messages.success(request, _("Order settings saved."))
        return redirect("dashboard:order-settings")


class _SectionSaveView(OrderSettingsView):
    """One section of the settings page saved on its own (GET goes back to the page; a
    refused form shows on the page, in its section, with the rest unchanged).

    Each section declares ``section`` and ``anchor`` (where the page scrolls back to),
    ``saved_message``, ``make_form(obj, data)`` and ``save(obj, data)``; a section whose
    rows are edited one by one also ``get_object(pk)``."""

    def get_object(self, pk):
        return None

    def get(self, request, pk=None):
        return redirect("dashboard:order-settings")

    def post(self, request, pk=None):
        obj = self.get_object(pk) if pk is not None else None
        form = self.make_form(obj, request.POST)
        if form.is_valid():
            try:
                self.save(obj, form.cleaned_data)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(request, self.saved_message)
                return redirect(reverse("dashboard:order-settings") + "#" + self.anchor)
        return self.render_page(status=400, bound={(self.section, pk): form})


class PaymentMethodsSaveView(_SectionSaveView):
    """Which payment methods dealers are offered at checkout."""

    section, anchor = "payments", "payment-methods"
    saved_message = gettext_lazy("Payment methods saved.")

    def make_form(self, obj, data):
        return PaymentMethodsForm(data)

    def save(self, obj, data):
        settings_services.payment_methods_update(
            actor=self.request.user, methods=data["methods"], ip=client_ip(self.request))


class ShippingMethodSaveView(_SectionSaveView):
    """Add a shipping method (no ``pk``) or change one."""

    section, anchor = "method", "shipping-methods"
    saved_message = gettext_lazy("Shipping method saved.")

    def get_object(self, pk):
        return _found(selectors.shipping_method_get(pk=pk))

    def make_form(self, obj, data):
        return _method_form(obj, data)

    def save(self, obj, data):
        settings_services.shipping_method_save(
            actor=self.request.user, method=obj, name=data["name"], fee=data["fee"],
            is_active=data["is_active"], position=data["position"] or 0,
            ip=client_ip(self.request))


class CarrierSaveView(_SectionSaveView):
    """Add a carrier (no ``pk``) or change one."""

    section, anchor = "carrier", "carriers"
    saved_message = gettext_lazy("Carrier saved.")

    def get_object(self, pk):
        return _found(selectors.carrier_get(pk=pk))

    def make_form(self, obj, data):
        return _carrier_form(obj, data)

    def save(self, obj, data):
        settings_services.carrier_save(
            actor=self.request.user, carrier=obj, name=data["name"],
            tracking_url=data["tracking_url"], is_active=data["is_active"],
            position=data["position"] or 0, ip=client_ip(self.request))
