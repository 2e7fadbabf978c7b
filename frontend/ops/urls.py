"""The operator console under /ops/ on <BASE_DOMAIN> (namespace "ops"); operators sign
in at /ops/login/ (frontend.common.urls)."""

from django.urls import path

from frontend.ops.views import health, home, metrics, tenants

app_name = "ops"

urlpatterns = [
    path("", home.OpsHomeView.as_view(), name="home"),
    path("health/", health.OpsHealthView.as_view(), name="health"),
    path("metrics/", metrics.MetricsView.as_view(), name="metrics"),
    path("tenants/<int:pk>/", tenants.TenantDetailView.as_view(), name="tenant"),
    path("plans/", tenants.PlanListView.as_view(), name="plans"),
    path("plans/<int:pk>/", tenants.PlanEditView.as_view(), name="plan"),
    path("billing/drift/", tenants.DriftListView.as_view(), name="drift"),
    path("audit/", tenants.AuditListView.as_view(), name="audit"),
]
