"""Support sessions: an operator uses a tenant's dashboard as one of its staff.

- ``impersonation_start`` (console, public schema): the operator's role must allow it
  (``impersonate``), a reason is required; it returns a signed link to the tenant's
  host that works once and only for ``IMPERSONATION_LINK_SECONDS``. Cookies are
  host-only, so the console's session never reaches the tenant and the other way round.
- ``impersonation_link_consume`` (tenant host): marks the link used and names the user.
- The session is read-only until ``impersonation_allow_writes`` (a second step with its
  own reason, for roles with ``impersonate_write``); it ends by itself
  ``IMPERSONATION_MINUTES`` after it began, or with ``impersonation_end``.
- ``shared.middleware.ImpersonationMiddleware`` enforces all of it on every request and
  marks the tenant's audit entries "operator → user"; the start, the step to changes
  and the end are written to both the tenant's audit log and the platform's.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from core.acting import operator_acting
from core.exceptions import ApplicationError, PermissionDeniedError
from core.text import whole_number
from roles.enums import UserKind
from roles.services.audit import audit_record
from shared.models import Impersonation
from shared.operators import ops_can, ops_require
from shared.services import platform_audit, reason_required

SALT = "orderline.impersonation"


def tenant_staff(tenant):
    """The tenant's active staff an operator may open the dashboard as: (id, label),
    the owner first."""
    owner = (tenant.owner_email or "").lower()
    with tenant_context(tenant):
        users = sorted(get_user_model().objects.filter(kind=UserKind.STAFF, is_active=True),
                       key=lambda user: (user.email.lower() != owner, user.email.lower()))
    return [(user.pk, f"{user.get_full_name() or user.email} <{user.email}>")
            for user in users]


def _operator(row):
    with schema_context(get_public_schema_name()):
        return get_user_model().objects.filter(pk=row.operator_id).first()


def _both_logs(row, user, action, *, reason="", after=None):
    """The tenant's audit log (its administrators see the session) and the platform's."""
    with operator_acting(row.operator_email):
        audit_record(actor=user, action=action, after={"operator": row.operator_email,
                                                       "reason": reason, **(after or {})},
                     ip=row.ip)
    operator = _operator(row)
    with schema_context(get_public_schema_name()):
        platform_audit(operator=operator, action=f"tenant.{action}", tenant=row.tenant,
                       reason=reason, after={"user": row.user_email, "session": row.pk,
                                             **(after or {})}, ip=row.ip)


@transaction.atomic
def impersonation_start(*, operator, tenant, user, reason, ip=None):
    """Open a support session as staff member ``user`` (an id in the tenant); returns
    the session and the one-time link's token."""
    ops_require(operator, "impersonate")
    reason = reason_required(reason)
    user_id = whole_number(user) or 0
    staff = dict(tenant_staff(tenant))
    if user_id not in staff:
        message = _("Choose one of the tenant's active staff.")
        raise ApplicationError(message, fields={"user": [message]})
    with tenant_context(tenant):
        email = get_user_model().objects.get(pk=user_id).email
    now = timezone.now()
    row = Impersonation.objects.create(
        operator=operator, operator_email=operator.email, tenant=tenant,
        user_id_in_tenant=user_id, user_email=email, reason=reason, created_at=now,
        expires_at=now + timedelta(minutes=settings.IMPERSONATION_MINUTES), ip=ip)
    platform_audit(operator=operator, action="tenant.impersonation.link", tenant=tenant,
                   reason=reason, after={"user": email, "session": row.pk}, ip=ip)
    token = signing.dumps({"i": row.pk, "s": tenant.schema_name}, salt=SALT)
    return row, token


def _refused(message):
    return PermissionDeniedError(message)


@transaction.atomic
def impersonation_link_consume(*, token, ip=None):
    """On the tenant's host: the session and the user the link opens (once)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.IMPERSONATION_LINK_SECONDS)
    except signing.SignatureExpired as exc:
        raise _refused(_("This support link has expired. Open a new one from the "
                         "console.")) from exc
    except signing.BadSignature as exc:
        raise _refused(_("This support link is not valid.")) from exc
    if payload.get("s") != connection.schema_name:
        raise _refused(_("This support link is not valid."))
    row = (Impersonation.objects.select_for_update(of=("self",)).select_related("tenant")
           .filter(pk=payload.get("i"), tenant_id=connection.tenant.pk).first())
    if row is None or row.link_used_at is not None or not row.is_live():
        raise _refused(_("This support link has already been used."))
    user = get_user_model().objects.filter(pk=row.user_id_in_tenant, kind=UserKind.STAFF,
                                           is_active=True).first()
    if user is None:
        raise _refused(_("This staff member can no longer sign in."))
    row.link_used_at = timezone.now()
    row.save(update_fields=["link_used_at"])
    _both_logs(row, user, "impersonation.start", reason=row.reason)
    return row, user


def operator_rights(row):
    """What the session's operator may do now ("impersonate", "impersonate_write"):
    nothing once they are disabled or their role changed."""
    operator = _operator(row)
    return {what for what in ("impersonate", "impersonate_write") if ops_can(operator, what)}


def operator_may_write(row):
    return "impersonate_write" in operator_rights(row)


@transaction.atomic
def impersonation_allow_writes(*, impersonation, user, reason):
    """The second step: changes are allowed from now on in this session."""
    reason = reason_required(reason, "writes_reason")
    row = Impersonation.objects.select_for_update(of=("self",)).select_related("tenant").get(
        pk=impersonation.pk)
    if not row.is_live():
        raise _refused(_("This support session has ended."))
    if not operator_may_write(row):
        raise _refused(_("Your operator role opens tenants read-only."))
    if row.writes_at is None:
        row.writes_at, row.writes_reason = timezone.now(), reason
        row.save(update_fields=["writes_at", "writes_reason"])
        _both_logs(row, user, "impersonation.writes", reason=reason)
    return row


@transaction.atomic
def impersonation_end(*, impersonation, user=None, expired=False):
    """End the session (the operator's choice, or its time ran out); once."""
    row = Impersonation.objects.select_for_update(of=("self",)).select_related("tenant").get(
        pk=impersonation.pk)
    if row.ended_at is not None:
        return row
    row.ended_at = min(timezone.now(), row.expires_at) if expired else timezone.now()
    row.save(update_fields=["ended_at"])
    if user is None:
        user = get_user_model().objects.filter(pk=row.user_id_in_tenant).first()
    _both_logs(row, user, "impersonation.end", after={"expired": expired})
    return row


def impersonation_get(pk):
    return Impersonation.objects.select_related("tenant").filter(pk=pk).first()


def impersonations_live_of(operator):
    """The operator's support sessions still open."""
    return list(Impersonation.objects.select_related("tenant").filter(
        operator_id=operator.pk, ended_at__isnull=True, expires_at__gt=timezone.now(),
        tenant__isnull=False))


def impersonations_of(tenant, *, limit=10):
    return list(Impersonation.objects.filter(tenant=tenant)[:limit])


def impersonations_expire(*, now=None):
    """End every support session whose time ran out; returns how many."""
    now = now or timezone.now()
    ended = 0
    for row in Impersonation.objects.select_related("tenant").filter(
            ended_at__isnull=True, expires_at__lte=now, tenant__isnull=False):
        if row.tenant is None or row.tenant.schema_name == get_public_schema_name():
            continue
        with tenant_context(row.tenant):
            impersonation_end(impersonation=row, expired=True)
        ended += 1
    return ended
