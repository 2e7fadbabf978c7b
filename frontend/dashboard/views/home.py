"""Staff back office: home, company profile, own profile (billing: billing.py)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from core.exceptions import ApplicationError
from frontend.dashboard.checklist import checklist_for
from frontend.common.forms.auth import ProfileForm
from frontend.common.forms.base import form_add_application_error
from frontend.dashboard.forms.staff import CompanyProfileForm
from frontend.common.views.base import PermissionRequiredMixin, StaffRequiredMixin
from roles import services as account_services
from roles.backends import client_ip
from tenants import services as tenant_services


class DashboardHomeView(StaffRequiredMixin, TemplateView):
    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["checklist"] = checklist_for(self.request)
        return context


class CompanyProfileView(PermissionRequiredMixin, FormView):
    permission = "manage_settings"
    template_name = "dashboard/company_profile.html"
    form_class = CompanyProfileForm

    def get_initial(self):
        tenant = self.request.tenant
        return {"name": tenant.name, "default_language": tenant.default_language,
                "currency": tenant.currency}

    def form_valid(self, form):
        try:
            tenant_services.tenant_update_profile(tenant=self.request.tenant,
                                                  actor=self.request.user,
                                                  ip=client_ip(self.request), **form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Company profile saved."))
        return redirect("dashboard:company-profile")


class ProfileView(StaffRequiredMixin, FormView):
    template_name = "dashboard/profile.html"
    form_class = ProfileForm

    def get_initial(self):
        user = self.request.user
        return {"name": user.name, "phone": user.phone,
                "preferred_language": user.preferred_language or self.request.LANGUAGE_CODE}

    def form_valid(self, form):
        try:
            account_services.user_update_profile(user=self.request.user,
                                                 ip=client_ip(self.request), **form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Your profile has been saved."))
        return redirect("dashboard:profile")
