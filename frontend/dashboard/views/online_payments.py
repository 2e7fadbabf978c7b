"""The supplier's "Online payments" page: connect its own Stripe account (Stripe Connect,
onboarding on Stripe's hosted pages through Account Links), see what Stripe says about
it and whether dealers are offered online payment. Thin: ``billing.connect`` does the
work; the page needs ``manage_settings``."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import TemplateView

from billing import connect, connect_adapter
from billing.enums import ConnectStatus
from billing.exceptions import BillingError
from billing.selectors import connected_account_for
from frontend.common.views.base import PermissionRequiredMixin, raise_for
from ordering.orders.enums import PaymentMethod
from ordering.orders.selectors import offered_payment_methods
from roles.backends import client_ip

CAPABILITIES = (
    ("card_payments", gettext_lazy("Card")),
    ("alipay_payments", gettext_lazy("Alipay")),
    ("wechat_pay_payments", gettext_lazy("WeChat Pay")),
)
CAPABILITY_STATUS = {
    "active": (pgettext_lazy("payment method", "Active"), "success"),
    "pending": (pgettext_lazy("payment method", "Pending"), "warning"),
    "inactive": (pgettext_lazy("payment method", "Not enabled"), "secondary"),
}
STATUS_COLOURS = {ConnectStatus.NOT_CONNECTED: "secondary", ConnectStatus.ONBOARDING: "warning",
                  ConnectStatus.PENDING: "info", ConnectStatus.ACTIVE: "success"}


class OnlinePaymentsView(PermissionRequiredMixin, TemplateView):
    permission = "manage_settings"
    template_name = "dashboard/online_payments.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        connected = connected_account_for(self.request.tenant)
        status = connect.status_of(connected)
        capabilities = (connected.capabilities or {}) if connected else {}
        context.update(
            configured=connect_adapter.configured(), connected=connected, status=status,
            status_label=ConnectStatus(status).label, status_colour=STATUS_COLOURS[status],
            capabilities=[{"label": label, "status": CAPABILITY_STATUS.get(
                capabilities.get(key), CAPABILITY_STATUS["inactive"])}
                for key, label in CAPABILITIES],
            offered=status == ConnectStatus.ACTIVE
            and PaymentMethod.ONLINE in offered_payment_methods())
        return context


def _urls(request):
    return {"return_url": request.build_absolute_uri(reverse("dashboard:online-payments-return")),
            # where Stripe sends an expired onboarding link: a new one (GET below)
            "refresh_url": request.build_absolute_uri(
                reverse("dashboard:online-payments-connect"))}


class OnlinePaymentsConnectView(PermissionRequiredMixin, View):
    """POST → Stripe's onboarding for the tenant's account (created the first time).
    Stripe's refresh link (an expired onboarding link) comes here by GET for a new one."""

    permission = "manage_settings"

    def post(self, request):
        try:
            url = connect.onboarding_start(actor=request.user, tenant=request.tenant,
                                           ip=client_ip(request), **_urls(request))
        except BillingError as exc:
            raise_for(exc)
            messages.error(request, exc.message)
            return redirect("dashboard:online-payments")
        return redirect(url)

    def get(self, request):
        if connected_account_for(request.tenant) is None:
            return redirect("dashboard:online-payments")
        return self.post(request)


class OnlinePaymentsReturnView(PermissionRequiredMixin, View):
    """Back from Stripe's onboarding (GET), or "Refresh status" (POST): re-read the
    account from Stripe."""

    permission = "manage_settings"

    def post(self, request):
        try:
            connected = connect.account_refresh(tenant=request.tenant)
        except BillingError as exc:
            messages.error(request, exc.message)
            return redirect("dashboard:online-payments")
        status = connect.status_of(connected)
        if status == ConnectStatus.ACTIVE:
            messages.success(request, _("Your Stripe account accepts payments: dealers can pay "
                                        "online."))
        elif connected is not None:
            messages.info(request, _("Stripe status: %(status)s.") % {
                "status": ConnectStatus(status).label})
        return redirect("dashboard:online-payments")

    get = post
