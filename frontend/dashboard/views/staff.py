"""Staff, roles, regions, audit log, login log and API keys (dashboard)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.common.views.base import PermissionRequiredMixin
from frontend.dashboard.forms.staff import (ApiKeyForm, RegionForm, RoleForm, StaffEditForm,
                                            StaffInviteForm)
from roles import selectors
from roles.backends import client_ip
from roles.catalog import GROUPS, PERMISSIONS
from roles.services import api_keys as key_services
from roles.services import regions as region_services
from roles.services import role_admin
from roles.services import staff as staff_services

PAGE_SIZE = 50


def _site_url(request):
    return f"{request.scheme}://{request.get_host()}"


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))



def _found(obj):
    if obj is None:
        raise Http404
    return obj

class StaffListView(PermissionRequiredMixin, TemplateView):
    permission = "manage_staff"
    template_name = "dashboard/staff/list.html"

    def get_context_data(self, **kwargs):
        g = self.request.GET
        raw_role = g.get("role") or ""
        role_id = raw_role if raw_role.isascii() and raw_role.isdecimal() else None
        context = super().get_context_data(**kwargs)
        context["page"] = _page(self.request, selectors.staff_list(
            actor=self.request.user, query=g.get("q", ""), role_id=role_id,
            status=g.get("status", "")))
        context["roles"] = selectors.role_list(actor=self.request.user)
        context["filters"] = {"q": g.get("q", ""), "role": role_id, "status": g.get("status", "")}
        return context


class StaffInviteView(PermissionRequiredMixin, FormView):
    permission = "manage_staff"
    template_name = "dashboard/staff/invite.html"
    form_class = StaffInviteForm

    def get_initial(self):
        return {"language": self.request.tenant.default_language}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = staff_services.staff_invite(
                actor=self.request.user, email=data["email"], name=data["name"],
                phone=data["phone"], language=data["language"], roles=list(data["roles"]),
                regions=list(data["regions"]), site_url=_site_url(self.request),
                ip=client_ip(self.request))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": user.email})
        return redirect("dashboard:staff-detail", pk=user.pk)


class StaffDetailView(PermissionRequiredMixin, View):
    permission = "manage_staff"
    template_name = "dashboard/staff/detail.html"

    def _member(self, pk):
        member = selectors.staff_get(actor=self.request.user, pk=pk)
        if member is None:
            raise Http404
        return member

    def _render(self, member, form, status=200):
        return render(self.request, self.template_name,
                      {"member": member, "form": form, "is_self": member.pk == self.request.user.pk},
                      status=status)

    def get(self, request, pk):
        member = self._member(pk)
        form = StaffEditForm(initial={
            "name": member.name, "phone": member.phone,
            "roles": selectors.roles_of(user=member),
            "regions": list(staff_services.staff_region_ids(member))})
        return self._render(member, form)

    def post(self, request, pk):
        member = self._member(pk)
        action = request.POST.get("action", "save")
        ip = client_ip(request)
        try:
            if action in ("disable", "enable"):
                staff_services.staff_set_active(actor=request.user, user=member,
                                                active=action == "enable", ip=ip)
                messages.success(request, _("Account disabled.") if action == "disable"
                                 else _("Account enabled."))
                return redirect("dashboard:staff-detail", pk=member.pk)
            if action == "reset-password":
                staff_services.staff_send_password_reset(actor=request.user, user=member,
                                                         site_url=_site_url(request), ip=ip)
                messages.success(request, _("A password link was sent to %(email)s.")
                                 % {"email": member.email})
                return redirect("dashboard:staff-detail", pk=member.pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("dashboard:staff-detail", pk=member.pk)
        form = StaffEditForm(request.POST)
        if not form.is_valid():
            return self._render(member, form, status=400)
        data = form.cleaned_data
        try:
            staff_services.staff_update(actor=request.user, user=member, name=data["name"],
                                        phone=data["phone"], roles=list(data["roles"]),
                                        regions=list(data["regions"]), ip=ip)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self._render(member, form, status=400)
        messages.success(request, _("Saved."))
        return redirect("dashboard:staff-detail", pk=member.pk)


def _permission_groups(granted):
    groups = []
    for key, label in GROUPS.items():
        items = [(p, p.codename in granted) for p in PERMISSIONS if p.group == key]
        groups.append({"label": label, "items": items})
    return groups


class RoleListView(PermissionRequiredMixin, TemplateView):
    permission = "manage_roles"
    template_name = "dashboard/roles/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["roles"] = selectors.role_list(actor=self.request.user)
        context["permission_count"] = len(PERMISSIONS)
        return context


class RoleFormView(PermissionRequiredMixin, FormView):
    """Create a custom role, or show/edit one (built-in roles are shown read-only)."""

    permission = "manage_roles"
    template_name = "dashboard/roles/form.html"
    form_class = RoleForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self._role = None

    @property
    def role(self):
        """Loaded only after the permission check (dispatch), so it reveals nothing."""
        if self._role is None and "pk" in self.kwargs:
            self._role = _found(selectors.role_get(pk=self.kwargs["pk"]))
        return self._role

    def get_initial(self):
        if self.role is None:
            return {}
        return {"name_en": self.role.name_en, "name_zh": self.role.name_zh,
                "description": self.role.description,
                "permissions": list(self.role.group.permissions.values_list("codename", flat=True))}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["role"] = self.role
        if self.role is not None:
            granted = set(self.role.group.permissions.values_list("codename", flat=True))
            context["permission_groups"] = _permission_groups(granted)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        ip = client_ip(self.request)
        try:
            if self.role is None:
                role = role_admin.role_create(actor=self.request.user, ip=ip, **data)
            else:
                role = role_admin.role_update(actor=self.request.user, role=self.role, ip=ip, **data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Role “%(name)s” saved.") % {"name": role.display_name})
        return redirect("dashboard:roles")


class RoleDeleteView(PermissionRequiredMixin, View):
    permission = "manage_roles"

    def post(self, request, pk):
        role = _found(selectors.role_get(pk=pk))
        try:
            role_admin.role_delete(actor=request.user, role=role, ip=client_ip(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("dashboard:role-detail", pk=role.pk)
        messages.success(request, _("Role deleted."))
        return redirect("dashboard:roles")


class RegionListView(PermissionRequiredMixin, FormView):
    permission = "manage_settings"
    template_name = "dashboard/regions/list.html"
    form_class = RegionForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["regions"] = selectors.region_tree(actor=self.request.user)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            region_services.region_create(actor=self.request.user, name=data["name"],
                                          parent=data["parent"], code=data["code"],
                                          ip=client_ip(self.request))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Region added."))
        return redirect("dashboard:regions")


class AuditLogView(PermissionRequiredMixin, TemplateView):
    permission = "view_audit_log"
    template_name = "dashboard/audit/list.html"

    def get_context_data(self, **kwargs):
        g = self.request.GET
        context = super().get_context_data(**kwargs)
        context["page"] = _page(self.request, selectors.audit_log_list(
            actor=self.request.user, query=g.get("q", ""), action=g.get("action", ""),
            since=g.get("since") or None, until=g.get("until") or None))
        context["filters"] = {k: g.get(k, "") for k in ("q", "action", "since", "until")}
        return context


class LoginLogView(PermissionRequiredMixin, TemplateView):
    permission = "view_audit_log"
    template_name = "dashboard/audit/login_log.html"

    def get_context_data(self, **kwargs):
        g = self.request.GET
        success = {"ok": True, "failed": False}.get(g.get("result", ""))
        context = super().get_context_data(**kwargs)
        context["page"] = _page(self.request, selectors.login_log_list(
            actor=self.request.user, query=g.get("q", ""), success=success))
        context["filters"] = {"q": g.get("q", ""), "result": g.get("result", "")}
        return context


class ApiKeyListView(PermissionRequiredMixin, FormView):
    permission = "manage_api_keys"
    template_name = "dashboard/api_keys/list.html"
    form_class = ApiKeyForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["keys"] = selectors.api_key_list(actor=self.request.user)
        return context

    def form_valid(self, form):
        try:
            key, raw = key_services.api_key_create(
                actor=self.request.user, user=form.cleaned_data["user"],
                name=form.cleaned_data["name"], ip=client_ip(self.request))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.form_invalid(form)
        # Shown once, on this response only; never stored in clear.
        return self.render_to_response(self.get_context_data(
            form=self.form_class(), new_key=raw, new_key_name=key.name))


class ApiKeyRevokeView(PermissionRequiredMixin, View):
    permission = "manage_api_keys"

    def post(self, request, pk):
        key = _found(selectors.api_key_get(pk=pk))
        key_services.api_key_revoke(actor=request.user, key=key, ip=client_ip(request))
        messages.success(request, _("Key “%(name)s” revoked.") % {"name": key.name})
        return redirect("dashboard:api-keys")
