from rest_framework.permissions import BasePermission

from roles.permissions import has_perm


class HasPermission(BasePermission):
    """API views declare ``permission`` (or ``permissions = {"GET": ..., "POST": ...}``)."""

    def _required(self, request, view):
        per_method = getattr(view, "permissions", None)
        if per_method:
            return per_method.get(request.method)
        return getattr(view, "permission", None)

    def has_permission(self, request, view):
        required = self._required(request, view)
        if required is None:
            return False  # undeclared: refuse (and a test fails)
        return has_perm(request.user, required)

    def has_object_permission(self, request, view, obj):
        return has_perm(request.user, self._required(request, view), obj)
