"""Staff catalog pages: stock levels and a variant's stock ledger (receipts and
adjustments)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.dashboard.forms.catalog import StockAdjustForm, StockReceiptForm
from frontend.dashboard.views.catalog.common import (CatalogPermissionMixin, PAGE_SIZE, STOCK_FILTERS,
                                           _filters, _stock_states)
from ordering.catalog import selectors
from ordering.catalog.enums import MovementKind
from ordering.catalog.services.stock import stock_move
from roles.permissions import has_perm


class StockListView(CatalogPermissionMixin, View):
    permissions = {"GET": "view_catalog"}
    template_name = "dashboard/catalog/stock.html"

    def get(self, request):
        user = request.user
        filters = _filters(request, STOCK_FILTERS)
        queryset = selectors.variant_stock_list(
            actor=user, query=filters["q"], category=filters["category"],
            stock=filters["stock"], active=filters["active"],
            sort=filters["sort"] or "product")
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        for variant in page:
            variant.stock_state = selectors.stock_state(variant.available)
            variant.specs = selectors.variant_specs(variant)
        return render(request, self.template_name, {
            "page": page, "filters": filters, "query_string": request.GET.urlencode(),
            "categories": selectors.category_tree(actor=user),
            "stock_states": _stock_states(), "totals": selectors.stock_totals(actor=user),
            "sorts": [("product", _("Product")), ("code", _("SKU code")),
                      ("available", _("Available: lowest first")),
                      ("-available", _("Available: highest first"))],
            "can_stock": has_perm(user, "manage_stock"),
        })


class StockVariantView(CatalogPermissionMixin, View):
    """A variant's stock: adjust it (signed change with a reason), receive goods, and
    read its ledger."""

    permissions = {"GET": "view_catalog", "POST": "manage_stock"}
    template_name = "dashboard/catalog/stock_variant.html"

    def _variant(self, pk):
        variant = selectors.variant_get(actor=self.request.user, pk=pk)
        if variant is None:
            raise Http404
        return variant

    def _render(self, variant, *, adjust_form=None, receipt_form=None, status=200):
        ledger = Paginator(selectors.movement_list(actor=self.request.user, variant=variant),
                           PAGE_SIZE).get_page(self.request.GET.get("page"))
        return render(self.request, self.template_name, {
            "variant": variant, "specs": selectors.variant_specs(variant),
            "stock_state": selectors.stock_state(variant.available), "page": ledger, "filters": {},
            "adjust_form": adjust_form or StockAdjustForm(prefix="adjust"),
            "receipt_form": receipt_form or StockReceiptForm(prefix="receipt"),
            "can_stock": has_perm(self.request.user, "manage_stock"),
        }, status=status)

    def get(self, request, pk):
        return self._render(self._variant(pk))

    def post(self, request, pk):
        variant = self._variant(pk)
        action = request.POST.get("action")
        if action == "receipt":
            form = StockReceiptForm(request.POST, prefix="receipt")
            kwargs = {"kind": MovementKind.RECEIPT}
        else:
            form = StockAdjustForm(request.POST, prefix="adjust")
            kwargs = {"kind": MovementKind.ADJUSTMENT}
        forms = {"receipt_form" if action == "receipt" else "adjust_form": form}
        if not form.is_valid():
            return self._render(variant, status=400, **forms)
        data = form.cleaned_data
        if action == "receipt":
            kwargs.update(quantity=data["quantity"], reference=data["reference"],
                          reason=data["reason"])
        else:
            kwargs.update(on_hand_change=data["change"], reason=data["reason"])
        try:
            movement = stock_move(actor=request.user, variant=variant, **kwargs)
        except ApplicationError as exc:
            if "quantity" in exc.fields and "change" in form.fields:
                exc.fields["change"] = exc.fields.pop("quantity")
            form_add_application_error(form, exc)
            return self._render(variant, status=400, **forms)
        messages.success(request, _("Stock of %(code)s: %(on_hand)d on hand, %(available)d "
                                    "available.") % {
            "code": variant.code, "on_hand": movement.on_hand_after,
            "available": movement.on_hand_after - movement.reserved_after})
        return redirect("dashboard:catalog-stock-variant", pk=variant.pk)
