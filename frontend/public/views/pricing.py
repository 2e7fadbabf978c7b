"""The public pricing page at /pricing/, generated from the plans (zh and en)."""

from django.utils.translation import get_language
from django.views.generic import TemplateView

from billing.selectors import pricing_table


class PricingView(TemplateView):
    template_name = "public/pricing.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        currency = self.request.GET.get("currency", "CNY").upper()
        context["currency"] = currency if currency in ("CNY", "USD") else "CNY"
        context["plans"] = pricing_table(currency=context["currency"], language=get_language())
        return context
