"""Operator accounts, run by operator admins: invite (a link to choose a password; the
authenticator is enrolled at the first sign-in), change the role, disable (every session
ends at its next request) and enable, reset a lost second factor. Each is written to
the platform audit log."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.exceptions import ApplicationError
from core.mail import email_send
from roles.enums import UserKind
from roles.services.accounts import account_set_active, password_link, user_create
from shared.models import OperatorProfile, OperatorRole
from shared.operators import operator_role, ops_require
from shared.services import platform_audit, reason_required


def _role(role):
    if role not in OperatorRole.values:
        message = _("Choose a role.")
        raise ApplicationError(message, fields={"role": [message]})
    return OperatorRole(role)


def _target(user):
    if user is None or user.kind != UserKind.OPERATOR:
        raise ApplicationError(_("No such operator."))
    return user


def _last_admin(user):
    """Whether ``user`` is the last active operator admin (who must stay). Locks every
    active operator first, so two admins removing each other at once are taken one
    after the other and the second sees the first's change."""
    list(get_user_model().objects.select_for_update().filter(kind=UserKind.OPERATOR,
                                                             is_active=True)
         .order_by("pk").values("pk"))
    roles = dict(OperatorProfile.objects.values_list("user_id", "role"))
    admins = [pk for pk in get_user_model().objects.filter(kind=UserKind.OPERATOR,
                                                           is_active=True)
              .values_list("pk", flat=True)
              if roles.get(pk, OperatorRole.ADMIN) == OperatorRole.ADMIN]
    return admins == [user.pk]


def _end_support_sessions(user):
    """End the operator's open support sessions (each tenant's audit log says so)."""
    from shared.impersonation import impersonation_end, impersonations_live_of

    for row in impersonations_live_of(user):
        with tenant_context(row.tenant):
            impersonation_end(impersonation=row)


@transaction.atomic
def operator_invite(*, operator, email, name, role, site_url, ip=None):
    """Open an operator account with ``role`` and e-mail a link to choose the password."""
    ops_require(operator, "operators")
    role = _role(role)
    user = user_create(email=email, name=(name or "").strip()[:150], kind=UserKind.OPERATOR,
                       language=operator.preferred_language or "")
    OperatorProfile.objects.create(user=user, role=role)
    email_send(to=user.email, template="email/operator_invite",
               context={"url": password_link(f"{site_url}/ops", user),
                        "name": user.get_short_name(), "inviter": operator.get_full_name(),
                        "site": site_url, "role": str(role.label)},
               language=operator.preferred_language or "en")
    platform_audit(operator=operator, action="operator.invite", ip=ip,
                   after={"email": user.email, "role": role.value})
    return user


def operator_password_link(*, operator, user, site_url, ip=None):
    """E-mail an operator a link to choose a new password (a forgotten one, or an
    invitation that expired); the second factor still applies at sign-in."""
    ops_require(operator, "operators")
    user = _target(user)
    if not user.is_active:
        raise ApplicationError(_("Enable the operator first."))
    email_send(to=user.email, template="email/password_reset",
               context={"url": password_link(f"{site_url}/ops", user),
                        "name": user.get_short_name(), "site": site_url},
               language=user.preferred_language or operator.preferred_language or "en")
    platform_audit(operator=operator, action="operator.password_link", ip=ip,
                   after={"email": user.email})
    return user


@transaction.atomic
def operator_role_change(*, operator, user, role, ip=None):
    ops_require(operator, "operators")
    user, role = _target(user), _role(role)
    before = operator_role(user)
    if before == OperatorRole.ADMIN and role != OperatorRole.ADMIN and _last_admin(user):
        raise ApplicationError(_("The platform needs at least one operator admin."),
                               fields={"role": [_("The platform needs at least one operator "
                                                  "admin.")]})
    OperatorProfile.objects.update_or_create(user=user, defaults={"role": role})
    user._operator_role = None
    platform_audit(operator=operator, action="operator.role", ip=ip,
                   before={"email": user.email, "role": str(before or "")},
                   after={"email": user.email, "role": role.value})
    return user


@transaction.atomic
def operator_set_active(*, operator, user, active, reason, ip=None):
    """Disable an operator (their sessions end at the next request and cannot come
    back) or enable them again."""
    ops_require(operator, "operators")
    user = _target(user)
    reason = reason_required(reason)
    if not active and user.pk == operator.pk:
        raise ApplicationError(_("You cannot disable yourself."))
    if not active and operator_role(user) == OperatorRole.ADMIN and _last_admin(user):
        raise ApplicationError(_("The platform needs at least one operator admin."))
    account_set_active(user=user, active=bool(active))
    if not active:
        _end_support_sessions(user)
    platform_audit(operator=operator, action="operator.enable" if active else "operator.disable",
                   reason=reason, ip=ip, after={"email": user.email})
    return user


@transaction.atomic
def operator_two_factor_reset(*, operator, user, reason, ip=None):
    """Remove an operator's authenticator and backup codes (a lost phone): they enrol
    again at their next sign-in, and their current sessions end."""
    ops_require(operator, "operators")
    user = _target(user)
    reason = reason_required(reason)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.security_stamp += 1
    user.save(update_fields=["security_stamp"])
    _end_support_sessions(user)
    platform_audit(operator=operator, action="operator.2fa_reset", reason=reason, ip=ip,
                   after={"email": user.email})
    return user
