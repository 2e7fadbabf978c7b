"""Operators' second factor: enrol an authenticator app by QR code (then see the backup
codes once), type a code after the password, renew the backup codes. Thin: the rules
are ``shared.two_factor``; ``shared.middleware`` keeps an unverified operator here."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.ops.forms.two_factor import CodeForm
from roles.backends import client_ip
from roles.enums import UserKind
from shared import two_factor


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}):
        return target
    return reverse("ops:home")


class SignedInOperatorMixin:
    """A signed-in operator, second factor or not (the pages that give it)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("ops-login")
        if request.user.kind != UserKind.OPERATOR or not request.user.is_active:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class TwoFactorSetupView(SignedInOperatorMixin, View):
    """Enrol an authenticator: scan the QR code (or type the key), confirm with a code."""

    template_name = "ops/two_factor_setup.html"

    def render_page(self, form, status=200):
        device = two_factor.enrolment_device(self.request.user)
        return render(self.request, self.template_name, {
            "form": form, "qr": two_factor.qr_svg(device), "secret": two_factor.secret_of(device),
            "next": _next(self.request)}, status=status)

    def get(self, request):
        if two_factor.is_enrolled(request.user):
            return redirect("ops:two-factor-verify" if not request.user.is_verified()
                            else "ops:two-factor-codes")
        return self.render_page(CodeForm())

    def post(self, request):
        if two_factor.is_enrolled(request.user):
            return redirect("ops:two-factor-verify")
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                codes = two_factor.enrolment_confirm(
                    request=request, user=request.user,
                    device=two_factor.enrolment_device(request.user),
                    token=form.cleaned_data["token"], ip=client_ip(request))
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                return render(request, "ops/two_factor_codes.html",
                              {"codes": codes, "next": _next(request), "new": True})
        return self.render_page(form, status=400)


class TwoFactorVerifyView(SignedInOperatorMixin, View):
    """After the password: a code from the authenticator, or a backup code."""

    template_name = "ops/two_factor_verify.html"

    def get(self, request):
        if request.user.is_verified():
            return redirect(_next(request))
        if not two_factor.is_enrolled(request.user):
            return redirect("ops:two-factor")
        return render(request, self.template_name, {"form": CodeForm(), "next": _next(request)})

    def post(self, request):
        if not two_factor.is_enrolled(request.user):
            return redirect("ops:two-factor")
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                device = two_factor.verify(request=request, user=request.user,
                                           token=form.cleaned_data["token"],
                                           ip=client_ip(request))
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                if device.name == two_factor.BACKUP:
                    messages.warning(request, _(
                        "You signed in with a backup code; %(n)s are left. Renew them on "
                        "your two-factor page when they run low.")
                        % {"n": two_factor.backup_codes_left(request.user)})
                return redirect(_next(request))
        return render(request, self.template_name, {"form": form, "next": _next(request)},
                      status=400)


class TwoFactorCodesView(SignedInOperatorMixin, View):
    """A verified operator's two-factor page: how many backup codes are left; renew."""

    template_name = "ops/two_factor_codes.html"

    def get(self, request):
        return render(request, self.template_name, {
            "left": two_factor.backup_codes_left(request.user), "next": reverse("ops:home")})

    def post(self, request):
        try:
            codes = two_factor.backup_codes_renew(request=request, user=request.user,
                                                  ip=client_ip(request))
        except ApplicationError:
            raise PermissionDenied from None
        return render(request, self.template_name,
                      {"codes": codes, "next": reverse("ops:home"), "new": True})
