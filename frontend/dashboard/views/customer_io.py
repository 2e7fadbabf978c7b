"""Customer import (upload → check → confirm) and export (dashboard).

The upload, check, confirmation and polling are the shared import pages
(``frontend.dashboard.views.imports``) over the customers' import jobs.
"""

from django.http import Http404, HttpResponseBadRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View

from frontend.dashboard.forms.customer_io import CustomerExportForm, CustomerImportForm
from frontend.common.views.base import PermissionRequiredMixin
from frontend.common.views.media import download
from frontend.dashboard.views.imports import (ImportJobMixin, ImportPageView, ImportStatusView,
                                        import_guide)
from ordering import spreadsheets
from ordering.customers import selectors
from ordering.customers.resources import COLUMN_HELP, KIND_LABELS, KINDS, resource_for
from ordering.customers.services import imports
from roles.backends import client_ip

SESSION_KEY = "customer_import"

GUIDE_NOTES = (
    gettext_lazy("Customers are matched by their code: a known code updates that customer, "
                 "a new or empty code adds one."),
    gettext_lazy("Empty cells leave the current value unchanged."),
    gettext_lazy("You can only import customers you may work with."),
)


class _CustomerJobs(ImportJobMixin):
    jobs = imports.JOBS
    session_key = SESSION_KEY
    kind_labels = KIND_LABELS
    import_url_name = "dashboard:customer-import"
    status_url_name = "dashboard:customer-import-status"

    def after_import_url(self, result):
        try:
            return reverse("dashboard:customers")
        except NoReverseMatch:
            return reverse(self.import_url_name)


class CustomerImportView(_CustomerJobs, PermissionRequiredMixin, ImportPageView):
    permission = "manage_customers"
    template_name = "dashboard/customers/import.html"
    form_class = CustomerImportForm
    default_kind = "customers"

    def page_context(self):
        hidden = selectors.customer_hidden_fields(actor=self.request.user)
        guide = import_guide(KINDS, lambda kind: resource_for(kind, hidden=hidden),
                             KIND_LABELS, COLUMN_HELP)
        return {"guide": guide, "guide_notes": GUIDE_NOTES, "export_kinds": guide,
                "template_url": reverse("dashboard:customer-import-template"),
                "export_url": reverse("dashboard:customer-export")}


class CustomerImportStatusView(_CustomerJobs, PermissionRequiredMixin, ImportStatusView):
    """The job's card, polled by the page while the check or the import runs."""

    permission = "manage_customers"


class CustomerImportTemplateView(PermissionRequiredMixin, View):
    """An empty workbook with the header row of one kind."""

    permission = "manage_customers"

    def get(self, request):
        kind = request.GET.get("kind") or "customers"
        extension = request.GET.get("format") or "xlsx"
        if kind not in KINDS or extension not in spreadsheets.CONTENT_TYPES:
            raise Http404
        data, filename = imports.template_file(kind=kind, extension=extension,
                                              actor=request.user)
        return download(data, filename, extension)


class CustomerExportView(PermissionRequiredMixin, View):
    """The customers the user's (filtered) customer list shows, or their contacts or
    addresses, as .xlsx or .csv."""

    permission = "export_data"
    FILTERS = ("level", "region", "sales_rep", "status", "tag", "sort")

    def get(self, request):
        form = CustomerExportForm(request.GET)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Choose customers, contacts or addresses and "
                                            "xlsx or csv."))
        g = request.GET
        filters = {"query": g.get("q", "")[:100]}
        filters.update({name: g.get(name, "")[:100] for name in self.FILTERS})
        if not filters["sort"]:
            filters["sort"] = "name"
        customers = selectors.customer_list(actor=request.user, **filters)
        data, filename = imports.export_file(
            actor=request.user, kind=form.cleaned_data["kind"],
            extension=form.cleaned_data["format"], customers=customers, filters=filters,
            ip=client_ip(request))
        return download(data, filename, form.cleaned_data["format"])
