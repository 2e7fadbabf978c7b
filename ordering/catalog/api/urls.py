"""The catalog API under the tenant's /api/v1/ (namespace "api")."""

from django.urls import path

from ordering.catalog.api import views

urlpatterns = [
    path("products/", views.ProductListApi.as_view(), name="product-list"),
    path("products/<int:pk>/", views.ProductDetailApi.as_view(), name="product-detail"),
    path("products/<int:pk>/variants/", views.ProductVariantListApi.as_view(),
         name="product-variant-list"),
    path("products/<int:pk>/images/", views.ProductImageListApi.as_view(),
         name="product-image-list"),
    path("variants/<int:pk>/", views.VariantDetailApi.as_view(), name="variant-detail"),
    path("variants/<int:pk>/stock-movements/", views.StockMovementListApi.as_view(),
         name="variant-stock-movements"),
    path("categories/", views.CategoryListApi.as_view(), name="category-list"),
    path("brands/", views.BrandListApi.as_view(), name="brand-list"),
    path("units/", views.UnitListApi.as_view(), name="unit-list"),
]
