"""The dealer's returns under /shop/ (namespace "shop")."""

from django.urls import path

from frontend.views import shop_returns as views

urlpatterns = [
    path("orders/<int:pk>/return/", views.ReturnCreateView.as_view(), name="return-create"),
    path("returns/", views.ReturnListView.as_view(), name="returns"),
    path("returns/<int:pk>/", views.ReturnDetailView.as_view(), name="return-detail"),
    path("returns/<int:pk>/photos/<int:photo>/", views.ReturnPhotoView.as_view(),
         name="return-photo"),
]
