"""The operator console under /ops/ on <BASE_DOMAIN> (namespace "ops"); operators sign
in at /ops/login/ (frontend.common.urls)."""

from django.urls import path

from frontend.ops.views import health, home

app_name = "ops"

urlpatterns = [
    path("", home.OpsHomeView.as_view(), name="home"),
    path("health/", health.OpsHealthView.as_view(), name="health"),
]
