"""URLs of the public site: <BASE_DOMAIN> and www.<BASE_DOMAIN>."""

from django.urls import include, path

from billing.views import stripe_webhook
from frontend.views import auth, ops, public

ops_patterns = (
    [
        path("", ops.OpsHomeView.as_view(), name="home"),
    ],
    "ops",
)

urlpatterns = [
    path("", public.LandingView.as_view(), name="landing"),
    path("signup/", public.SignupView.as_view(), name="signup"),
    path("signup/check/", public.SubdomainCheckView.as_view(), name="signup-check"),
    path("signup/sites/", public.OwnerSitesView.as_view(), name="signup-sites"),
    path("ops/login/", auth.OpsLoginView.as_view(), name="ops-login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/change/", auth.PasswordChangeView.as_view(), name="password-change"),
    path("i18n/language/", auth.SetLanguageView.as_view(), name="set-language"),
    path("ops/", include(ops_patterns)),
    path("billing/stripe/webhook/", stripe_webhook, name="stripe-webhook"),
]

handler403 = "frontend.views.errors.permission_denied"
handler404 = "frontend.views.errors.page_not_found"
handler500 = "frontend.views.errors.server_error"
