"""Stock: every change is one conditional UPDATE of the variant plus one ledger row.

``on_hand`` and ``reserved`` change only here. Without overselling, the UPDATE's
condition (and a CHECK constraint behind it) keeps ``on_hand - reserved >= 0``, so
two dealers racing for the last unit cannot both get it: one UPDATE matches, the
other finds nothing and gets ``InsufficientStockError``.
"""

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, ConflictError
from ordering.catalog.enums import MovementKind, StockDisplay, StockState
from ordering.catalog.models import StockMovement, Variant

LOW_STOCK = 10  # available at or below this (and above 0) shows as "low"

# kind → (on_hand sign, reserved sign) for a positive quantity
_EFFECTS = {
    MovementKind.RECEIPT: (1, 0),
    MovementKind.RESERVATION: (0, 1),
    MovementKind.RELEASE: (0, -1),
    MovementKind.SHIPMENT: (-1, -1),
    MovementKind.RETURN: (1, 0),
}


class InsufficientStockError(ConflictError):
    code = "insufficient_stock"


def _apply(variant_id, on_hand_change, reserved_change):
    table = connection.ops.quote_name(Variant._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET on_hand = on_hand + %(h)s, reserved = reserved + %(r)s "
            f"WHERE id = %(id)s AND reserved + %(r)s >= 0 AND on_hand + %(h)s >= 0 "
            f"AND (oversell OR on_hand + %(h)s >= reserved + %(r)s) "
            f"RETURNING on_hand, reserved",
            {"h": on_hand_change, "r": reserved_change, "id": variant_id})
        return cursor.fetchone()


@transaction.atomic
def stock_move(*, actor, variant, kind, quantity=None, on_hand_change=None, reason="",
               reference=""):
    """Record a stock movement. Receipts, reservations, releases and shipments take a
    positive ``quantity`` (base units); adjustments take a signed ``on_hand_change``
    and need a reason. Returns the ledger row."""
    if kind == MovementKind.ADJUSTMENT:
        if not on_hand_change:
            raise ApplicationError(_("Enter the change (for example 12 or -3)."),
                                   fields={"quantity": [_("Enter the change.")]})
        if not (reason or "").strip():
            raise ApplicationError(_("Give a reason for the adjustment."),
                                   fields={"reason": [_("Give a reason for the adjustment.")]})
        on_hand, reserved = int(on_hand_change), 0
    else:
        if kind not in _EFFECTS:
            raise ApplicationError(_("Unknown stock movement."))
        if quantity is None or int(quantity) <= 0:
            raise ApplicationError(_("Enter a quantity above zero."),
                                   fields={"quantity": [_("Enter a quantity above zero.")]})
        sign_hand, sign_reserved = _EFFECTS[kind]
        on_hand, reserved = sign_hand * int(quantity), sign_reserved * int(quantity)
    after = _apply(variant.pk, on_hand, reserved)
    if after is None:
        current = Variant.objects.filter(pk=variant.pk).values("on_hand", "reserved").first()
        if current is None:
            raise ApplicationError(_("No such variant."))
        raise InsufficientStockError(
            _("Not enough stock of %(code)s: %(available)d available.")
            % {"code": variant.code, "available": current["on_hand"] - current["reserved"]})
    variant.on_hand, variant.reserved = after
    return StockMovement.objects.create(
        variant=variant, kind=kind, on_hand_change=on_hand, reserved_change=reserved,
        on_hand_after=after[0], reserved_after=after[1], reason=(reason or "").strip()[:200],
        reference=(reference or "")[:60], actor=actor if getattr(actor, "pk", None) else None)


def stock_state(available):
    if available <= 0:
        return StockState.OUT
    if available <= LOW_STOCK:
        return StockState.LOW
    return StockState.IN_STOCK


def stock_for_dealer(tenant, available):
    """What a dealer sees of ``available``: a number, a state, or None."""
    if tenant.stock_display == StockDisplay.EXACT:
        return {"quantity": max(available, 0), "state": stock_state(available)}
    if tenant.stock_display == StockDisplay.LEVEL:
        return {"state": stock_state(available)}
    return None


def oversell_sync(*, allow):
    """Copy the tenant's overselling setting onto every variant (the CHECK reads it)."""
    Variant.objects.exclude(oversell=allow).update(oversell=allow)
