"""The quotations API under the tenant's /api/v1/ (namespace "api")."""

from django.urls import path

from ordering.quotes.api import views

urlpatterns = [
    path("inquiries/", views.InquiryListApi.as_view(), name="inquiry-list"),
    path("inquiries/<int:pk>/", views.InquiryDetailApi.as_view(), name="inquiry-detail"),
    path("inquiries/<int:pk>/diff/", views.InquiryDiffApi.as_view(), name="inquiry-diff"),
    path("inquiries/<int:pk>/assign/", views.InquiryAssignApi.as_view(), name="inquiry-assign"),
    path("inquiries/<int:pk>/quote/", views.InquiryQuoteApi.as_view(), name="inquiry-quote"),
    path("inquiries/<int:pk>/accept/", views.InquiryAcceptApi.as_view(), name="inquiry-accept"),
    path("my/inquiries/", views.DealerInquiryListApi.as_view(), name="dealer-inquiry-list"),
    path("my/inquiries/from-cart/", views.DealerCartInquiryApi.as_view(),
         name="dealer-inquiry-from-cart"),
    path("my/inquiries/<int:pk>/", views.DealerInquiryDetailApi.as_view(),
         name="dealer-inquiry-detail"),
    path("my/inquiries/<int:pk>/diff/", views.DealerInquiryDiffApi.as_view(),
         name="dealer-inquiry-diff"),
    path("my/inquiries/<int:pk>/counter/", views.DealerInquiryCounterApi.as_view(),
         name="dealer-inquiry-counter"),
    path("my/inquiries/<int:pk>/decline/", views.DealerInquiryDeclineApi.as_view(),
         name="dealer-inquiry-decline"),
    path("my/inquiries/<int:pk>/withdraw/", views.DealerInquiryWithdrawApi.as_view(),
         name="dealer-inquiry-withdraw"),
    path("my/inquiries/<int:pk>/accept/", views.DealerInquiryAcceptApi.as_view(),
         name="dealer-inquiry-accept"),
]
