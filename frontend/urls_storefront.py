"""The dealer storefront under /shop/ (namespace "shop")."""

from django.urls import path

from frontend.views import storefront as views

urlpatterns = [
    path("catalog/", views.CatalogView.as_view(), name="catalog"),
    path("catalog/<int:pk>/", views.ProductView.as_view(), name="product"),
    path("catalog/<int:pk>/grid/", views.GridView.as_view(), name="grid"),
    path("catalog/<int:pk>/favourite/", views.FavouriteToggleView.as_view(),
         name="favourite-toggle"),
    path("favourites/", views.FavouritesView.as_view(), name="favourites"),
]
