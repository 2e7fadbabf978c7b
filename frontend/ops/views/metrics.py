"""The operator console's platform metrics: the newest snapshot the hourly task computed
(``shared.metrics``), with charts and the same figures as tables; any operator may ask
for them to be computed again now (``shared.services.platform_metrics_request``)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext as _
from django.views import View

from frontend.ops.views.tenants import OpsRoleMixin
from shared import services
from shared.metrics import metrics_page


class MetricsView(OpsRoleMixin, View):
    ops_permission = "view"

    def get(self, request):
        return render(request, "ops/metrics.html", metrics_page(language=get_language()))

    def post(self, request):
        services.platform_metrics_request(operator=request.user)
        messages.success(request, _("The figures are being computed again; reload the page "
                                    "in a moment."))
        return redirect("ops:metrics")
