"""Checks that services make themselves, whatever a view or API already checked."""

from django.utils.translation import gettext as _

from roles.exceptions import RolePermissionError
from roles.permissions import is_administrator


def require_administrator(actor):
    """Staff, roles and API keys are the system administrator's (SPEC §3). ``actor=None``
    is the platform itself (provisioning, the demo, data migrations)."""
    if actor is not None and not is_administrator(actor):
        raise RolePermissionError(_("Only a system administrator may do this."))
