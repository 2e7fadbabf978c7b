"""Account writes: users, sign-in records, one-time login links, passwords."""

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from roles.exceptions import RoleError, RoleErrorCode
from roles.enums import UserKind
from roles.backends import client_ip
from roles.exceptions import LoginLinkError
from roles.models import LoginLog


def tenant_roles_initialise():
    """Create the catalog permissions and built-in roles in this schema (idempotent);
    returns the system administrator's group."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from roles.catalog import ADMINISTRATOR, sync_builtin_roles
    from roles.models import Role

    if not Role.objects.filter(key=ADMINISTRATOR).exists():
        sync_builtin_roles(Group=Group, Permission=Permission, ContentType=ContentType, Role=Role)
    return Group.objects.get(role__key=ADMINISTRATOR)


@transaction.atomic
def user_create(*, email, password=None, name="", kind=UserKind.STAFF, phone="",
                language="", administrator=False, must_change_password=False):
    User = get_user_model()
    email = (email or "").strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        message = _("An account with this e-mail already exists.")
        raise RoleError(message, code=RoleErrorCode.EMAIL_TAKEN, fields={"email": [message]})
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, password, name=name, kind=kind, phone=phone,
                preferred_language=language, must_change_password=must_change_password,
            )
    except IntegrityError as exc:
        raise RoleError(_("An account with this e-mail or phone already exists."),
                               code=RoleErrorCode.EMAIL_TAKEN) from exc
    if administrator:
        user.groups.add(tenant_roles_initialise())
        from roles.permissions import forget_permissions

        forget_permissions(user)
    return user


def password_link(site_url, user):
    """A link to choose a password (invitations, welcome e-mails, resets)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{site_url}/password/reset/{uid}/{default_token_generator.make_token(user)}/"


def account_set_active(*, user, active):
    """Enable or disable an account. Disabling signs it out everywhere at its next request
    (the security stamp moves, so re-enabling does not bring old sessions back) and
    revokes its API keys. The caller checks who may do it and audits."""
    from django.utils import timezone

    user.is_active = active
    fields = ["is_active"]
    if not active:
        user.security_stamp += 1
        fields.append("security_stamp")
        user.api_keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    user.save(update_fields=fields)
    return user


def login_record(*, request, identifier, user, success):
    return LoginLog.objects.create(
        user=user,
        identifier=(identifier or "")[:254],
        success=success,
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
    )


def login_attempt(*, request, identifier, password, allowed_kinds):
    """Authenticate and record the attempt. Returns the user or ``None``.

    Axes counts failures (per tenant schema) through ``authenticate``.
    """
    user = authenticate(request, username=identifier, password=password)
    if user is not None and user.kind not in allowed_kinds:
        user = None
    matched = None
    if user is None:
        identifier = (identifier or "").strip()
        query = Q(email__iexact=identifier)
        if identifier and "@" not in identifier:
            query |= Q(phone=identifier)
        matched = get_user_model().objects.filter(query).first()
    login_record(request=request, identifier=identifier, user=user or matched,
                 success=user is not None)
    return user


def user_set_language(*, user, language):
    if language not in dict(settings.LANGUAGES):
        raise RoleError(_("Unknown language."))
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


def user_update_profile(*, user, name, phone, preferred_language, ip=None):
    """What every user may change about themselves (audited)."""
    phone = (phone or "").strip()
    taken = RoleError(_("This phone number is used by another account."),
                             fields={"phone": [_("This phone number is used by another account.")]})
    if phone and get_user_model().objects.filter(phone=phone).exclude(pk=user.pk).exists():
        raise taken
    if preferred_language not in dict(settings.LANGUAGES):
        raise RoleError(_("Unknown language."))
    before = {"name": user.name, "phone": user.phone, "language": user.preferred_language}
    user.name = (name or "").strip()
    user.phone = phone
    user.preferred_language = preferred_language
    try:
        with transaction.atomic():
            user.save(update_fields=["name", "phone", "preferred_language"])
    except IntegrityError as exc:  # the same number saved by someone else just now
        raise taken from exc
    from roles.services.audit import audit_record

    audit_record(actor=user, action="user.profile_update", obj=user, before=before,
                 after={"name": user.name, "phone": user.phone,
                        "language": user.preferred_language}, ip=ip)
    return user


@transaction.atomic
def user_change_password(*, user, new_password, ip=None):
    from roles.services.audit import audit_record

    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=user, action="user.password_change", obj=user, ip=ip)
    return user


# --- one-time login links (signup hands the owner to the new subdomain) -------------


class _LoginLinkTokens(PasswordResetTokenGenerator):
    # The hash covers last_login, so a link stops working once it has been used.
    key_salt = "orderline.roles.login-link"


_login_tokens = _LoginLinkTokens()
_SIGNER_SALT = "orderline.roles.login-link.signer"


def login_link_make(*, user):
    """A signed, short-lived, single-use token for ``user`` in the current schema."""
    payload = {"s": connection.schema_name, "u": user.pk, "t": _login_tokens.make_token(user)}
    return signing.dumps(payload, salt=_SIGNER_SALT, compress=True)


def login_link_consume(*, token):
    """The user the token signs in, or LoginLinkError. The caller logs the user in."""
    try:
        payload = signing.loads(token, salt=_SIGNER_SALT,
                                max_age=settings.SIGNUP_LOGIN_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LoginLinkError(_("This sign-in link has expired. Please sign in with your password.")) from exc
    except signing.BadSignature as exc:
        raise LoginLinkError(_("This sign-in link is not valid.")) from exc
    if payload.get("s") != connection.schema_name:
        raise LoginLinkError(_("This sign-in link is not valid."))
    user = get_user_model().objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None or not _login_tokens.check_token(user, payload.get("t", "")):
        raise LoginLinkError(_("This sign-in link has already been used."))
    return user
