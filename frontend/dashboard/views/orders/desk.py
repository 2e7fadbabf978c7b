"""Staff order pages: the order list (status tabs, search, filters, sorting, unread
messages) and bulk approval."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, pgettext
from django.views import View

from core.exceptions import ApplicationError
from frontend.dashboard.forms.orders import BulkApproveForm
from frontend.common.views.base import PermissionRequiredMixin
from frontend.dashboard.views.orders.common import FILTERS, PAGE_SIZE, approvable_statuses
from ordering.customers import selectors as customer_selectors
from ordering.orders import selectors, workflow
from ordering.orders.enums import OrderStatus
from roles.permissions import has_perm


def list_filters(request):
    return {key: request.GET.get(key, "").strip() for key in FILTERS}


def _tabs(counts, current):
    open_count = selectors.count_from_status_counts(counts, status="open")
    tabs = [("", pgettext("orders", "All"), sum(counts.values())),
            ("open", pgettext("orders", "Open"), open_count)]
    tabs += [(value, label, counts.get(value, 0)) for value, label in OrderStatus.choices
             if value != OrderStatus.SUBMITTED or counts.get(value)]
    return [{"value": value, "label": label, "count": count, "active": value == current}
            for value, label, count in tabs]


class OrderListView(PermissionRequiredMixin, View):
    permission = "view_orders"
    template_name = "dashboard/orders/list.html"

    def get(self, request):
        from ordering.customers.services.customers import sales_rep_choices

        user = request.user
        filters = list_filters(request)
        queryset = selectors.order_list(
            actor=user, q=filters["q"], status=filters["status"], customer=filters["customer"],
            sales_rep=filters["sales_rep"], since=filters["since"], until=filters["until"],
            min_total=filters["min_total"], max_total=filters["max_total"],
            sort=filters["sort"] or "new")
        queryset = selectors.with_unread(queryset, user, dealer=False)
        counts = selectors.status_counts(actor=user)
        paginator = Paginator(queryset, PAGE_SIZE)
        if not any(filters[key] for key in FILTERS if key not in ("status", "sort")):
            # the tabs counted these orders already: no second COUNT over the history
            paginator.count = selectors.count_from_status_counts(counts,
                                                                 status=filters["status"])
        page = paginator.get_page(request.GET.get("page"))
        tab_query = urlencode({k: v for k, v in request.GET.items()
                               if k not in ("status", "page") and v})
        customers = customer_selectors.customer_list(actor=user).prefetch_related(None) \
            .select_related(None).only("pk", "name")
        return render(request, self.template_name, {
            "page": page, "filters": filters, "query_string": request.GET.urlencode(),
            "tab_query": tab_query,
            "tabs": _tabs(counts, filters["status"]),
            "customers": list(customers.values_list("pk", "name")),
            "sales_reps": list(sales_rep_choices()),
            "sorts": [("new", _("Newest")), ("old", _("Oldest")), ("total", _("Highest total")),
                      ("number", _("Order number"))],
            "approvable": approvable_statuses(user),
            "can_place": has_perm(user, "place_orders"),
        })


class OrderBulkApproveView(PermissionRequiredMixin, View):
    """Approve several orders: each on its own, each reported (approved, or why not)."""

    permission = "view_orders"

    def post(self, request):
        form = BulkApproveForm(request.POST)
        form.is_valid()
        query = form.cleaned_data.get("next_query", "")
        back = reverse("dashboard:orders") + (f"?{query}" if query else "")
        ids = form.order_ids()
        if not ids:
            messages.error(request, _("Select the orders to approve."))
            return redirect(back)
        approved, failed = [], []
        for pk in ids[:PAGE_SIZE]:
            order = selectors.order_get(actor=request.user, pk=pk)
            if order is None:
                failed.append((f"#{pk}", _("No such order.")))
                continue
            try:
                workflow.transition(order=order, action=workflow.APPROVE, actor=request.user)
            except ApplicationError as exc:
                failed.append((str(order), str(exc.message)))
                continue
            approved.append(str(order))
        if approved:
            messages.success(request, _("Approved: %(orders)s.") % {"orders": ", ".join(approved)})
        for number, message in failed:
            messages.error(request, _("%(order)s not approved: %(reason)s") % {
                "order": number, "reason": message})
        return redirect(back)
