"""Dealer self-registration on the dashboard: the customer settings (the on/off switch
and the link to share) and the staff review of applications (list, detail with the
licence image, approve, reject). The public /apply/ page is frontend.public.views.apply.

Thin: every read through ordering.customers.selectors (scoped to the user), every
write through ordering.customers.services / tenants.services.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from core.exceptions import ApplicationError, ConflictError
from frontend.common.forms.base import form_add_application_error
from frontend.dashboard.forms.applications import ApproveForm, CustomerSettingsForm, RejectForm
from frontend.common.views.base import PermissionRequiredMixin, raise_for
from frontend.common.views.media import serve_private_image
from ordering.customers import selectors
from ordering.customers.enums import ApplicationStatus
from ordering.customers.services import applications as application_services
from ordering.customers.services.customers import default_level
from ordering.settings.selectors import tenant_settings
from roles.backends import client_ip
from roles.permissions import has_perm

PAGE_SIZE = 50
LICENCE_FOLDER = "private/licences/"
STATUS_TABS = (
    (ApplicationStatus.PENDING, gettext_lazy("Waiting for review")),
    (ApplicationStatus.APPROVED, gettext_lazy("Approved")),
    (ApplicationStatus.REJECTED, gettext_lazy("Rejected")),
)


def _site_url(request):
    return f"{request.scheme}://{request.get_host()}"


# --- customer settings -----------------------------------------------------------


class CustomerSettingsView(PermissionRequiredMixin, FormView):
    permission = "manage_settings"
    template_name = "dashboard/customers/settings.html"
    form_class = CustomerSettingsForm

    def get_initial(self):
        return {"self_registration": tenant_settings().self_registration}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["apply_url"] = self.request.build_absolute_uri(reverse("apply"))
        context["self_registration"] = tenant_settings().self_registration
        context["can_review"] = has_perm(self.request.user, "view_customers")
        if context["can_review"]:
            context["pending_applications"] = selectors.pending_application_count(
                actor=self.request.user)
        return context

    def form_valid(self, form):
        try:
            saved = application_services.registration_settings_update(
                actor=self.request.user,
                self_registration=form.cleaned_data["self_registration"],
                ip=client_ip(self.request))
        except ApplicationError as exc:
            raise_for(exc)
            form_add_application_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if saved.self_registration:
            messages.success(self.request, _("Online applications are open. Share the link "
                                             "below with your dealers."))
        else:
            messages.success(self.request, _("Online applications are closed."))
        return redirect("dashboard:customer-settings")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- staff review ----------------------------------------------------------------


class ApplicationListView(PermissionRequiredMixin, TemplateView):
    permission = "view_customers"
    template_name = "dashboard/customers/applications/list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        status = self.request.GET.get("status", "")
        if status not in ApplicationStatus.values:
            status = ApplicationStatus.PENDING
        counts = dict(selectors.application_list(actor=user, status="").order_by()
                      .values_list("status").annotate(n=Count("pk")))
        context = super().get_context_data(**kwargs)
        context["status"] = status
        context["tabs"] = [{"value": value, "label": label, "count": counts.get(value, 0),
                            "active": value == status} for value, label in STATUS_TABS]
        context["page"] = Paginator(selectors.application_list(actor=user, status=status),
                                    PAGE_SIZE).get_page(self.request.GET.get("page"))
        context["filters"] = {"status": status}
        context["can_settings"] = has_perm(user, "manage_settings")
        return context


def _customer_url(customer):
    try:
        return reverse("dashboard:customer-detail", args=[customer.pk])
    except NoReverseMatch:
        return reverse("dashboard:customer-applications")


class ApplicationDetailView(PermissionRequiredMixin, View):
    """The applicant's data and licence; approve (level, sales rep, region) or reject."""

    permission = "view_customers"
    template_name = "dashboard/customers/applications/detail.html"

    def _application(self, pk):
        application = selectors.application_get(actor=self.request.user, pk=pk)
        if application is None:
            raise Http404
        return application

    def _render(self, application, approve_form=None, reject_form=None, status=200):
        customer = application.customer
        if approve_form is None:
            level = customer.level_id or getattr(default_level(), "pk", None)
            approve_form = ApproveForm(initial={
                "level": level, "sales_rep": customer.sales_rep_id,
                "region": str(customer.region_id) if customer.region_id else ""})
        return render(self.request, self.template_name, {
            "application": application, "customer": customer,
            "approve_form": approve_form, "reject_form": reject_form or RejectForm(),
            "can_manage": has_perm(self.request.user, "manage_customers", obj=customer),
            "customer_url": _customer_url(customer),
            "show_reject": reject_form is not None,
        }, status=status)

    def get(self, request, pk):
        return self._render(self._application(pk))

    def post(self, request, pk):
        application = self._application(pk)
        if not has_perm(request.user, "manage_customers", obj=application.customer):
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "approve":
            return self._approve(application)
        if action == "reject":
            return self._reject(application)
        messages.error(request, _("Choose whether to approve or reject the application."))
        return redirect("dashboard:customer-application-detail", pk=application.pk)

    def _approve(self, application):
        request = self.request
        form = ApproveForm(request.POST)
        if not form.is_valid():
            return self._render(application, approve_form=form, status=400)
        data = form.cleaned_data
        try:
            application_services.application_approve(
                actor=request.user, application=application, site_url=_site_url(request),
                level=data["level"], sales_rep=data["sales_rep"], region=data["region"],
                ip=client_ip(request))
        except ConflictError as exc:
            messages.error(request, exc.message)
            return redirect("dashboard:customer-application-detail", pk=application.pk)
        except ApplicationError as exc:
            raise_for(exc)
            form_add_application_error(form, exc)
            return self._render(application, approve_form=form, status=exc.status)
        messages.success(request, _("Approved: %(company)s can now order. We e-mailed "
                                    "%(email)s a link to choose a password.")
                         % {"company": application.customer.name, "email": application.email})
        return redirect("dashboard:customer-application-detail", pk=application.pk)

    def _reject(self, application):
        request = self.request
        form = RejectForm(request.POST)
        if not form.is_valid():
            return self._render(application, reject_form=form, status=400)
        try:
            application_services.application_reject(
                actor=request.user, application=application,
                reason=form.cleaned_data["reason"], ip=client_ip(request))
        except ConflictError as exc:
            messages.error(request, exc.message)
            return redirect("dashboard:customer-application-detail", pk=application.pk)
        except ApplicationError as exc:
            raise_for(exc)
            form_add_application_error(form, exc)
            return self._render(application, reject_form=form, status=exc.status)
        messages.success(request, _("Application rejected. We e-mailed %(email)s the reason.")
                         % {"email": application.email})
        return redirect("dashboard:customer-application-detail", pk=application.pk)


class ApplicationLicenceView(PermissionRequiredMixin, View):
    """The business licence image, only to staff who may see this application."""

    permission = "view_customers"

    def get(self, request, pk):
        application = selectors.application_get(actor=request.user, pk=pk)
        if application is None or not application.licence:
            raise Http404
        return serve_private_image(application.licence.name, folder=LICENCE_FOLDER,
                                   filename=f"licence-{application.pk}")
