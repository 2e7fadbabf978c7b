"""Paying online in the shop (Stripe Connect): an order's unpaid part, several orders,
an amount of what the company owes (oldest orders first) or a prepaid top-up, with
Stripe's Payment Element, the money going to the supplier's own Stripe account.

Thin: ``ordering.finance.services.online`` decides what may be paid and how much,
records the payment and creates its PaymentIntent; the browser module
``orderline/pay.js`` shows the Payment Element and confirms the payment with Stripe;
Stripe's event (or the return page, re-reading the PaymentIntent) confirms it here.
Nothing of this exists (404) while the supplier does not accept online payments.
"""

from django.contrib import messages
from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext as _
from django.views import View

from billing import connect_adapter
from billing.selectors import connected_account_for
from core.exceptions import ApplicationError
from core.money import format_money
from frontend.shop.forms.orders import new_token
from frontend.shop.views.orders import ShopOrdersMixin
from ordering.finance.enums import PaymentPurpose, PaymentStatus
from ordering.finance.services import online
from roles.backends import client_ip

OUTSTANDING = "outstanding"  # the pay page's choice "an amount of what I owe"


class PayMixin(ShopOrdersMixin):
    """A dealer of a supplier whose Stripe account accepts payments (else 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not online.online_available():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def _wanted(data):
    """The pay form's fields (GET or POST) → the service's arguments."""
    purpose = data.get("purpose", "")
    orders = [value for value in data.getlist("orders") if value.strip()]
    amount = (data.get("amount") or "").strip() or None
    if purpose == OUTSTANDING:
        purpose, orders = PaymentPurpose.ORDERS, []
    return purpose, orders, amount


class PayView(PayMixin, View):
    """GET without a choice: what there is to pay (unpaid orders, what is owed, a
    top-up). GET with a choice: its amount and the Payment Element."""

    def get(self, request):
        if "purpose" not in request.GET:
            return self.choose()
        purpose, orders, amount = _wanted(request.GET)
        try:
            quote = online.online_quote(customer=self.login.customer, purpose=purpose,
                                        order_ids=orders, amount=amount)
        except ApplicationError as exc:
            return self.choose(error=exc.message, status=400)
        return self.pay(quote)

    def choose(self, *, error="", status=200):
        customer = self.login.customer
        unpaid = [{"order": order, "due": order.total - order.amount_paid}
                  for order in online.unpaid_orders(customer)[:online.MAX_ORDERS]]
        owed = online.amount_owed(customer)
        return render(self.request, "shop/pay/choose.html", self.context(
            unpaid=unpaid, owed=owed, error=error, can_pay=self.login.can_order,
            outstanding=OUTSTANDING), status=status)

    def pay(self, quote):
        tenant = self.request.tenant
        currency = tenant.currency
        connected = connected_account_for(tenant)
        return render(self.request, "shop/pay/pay.html", self.context(
            quote=quote, can_pay=self.login.can_order, token=new_token(),
            order_rows=[{"order": order, "due": order.total - order.amount_paid}
                        for order in quote.orders],
            purpose=OUTSTANDING if quote.purpose == PaymentPurpose.ORDERS and not quote.orders
            else quote.purpose,
            stripe={"key": settings.STRIPE_PUBLISHABLE_KEY, "account": connected.account_id,
                    "amount": connect_adapter.to_minor(quote.amount, currency),
                    "currency": currency.lower(),
                    "locale": "zh" if (get_language() or "").startswith("zh") else "en"},
            pay_label=_("Pay %(amount)s") % {"amount": format_money(quote.amount)}))


class OrderPayView(PayView):
    """The pay page of one order (its unpaid part); where checkout sends an order placed
    with online payment."""

    def get(self, request, pk):
        order = online.unpaid_orders(self.login.customer).filter(pk=pk).first()
        if order is None:
            if not self.login.customer.orders.filter(pk=pk).exists():
                raise Http404
            messages.info(request, _("This order has nothing left to pay."))
            return redirect("shop:order-detail", pk=pk)
        return self.pay(online.online_quote(customer=self.login.customer,
                                            purpose=PaymentPurpose.ORDERS, order_ids=[pk]))


class PayIntentView(PayMixin, View):
    """POST the pay form → {"client_secret", "return_url"} for Stripe.js, or the error as
    the API shapes it. The form's token makes a repeated submission the same payment."""

    http_method_names = ["post"]

    def post(self, request):
        purpose, orders, amount = _wanted(request.POST)
        try:
            payment, secret = online.online_payment_start(
                actor=request.user, purpose=purpose, order_ids=orders, amount=amount,
                key=request.POST.get("token", "")[:64], ip=client_ip(request))
        except ApplicationError as exc:
            return JsonResponse({"error": {"code": str(exc.code), "message": str(exc.message),
                                           "fields": exc.fields}}, status=exc.status)
        return JsonResponse({"client_secret": secret, "payment": payment.number,
                             "return_url": request.build_absolute_uri(
                                 reverse("shop:pay-done", args=[payment.pk]))})


class PayDoneView(PayMixin, View):
    """Where Stripe sends the dealer back: the payment as it stands (the PaymentIntent is
    re-read from Stripe; a succeeded one is confirmed now, once)."""

    def get(self, request, pk):
        payment = online.online_payment_get(actor=request.user, pk=pk)
        if payment is None:
            raise Http404
        payment, intent_status = online.online_payment_sync(actor=request.user,
                                                            payment=payment)
        orders = list(payment.orders.order_by("created_at", "id"))
        retry_url = ""
        if payment.status != PaymentStatus.CONFIRMED:
            retry_url = (reverse("shop:order-pay", args=[orders[0].pk]) if len(orders) == 1
                         else reverse("shop:pay"))
        return render(request, "shop/pay/done.html", self.context(
            payment=payment, orders=orders, intent_status=intent_status,
            processing=payment.status == PaymentStatus.PENDING and intent_status in (
                "processing", "requires_capture"),
            retry_url=retry_url))
