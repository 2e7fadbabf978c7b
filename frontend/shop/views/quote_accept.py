"""The dealer accepts a quotation: checkout's choices (address, shipping and payment
method, date, remark), a quantity for each line with tiers (the tier that applies shown
as typed; the server decides), the totals, and the version shown — the order is placed
by ``ordering.quotes.services.quotation_accept`` at exactly the quoted prices."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import ApplicationError, PermissionDeniedError
from frontend.common.forms.base import form_add_application_error
from frontend.shop.forms.orders import new_token
from frontend.shop.forms.quotes import QuotationAcceptForm
from frontend.shop.views.quotes import ANSWERABLE, ShopQuotesMixin, asked_row, line_cell
from ordering.catalog.storefront import MAX_QUANTITY
from ordering.orders import selectors as order_selectors
from ordering.orders.enums import PaymentMethod
from ordering.orders.exceptions import IdempotencyMismatch
from ordering.quotes import selectors, services, totals, workflow
from ordering.quotes.enums import InquiryStatus


def _tier_rows(line, quantity):
    """The line's base price and tiers, the one that applies to ``quantity`` marked."""
    rows = [{"min": 1, "price": line.unit_price, "base": True}]
    rows += [{"min": int(tier["min_qty"]), "price": tier["price"], "base": False}
             for tier in line.tiers]
    applies = max((row for row in rows if row["min"] <= quantity), key=lambda row: row["min"],
                  default=rows[0])
    return [{**row, "applies": row is applies} for row in rows]


class InquiryAcceptView(ShopQuotesMixin, View):
    """Accept the current quotation: checkout's choices (address, shipping method,
    payment method, delivery date, remark), a quantity per line with tiers, and the
    totals. The form's token is the idempotency key: a double click returns the first
    order."""

    template_name = "shop/quotes/accept.html"

    def _current(self, inquiry):
        quotation = selectors.current_version(inquiry)
        if quotation is None:
            raise Http404
        return quotation

    def _addresses(self):
        return list(self.login.customer.addresses.select_related(
            "region", "region__parent").order_by("-is_default", "id"))

    def _form(self, quotation, data=None, *, addresses=None, initial=None, methods=None,
              payments=None):
        """The form; ``addresses``, ``methods`` and ``payments`` when already read."""
        addresses = self._addresses() if addresses is None else addresses
        return QuotationAcceptForm(
            data, addresses=addresses, initial=initial,
            shipping_methods=order_selectors.shipping_methods(active_only=True)
            if methods is None else methods,
            payment_methods=order_selectors.offered_payment_methods()
            if payments is None else payments,
            tiered_lines=[line for line in quotation.lines.all()
                          if line.tiers and not line.declined])

    def _render(self, inquiry, quotation, form, *, status=200):
        form.show_version(quotation.version)
        asked = {line.pk: asked_row(line) for line in inquiry.lines.all()}
        chosen = {}
        for line in form.tiered_lines:  # as typed when it is a quantity, else as quoted
            value = form[f"qty_{line.pk}"].value()
            try:
                number = int(str(value).strip())
            except (TypeError, ValueError):
                number = None
            chosen[line.pk] = number if number is not None and 0 < number <= MAX_QUANTITY \
                else line.quantity
        rows = []
        for line in quotation.lines.all():
            quantity = chosen.get(line.pk, line.quantity)
            rows.append({**line_cell(line, asked[line.inquiry_line_id]),
                         "asked": asked[line.inquiry_line_id],
                         "field": form[f"qty_{line.pk}"] if line.pk in chosen else None,
                         "chosen_price": totals.line_price(line, quantity),
                         "chosen_amount": totals.line_amount(line, quantity),
                         "tier_rows": _tier_rows(line, quantity) if line.pk in chosen else []})
        return render(self.request, self.template_name, self.context(
            inquiry=inquiry, quotation=quotation, form=form, rows=rows,
            totals=totals.quotation_totals(quotation, chosen), addresses=form.addresses,
            address_id=str(form["address"].value() or ""), methods=form.shipping_methods,
            method_value=str(form["shipping_method"].value() or ""),
            payment_choices=form.fields["payment_method"].choices,
            payment_value=form["payment_method"].value() or ""), status=status)

    def _refuse(self, request, inquiry, quotation):
        """Back to the inquiry with why it cannot be accepted now (None: it can)."""
        if inquiry.status == InquiryStatus.EXPIRED or (
                inquiry.status in ANSWERABLE and quotation.valid_until < timezone.localdate()):
            messages.error(request, _("This quotation expired on %(date)s: ask the supplier "
                                      "for a new one.") % {
                "date": quotation.valid_until.isoformat()})
            return redirect("shop:inquiry-detail", pk=inquiry.pk)
        if not workflow.may(inquiry, workflow.ACCEPT, request.user):
            messages.info(request, _("This quotation cannot be accepted now."))
            return redirect("shop:inquiry-detail", pk=inquiry.pk)
        return None

    def get(self, request, pk):
        self.require_orderer()
        inquiry = self.inquiry_or_404(pk, with_history=False)
        quotation = self._current(inquiry)
        refused = self._refuse(request, inquiry, quotation)
        if refused is not None:
            return refused
        addresses = self._addresses()
        default = addresses[0] if addresses else None  # the default address comes first
        methods = order_selectors.shipping_methods(active_only=True)
        payments = order_selectors.offered_payment_methods()
        initial = {"address": str(default.pk) if default else "",
                   "shipping_method": str(methods[0].pk) if methods else "",
                   "payment_method": payments[0] if payments else "",
                   "delivery_date": inquiry.delivery_date, "token": new_token()}
        initial.update({f"qty_{line.pk}": line.quantity for line in quotation.lines.all()})
        return self._render(inquiry, quotation, self._form(
            quotation, addresses=addresses, initial=initial, methods=methods, payments=payments))

    def post(self, request, pk):
        self.require_orderer()
        inquiry = self.inquiry_or_404(pk, with_history=False)
        quotation = self._current(inquiry)
        form = self._form(quotation, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                placed = services.quotation_accept(
                    actor=request.user, inquiry=inquiry, address_id=data["address"],
                    payment_method=data["payment_method"],
                    shipping_method_id=data.get("shipping_method") or None,
                    delivery_date=data.get("delivery_date"), remark=data.get("remark") or "",
                    quantities=form.quantities(), idempotency_key=data["token"],
                    version=data.get("version"))
            except PermissionDeniedError:
                raise PermissionDenied from None
            except IdempotencyMismatch:
                form.refuse_reused_token()
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                order = placed.order
                if placed.created:
                    messages.success(request, _("Thank you! Your order %(number)s has been "
                                                "placed at the quoted prices.") % {
                        "number": order.number})
                if order.payment_method == PaymentMethod.ONLINE and placed.created:
                    return redirect("shop:order-pay", pk=order.pk)
                return redirect("shop:order-detail", pk=order.pk)
        return self._render(self.inquiry_or_404(pk, with_history=False), quotation, form,
                            status=400)
