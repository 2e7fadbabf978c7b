"""The customers API under the tenant's /api/v1/ (namespace "api")."""

from django.urls import path

from ordering.customers.api import views

urlpatterns = [
    path("customers/", views.CustomerListApi.as_view(), name="customer-list"),
    path("customers/bulk-assign/", views.CustomerBulkAssignApi.as_view(),
         name="customer-bulk-assign"),
    path("customers/<int:pk>/", views.CustomerDetailApi.as_view(), name="customer-detail"),
    path("customers/<int:pk>/credit/", views.CustomerCreditApi.as_view(),
         name="customer-credit"),
    path("customers/<int:pk>/disable/", views.CustomerStatusApi.as_view(active=False),
         name="customer-disable"),
    path("customers/<int:pk>/enable/", views.CustomerStatusApi.as_view(active=True),
         name="customer-enable"),
    path("customers/<int:pk>/contacts/", views.CustomerContactListApi.as_view(),
         name="customer-contact-list"),
    path("customers/<int:pk>/contacts/<int:item>/", views.CustomerContactDetailApi.as_view(),
         name="customer-contact-detail"),
    path("customers/<int:pk>/addresses/", views.CustomerAddressListApi.as_view(),
         name="customer-address-list"),
    path("customers/<int:pk>/addresses/<int:item>/", views.CustomerAddressDetailApi.as_view(),
         name="customer-address-detail"),
    path("customers/<int:pk>/logins/", views.CustomerLoginListApi.as_view(),
         name="customer-login-list"),
    path("customers/<int:pk>/logins/<int:lid>/", views.CustomerLoginDetailApi.as_view(),
         name="customer-login-detail"),
    path("customer-levels/", views.CustomerLevelListApi.as_view(), name="customer-level-list"),
    path("customer-levels/<int:pk>/", views.CustomerLevelDetailApi.as_view(),
         name="customer-level-detail"),
    path("customer-applications/", views.CustomerApplicationListApi.as_view(),
         name="customer-application-list"),
    path("customer-applications/<int:pk>/", views.CustomerApplicationDetailApi.as_view(),
         name="customer-application-detail"),
    path("customer-applications/<int:pk>/approve/",
         views.CustomerApplicationApproveApi.as_view(), name="customer-application-approve"),
    path("customer-applications/<int:pk>/reject/", views.CustomerApplicationRejectApi.as_view(),
         name="customer-application-reject"),
]
