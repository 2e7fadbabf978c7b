"""Sales regions: a tree (province › city)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from roles.exceptions import RoleError, RolePermissionError
from roles.models import Region
from roles.permissions import has_perm
from roles.services.audit import audit_record


@transaction.atomic
def region_create(*, actor, name, parent=None, code="", ip=None):
    """A new region. Regions are tenant-wide (every scope hangs off them): the
    ``manage_settings`` permission, never a scoped one. ``actor=None``: the platform."""
    if actor is not None and not has_perm(actor, "manage_settings"):
        raise RolePermissionError(_("You do not have permission to do this."))
    name = (name or "").strip()
    if not name:
        message = _("Enter the region's name.")
        raise RoleError(message, fields={"name": [message]})
    region = Region(name=name[:80], parent=parent, code=(code or "").strip()[:20],
                    path=f"{parent.path}{parent.pk}/" if parent else "/")
    try:
        with transaction.atomic():
            region.save()
    except IntegrityError as exc:
        message = _("A region with this name already exists here.")
        raise RoleError(message, fields={"name": [message]}) from exc
    audit_record(actor=actor, action="region.create", obj=region,
                 after={"name": region.name, "parent": parent.pk if parent else None}, ip=ip)
    return region
