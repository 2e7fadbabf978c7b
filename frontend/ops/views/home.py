"""Operator console (public domain)."""

import datetime

from django.core.paginator import Paginator
from django.utils.translation import get_language
from django.views.generic import TemplateView

from billing.selectors import plan_list, plan_name
from frontend.common.views.base import OperatorRequiredMixin
from shared import selectors as ops_selectors
from tenants import selectors as tenant_selectors
from tenants.enums import TenantStatus

PAGE_SIZE = 50


def _date(value):
    """A yyyy-mm-dd filter value, or "" (a date the browser cannot send is ignored)."""
    try:
        return datetime.date.fromisoformat((value or "").strip()[:10]).isoformat()
    except ValueError:
        return ""


class OpsHomeView(OperatorRequiredMixin, TemplateView):
    """Tenants: search, filters by status and plan, sorting, usage columns."""

    template_name = "ops/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        filters = {"q": get.get("q", "").strip()[:100],
                   "created_from": _date(get.get("created_from")),
                   "created_to": _date(get.get("created_to")),
                   "activity": get.get("activity", "") if get.get("activity") in
                   ops_selectors.ACTIVITY_FILTERS else "",
                   "status": get.get("status", "") if get.get("status") in TenantStatus.values
                   else "",
                   "plan": get.get("plan", "")[:32],
                   "sort": get.get("sort", "") if get.get("sort") in ops_selectors.TENANT_SORTS
                   else ""}
        tenants = ops_selectors.ops_tenant_list(query=filters["q"], status=filters["status"],
                                                plan=filters["plan"],
                                                sort=filters["sort"] or "newest",
                                                created_from=filters["created_from"],
                                                created_to=filters["created_to"],
                                                activity=filters["activity"])
        language = get_language()
        context.update({
            "page": Paginator(tenants, PAGE_SIZE).get_page(get.get("page")),
            "filters": filters, "q": filters["q"], "statuses": TenantStatus.choices,
            "plans": [(plan.code, plan_name(plan, language)) for plan in plan_list()],
            "sorts": ops_selectors.TENANT_SORTS,
            "metrics": tenant_selectors.platform_metrics()})
        return context
