"""The dealer's cart, checkout and orders under /shop/ (namespace "shop")."""

from django.urls import path

from frontend.views import shop_orders as views

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="cart"),
    path("cart/add/", views.CartAddView.as_view(), name="cart-add"),
    path("cart/lines/<int:pk>/", views.CartLineUpdateView.as_view(), name="cart-update"),
    path("cart/lines/<int:pk>/remove/", views.CartLineRemoveView.as_view(), name="cart-remove"),
    path("cart/clear/", views.CartClearView.as_view(), name="cart-clear"),
    path("cart/quick/", views.QuickOrderView.as_view(), name="cart-quick"),
    path("cart/templates/", views.TemplateSaveView.as_view(), name="cart-template-save"),
    path("cart/templates/<int:pk>/apply/", views.TemplateApplyView.as_view(),
         name="cart-template-apply"),
    path("cart/templates/<int:pk>/delete/", views.TemplateDeleteView.as_view(),
         name="cart-template-delete"),
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("orders/", views.OrderListView.as_view(), name="orders"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<int:pk>/receive/", views.OrderReceiveView.as_view(), name="order-receive"),
    path("orders/<int:pk>/accept/", views.OrderAcceptView.as_view(), name="order-accept"),
    path("orders/<int:pk>/reorder/", views.OrderReorderView.as_view(), name="order-reorder"),
    path("orders/<int:pk>/messages/", views.OrderMessageView.as_view(), name="order-message"),
    path("orders/<int:pk>/attachment/", views.OrderAttachmentView.as_view(),
         name="order-attachment"),
]
