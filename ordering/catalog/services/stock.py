"""Stock: every change is one conditional UPDATE of the variant plus one ledger row.

``on_hand`` and ``reserved`` change only here. Without overselling, the UPDATE's
condition (and a CHECK constraint behind it) keeps ``on_hand - reserved >= 0``, so
two dealers racing for the last unit cannot both get it: one UPDATE matches, the
other finds nothing and gets ``InsufficientStockError``.
"""

from django.db import connection, transaction
from django.utils.translation import gettext as _

from ordering.catalog.exceptions import CatalogError, InsufficientStockError
from ordering.catalog.enums import MovementKind
from ordering.catalog.models import StockMovement, Variant


# kind → (on_hand sign, reserved sign) for a positive quantity
_EFFECTS = {
    MovementKind.RECEIPT: (1, 0),
    MovementKind.RESERVATION: (0, 1),
    MovementKind.RELEASE: (0, -1),
    MovementKind.SHIPMENT: (-1, -1),
    MovementKind.RETURN: (1, 0),
}


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
            raise CatalogError(_("Enter the change (for example 12 or -3)."),
                                   fields={"quantity": [_("Enter the change.")]})
        if not (reason or "").strip():
            raise CatalogError(_("Give a reason for the adjustment."),
                                   fields={"reason": [_("Give a reason for the adjustment.")]})
        on_hand, reserved = int(on_hand_change), 0
    else:
        if kind not in _EFFECTS:
            raise CatalogError(_("Unknown stock movement."))
        if quantity is None or int(quantity) <= 0:
            raise CatalogError(_("Enter a quantity above zero."),
                                   fields={"quantity": [_("Enter a quantity above zero.")]})
        sign_hand, sign_reserved = _EFFECTS[kind]
        on_hand, reserved = sign_hand * int(quantity), sign_reserved * int(quantity)
    after = _apply(variant.pk, on_hand, reserved)
    if after is None:
        current = Variant.objects.filter(pk=variant.pk).values("on_hand", "reserved").first()
        if current is None:
            raise CatalogError(_("No such variant."))
        raise InsufficientStockError(
            _("Not enough stock of %(code)s: %(available)d available.")
            % {"code": variant.code, "available": current["on_hand"] - current["reserved"]})
    variant.on_hand, variant.reserved = after
    return StockMovement.objects.create(
        variant=variant, kind=kind, on_hand_change=on_hand, reserved_change=reserved,
        on_hand_after=after[0], reserved_after=after[1], reason=(reason or "").strip()[:200],
        reference=(reference or "")[:60], actor=actor if getattr(actor, "pk", None) else None)


@transaction.atomic
def stock_move_many(*, actor, kind, quantities, reference=""):
    """The same movement for several variants at once (an order's reservation, release
    or shipment; a return): ``quantities`` {variant id: positive base units}. Locks the
    rows in key order first (two orders over the same variants cannot deadlock), then
    one UPDATE and one ledger insert, whatever the number of variants. All or nothing:
    one variant short of stock raises ``InsufficientStockError`` naming it."""
    if kind not in _EFFECTS:
        raise CatalogError(_("Unknown stock movement."))
    ids = sorted(quantities)
    if not ids:
        return []
    if any(int(quantities[i]) <= 0 for i in ids):
        raise CatalogError(_("Enter a quantity above zero."),
                               fields={"quantity": [_("Enter a quantity above zero.")]})
    sign_hand, sign_reserved = _EFFECTS[kind]
    hands = [sign_hand * int(quantities[i]) for i in ids]
    reserveds = [sign_reserved * int(quantities[i]) for i in ids]
    table = connection.ops.quote_name(Variant._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                       [ids])
        cursor.execute(
            f"UPDATE {table} AS v SET on_hand = v.on_hand + c.h, reserved = v.reserved + c.r "
            f"FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::int[]) AS h, "
            f"unnest(%s::int[]) AS r) AS c "
            f"WHERE v.id = c.id AND v.reserved + c.r >= 0 AND v.on_hand + c.h >= 0 "
            f"AND (v.oversell OR v.on_hand + c.h >= v.reserved + c.r) "
            f"RETURNING v.id, v.on_hand, v.reserved", [ids, hands, reserveds])
        after = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
    short = [i for i in ids if i not in after]
    if short:  # the atomic block rolls the other rows back
        current = Variant.objects.filter(pk=short[0]).values("code", "on_hand",
                                                             "reserved").first()
        if current is None:
            raise CatalogError(_("No such variant."))
        raise InsufficientStockError(
            _("Not enough stock of %(code)s: %(available)d available.")
            % {"code": current["code"], "available": current["on_hand"] - current["reserved"]})
    who = actor if getattr(actor, "pk", None) else None
    return StockMovement.objects.bulk_create([StockMovement(
        variant_id=i, kind=kind, on_hand_change=h, reserved_change=r,
        on_hand_after=after[i][0], reserved_after=after[i][1], reference=(reference or "")[:60],
        actor=who) for i, h, r in zip(ids, hands, reserveds)])


def oversell_sync(*, allow):
    """Copy the tenant's overselling setting onto every variant (the CHECK reads it)."""
    Variant.objects.exclude(oversell=allow).update(oversell=allow)
