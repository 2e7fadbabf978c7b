"""The orders API under the tenant's /api/v1/ (namespace "api")."""

from django.urls import path

from ordering.orders.api import views

urlpatterns = [
    path("orders/", views.OrderListApi.as_view(), name="order-list"),
    path("orders/<int:pk>/", views.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<int:pk>/approve/", views.OrderApproveApi.as_view(), name="order-approve"),
    path("orders/<int:pk>/reject/", views.OrderRejectApi.as_view(), name="order-reject"),
    path("orders/<int:pk>/cancel/", views.OrderCancelApi.as_view(), name="order-cancel"),
    path("orders/<int:pk>/receive/", views.OrderReceiveApi.as_view(), name="order-receive"),
    path("orders/<int:pk>/amend/", views.OrderAmendApi.as_view(), name="order-amend"),
    path("orders/<int:pk>/shipments/", views.OrderShipmentApi.as_view(), name="order-shipments"),
    path("shipping-methods/", views.ShippingMethodListApi.as_view(), name="shipping-method-list"),
    path("carriers/", views.CarrierListApi.as_view(), name="carrier-list"),
    path("cart/", views.CartApi.as_view(), name="cart"),
    path("cart/lines/<int:pk>/", views.CartLineApi.as_view(), name="cart-line"),
    path("cart/quick-order/", views.QuickOrderApi.as_view(), name="cart-quick-order"),
    path("cart/checkout/", views.CheckoutApi.as_view(), name="cart-checkout"),
    path("my/orders/", views.DealerOrderListApi.as_view(), name="dealer-order-list"),
    path("my/orders/<int:pk>/", views.DealerOrderDetailApi.as_view(), name="dealer-order-detail"),
    path("my/orders/<int:pk>/cancel/", views.DealerOrderCancelApi.as_view(),
         name="dealer-order-cancel"),
    path("my/orders/<int:pk>/receive/", views.DealerOrderReceiveApi.as_view(),
         name="dealer-order-receive"),
    path("my/orders/<int:pk>/accept/", views.DealerOrderAcceptApi.as_view(),
         name="dealer-order-accept"),
    path("my/orders/<int:pk>/returns/", views.DealerReturnRequestApi.as_view(),
         name="dealer-return-request"),
    path("my/returns/", views.DealerReturnListApi.as_view(), name="dealer-return-list"),
    path("orders/<int:pk>/messages/", views.OrderThreadApi.as_view(), name="order-messages"),
    path("my/orders/<int:pk>/messages/", views.DealerOrderThreadApi.as_view(),
         name="dealer-order-messages"),
    path("returns/", views.ReturnListApi.as_view(), name="return-list"),
    path("returns/<int:pk>/", views.ReturnDetailApi.as_view(), name="return-detail"),
    path("returns/<int:pk>/approve/", views.ReturnApproveApi.as_view(), name="return-approve"),
    path("returns/<int:pk>/reject/", views.ReturnRejectApi.as_view(), name="return-reject"),
    path("returns/<int:pk>/receive/", views.ReturnReceiveApi.as_view(), name="return-receive"),
    path("returns/<int:pk>/refund/", views.ReturnRefundApi.as_view(), name="return-refund"),
]
