"""The public site: landing page and supplier signup."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError
from frontend.common.context_processors import tenant_url
from frontend.common.forms.base import form_add_application_error
from frontend.public.forms.signup import OwnerSitesForm, SignupForm
from roles.backends import client_ip
from roles.services import login_link_make
from tenants import services as tenant_services
from tenants.exceptions import SubdomainError


class LandingView(TemplateView):
    template_name = "public/landing.html"


class SignupView(FormView):
    form_class = SignupForm
    template_name = "public/signup.html"

    def get_initial(self):
        return {**super().get_initial(), "plan": self.request.GET.get("plan", "")[:30]}

    def get_context_data(self, **kwargs):
        from billing.selectors import public_plan_label

        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["plan_label"] = public_plan_label(form["plan"].value() or "", get_language())
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        valid = form.is_valid()
        # Every problem at once: the service's checks (subdomain taken or reserved,
        # password rules …) run even when a field of the form is already wrong.
        try:
            tenant_services.signup_validate(
                name=request.POST.get("name", ""), slug=request.POST.get("slug", ""),
                owner_email=request.POST.get("owner_email", ""),
                owner_password=request.POST.get("owner_password", ""))
        except ApplicationError as exc:
            for field, problems in exc.fields.items():
                if field in form.fields and field not in form.errors:
                    for problem in problems:
                        form.add_error(field, problem)
            valid = False
        if not valid:
            return self.form_invalid(form)
        return self.form_valid(form)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            # Throttled first: the notice below answers whether an address owns a site,
            # so it counts against the same per-client limit as signups.
            tenant_services.signup_throttle(ip=client_ip(self.request))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.form_invalid(form)
        if not data["create_another"] and tenant_services.owner_has_sites(data["owner_email"]):
            # Allowed (each site is its own company), but say so: someone who already
            # has a site may be looking for it.
            return self.render_to_response(self.get_context_data(
                form=form, existing_owner=True,
                sites_form=OwnerSitesForm(initial={"email": data["owner_email"]})))
        try:
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
        landing = f"/login/link/{token}/"
        if data.get("plan"):  # chosen on the pricing page: the billing page, that plan picked
            landing += "?" + urlencode({"next": f"/dashboard/billing/?plan={data['plan']}"})
        return redirect(tenant_url(self.request, result.tenant, landing))


class OwnerSitesView(View):
    """"E-mail me my sites": sends the addresses of the sites an e-mail address owns to
    that address. The page answers the same whether or not it owns any."""

    template_name = "public/owner_sites.html"

    def get(self, request):
        return render(request, self.template_name, {"form": OwnerSitesForm(
            initial={"email": request.GET.get("email", "")[:254]})})

    def post(self, request):
        form = OwnerSitesForm(request.POST)
        if form.is_valid():
            try:
                tenant_services.owner_sites_send(email=form.cleaned_data["email"],
                                                 ip=client_ip(request),
                                                 language=request.LANGUAGE_CODE)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                return render(request, self.template_name, {
                    "sent": True, "email": form.cleaned_data["email"]})
        return render(request, self.template_name, {"form": form}, status=400)


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
