"""The tenant's catalog settings: what dealers see of stock, and overselling."""

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ordering.catalog.exceptions import CatalogError, CatalogPermissionError
from ordering.catalog.enums import StockDisplay
from ordering.catalog.models import Variant
from ordering.catalog.services.stock import oversell_sync
from ordering.settings.services import settings_update
from roles.permissions import has_perm


@transaction.atomic
def catalog_settings_update(*, actor, stock_display, allow_oversell, ip=None):
    """Change both settings (audited). Overselling cannot be switched off while a
    variant has less than nothing available: receive or release stock first."""
    if actor is not None and not has_perm(actor, "manage_settings"):
        raise CatalogPermissionError(_("You do not have permission to do this."))
    if stock_display not in StockDisplay.values:
        raise CatalogError(_("Unknown choice."), fields={"stock_display": [_("Unknown choice.")]})
    allow_oversell = bool(allow_oversell)
    if not allow_oversell:
        # lock every variant so no reservation slips in between the check and the switch
        list(Variant.objects.select_for_update().values_list("pk", flat=True))
        short = Variant.objects.filter(on_hand__lt=F("reserved")).count()
        if short:
            message = _("%(n)d variants are oversold: receive stock or release reservations "
                        "before switching overselling off.") % {"n": short}
            raise CatalogError(message, fields={"allow_oversell": [message]})
    row, _before = settings_update(actor=actor, action="company.catalog_settings",
                                   audit_obj=connection.tenant, ip=ip,
                                   stock_display=stock_display, allow_oversell=allow_oversell)
    oversell_sync(allow=allow_oversell)
    return row
