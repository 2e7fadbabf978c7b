"""The operators page: who runs the platform, their role and second factor; operator
admins invite, change roles, disable and enable, reset a lost authenticator. Thin: the
rules are ``shared.accounts``; the role table ``shared.operators`` decides who may."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.ops.forms.operators import (OperatorInviteForm, OperatorLinkForm,
                                          OperatorReasonForm, OperatorRoleForm)
from frontend.ops.views.tenants import OpsRoleMixin
from roles.backends import client_ip
from shared import accounts, selectors
from shared.models import OperatorRole

ACTIONS = {  # form key → (form class, the call with the form's data)
    "role": (OperatorRoleForm, lambda op, user, data, ip: accounts.operator_role_change(
        operator=op, user=user, role=data["role"], ip=ip)),
    "disable": (OperatorReasonForm, lambda op, user, data, ip: accounts.operator_set_active(
        operator=op, user=user, active=False, reason=data["reason"], ip=ip)),
    "enable": (OperatorReasonForm, lambda op, user, data, ip: accounts.operator_set_active(
        operator=op, user=user, active=True, reason=data["reason"], ip=ip)),
    "password_link": (OperatorLinkForm, lambda op, user, data, ip:
                      accounts.operator_password_link(operator=op, user=user,
                                                      site_url=data["site_url"], ip=ip)),
    "reset_2fa": (OperatorReasonForm, lambda op, user, data, ip:
                  accounts.operator_two_factor_reset(operator=op, user=user,
                                                     reason=data["reason"], ip=ip)),
}
DONE = {"role": gettext_lazy("Role changed."),
        "disable": gettext_lazy("Operator disabled; their sessions ended."),
        "enable": gettext_lazy("Operator enabled."),
        "reset_2fa": gettext_lazy("Two-factor sign-in reset; they set it up again at their "
                                  "next sign-in."),
        "password_link": gettext_lazy("A link to choose a new password was sent.")}


class OperatorListView(OpsRoleMixin, View):
    ops_permission = "operators"
    template_name = "ops/operators.html"

    def render_page(self, invite=None, errors=None, status=200):
        return render(self.request, self.template_name, {
            "operators": selectors.operator_list(), "invite": invite or OperatorInviteForm(),
            "roles": OperatorRole.choices, "errors": errors or {}}, status=status)

    def get(self, request):
        return self.render_page()

    def post(self, request):
        invite = OperatorInviteForm(request.POST)
        if invite.is_valid():
            data = invite.cleaned_data
            try:
                user = accounts.operator_invite(
                    operator=request.user, email=data["email"], name=data["name"],
                    role=data["role"], site_url=request.build_absolute_uri("/").rstrip("/"),
                    ip=client_ip(request))
            except ApplicationError as exc:
                form_add_application_error(invite, exc)
            else:
                messages.success(request, _("Invitation sent to %(email)s.")
                                 % {"email": user.email})
                return redirect("ops:operators")
        return self.render_page(invite=invite, status=400)


class OperatorActionView(OpsRoleMixin, View):
    ops_permission = "operators"

    def post(self, request, pk):
        user = selectors.operator_get(pk=pk)
        action = request.POST.get("action", "")
        if user is None or action not in ACTIONS:
            raise Http404
        form_class, call = ACTIONS[action]
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
            return redirect("ops:operators")
        data = {**form.cleaned_data, "site_url": request.build_absolute_uri("/").rstrip("/")}
        try:
            call(request.user, user, data, client_ip(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, DONE[action])
        return redirect("ops:operators")
