"""Access mixins for the HTML surfaces. The roles issue adds permission declarations."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from roles.enums import UserKind
from roles.permissions import is_administrator


class KindRequiredMixin(LoginRequiredMixin):
    required_kind = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.user.kind != self.required_kind:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class StaffRequiredMixin(KindRequiredMixin):
    required_kind = UserKind.STAFF


class DealerRequiredMixin(KindRequiredMixin):
    required_kind = UserKind.DEALER


class OperatorRequiredMixin(KindRequiredMixin):
    required_kind = UserKind.OPERATOR
    login_url = "ops-login"


class AdministratorRequiredMixin(StaffRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_administrator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
