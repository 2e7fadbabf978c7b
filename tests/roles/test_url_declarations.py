"""Every URL of the tenant site declares its permission; has_perm knows every one."""

from django.urls import URLPattern, URLResolver, get_resolver

from roles.catalog import CODENAMES
from roles.permissions import DECLARATIONS


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _declared(callback):
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    target = view_class or callback
    per_method = getattr(target, "permissions", None)
    if per_method:
        return set(per_method.values())
    permission = getattr(target, "permission", None)
    return {permission} if permission else set()


def test_every_tenant_url_declares_a_known_permission():
    undeclared, unknown = [], []
    for route, callback in _walk(get_resolver("config.urls_tenants").url_patterns):
        declared = _declared(callback)
        if not declared:
            undeclared.append(route)
        unknown += [(route, p) for p in declared if p not in CODENAMES | DECLARATIONS]
    assert undeclared == []
    assert unknown == []


def _enforced(callback):
    """Declared and enforced through one of the three adapters that call has_perm."""
    from frontend.common.views.base import PermissionRequiredMixin
    from roles.api.permissions import HasPermission

    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return getattr(callback, "enforces_permission", False)
    if issubclass(view_class, PermissionRequiredMixin):
        return True
    return HasPermission in getattr(view_class, "permission_classes", ())


def test_every_non_public_tenant_url_enforces_its_permission():
    from roles.permissions import PUBLIC

    unenforced = [route for route, callback in
                  _walk(get_resolver("config.urls_tenants").url_patterns)
                  if _declared(callback) != {PUBLIC} and not _enforced(callback)]
    assert unenforced == []


def test_the_walk_sees_the_dashboard_and_api():
    routes = {route for route, _cb in _walk(get_resolver("config.urls_tenants").url_patterns)}
    assert "dashboard/staff/" in routes and "api/v1/staff/" in routes
