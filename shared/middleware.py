"""Two-factor state for operators: django-otp's middleware, on the public domain only.

The devices live in the public schema (``django_otp`` is a shared app); tenant hosts
have no operators, so their requests skip the lookup entirely. On the public domain an
operator signed in with a password but not yet with a second factor reaches nothing
but the two-factor pages, sign-out and the language switch: every other page sends
them there (enrolment when they have no authenticator yet)."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.middleware import OTPMiddleware
from django_tenants.utils import get_public_schema_name

from roles.enums import UserKind

OPEN_TO_UNVERIFIED = {"ops:two-factor", "ops:two-factor-verify", "logout", "set-language"}


class OperatorOTPMiddleware(OTPMiddleware):
    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name != get_public_schema_name():
            return self.get_response(request)
        return super().__call__(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name != get_public_schema_name():
            return None
        user = request.user
        if not user.is_authenticated or user.kind != UserKind.OPERATOR or \
                getattr(user, "is_verified", lambda: True)():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_TO_UNVERIFIED:
            return None
        from shared.two_factor import is_enrolled

        target = reverse("ops:two-factor-verify" if is_enrolled(user) else "ops:two-factor")
        if request.method == "GET" and request.get_full_path() != "/":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
