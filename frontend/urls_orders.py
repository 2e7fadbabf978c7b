"""Staff order pages, under /dashboard/orders/ in the "dashboard" namespace."""

from django.urls import path

from frontend.views import orders

urlpatterns = [
    path("", orders.OrderListView.as_view(), name="orders"),
    path("new/", orders.OrderCreateView.as_view(), name="order-create"),
    path("bulk-approve/", orders.OrderBulkApproveView.as_view(), name="order-bulk-approve"),
    path("settings/", orders.OrderSettingsView.as_view(), name="order-settings"),
    path("settings/payment-methods/", orders.PaymentMethodsSaveView.as_view(),
         name="order-settings-payments"),
    path("settings/shipping-methods/", orders.ShippingMethodSaveView.as_view(),
         name="order-settings-method-create"),
    path("settings/shipping-methods/<int:pk>/", orders.ShippingMethodSaveView.as_view(),
         name="order-settings-method"),
    path("settings/carriers/", orders.CarrierSaveView.as_view(),
         name="order-settings-carrier-create"),
    path("settings/carriers/<int:pk>/", orders.CarrierSaveView.as_view(),
         name="order-settings-carrier"),
    path("<int:pk>/", orders.OrderDetailView.as_view(), name="order-detail"),
    path("<int:pk>/action/", orders.OrderActionView.as_view(), name="order-action"),
    path("<int:pk>/amend/", orders.OrderAmendView.as_view(), name="order-amend"),
    path("<int:pk>/messages/", orders.OrderMessageView.as_view(), name="order-message"),
    path("<int:pk>/ship/", orders.OrderShipView.as_view(), name="order-ship"),
    path("<int:pk>/attachment/", orders.OrderAttachmentView.as_view(), name="order-attachment"),
    path("<int:pk>/print/", orders.OrderPrintView.as_view(), name="order-print"),
    path("<int:pk>/pdf/", orders.OrderPdfView.as_view(), name="order-pdf"),
]
