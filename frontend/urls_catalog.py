"""Staff catalog pages, under /dashboard/catalog/ in the "dashboard" namespace."""

from django.urls import path

from frontend.views import catalog

urlpatterns = [
    path("products/", catalog.ProductListView.as_view(), name="catalog-products"),
    path("products/new/", catalog.ProductCreateView.as_view(), name="catalog-product-create"),
    path("products/bulk/shelf/", catalog.ProductBulkShelfView.as_view(),
         name="catalog-product-bulk-shelf"),
    path("products/bulk/price/", catalog.ProductBulkPriceView.as_view(),
         name="catalog-product-bulk-price"),
    path("products/<int:pk>/", catalog.ProductDetailView.as_view(), name="catalog-product"),
    path("products/<int:pk>/variants/", catalog.ProductVariantsView.as_view(),
         name="catalog-product-variants"),
    path("products/<int:pk>/variants/generate/", catalog.ProductGenerateView.as_view(),
         name="catalog-product-generate"),
    path("products/<int:pk>/images/", catalog.ProductImagesView.as_view(),
         name="catalog-product-images"),
    path("products/<int:pk>/images/order/", catalog.ProductImageOrderView.as_view(),
         name="catalog-product-image-order"),
    path("products/<int:pk>/images/<int:image_pk>/delete/",
         catalog.ProductImageDeleteView.as_view(), name="catalog-product-image-delete"),
    path("products/<int:pk>/prices/", catalog.ProductPricesView.as_view(),
         name="catalog-product-prices"),
    path("products/<int:pk>/prices/customers/", catalog.ProductCustomerPriceView.as_view(),
         name="catalog-product-customer-price"),
    path("products/<int:pk>/prices/breaks/", catalog.ProductBreaksView.as_view(),
         name="catalog-product-breaks"),
    path("categories/", catalog.CategoryListView.as_view(), name="catalog-categories"),
    path("stock/", catalog.StockListView.as_view(), name="catalog-stock"),
    path("stock/<int:pk>/", catalog.StockVariantView.as_view(), name="catalog-stock-variant"),
    path("settings/", catalog.CatalogSettingsView.as_view(), name="catalog-settings"),
]
