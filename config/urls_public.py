"""URLs of the public site: <BASE_DOMAIN> and www.<BASE_DOMAIN>."""

from django.urls import include, path

from billing.views import stripe_connect_webhook, stripe_webhook
from frontend.common import urls as common_urls

urlpatterns = [
    path("", include("frontend.public.urls")),
    path("", include(common_urls.public_urlpatterns)),
    path("ops/", include("frontend.ops.urls")),
    path("billing/stripe/webhook/", stripe_webhook, name="stripe-webhook"),
    path("billing/stripe/connect/webhook/", stripe_connect_webhook,
         name="stripe-connect-webhook"),
]

handler403 = "frontend.common.views.errors.permission_denied"
handler404 = "frontend.common.views.errors.page_not_found"
handler500 = "frontend.common.views.errors.server_error"
