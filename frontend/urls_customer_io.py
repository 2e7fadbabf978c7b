"""Customer import and export (dashboard, under /dashboard/customers/)."""

from django.urls import path

from frontend.views import customer_io

urlpatterns = [
    path("import/", customer_io.CustomerImportView.as_view(), name="customer-import"),
    path("import/status/", customer_io.CustomerImportStatusView.as_view(),
         name="customer-import-status"),
    path("import/template/", customer_io.CustomerImportTemplateView.as_view(),
         name="customer-import-template"),
    path("export/", customer_io.CustomerExportView.as_view(), name="customer-export"),
]
