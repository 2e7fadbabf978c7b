"""The operator console under /ops/ on <BASE_DOMAIN> (namespace "ops"); operators sign
in at /ops/login/ (frontend.common.urls)."""

from django.urls import path

from frontend.ops.views import exports, health, home, metrics, operators, tenants, two_factor

app_name = "ops"

urlpatterns = [
    path("", home.OpsHomeView.as_view(), name="home"),
    path("health/", health.OpsHealthView.as_view(), name="health"),
    path("metrics/", metrics.MetricsView.as_view(), name="metrics"),
    path("tenants/<int:pk>/", tenants.TenantDetailView.as_view(), name="tenant"),
    path("tenants/<int:pk>/exports/", exports.TenantExportsView.as_view(),
         name="tenant_exports"),
    path("tenants/<int:pk>/exports/<str:token>/", exports.ExportDownloadView.as_view(),
         name="export_download"),
    path("plans/", tenants.PlanListView.as_view(), name="plans"),
    path("plans/<int:pk>/", tenants.PlanEditView.as_view(), name="plan"),
    path("billing/drift/", tenants.DriftListView.as_view(), name="drift"),
    path("audit/", tenants.AuditListView.as_view(), name="audit"),
    path("operators/", operators.OperatorListView.as_view(), name="operators"),
    path("operators/<int:pk>/", operators.OperatorActionView.as_view(), name="operator"),
    path("2fa/", two_factor.TwoFactorSetupView.as_view(), name="two-factor"),
    path("2fa/verify/", two_factor.TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path("2fa/codes/", two_factor.TwoFactorCodesView.as_view(), name="two-factor-codes"),
]
