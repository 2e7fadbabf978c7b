"""The public dealer application page, at /apply/ on the tenant's site (no namespace)."""

from django.urls import path

from frontend.views import applications

urlpatterns = [
    path("", applications.ApplyView.as_view(), name="apply"),
    path("done/", applications.ApplyDoneView.as_view(), name="apply-done"),
]
