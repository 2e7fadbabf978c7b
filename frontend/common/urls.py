"""What both sites share: signing in and out, passwords, the language switch; on a
tenant's site also private media and the API's schema and docs."""

from django.urls import path

from frontend.common.views import api_docs, auth, impersonation, media

_language = path("i18n/language/", auth.SetLanguageView.as_view(), name="set-language")
_logout = path("logout/", auth.LogoutView.as_view(), name="logout")
_password_change = path("password/change/", auth.PasswordChangeView.as_view(),
                        name="password-change")

# <slug>.<BASE_DOMAIN>
urlpatterns = [
    path("", auth.tenant_root, name="tenant-root"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("login/link/<str:token>/", auth.LoginLinkView.as_view(), name="login-link"),
    path("impersonate/end/", impersonation.ImpersonationEndView.as_view(),
         name="impersonation-end"),
    path("impersonate/writes/", impersonation.ImpersonationWritesView.as_view(),
         name="impersonation-writes"),
    path("impersonate/<str:token>/", impersonation.ImpersonationStartView.as_view(),
         name="impersonation-start"),
    _logout,
    path("password/reset/", auth.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("password/reset/complete/", auth.PasswordResetCompleteView.as_view(),
         name="password-reset-complete"),
    _password_change,
    _language,
    path("media/<path:path>", media.tenant_media, name="media"),
    path("api/schema/", api_docs.ApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", api_docs.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]

# <BASE_DOMAIN>: operators sign in here; everyone may change language
public_urlpatterns = [
    path("ops/login/", auth.OpsLoginView.as_view(), name="ops-login"),
    path("ops/password/reset/<uidb64>/<token>/", auth.OpsPasswordSetView.as_view(),
         name="ops-password-set"),
    _logout,
    _password_change,
    _language,
]
