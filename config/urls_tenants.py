"""URLs of a tenant's site: <slug>.<BASE_DOMAIN>."""

from django.urls import include, path

from frontend.public import urls as public_urls

api_patterns = ([path("", include("roles.api.urls")),
                 path("", include("ordering.customers.api.urls")),
                 path("", include("ordering.catalog.api.urls")),
                 path("", include("ordering.orders.api.urls")),
                 path("", include("ordering.finance.api.urls")),
                 path("", include("ordering.quotes.api.urls"))], "api")

urlpatterns = [
    path("", include("frontend.common.urls")),
    path("apply/", include(public_urls.apply_urlpatterns)),
    path("dashboard/", include("frontend.dashboard.urls")),
    path("shop/", include("frontend.shop.urls")),
    path("api/v1/", include(api_patterns)),
]

handler400 = "frontend.common.views.errors.bad_request"
handler403 = "frontend.common.views.errors.permission_denied"
handler404 = "frontend.common.views.errors.page_not_found"
handler500 = "frontend.common.views.errors.server_error"
