"""Staff order pages: an order placed on a dealer's behalf (代下单)."""

import secrets

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.dashboard.forms.orders import OrderCreateForm
from frontend.common.views.base import PermissionRequiredMixin, raise_for
from ordering.customers import selectors as customer_selectors
from ordering.customers.enums import CustomerStatus
from ordering.orders import selectors
from ordering.orders.services import checkout
from ordering.orders.services import lines as line_service


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
            order, _created = checkout.order_place(
                actor=request.user, customer=customer, lines=raw, address_id=data["address"],
                payment_method=data["payment_method"],
                shipping_method_id=data["shipping_method"], delivery_date=data["delivery_date"],
                remark=data["remark"], idempotency_key=data["token"])
        except ApplicationError as exc:
            raise_for(exc)
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
