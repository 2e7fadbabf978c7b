"""What each operator role may do on the console (one table; the views and services
read it, nothing else decides).

    view       the tenants, their usage and subscriptions, billing drift, metrics
    lifecycle  suspend and reactivate a tenant, extend a trial
    billing    change a tenant's plan and paid period (manual mode), edit the plans
    audit      read the platform audit log
    operators  invite operators, change their roles, disable them, reset their 2FA
    domains    add and remove a tenant's custom domains
    owner_invite  send a tenant's owner a new link to choose a password
    impersonate        open a tenant's dashboard as one of its staff, read-only
    impersonate_write  then allow changes in that session (a second step, its own reason)
    export     export a tenant's complete data and download the export (it holds every
               row and file of the tenant: admins, and finance for off-boarding)
    restore    restore an export into a new tenant on a new subdomain
    delete     delete a canceled tenant for good once its retention period is over
"""

from django.utils.translation import gettext as _

from core.exceptions import PermissionDeniedError
from shared.models import OperatorRole as R

OPS_PERMISSIONS = {
    "view": {R.ADMIN, R.SUPPORT, R.FINANCE},
    "lifecycle": {R.ADMIN, R.FINANCE},
    "billing": {R.ADMIN, R.FINANCE},
    "audit": {R.ADMIN, R.SUPPORT, R.FINANCE},
    "operators": {R.ADMIN},
    "domains": {R.ADMIN},
    "owner_invite": {R.ADMIN, R.SUPPORT},
    "impersonate": {R.ADMIN, R.SUPPORT},
    "impersonate_write": {R.ADMIN},
    "export": {R.ADMIN, R.FINANCE},
    "restore": {R.ADMIN},
    "delete": {R.ADMIN},
}


def operator_role(user):
    """The operator's role, or None for anyone who is not an active operator."""
    if user is None or not getattr(user, "is_active", False) or \
            not getattr(user, "is_operator", False):
        return None
    cached = getattr(user, "_operator_role", None)
    if cached is None:
        from shared.models import OperatorProfile

        profile = OperatorProfile.objects.filter(user=user).first()
        cached = user._operator_role = profile.role if profile else R.ADMIN
    return cached


def ops_can(user, what):
    return operator_role(user) in OPS_PERMISSIONS[what]


def ops_require(user, what):
    if not ops_can(user, what):
        raise PermissionDeniedError(_("Your operator role does not allow this."))
