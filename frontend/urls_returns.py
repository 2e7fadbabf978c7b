"""Staff return pages (退货单), under /dashboard/returns/ in the "dashboard" namespace."""

from django.urls import path

from frontend.views import returns

urlpatterns = [
    path("", returns.ReturnListView.as_view(), name="returns"),
    path("<int:pk>/", returns.ReturnDetailView.as_view(), name="return-detail"),
    path("<int:pk>/approve/", returns.ReturnApproveView.as_view(), name="return-approve"),
    path("<int:pk>/reject/", returns.ReturnRejectView.as_view(), name="return-reject"),
    path("<int:pk>/receive/", returns.ReturnReceiveView.as_view(), name="return-receive"),
    path("<int:pk>/refund/", returns.ReturnRefundView.as_view(), name="return-refund"),
    path("<int:pk>/photos/<int:photo>/", returns.ReturnPhotoView.as_view(),
         name="return-photo"),
]
