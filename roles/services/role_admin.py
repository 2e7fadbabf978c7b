"""Custom roles built from the catalog. Built-in roles are fixed (roles/catalog.py)."""

import uuid

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _

from roles.exceptions import RoleError, RoleErrorCode
from roles.catalog import ADMINISTRATOR_ONLY, CODENAMES
from roles.services.guards import require_administrator
from roles.models import Role
from roles.services.audit import audit_record


def _clean(*, name_en, name_zh, permissions):
    name_en, name_zh = (name_en or "").strip(), (name_zh or "").strip()
    if not name_en and not name_zh:
        message = _("Give the role a name.")
        raise RoleError(message, fields={"name_en": [message]})
    reserved = set(permissions) & ADMINISTRATOR_ONLY
    if reserved:
        message = _("Only the system administrator role may manage staff, roles, API keys "
                    "and billing.")
        raise RoleError(message, code=RoleErrorCode.ADMINISTRATOR_ONLY,
                               fields={"permissions": [message]})
    unknown = set(permissions) - CODENAMES
    if unknown:
        raise RoleError(_("Unknown permission: %(p)s") % {"p": ", ".join(sorted(unknown))},
                               fields={"permissions": [_("Unknown permission.")]})
    if not permissions:
        message = _("Choose at least one permission.")
        raise RoleError(message, fields={"permissions": [message]})
    return name_en, name_zh


def _perms(codenames):
    return list(Permission.objects.filter(content_type__app_label="roles",
                                          codename__in=codenames))


def _snapshot(role):
    return {"name_en": role.name_en, "name_zh": role.name_zh, "description": role.description,
            "permissions": sorted(role.group.permissions.values_list("codename", flat=True))}


@transaction.atomic
def role_create(*, actor, name_en, name_zh="", description="", permissions, ip=None):
    require_administrator(actor)
    name_en, name_zh = _clean(name_en=name_en, name_zh=name_zh, permissions=permissions)
    group = Group.objects.create(name=f"custom:{uuid.uuid4().hex}")
    role = Role.objects.create(group=group, builtin=False, name_en=name_en, name_zh=name_zh,
                               description=(description or "").strip()[:300])
    group.permissions.set(_perms(permissions))
    audit_record(actor=actor, action="role.create", obj=role, after=_snapshot(role), ip=ip)
    return role


@transaction.atomic
def role_update(*, actor, role, name_en, name_zh="", description="", permissions, ip=None):
    require_administrator(actor)
    if role.builtin:
        raise RoleError(_("Built-in roles cannot be changed. Create a custom role instead."),
                               code=RoleErrorCode.BUILTIN_ROLE)
    name_en, name_zh = _clean(name_en=name_en, name_zh=name_zh, permissions=permissions)
    before = _snapshot(role)
    role.name_en, role.name_zh = name_en, name_zh
    role.description = (description or "").strip()[:300]
    role.save(update_fields=["name_en", "name_zh", "description"])
    role.group.permissions.set(_perms(permissions))
    audit_record(actor=actor, action="role.update", obj=role, before=before,
                 after=_snapshot(role), ip=ip)
    return role


@transaction.atomic
def role_delete(*, actor, role, ip=None):
    require_administrator(actor)
    if role.builtin:
        raise RoleError(_("Built-in roles cannot be deleted."), code=RoleErrorCode.BUILTIN_ROLE)
    before = {**_snapshot(role),
              "members": sorted(role.group.user_set.values_list("email", flat=True))}
    audit_record(actor=actor, action="role.delete", obj=role, before=before, ip=ip)
    role.group.delete()  # cascades to the role record and its memberships
