"""URLs of a tenant's site: <slug>.<BASE_DOMAIN>."""

from django.urls import include, path

from frontend.views import api_docs, auth, dashboard, media, notifications, shop, staff

dashboard_patterns = (
    [
        path("", dashboard.DashboardHomeView.as_view(), name="home"),
        path("settings/company/", dashboard.CompanyProfileView.as_view(), name="company-profile"),
        path("billing/", dashboard.BillingView.as_view(), name="billing"),
        path("profile/", dashboard.ProfileView.as_view(), name="profile"),
        path("staff/", staff.StaffListView.as_view(), name="staff"),
        path("staff/invite/", staff.StaffInviteView.as_view(), name="staff-invite"),
        path("staff/<int:pk>/", staff.StaffDetailView.as_view(), name="staff-detail"),
        path("roles/", staff.RoleListView.as_view(), name="roles"),
        path("roles/new/", staff.RoleFormView.as_view(), name="role-create"),
        path("roles/<int:pk>/", staff.RoleFormView.as_view(), name="role-detail"),
        path("roles/<int:pk>/delete/", staff.RoleDeleteView.as_view(), name="role-delete"),
        path("settings/regions/", staff.RegionListView.as_view(), name="regions"),
        path("audit/", staff.AuditLogView.as_view(), name="audit-log"),
        path("audit/logins/", staff.LoginLogView.as_view(), name="login-log"),
        path("api-keys/", staff.ApiKeyListView.as_view(), name="api-keys"),
        path("api-keys/<int:pk>/revoke/", staff.ApiKeyRevokeView.as_view(),
             name="api-key-revoke"),
        path("customers/", include("frontend.urls_customers")),
        path("customers/", include("frontend.urls_customer_io")),
        path("customers/", include("frontend.urls_applications")),
        path("catalog/", include("frontend.urls_catalog")),
        path("catalog/", include("frontend.urls_catalog_io")),
        path("orders/", include("frontend.urls_orders")),
        path("returns/", include("frontend.urls_returns")),
        path("notifications/", notifications.StaffNotificationsView.as_view(),
             name="notifications"),
        path("notifications/read/", notifications.StaffNotificationOpenView.as_view(),
             name="notifications-read-all"),
        path("notifications/<int:pk>/open/", notifications.StaffNotificationOpenView.as_view(),
             name="notification-open"),
    ],
    "dashboard",
)
shop_patterns = ([path("", shop.ShopHomeView.as_view(), name="home"),
                  path("", include("frontend.urls_shop_account")),
                  path("", include("frontend.urls_storefront")),
                  path("", include("frontend.urls_shop_orders")),
                  path("", include("frontend.urls_shop_returns")),
                  path("notifications/", notifications.DealerNotificationsView.as_view(),
                       name="notifications"),
                  path("notifications/read/", notifications.DealerNotificationOpenView.as_view(),
                       name="notifications-read-all"),
                  path("notifications/<int:pk>/open/",
                       notifications.DealerNotificationOpenView.as_view(),
                       name="notification-open")], "shop")
api_patterns = ([path("", include("roles.api.urls")),
                 path("", include("ordering.customers.api.urls")),
                 path("", include("ordering.catalog.api.urls")),
                 path("", include("ordering.orders.api.urls"))], "api")

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
    path("apply/", include("frontend.urls_apply")),
    path("dashboard/", include(dashboard_patterns)),
    path("shop/", include(shop_patterns)),
    path("media/<path:path>", media.tenant_media, name="media"),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", api_docs.ApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", api_docs.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "frontend.views.errors.bad_request"
handler403 = "frontend.views.errors.permission_denied"
handler404 = "frontend.views.errors.page_not_found"
handler500 = "frontend.views.errors.server_error"
