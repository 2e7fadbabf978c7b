"""The finance API under the tenant's /api/v1/ (namespace "api")."""

from django.urls import path

from ordering.finance.api import views

urlpatterns = [
    path("finance/customers/<int:pk>/balances/", views.CustomerBalancesApi.as_view(),
         name="finance-customer-balances"),
    path("finance/customers/<int:pk>/ledger/", views.CustomerLedgerApi.as_view(),
         name="finance-customer-ledger"),
    path("finance/customers/<int:pk>/adjustments/", views.CustomerAdjustmentApi.as_view(),
         name="finance-customer-adjustments"),
    path("finance/customers/<int:pk>/credit-terms/", views.CustomerCreditTermsApi.as_view(),
         name="finance-customer-credit-terms"),
    path("finance/receivables/", views.ReceivableListApi.as_view(), name="finance-receivables"),
    path("finance/entries/<int:pk>/reverse/", views.EntryReverseApi.as_view(),
         name="finance-entry-reverse"),
    path("finance/payments/", views.PaymentListApi.as_view(), name="finance-payment-list"),
    path("finance/payments/<int:pk>/", views.PaymentDetailApi.as_view(),
         name="finance-payment-detail"),
    path("finance/payments/<int:pk>/confirm/", views.PaymentConfirmApi.as_view(),
         name="finance-payment-confirm"),
    path("finance/payments/<int:pk>/reject/", views.PaymentRejectApi.as_view(),
         name="finance-payment-reject"),
    path("orders/<int:pk>/release-hold/", views.OrderHoldReleaseApi.as_view(),
         name="order-release-hold"),
    path("my/finance/balances/", views.DealerBalancesApi.as_view(), name="dealer-balances"),
    path("my/finance/statement/", views.DealerStatementApi.as_view(), name="dealer-statement"),
    path("my/finance/payments/", views.DealerPaymentListApi.as_view(),
         name="dealer-payment-list"),
]
