"""The tenant's billing page: plan, status, usage bars against limits, invoices, change
plan (Stripe Checkout) and manage billing (Stripe customer portal). Thin: the reads are
``billing.selectors``, the writes ``billing.services``."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.views import View
from django.views.generic import TemplateView

from billing import selectors as billing_selectors, services as billing_services
from billing import stripe_adapter
from billing.enums import Interval
from billing.exceptions import BillingError
from frontend.common.views.base import PermissionRequiredMixin, raise_for


class BillingView(PermissionRequiredMixin, TemplateView):
    """Reachable by billing managers even while the site is suspended."""

    permission = "manage_billing"
    template_name = "dashboard/billing.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tenant = self.request.tenant
        context.update(billing_selectors.billing_overview(tenant=tenant,
                                                          language=get_language()))
        context["online"] = stripe_adapter.configured()
        context["chosen_plan"] = self.request.GET.get("plan", "")  # picked at signup
        context["intervals"] = Interval.choices
        context["invoices"], warning = billing_selectors.invoices_for(context["subscription"])
        if warning:
            messages.warning(self.request, warning)
        return context


class BillingCheckoutView(PermissionRequiredMixin, View):
    """POST plan + interval → the Stripe Checkout page."""

    permission = "manage_billing"

    def post(self, request):
        base = request.build_absolute_uri("/dashboard/billing/")
        try:
            url = billing_services.checkout_start(
                actor=request.user, tenant=request.tenant, plan_code=request.POST.get("plan", ""),
                interval=request.POST.get("interval", Interval.MONTH),
                success_url=f"{base}?checkout=done", cancel_url=base)
        except BillingError as exc:
            raise_for(exc)
            messages.error(request, exc.message)
            return redirect("dashboard:billing")
        return redirect(url)


class BillingPortalView(PermissionRequiredMixin, View):
    """POST → the Stripe customer portal (card, invoices, plan switch, cancel)."""

    permission = "manage_billing"

    def post(self, request):
        try:
            url = billing_services.portal_open(
                actor=request.user, tenant=request.tenant,
                return_url=request.build_absolute_uri("/dashboard/billing/"))
        except BillingError as exc:
            raise_for(exc)
            messages.error(request, exc.message)
            return redirect("dashboard:billing")
        return redirect(url)
