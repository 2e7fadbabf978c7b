"""Changing the business settings: every write goes through ``settings_update``."""

from decimal import Decimal

from django.db import connection, transaction

from ordering.settings.exceptions import SettingsError
from ordering.settings.models import SINGLETON_ID, TenantSettings
from ordering.settings.selectors import tenant_settings_forget
from roles.permissions import require_perm
from roles.services.audit import audit_record

SETTINGS = ("self_registration", "stock_display", "allow_oversell", "workflow_off",
            "reserve_stock_at", "auto_receipt_days", "min_order_amount", "credit_over_limit",
            "finance_rule", "bank_details", "rebate_share", "overdue_hold",
            "quoted_skip_review")


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return list(value)
    return value


@transaction.atomic
def settings_update(*, actor, action="settings.update", audit_obj=None, ip=None, **changes):
    """Set the given business settings of the current tenant (``actor=None``: the
    platform) and record ``action`` in the audit log with the values before and after.
    Callers validate the values; this checks the permission, locks the row and forgets
    the cached copy (now and after commit). Returns ``(row, before)``."""
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise SettingsError(f"Unknown settings: {', '.join(sorted(unknown))}")
    require_perm(actor, "manage_settings")
    row, _created = TenantSettings.objects.select_for_update().get_or_create(pk=SINGLETON_ID)
    before = {name: _jsonable(getattr(row, name)) for name in changes}
    for name, value in changes.items():
        setattr(row, name, value)
    row.save(update_fields=[*changes, "updated_at"])
    schema = connection.schema_name
    tenant_settings_forget(schema)
    transaction.on_commit(lambda: tenant_settings_forget(schema), robust=True)
    audit_record(actor=actor, action=action, obj=audit_obj, before=before,
                 after={name: _jsonable(value) for name, value in changes.items()}, ip=ip)
    return row, before
