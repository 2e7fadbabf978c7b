"""Staff catalog pages, one module per concept: ``products`` (the list with search,
filters, bulk shelf and price changes; the editor with details, variants, generated
combinations, images), ``prices`` (level prices, customer special prices, quantity
breaks), ``categories``, ``stock`` (levels and the ledger) and ``options`` (the catalog
settings); ``common`` holds what they share.

Thin: reads through ordering.catalog.selectors (customers through the scoped
ordering.customers.selectors), writes through ordering.catalog.services. A page that
saves several things at once (the variants table, level prices, images) calls one
service of ``ordering.catalog.services.editing``: all or nothing, in one transaction.
"""

from frontend.dashboard.views.catalog.products import (ProductListView, ProductBulkShelfView,
                                             ProductBulkPriceView, ProductCreateView,
                                             ProductDetailView, ProductVariantsView,
                                             ProductGenerateView, ProductImagesView,
                                             ProductImageOrderView, ProductImageDeleteView)
from frontend.dashboard.views.catalog.prices import (ProductPricesView, ProductCustomerPriceView,
                                           ProductBreaksView)
from frontend.dashboard.views.catalog.categories import CategoryListView
from frontend.dashboard.views.catalog.stock import StockListView, StockVariantView
from frontend.dashboard.views.catalog.options import CatalogSettingsView

__all__ = ["ProductListView", "ProductBulkShelfView", "ProductBulkPriceView",
           "ProductCreateView", "ProductDetailView", "ProductVariantsView",
           "ProductGenerateView", "ProductImagesView", "ProductImageOrderView",
           "ProductImageDeleteView", "ProductPricesView", "ProductCustomerPriceView",
           "ProductBreaksView", "CategoryListView", "StockListView", "StockVariantView",
           "CatalogSettingsView"]
