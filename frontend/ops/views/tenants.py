"""The operator console's tenant page and actions (suspend, reactivate, extend a trial,
change the plan and paid period), the plans, billing drift and the platform audit log.

Thin: reads through ``billing.selectors`` / ``shared.selectors``, every change through
``shared.services``, which checks the operator's role and writes the platform audit
log. What each role may do is ``shared.operators.OPS_PERMISSIONS``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext as _, gettext_lazy
from django.views import View

from billing import selectors as billing_selectors
from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.common.views.base import OperatorRequiredMixin, raise_for
from frontend.common.context_processors import tenant_url
from frontend.common.views.media import download
from frontend.ops.forms.tenants import (DeleteForm, DomainAddForm, DomainRemoveForm,
                                        ExportForm, ImpersonateForm, OwnerInviteForm,
                                        PlanChangeForm, PlanForm, ReasonForm, RestoreForm,
                                        TrialExtendForm)
from roles.backends import client_ip
from shared import deletion, exports, impersonation, restore, selectors, services
from shared.operators import ops_can

ACTIONS = {  # form key → (form class, service, the role permission it needs)
    "suspend": (ReasonForm, services.tenant_suspend, "lifecycle"),
    "reactivate": (ReasonForm, services.tenant_reactivate, "lifecycle"),
    "trial": (TrialExtendForm, services.trial_extend, "lifecycle"),
    "plan": (PlanChangeForm, services.tenant_plan_change, "billing"),
    "export": (ExportForm, exports.export_request, "export"),
    "restore": (RestoreForm, restore.export_restore, "restore"),
    "delete": (DeleteForm, deletion.tenant_purge, "delete"),
    "impersonate": (ImpersonateForm, impersonation.impersonation_start, "impersonate"),
    "domain_add": (DomainAddForm, services.tenant_domain_add, "domains"),
    "domain_remove": (DomainRemoveForm, services.tenant_domain_remove, "domains"),
    "owner_invite": (OwnerInviteForm, services.owner_invitation_resend, "owner_invite"),
}
DONE = {
    "domain_add": gettext_lazy("Domain added: the site answers on it as soon as its DNS "
                               "points at the platform."),
    "domain_remove": gettext_lazy("Domain removed."),
    "owner_invite": gettext_lazy("The owner was sent a new link to choose a password."),
}


def exports_context(tenant, user):
    """The export card's figures: the latest exports (with a fresh signed link for a
    finished one), whether one is under way (the card then polls), the export a
    restore would use."""
    latest = selectors.tenant_exports(tenant)
    can_export = ops_can(user, "export")
    for export in latest:
        export.download_url = exports.download_url(export) \
            if can_export and export.status == "done" else ""
    return {"exports": latest, "exports_running": any(e.in_progress for e in latest),
            "restorable": next((e for e in latest if e.status == "done"), None),
            "can_export": can_export, "can_restore": ops_can(user, "restore")}


class OpsRoleMixin(OperatorRequiredMixin):
    """An operator whose role allows ``ops_permission`` (403 otherwise)."""

    ops_permission = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_operator and \
                not ops_can(request.user, self.ops_permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class TenantDetailView(OpsRoleMixin, View):
    template_name = "ops/tenant.html"

    def tenant(self):
        found = selectors.tenant_get(pk=self.kwargs["pk"])
        if found is None:
            raise Http404
        return found

    def forms(self, tenant, plans, **bound):
        made = {"suspend": ReasonForm(prefix="suspend"),
                "reactivate": ReasonForm(prefix="reactivate"),
                "trial": TrialExtendForm(prefix="trial"),
                "plan": PlanChangeForm(prefix="plan", plans=plans),
                "export": ExportForm(prefix="export"),
                "restore": RestoreForm(prefix="restore"),
                "delete": DeleteForm(prefix="delete"),
                "domain_add": DomainAddForm(prefix="domain_add")}
        if ops_can(self.request.user, "impersonate") and "impersonate" not in bound:
            made["impersonate"] = ImpersonateForm(
                prefix="impersonate", staff=impersonation.tenant_staff(tenant))
        made.update(bound)
        return made

    def render_page(self, tenant, status=200, **bound):
        user = self.request.user
        overview = selectors.tenant_overview(tenant, language=get_language())
        return render(self.request, self.template_name, {
            **overview, "forms": self.forms(tenant, overview["all_plans"], **bound),
            "can_lifecycle": ops_can(user, "lifecycle"), "can_billing": ops_can(user, "billing"),
            "can_delete": ops_can(user, "delete"), **exports_context(tenant, user),
            "can_impersonate": ops_can(user, "impersonate"),
            "can_impersonate_write": ops_can(user, "impersonate_write"),
            "impersonations": impersonation.impersonations_of(tenant),
            "can_domains": ops_can(user, "domains"),
            "can_owner_invite": ops_can(user, "owner_invite"),
            "activity": selectors.tenant_activity(tenant),
        }, status=status)

    def get(self, request, pk):
        return self.render_page(self.tenant())

    def post(self, request, pk):
        tenant = self.tenant()
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        form_class, service, permission = ACTIONS[action]
        if not ops_can(request.user, permission):
            raise PermissionDenied
        extra = {"plans": list(billing_selectors.plan_list())} if action == "plan" else {}
        if action == "impersonate":
            extra = {"staff": impersonation.tenant_staff(tenant)}
        form = form_class(request.POST, prefix=action, **extra)
        if not form.is_valid():
            return self.render_page(tenant, status=400, **{action: form})
        values = dict(form.cleaned_data)
        if action == "plan":
            values["plan_code"] = values.pop("plan")
        if action == "owner_invite":
            values["site_url"] = tenant_url(request, tenant, "")
        try:
            result = service(operator=request.user, tenant=tenant, ip=client_ip(request),
                             **values)
        except ApplicationError as exc:
            raise_for(exc)
            form_add_application_error(form, exc)
            return self.render_page(tenant, status=exc.status, **{action: form})
        if action == "impersonate":  # the one-time link, on the tenant's own host
            _session, token = result
            return redirect(tenant_url(request, tenant, f"/impersonate/{token}/"))
        if action in DONE:
            messages.success(request, DONE[action])
        elif action == "export":
            messages.success(request, _("The export has started; its progress shows below."))
        elif action == "restore":
            messages.success(request, _("The export is restored as a new tenant, suspended "
                                        "until you reactivate it."))
            return redirect("ops:tenant", result.pk)
        elif action == "delete":
            messages.success(request, _("The tenant “%(name)s” and all its data are deleted; "
                                        "the audit log keeps the record.") % {
                                            "name": tenant.name})
            return redirect("ops:home")
        else:
            messages.success(request, _("Done: the change is in the platform audit log."))
        return redirect("ops:tenant", tenant.pk)


class PlanListView(OpsRoleMixin, View):
    def get(self, request):
        language = get_language()
        plans = list(billing_selectors.plan_list())
        for plan in plans:
            plan.label = billing_selectors.plan_name(plan, language)
        return render(request, "ops/plans.html", {
            "plans": plans, "can_billing": ops_can(request.user, "billing")})


class PlanEditView(OpsRoleMixin, View):
    ops_permission = "billing"
    template_name = "ops/plan.html"

    def plan(self):
        found = billing_selectors.plan_list().filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404
        found.label = billing_selectors.plan_name(found, get_language())
        return found

    @staticmethod
    def price_keys(plan):
        return selectors.plan_price_keys(plan)

    def get(self, request, pk):
        plan = self.plan()
        initial = {name: getattr(plan, name) for name in PlanForm.base_fields}
        initial.update({f"price_{p.currency}_{p.interval}": p.amount for p in plan.prices.all()})
        form = PlanForm(initial=initial, price_keys=self.price_keys(plan))
        return render(request, self.template_name, {"plan": plan, "form": form})

    def post(self, request, pk):
        plan = self.plan()
        form = PlanForm(request.POST, price_keys=self.price_keys(plan))
        if not form.is_valid():
            return render(request, self.template_name, {"plan": plan, "form": form}, status=400)
        try:
            services.plan_update(operator=request.user, plan=plan, limits=form.limits(),
                                 prices=form.prices(), is_public=form.cleaned_data["is_public"],
                                 ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            form_add_application_error(form, exc)
            return render(request, self.template_name, {"plan": plan, "form": form},
                          status=exc.status)
        messages.success(request, _("The plan is saved."))
        return redirect("ops:plans")


class DriftListView(OpsRoleMixin, View):
    def get(self, request):
        page = Paginator(selectors.drift_list(), 50).get_page(request.GET.get("page"))
        return render(request, "ops/drift.html", {"page": page, "filters": {}})


class AuditListView(OpsRoleMixin, View):
    ops_permission = "audit"

    def get(self, request):
        query = request.GET.get("q", "").strip()[:100]
        if request.GET.get("format") == "csv":
            data, _count = services.audit_export(operator=request.user, query=query,
                                                 ip=client_ip(request))
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            return download(data, f"orderline-audit-{stamp}.csv", "csv")
        page = Paginator(selectors.audit_list(query=query), 50).get_page(request.GET.get("page"))
        return render(request, "ops/audit.html", {"page": page, "q": query,
                                                  "filters": {"q": query}})
