"""The OpenAPI schema and its Swagger UI (assets from drf-spectacular-sidecar, offline)."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from roles.api.permissions import HasPermission
from roles.permissions import PUBLIC


class ApiSchemaView(SpectacularAPIView):
    permission = PUBLIC
    permission_classes = [HasPermission]


class ApiDocsView(SpectacularSwaggerView):
    permission = PUBLIC
    permission_classes = [HasPermission]
