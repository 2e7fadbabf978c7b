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


SESSION_KEY = "impersonation"
# always refused in a support session: the user's own password, e-mail and keys (on the
# pages and in the API; the API-key service refuses as well), and another sign-in link
NEVER = ("/password/change/", "/dashboard/profile/", "/dashboard/api-keys/", "/login/link/",
         "/api/v1/api-keys/")
NEVER_READS = ("/login/link/",)  # refused even to read
# what a read-only session may still post
READ_ONLY_POSTS = ("/impersonate/end/", "/impersonate/writes/", "/logout/", "/i18n/language/")


class ImpersonationMiddleware:
    """On a tenant's host, a session opened by a support link: it ends when its time is
    up (or the session was ended), is read-only until the operator allowed changes,
    never reaches the user's own credentials, and marks the audit log "operator → user".
    ``request.impersonation`` is the session for the banner."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        pk = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if tenant is None or tenant.schema_name == get_public_schema_name() or not pk:
            return self.get_response(request)
        from core.acting import operator_acting
        from shared import impersonation

        row = impersonation.impersonation_get(pk)
        user = request.user
        if row is None or row.tenant_id != tenant.pk or not user.is_authenticated \
                or user.pk != row.user_id_in_tenant or not row.is_live():
            if row is not None and row.ended_at is None and row.tenant_id == tenant.pk:
                impersonation.impersonation_end(impersonation=row, expired=True)
            return self._over(request)
        # the operator's role is read on every request: disabled or no longer allowed to
        # open tenants ends the session; no longer allowed to change takes changes back
        rights = impersonation.operator_rights(row)
        if "impersonate" not in rights:
            impersonation.impersonation_end(impersonation=row, user=user)
            return self._over(request)
        if request.method == "POST" and request.path_info == "/logout/":
            impersonation.impersonation_end(impersonation=row, user=user)
            return self.get_response(request)
        request.impersonation = row
        request.impersonation_can_write = "impersonate_write" in rights
        refused = self._refusal(request, row, can_write=request.impersonation_can_write)
        if refused is not None:
            return refused
        with operator_acting(row.operator_email):
            return self.get_response(request)

    @staticmethod
    def _over(request):
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.utils.translation import gettext as _

        logout(request)
        messages.info(request, _("The support session has ended."))
        return redirect("login")

    @staticmethod
    def _refusal(request, row, *, can_write):
        from django.utils.translation import gettext as _

        path = request.path_info
        safe = request.method in ("GET", "HEAD", "OPTIONS")
        if path.startswith(NEVER) and (not safe or path.startswith(NEVER_READS)):
            return _forbidden(request, _("A support session cannot change the user's "
                                         "password, e-mail or API keys."))
        if (row.writes_at is None or not can_write) and not safe \
                and not path.startswith(READ_ONLY_POSTS):
            return _forbidden(request, _("This support session is read-only. Allow changes "
                                         "in the banner first, with a reason."))
        return None


def _forbidden(request, message):
    from django.http import JsonResponse
    from django.shortcuts import render

    from shared.exceptions import ImpersonationErrorCode

    if request.path_info.startswith("/api/"):
        return JsonResponse({"error": {"code": ImpersonationErrorCode.READ_ONLY,
                                       "message": str(message), "fields": {}}}, status=403)
    return render(request, "errors/impersonation_refused.html", {"message": message},
                  status=403)
