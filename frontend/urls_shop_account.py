"""Dealer self-service under /shop/account/ (namespace "shop")."""

from django.urls import path

from frontend.views import shop_account as views

urlpatterns = [
    path("account/", views.AccountView.as_view(), name="account"),
    path("account/addresses/", views.AddressListView.as_view(), name="addresses"),
    path("account/addresses/new/", views.AddressFormView.as_view(), name="address-create"),
    path("account/addresses/<int:pk>/", views.AddressFormView.as_view(), name="address-edit"),
    path("account/addresses/<int:pk>/default/", views.AddressDefaultView.as_view(),
         name="address-default"),
    path("account/addresses/<int:pk>/delete/", views.AddressDeleteView.as_view(),
         name="address-delete"),
    path("account/logins/", views.LoginListView.as_view(), name="logins"),
    path("account/logins/new/", views.LoginFormView.as_view(), name="login-create"),
    path("account/logins/<int:pk>/", views.LoginFormView.as_view(), name="login-edit"),
    path("account/logins/<int:pk>/status/", views.LoginStatusView.as_view(),
         name="login-status"),
    path("account/logins/<int:pk>/password-link/", views.LoginPasswordLinkView.as_view(),
         name="login-password-link"),
]
