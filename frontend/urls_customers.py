"""Staff customer pages, under /dashboard/customers/ in the "dashboard" namespace."""

from django.urls import path

from frontend.views import customers

urlpatterns = [
    path("", customers.CustomerListView.as_view(), name="customers"),
    path("new/", customers.CustomerFormView.as_view(), name="customer-create"),
    path("bulk-assign/", customers.CustomerBulkAssignView.as_view(), name="customer-bulk-assign"),
    path("levels/", customers.LevelListView.as_view(), name="customer-levels"),
    path("levels/<int:pk>/", customers.LevelListView.as_view(), name="customer-level"),
    path("<int:pk>/", customers.CustomerDetailView.as_view(), name="customer-detail"),
    path("<int:pk>/edit/", customers.CustomerFormView.as_view(), name="customer-edit"),
    path("<int:pk>/status/", customers.CustomerStatusView.as_view(), name="customer-status"),
    path("<int:pk>/contacts/new/", customers.ContactView.as_view(), name="customer-contact-create"),
    path("<int:pk>/contacts/<int:item_pk>/", customers.ContactView.as_view(),
         name="customer-contact"),
    path("<int:pk>/addresses/new/", customers.AddressView.as_view(),
         name="customer-address-create"),
    path("<int:pk>/addresses/<int:item_pk>/", customers.AddressView.as_view(),
         name="customer-address"),
    path("<int:pk>/logins/new/", customers.LoginView.as_view(), name="customer-login-create"),
    path("<int:pk>/logins/<int:item_pk>/", customers.LoginView.as_view(), name="customer-login"),
]
