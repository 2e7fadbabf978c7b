"""API keys for integrations: bound to a staff user, shown once, stored hashed."""

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.acting import acting_operator
from roles.exceptions import RoleError, RolePermissionError
from roles.enums import UserKind
from roles.models import ApiKey
from roles.services.audit import audit_record
from roles.services.guards import require_administrator

KEY_PREFIX = "ol_"
_TOUCH_EVERY = timezone.timedelta(minutes=1)


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, actor, user, name, ip=None):
    """Returns ``(api_key, raw_key)``; the raw key is never stored nor shown again.
    Never in an operator's support session: a key would outlive it."""
    require_administrator(actor)
    if acting_operator():
        raise RolePermissionError(_("A support session cannot make API keys."))
    name = (name or "").strip()
    if not name:
        message = _("Name the key after the system that will use it.")
        raise RoleError(message, fields={"name": [message]})
    if user.kind != UserKind.STAFF or not user.is_active:
        raise RoleError(_("API keys act as an active staff member."),
                               fields={"user": [_("Choose an active staff member.")]})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(name=name[:80], prefix=prefix, key_hash=_hash(secret), user=user,
                                created_by=actor)
    audit_record(actor=actor, action="api_key.create", obj=key,
                 after={"name": key.name, "user": user.email, "prefix": prefix}, ip=ip)
    return key, f"{KEY_PREFIX}{prefix}_{secret}"


@transaction.atomic
def api_key_revoke(*, actor, key, ip=None):
    require_administrator(actor)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_key.revoke", obj=key, ip=ip)
    return key


def api_key_authenticate(raw):
    """The active staff user a raw key acts as, or ``None``. Records the last use."""
    if not raw or not raw.startswith(KEY_PREFIX) or raw.count("_") < 2:
        return None
    prefix, _sep, secret = raw[len(KEY_PREFIX):].partition("_")
    key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.key_hash, _hash(secret)):
        return None
    if not key.user.is_active or key.user.kind != UserKind.STAFF:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > _TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.user
