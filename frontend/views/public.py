"""The public site: landing page and supplier signup."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError
from frontend.context_processors import tenant_url
from frontend.forms import form_add_application_error, SignupForm
from roles.backends import client_ip
from roles.services import login_link_make
from tenants import services as tenant_services
from tenants.exceptions import SubdomainError


class LandingView(TemplateView):
    template_name = "public/landing.html"


class SignupView(FormView):
    form_class = SignupForm
    template_name = "public/signup.html"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            tenant_services.signup_throttle(ip=client_ip(self.request))
            result = tenant_services.tenant_provision(
                name=data["name"],
                slug=data["slug"],
                owner_email=data["owner_email"],
                owner_password=data["owner_password"],
                owner_name=data["owner_name"],
                language=data["language"],
            )
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.form_invalid(form)
        with tenant_context(result.tenant):
            token = login_link_make(user=result.owner)
        return redirect(tenant_url(self.request, result.tenant, f"/login/link/{token}/"))


class SubdomainCheckView(View):
    """htmx: tells as you type whether a subdomain can be had."""

    def get(self, request):
        slug = request.GET.get("slug", "")
        try:
            slug = tenant_services.subdomain_check(slug)
        except SubdomainError as exc:
            return render(request, "public/_subdomain_check.html",
                          {"ok": False, "message": exc.message, "slug": slug})
        return render(request, "public/_subdomain_check.html",
                      {"ok": True, "message": _("%(host)s is available.") % {
                          "host": f"{slug}.{settings.BASE_DOMAIN}"}, "slug": slug})
