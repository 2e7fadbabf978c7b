"""The tenant status gate: reads the entitlement table (``billing.lifecycle``), nothing
else decides. Replaces the old all-or-nothing suspended page:

* staff of a suspended or canceled tenant still sign in and read (read-only: any
  write answers 402 with the reason, the billing pages stay open for paying);
* dealers see the "ordering paused" page when their tenant may not take orders;
* the API answers in its one error shape.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from billing.exceptions import STATUS, BillingErrorCode as Code
from billing.lifecycle import entitlement

OPEN_PREFIXES = ("/static/", "/login/", "/logout/", "/i18n/", "/password/")
BILLING_PREFIXES = ("/dashboard/billing/", "/api/v1/billing/")
_FULL = {"trial", "active", "past_due"}
_SAFE = {"GET", "HEAD", "OPTIONS"}


def _refuse(request, tenant, code, message):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"error": {"code": code.value, "message": message, "fields": {}}},
                            status=STATUS[code])
    return render(request, "public/tenant_suspended.html",
                  {"tenant": tenant, "message": message}, status=403)


class EntitlementMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_public or tenant.status in _FULL:
            return self.get_response(request)
        path = request.path_info
        if path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        rights = entitlement(tenant.status)
        user = getattr(request, "user", None)
        kind = getattr(user, "kind", None) if getattr(user, "is_authenticated", False) else None
        if kind == "staff" and rights.staff_sign_in:
            if request.method in _SAFE or path.startswith(BILLING_PREFIXES):
                return self.get_response(request)  # the billing views check the permission
            if not rights.can_write:
                return _refuse(request, tenant, Code.READ_ONLY,
                               _("This site is read-only until its subscription is paid."))
            return self.get_response(request)
        if kind == "dealer" and rights.dealer_sign_in and rights.can_order:
            return self.get_response(request)
        if kind == "dealer" and rights.dealer_sign_in:
            return _refuse(request, tenant, Code.ORDERING_PAUSED,
                           _("Ordering is paused for the moment. Your orders and account are "
                             "kept; please contact your supplier."))
        return _refuse(request, tenant, Code.TENANT_SUSPENDED,
                       _("This site is not available at the moment."))
