"""The adapter base of every HTML view.

- Access: every view declares ``permission`` (one codename or declaration from
  ``roles.permissions``) or ``permissions`` per HTTP method; ``roles.has_perm`` decides.
  Anonymous → the sign-in page; signed in without the permission → the 403 page.
- Domain errors: a service's ``NotFoundError`` becomes the 404 page and its
  ``PermissionDeniedError`` the 403 page, whether the view catches it (``raise_for``)
  or not (``dispatch``); any other ``ApplicationError`` is the view's to show, on its
  form (``frontend.common.forms.base.form_add_application_error``) or as a page message.
"""

import functools

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.exceptions import ApplicationError
from roles.enums import UserKind
from roles.permissions import ANY_DEALER, ANY_STAFF, has_perm


def raise_for(exc):
    """A service's not-found / permission error (``ApplicationError`` with status 404 /
    403) becomes the matching error page; any other error is left to the caller (a form
    or page message)."""
    if exc.status == 404:
        raise Http404(exc.message) from exc
    if exc.status == 403:
        raise PermissionDenied(exc.message) from exc


class PermissionRequiredMixin(AccessMixin):
    """Declares and enforces a view's permission; maps uncaught domain errors."""

    permission = None  # a catalog codename or a declaration from roles.permissions
    # or per HTTP method, e.g. {"GET": "view_catalog", "POST": "manage_catalog"}: HEAD is
    # GET; a method the view does not declare needs the strictest it declares (POST, else
    # GET), then Django answers 405
    permissions = None

    def get_permission(self):
        if not self.permissions:
            return self.permission
        method = "GET" if self.request.method == "HEAD" else self.request.method
        return (self.permissions.get(method) or self.permissions.get("POST")
                or self.permissions.get("GET"))

    def dispatch(self, request, *args, **kwargs):
        permission = self.get_permission()
        if permission is None:
            raise PermissionDenied  # undeclared views are closed (a test lists them)
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_perm(request.user, permission):
            raise PermissionDenied
        try:
            return super().dispatch(request, *args, **kwargs)
        except ApplicationError as exc:
            raise_for(exc)
            raise


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
        # shared.middleware sends an operator without a second factor to it first; this
        # holds even where that middleware did not run
        if not getattr(request.user, "is_verified", lambda: False)():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def require(permission):
    """Decorator for function views: declare ``permission`` and enforce it like the mixin."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_perm(request.user, permission):
                raise PermissionDenied
            try:
                return view(request, *args, **kwargs)
            except ApplicationError as exc:
                raise_for(exc)
                raise

        wrapped.permission = permission
        wrapped.enforces_permission = True
        return wrapped

    return decorate
