"""Staff management: invite, roles, regions, disable, password reset. Administrators only
(the views and API check ``manage_staff``); the last-administrator rule lives here."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from core.limits import limit_check
from roles.exceptions import LastAdministratorError, RoleError
from core.mail import email_send
from roles.catalog import ADMINISTRATOR
from roles.enums import UserKind
from roles.models import Region, Role
from roles.permissions import forget_permissions
from roles.services.accounts import account_set_active, password_link, user_create
from roles.services.audit import audit_record
from roles.services.guards import require_administrator


def _snapshot(user):
    return {
        "email": user.email, "name": user.name, "phone": user.phone, "is_active": user.is_active,
        "roles": sorted(user.groups.filter(role__isnull=False).values_list("role__id", flat=True)),
        "regions": sorted(staff_region_ids(user)),
    }


def staff_region_ids(user):
    return set(get_objects_for_user(user, "roles.work_in_region", klass=Region, use_groups=False,
                                    with_superuser=False, accept_global_perms=False)
               .values_list("pk", flat=True))


def _lock_administrators():
    """Serialise changes that could leave the tenant without an administrator."""
    return Group.objects.select_for_update().get(role__key=ADMINISTRATOR)


def _active_administrators(admin_group):
    return get_user_model().objects.filter(groups=admin_group, is_active=True,
                                           kind=UserKind.STAFF)


def _set_roles(user, roles):
    groups = [role.group for role in roles]
    user.groups.set(groups)
    forget_permissions(user)


def _set_regions(user, regions):
    wanted = {region.pk for region in regions}
    current = staff_region_ids(user)
    for region in Region.objects.filter(pk__in=current - wanted):
        remove_perm("roles.work_in_region", user, region)
    for region in Region.objects.filter(pk__in=wanted - current):
        assign_perm("roles.work_in_region", user, region)
    forget_permissions(user)


@transaction.atomic
def staff_invite(*, actor, email, name, roles, regions=(), phone="", language="",
                 site_url, ip=None):
    """Open a staff account with the given roles; e-mail a link to set the password."""
    require_administrator(actor)
    limit_check(connection.tenant, "staff", actor=actor)
    if not roles:
        raise RoleError(_("Choose at least one role."),
                               fields={"roles": [_("Choose at least one role.")]})
    user = user_create(email=email, password=None, name=name, kind=UserKind.STAFF, phone=phone,
                       language=language)
    _set_roles(user, roles)
    _set_regions(user, regions)
    audit_record(actor=actor, action="staff.invite", obj=user, after=_snapshot(user), ip=ip)
    email_send(to=user.email, template="email/staff_invite",
               context={"url": password_link(site_url, user), "name": user.get_short_name(),
                        "inviter": actor.get_full_name(), "site": site_url},
               language=language or actor.preferred_language or "en")
    return user


@transaction.atomic
def staff_update(*, actor, user, name, phone, roles, regions=(), ip=None):
    """Change a staff member's name, phone, roles (the union applies) and regions."""
    require_administrator(actor)
    if user.kind != UserKind.STAFF:
        raise RoleError(_("Only staff accounts have roles."))
    if not roles:
        raise RoleError(_("Choose at least one role."),
                               fields={"roles": [_("Choose at least one role.")]})
    admin_group = _lock_administrators()
    before = _snapshot(user)
    keeps_admin = any(role.key == ADMINISTRATOR for role in roles)
    if (not keeps_admin and user.is_active
            and _active_administrators(admin_group).filter(pk=user.pk).exists()
            and _active_administrators(admin_group).count() == 1):
        raise LastAdministratorError(
            _("This is the last active system administrator: give another staff member the "
              "administrator role first."), fields={"roles": [_("The last administrator must "
                                                                "keep this role.")]})
    phone = (phone or "").strip()
    message = _("This phone number is used by another account.")
    if phone and get_user_model().objects.filter(phone=phone).exclude(pk=user.pk).exists():
        raise RoleError(message, fields={"phone": [message]})
    user.name = (name or "").strip()
    user.phone = phone
    try:
        with transaction.atomic():
            user.save(update_fields=["name", "phone"])
    except IntegrityError as exc:
        raise RoleError(message, fields={"phone": [message]}) from exc
    _set_roles(user, roles)
    _set_regions(user, regions)
    audit_record(actor=actor, action="staff.update", obj=user, before=before,
                 after=_snapshot(user), ip=ip)
    return user


@transaction.atomic
def staff_set_active(*, actor, user, active, ip=None):
    """Disable or re-enable a staff account. A disabled account's sessions and API keys
    stop working at its next request: disabling revokes the API keys and moves the
    account's security stamp, so re-enabling does not bring old sessions back."""
    require_administrator(actor)
    if user.kind != UserKind.STAFF:
        raise RoleError(_("Only staff accounts are managed here."))
    admin_group = _lock_administrators()
    if (not active and user.is_active
            and _active_administrators(admin_group).filter(pk=user.pk).exists()
            and _active_administrators(admin_group).count() == 1):
        raise LastAdministratorError(
            _("This is the last active system administrator and cannot be disabled."))
    before = _snapshot(user)
    account_set_active(user=user, active=active)
    audit_record(actor=actor, action="staff.enable" if active else "staff.disable", obj=user,
                 before=before, after=_snapshot(user), ip=ip)
    return user


@transaction.atomic
def staff_send_password_reset(*, actor, user, site_url, ip=None):
    """E-mail the staff member a link to choose a new password."""
    require_administrator(actor)
    email_send(to=user.email, template="email/password_reset",
               context={"url": password_link(site_url, user), "name": user.get_short_name(),
                        "site": site_url},
               language=user.preferred_language or "en")
    audit_record(actor=actor, action="staff.password_reset", obj=user, ip=ip)


def roles_by_ids(ids):
    roles = list(Role.objects.filter(pk__in=ids).select_related("group"))
    if len(roles) != len(set(ids)):
        raise RoleError(_("Unknown role."), fields={"roles": [_("Unknown role.")]})
    return roles


def regions_by_ids(ids):
    regions = list(Region.objects.filter(pk__in=ids))
    if len(regions) != len(set(ids)):
        raise RoleError(_("Unknown region."), fields={"regions": [_("Unknown region.")]})
    return regions
