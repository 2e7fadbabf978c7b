"""The audit log: services record every state-changing action here."""

from django.core.serializers.json import DjangoJSONEncoder
import json

from core.acting import acting_operator
from roles.models import AuditLog


def _jsonable(value):
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def audit_record(*, actor, action, obj=None, before=None, after=None, ip=None):
    """Append one entry: who did what to which object, and the state before/after."""
    label = getattr(actor, "email", "") or "system"
    operator = acting_operator()
    if operator:  # an operator using the dashboard as this user (support)
        label = f"{operator} → {label}"
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label[:254],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=_jsonable(before),
        after=_jsonable(after),
        ip_address=ip,
    )
