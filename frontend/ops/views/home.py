"""Operator console (public domain)."""

from django.views.generic import TemplateView

from frontend.common.views.base import OperatorRequiredMixin
from tenants import selectors as tenant_selectors


class OpsHomeView(OperatorRequiredMixin, TemplateView):
    template_name = "ops/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tenants"] = tenant_selectors.tenant_list(query=self.request.GET.get("q", ""))
        context["metrics"] = tenant_selectors.platform_metrics()
        context["q"] = self.request.GET.get("q", "")
        return context
