"""Sign-in, sign-out, one-time login links, password reset and change, language."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from frontend.common.forms.auth import LoginForm, TenantPasswordResetForm
from frontend.common.views.base import PermissionRequiredMixin
from roles import services as account_services
from roles.backends import client_ip
from roles.enums import UserKind
from roles.permissions import PUBLIC, SIGNED_IN
from roles.exceptions import LoginLinkError


def landing_for(user):
    if user.kind == UserKind.DEALER:
        return reverse("shop:home")
    if user.kind == UserKind.OPERATOR:
        return reverse("ops:home")
    return reverse("dashboard:home")


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


class LoginView(FormView):
    """Tenant sign-in for staff and dealers."""

    permission = PUBLIC
    form_class = LoginForm
    template_name = "auth/login.html"
    allowed_kinds = (UserKind.STAFF, UserKind.DEALER)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.kind in self.allowed_kinds:
            return redirect(landing_for(request.user))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = account_services.login_attempt(
            request=self.request,
            identifier=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            allowed_kinds=self.allowed_kinds,
        )
        if user is None:
            form.add_error(None, _("Incorrect e-mail/phone or password."))
            return self.form_invalid(form)
        login(self.request, user, backend="roles.backends.EmailBackend")
        if user.must_change_password:
            messages.info(self.request, _("Please choose a new password before you continue."))
            return redirect("password-change")
        return redirect(_safe_next(self.request, landing_for(user)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = self.request.GET.get("next", "")
        return context


class OpsLoginView(LoginView):
    template_name = "ops/login.html"
    allowed_kinds = (UserKind.OPERATOR,)


class LogoutView(View):
    permission = PUBLIC

    def post(self, request):
        logout(request)
        messages.info(request, _("You have been signed out."))
        return redirect("login" if getattr(request, "tenant", None) and not request.tenant.is_public
                        else "landing")

    def get(self, request):
        return render(request, "auth/logout_confirm.html")


class LoginLinkView(View):
    """The one-time link that signup uses to sign the owner in on the new subdomain."""

    permission = PUBLIC

    def get(self, request, token):
        try:
            user = account_services.login_link_consume(token=token)
        except LoginLinkError as exc:
            messages.error(request, exc.message)
            return redirect("login")
        login(request, user, backend="roles.backends.EmailBackend")
        account_services.login_record(request=request, identifier=user.email, user=user,
                                      success=True)
        messages.success(request, _("Welcome to Orderline! Your site is ready."))
        return redirect(_safe_next(request, landing_for(user)))


class PasswordResetView(auth_views.PasswordResetView):
    permission = PUBLIC
    form_class = TenantPasswordResetForm
    template_name = "auth/password_reset.html"
    success_url = reverse_lazy("password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    permission = PUBLIC
    template_name = "auth/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    permission = PUBLIC
    template_name = "auth/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")


class OpsPasswordSetView(PasswordResetConfirmView):
    """An invited operator chooses a password (then signs in and enrols the
    authenticator)."""

    success_url = reverse_lazy("ops-login")

    def form_valid(self, form):
        messages.success(self.request, _("Password saved. Sign in, then set up your "
                                         "authenticator app."))
        return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    permission = PUBLIC
    template_name = "auth/password_reset_complete.html"


class PasswordChangeView(PermissionRequiredMixin, auth_views.PasswordChangeView):
    permission = SIGNED_IN
    template_name = "auth/password_change.html"

    def form_valid(self, form):
        from django.contrib.auth import update_session_auth_hash

        account_services.user_change_password(user=self.request.user,
                                              new_password=form.cleaned_data["new_password1"],
                                              ip=client_ip(self.request))
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.get_success_url())

    def get_success_url(self):
        return landing_for(self.request.user)

    def get_login_url(self):
        tenant = getattr(self.request, "tenant", None)
        return "ops-login" if tenant is None or tenant.is_public else super().get_login_url()


class SetLanguageView(View):
    """Switch language: a cookie for everyone, and the account's preference when signed in."""

    permission = PUBLIC

    def post(self, request):
        language = request.POST.get("language", "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        if request.session.get("impersonation"):  # an operator's support session: the
            request.session["support_language"] = language  # user's own choice stays
        elif request.user.is_authenticated:
            account_services.user_set_language(user=request.user, language=language)
        response = redirect(_safe_next(request, "/"))
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600,
                            samesite="Lax")
        return response


def tenant_root(request):
    """``/``: to the user's start page or the sign-in page."""
    if request.user.is_authenticated:
        return redirect(landing_for(request.user))
    return redirect("login")


tenant_root.permission = PUBLIC
