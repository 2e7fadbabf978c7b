"""A support session on the tenant's host: the console's one-time link signs the
operator in as the chosen staff member; the banner's buttons allow changes (a second
step with a reason) or end it. The rules are ``shared.impersonation``; the middleware
(``shared.middleware.ImpersonationMiddleware``) holds the session to them."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.context_processors import _public_url
from frontend.common.views.base import PermissionRequiredMixin
from roles.backends import client_ip
from roles.permissions import PUBLIC, SIGNED_IN
from shared import impersonation
from shared.middleware import SESSION_KEY


class ImpersonationStartView(View):
    permission = PUBLIC

    def get(self, request, token):
        if request.session.get(SESSION_KEY):
            raise PermissionDenied(_("This browser is already in a support session."))
        try:
            row, user = impersonation.impersonation_link_consume(token=token,
                                                                 ip=client_ip(request))
        except ApplicationError as exc:
            raise PermissionDenied(exc.message) from exc
        logout(request)  # whoever was signed in on this host: not mixed with the session
        login(request, user, backend="roles.backends.EmailBackend")
        request.session[SESSION_KEY] = row.pk
        # the cookie outlives the session a little, so the request after the end is
        # seen, ends it in both audit logs and says so (the beat task closes the rest)
        request.session.set_expiry(row.expires_at + timedelta(minutes=10))
        messages.info(request, _("You are using this dashboard as %(user)s, read-only.")
                      % {"user": row.user_email})
        return redirect("dashboard:home")


class ImpersonationWritesView(PermissionRequiredMixin, View):
    permission = SIGNED_IN

    def post(self, request):
        row = getattr(request, "impersonation", None)
        if row is None:
            raise PermissionDenied
        try:
            impersonation.impersonation_allow_writes(
                impersonation=row, user=request.user, reason=request.POST.get("reason", ""))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.warning(request, _("Changes are allowed in this support session; each "
                                        "is written to the audit log."))
        return redirect(_back(request))


class ImpersonationEndView(PermissionRequiredMixin, View):
    permission = SIGNED_IN

    def post(self, request):
        row = getattr(request, "impersonation", None)
        if row is None:
            raise PermissionDenied
        impersonation.impersonation_end(impersonation=row, user=request.user)
        logout(request)
        return redirect(f"{_public_url(request)}/ops/tenants/{row.tenant_id}/")


def _back(request):
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else "/dashboard/"
