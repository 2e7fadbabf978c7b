"""Catalog import and export (dashboard, under /dashboard/catalog/)."""

from django.urls import path

from frontend.views import catalog_io

urlpatterns = [
    path("import/", catalog_io.CatalogImportView.as_view(), name="catalog-import"),
    path("import/status/", catalog_io.CatalogImportStatusView.as_view(),
         name="catalog-import-status"),
    path("import/template/", catalog_io.CatalogImportTemplateView.as_view(),
         name="catalog-import-template"),
    path("export/", catalog_io.CatalogExportView.as_view(), name="catalog-export"),
]
