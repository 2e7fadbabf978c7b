"""Catalog import (upload → check → confirm) and export (dashboard).

Four kinds: products and variants, level prices, customer prices and stock. Each kind
needs its own permission to import (``KIND_PERMISSIONS``); the page is open to staff
who may import at least one of them. Exports need ``export_data`` and follow the
product list's filters. The upload, check, confirmation and polling are the shared
import pages (``frontend.dashboard.views.imports``) over the catalog's import jobs.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View

from frontend.dashboard.forms.catalog_io import CatalogExportForm, CatalogImportForm, importable_kinds
from frontend.common.views.base import PermissionRequiredMixin
from frontend.common.views.media import download
from frontend.dashboard.views.imports import (ImportJobMixin, ImportPageView, ImportStatusView,
                                        import_guide)
from ordering import spreadsheets
from ordering.catalog import selectors
from ordering.catalog.resources import (COLUMN_HELP, KIND_LABELS, KIND_PERMISSIONS, KINDS,
                                        resource_for)
from ordering.catalog.services import imports
from roles.backends import client_ip
from roles.permissions import ANY_STAFF, has_perm

SESSION_KEY = "catalog_import"
EXPORT_FILTERS = ("q", "category", "brand", "tag", "shelf", "stock", "sort")

GUIDE_NOTES = (
    gettext_lazy("Products and variants: one row per variant. Rows with the same product "
                 "code make one product; a known SKU code updates that variant."),
    gettext_lazy("Empty cells leave the current value unchanged; rows that change nothing "
                 "are counted as up to date."),
    gettext_lazy("Prices and stock name existing variants by their SKU code. Export them "
                 "first to get a filled-in file."),
)


class _CatalogJobs(ImportJobMixin):
    jobs = imports.JOBS
    session_key = SESSION_KEY
    kind_labels = KIND_LABELS
    import_url_name = "dashboard:catalog-import"
    status_url_name = "dashboard:catalog-import-status"

    def after_import_url(self, result):
        try:
            return reverse("dashboard:catalog-stock" if result.kind == "stock"
                           else "dashboard:catalog-products")
        except NoReverseMatch:
            return reverse(self.import_url_name)


class _MayImport:
    """Staff who may import at least one kind (the form offers only those)."""

    def dispatch(self, request, *args, **kwargs):
        if not importable_kinds(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CatalogImportView(_CatalogJobs, PermissionRequiredMixin, _MayImport, ImportPageView):
    permission = ANY_STAFF  # and one of KIND_PERMISSIONS (_MayImport; checked per kind)
    template_name = "dashboard/catalog/import.html"
    form_class = CatalogImportForm

    @property
    def default_kind(self):
        return importable_kinds(self.request.user)[0]

    def page_context(self):
        kinds = importable_kinds(self.request.user)
        return {"guide": import_guide(kinds, resource_for, KIND_LABELS, COLUMN_HELP),
                "guide_notes": GUIDE_NOTES,
                "template_url": reverse("dashboard:catalog-import-template"),
                "export_url": reverse("dashboard:catalog-export"),
                "export_kinds": [{"kind": kind, "label": KIND_LABELS[kind]} for kind in KINDS]}


class CatalogImportStatusView(_CatalogJobs, PermissionRequiredMixin, _MayImport,
                              ImportStatusView):
    """The job's card, polled by the page while the check or the import runs."""

    permission = ANY_STAFF  # and one of KIND_PERMISSIONS


class CatalogImportTemplateView(PermissionRequiredMixin, _MayImport, View):
    """An empty workbook with the header row of one kind."""

    permission = ANY_STAFF  # and the kind's permission

    def get(self, request):
        kind = request.GET.get("kind") or "products"
        extension = request.GET.get("format") or "xlsx"
        if kind not in KINDS or extension not in spreadsheets.CONTENT_TYPES:
            raise Http404
        if not has_perm(request.user, KIND_PERMISSIONS[kind]):
            raise PermissionDenied
        data, filename = imports.template_file(kind=kind, extension=extension)
        return download(data, filename, extension)


class CatalogExportView(PermissionRequiredMixin, View):
    """The products the (filtered) product list shows — their variants, level prices,
    customer prices or stock — as .xlsx or .csv."""

    permission = "export_data"

    def get(self, request):
        form = CatalogExportForm(request.GET)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Choose products, level prices, customer prices "
                                            "or stock, and xlsx or csv."))
        filters = {name: request.GET.get(name, "")[:100] for name in EXPORT_FILTERS}
        products = selectors.product_list(
            actor=request.user, query=filters["q"], category=filters["category"],
            brand=filters["brand"], tag=filters["tag"], shelf=filters["shelf"],
            stock=filters["stock"], sort=filters["sort"] or "position")
        data, filename = imports.export_file(
            actor=request.user, kind=form.cleaned_data["kind"],
            extension=form.cleaned_data["format"], products=products, filters=filters,
            ip=client_ip(request))
        return download(data, filename, form.cleaned_data["format"])
