"""The operator console's health page: pool, queues, periodic tasks, failing tasks,
the outbox and the tenant schemas that lag behind the migrations on disk."""

from django.views.generic import TemplateView

from frontend.common.views.base import OperatorRequiredMixin
from tenants.health import platform_health


class OpsHealthView(OperatorRequiredMixin, TemplateView):
    template_name = "ops/health.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["health"] = platform_health()
        return context
