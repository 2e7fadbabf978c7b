"""Access for the HTML surfaces: every view declares ``permission``; has_perm decides."""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404

from roles.enums import UserKind
from roles.permissions import ANY_DEALER, ANY_STAFF, has_perm


class PermissionRequiredMixin(AccessMixin):
    """Anonymous → sign-in page; signed in without the permission → 403 page."""

    permission = None  # a catalog codename or a declaration from roles.permissions

    def get_permission_object(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        if self.permission is None:
            raise PermissionDenied  # undeclared views are closed (a test lists them)
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_perm(request.user, self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class StaffRequiredMixin(PermissionRequiredMixin):
    permission = ANY_STAFF


class DealerRequiredMixin(PermissionRequiredMixin):
    permission = ANY_DEALER


class OperatorRequiredMixin(AccessMixin):
    """The operator console (public domain)."""

    login_url = "ops-login"
    permission = "@operator"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.user.kind != UserKind.OPERATOR or not request.user.is_active:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def require(permission):
    """Decorator for function views: declare ``permission`` and enforce it like the mixin."""
    import functools

    from django.contrib.auth.views import redirect_to_login

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_perm(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.permission = permission
        wrapped.enforces_permission = True
        return wrapped

    return decorate


def raise_for(exc):
    """A service's not-found / permission error (``ApplicationError`` with status 404 /
    403) becomes the matching error page; any other error is left to the caller (a form
    or page message)."""
    if exc.status == 404:
        raise Http404(exc.message) from exc
    if exc.status == 403:
        raise PermissionDenied(exc.message) from exc
