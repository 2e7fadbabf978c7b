from django.urls import path

from roles.api import views

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("staff/", views.StaffListApi.as_view(), name="staff-list"),
    path("staff/<int:pk>/", views.StaffDetailApi.as_view(), name="staff-detail"),
    path("staff/<int:pk>/password-reset/", views.StaffPasswordResetApi.as_view(),
         name="staff-password-reset"),
    path("api-keys/", views.ApiKeyListApi.as_view(), name="api-key-list"),
    path("api-keys/<int:pk>/", views.ApiKeyDetailApi.as_view(), name="api-key-detail"),
    path("roles/", views.RoleListApi.as_view(), name="role-list"),
    path("roles/<int:pk>/", views.RoleDetailApi.as_view(), name="role-detail"),
    path("regions/", views.RegionListApi.as_view(), name="region-list"),
    path("audit-log/", views.AuditLogApi.as_view(), name="audit-log"),
    path("login-log/", views.LoginLogApi.as_view(), name="login-log"),
]
