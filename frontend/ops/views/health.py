"""The operator console's health page: pool, queues, periodic tasks, failing tasks,
the outbox, the tenant schemas that lag behind the migrations on disk and the Stripe
webhooks that failed."""

from django.views.generic import TemplateView

from frontend.common.views.base import OperatorRequiredMixin
from shared.selectors import ops_health


class OpsHealthView(OperatorRequiredMixin, TemplateView):
    template_name = "ops/health.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["health"] = ops_health()
        return context
