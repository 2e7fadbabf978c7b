"""The public pages: the landing page and signup on <BASE_DOMAIN>, and the dealer
application page at /apply/ on a tenant's site. No namespace."""

from django.urls import path

from frontend.public.views import apply, pricing, signup

urlpatterns = [
    path("", signup.LandingView.as_view(), name="landing"),
    path("pricing/", pricing.PricingView.as_view(), name="pricing"),
    path("signup/", signup.SignupView.as_view(), name="signup"),
    path("signup/check/", signup.SubdomainCheckView.as_view(), name="signup-check"),
    path("signup/sites/", signup.OwnerSitesView.as_view(), name="signup-sites"),
]

apply_urlpatterns = [
    path("", apply.ApplyView.as_view(), name="apply"),
    path("done/", apply.ApplyDoneView.as_view(), name="apply-done"),
]
