"""``/apply/`` on a tenant's site: a dealer applies for an ordering account (when the
supplier allows). Staff review the applications on the dashboard.

Thin: ordering.customers.services.applications decides.
"""

from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.common.views.auth import landing_for
from frontend.public.forms.apply import ApplyForm
from ordering.customers.services import applications as application_services
from ordering.settings.selectors import tenant_settings
from roles.backends import client_ip
from roles.permissions import PUBLIC


def _closed(request):
    return render(request, "public/apply/closed.html", status=404)


class ApplyView(View):
    """``/apply/``: a dealer applies for an ordering account (when the supplier allows)."""

    permission = PUBLIC
    template_name = "public/apply/apply.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(landing_for(request.user))
        if not tenant_settings().self_registration:
            return _closed(request)
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form, status=200):
        return render(self.request, self.template_name, {"form": form}, status=status)

    def get(self, request):
        return self._render(ApplyForm())

    def post(self, request):
        form = ApplyForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form, status=400)
        data = form.cleaned_data
        try:
            application_services.application_submit(
                tenant=request.tenant, company=data["company"],
                contact_name=data["contact_name"], email=data["email"], phone=data["phone"],
                region=data.get("region"), licence=data["licence"], message=data["message"],
                language=getattr(request, "LANGUAGE_CODE", ""), ip=client_ip(request))
        except ApplicationError as exc:
            if exc.code == "registration_closed":
                return _closed(request)
            form_add_application_error(form, exc)
            return self._render(form, status=429 if exc.code == "throttled" else exc.status)
        request.session["apply_done"] = {"company": data["company"].strip(),
                                         "email": data["email"].strip().lower()}
        return redirect("apply-done")


class ApplyDoneView(TemplateView):
    permission = PUBLIC
    template_name = "public/apply/done.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["applied"] = self.request.session.get("apply_done") or {}
        return context
