"""URLs of a tenant's site: <slug>.<BASE_DOMAIN>."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from frontend.views import auth, dashboard, media, shop

dashboard_patterns = (
    [
        path("", dashboard.DashboardHomeView.as_view(), name="home"),
        path("settings/company/", dashboard.CompanyProfileView.as_view(), name="company-profile"),
        path("billing/", dashboard.BillingView.as_view(), name="billing"),
        path("profile/", dashboard.ProfileView.as_view(), name="profile"),
    ],
    "dashboard",
)
shop_patterns = ([path("", shop.ShopHomeView.as_view(), name="home")], "shop")
api_patterns = ([path("", include("roles.api.urls"))], "api")

urlpatterns = [
    path("", auth.tenant_root, name="tenant-root"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("login/link/<str:token>/", auth.LoginLinkView.as_view(), name="login-link"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("password/reset/complete/", auth.PasswordResetCompleteView.as_view(),
         name="password-reset-complete"),
    path("password/change/", auth.PasswordChangeView.as_view(), name="password-change"),
    path("i18n/language/", auth.SetLanguageView.as_view(), name="set-language"),
    path("dashboard/", include(dashboard_patterns)),
    path("shop/", include(shop_patterns)),
    path("media/<path:path>", media.tenant_media, name="media"),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = "frontend.views.errors.permission_denied"
handler404 = "frontend.views.errors.page_not_found"
handler500 = "frontend.views.errors.server_error"
