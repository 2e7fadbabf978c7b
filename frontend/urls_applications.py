"""Staff review of dealer applications and the customer settings, under
/dashboard/customers/ in the "dashboard" namespace."""

from django.urls import path

from frontend.views import applications

urlpatterns = [
    path("applications/", applications.ApplicationListView.as_view(),
         name="customer-applications"),
    path("applications/<int:pk>/", applications.ApplicationDetailView.as_view(),
         name="customer-application-detail"),
    path("applications/<int:pk>/licence/", applications.ApplicationLicenceView.as_view(),
         name="customer-application-licence"),
    path("settings/", applications.CustomerSettingsView.as_view(), name="customer-settings"),
]
