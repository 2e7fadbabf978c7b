"""What every staff catalog page shares: the permission mixin (tenant-wide writes need
their tenant-wide permission), filters kept across redirects, and the product lookup."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from frontend.common.views.base import PermissionRequiredMixin
from ordering.catalog import selectors
from ordering.catalog.enums import StockState


PAGE_SIZE = 50
FILTERS = ("q", "category", "brand", "tag", "shelf", "stock", "sort")
STOCK_FILTERS = ("q", "category", "stock", "active", "sort")
MAX_UPLOADS = 20


class CatalogPermissionMixin(PermissionRequiredMixin):
    """Catalog pages: reading needs ``view_catalog``, changing ``manage_catalog``, unless a
    page declares otherwise (tenant-wide writes need their tenant-wide permission)."""

    permissions = {"GET": "view_catalog", "POST": "manage_catalog"}


def _filters(request, keys):
    return {key: request.GET.get(key, "") for key in keys}


def _back(request, url_name, *args):
    query = request.POST.get("next_query", "")
    return redirect(reverse(url_name, args=args) + (f"?{query}" if query else ""))


def _product(request, pk, *, with_prices=False):
    product = selectors.product_get(actor=request.user, pk=pk, with_prices=with_prices)
    if product is None:
        raise Http404
    return product


def _stock_states():
    return StockState.choices


