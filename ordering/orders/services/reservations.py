"""Stock held for an order: reserved once, released once, shipped once.

Called only from the workflow (reserve at the chosen step, release on cancel or
reject) and from shipments, always with the order's row locked, so the order's
``stock_reserved`` flag decides exactly once. Variants are moved in primary-key
order: two orders over the same variants cannot deadlock.
"""

from collections import defaultdict

from ordering.catalog.enums import MovementKind
from ordering.catalog.models import Variant
from ordering.catalog.services.stock import stock_move, stock_move_many


def _per_variant(order, *, outstanding=True):
    wanted = defaultdict(int)
    for line in order.lines.all():
        quantity = line.base_quantity - line.shipped_quantity if outstanding else line.base_quantity
        if quantity > 0:
            wanted[line.variant_id] += quantity
    return dict(sorted(wanted.items()))


def _move(order, kind, quantities, actor):
    if quantities:
        stock_move_many(actor=actor, kind=kind, quantities=quantities,
                        reference=order.number or f"#{order.pk}")


def reserve(order, *, actor):
    """Reserve what is left to ship of every line (order locked, not yet reserved)."""
    if order.stock_reserved:
        return
    _move(order, MovementKind.RESERVATION, _per_variant(order), actor)
    order.stock_reserved = True


def release(order, *, actor):
    """Give back what is still reserved (order locked)."""
    if not order.stock_reserved:
        return
    _move(order, MovementKind.RELEASE, _per_variant(order), actor)
    order.stock_reserved = False


def adjust(order, *, before, actor):
    """After an amendment changed the lines of a reserved order: reserve the extra, release
    the surplus. ``before``: {variant_id: base quantity} reserved until now."""
    if not order.stock_reserved:
        return
    after = _per_variant(order)
    ids = sorted(set(before) | set(after))
    variants = Variant.objects.in_bulk(ids)
    for variant_id in ids:  # one pass in key order: no deadlock with other orders
        change = after.get(variant_id, 0) - before.get(variant_id, 0)
        if change:
            stock_move(actor=actor, variant=variants[variant_id],
                       kind=MovementKind.RESERVATION if change > 0 else MovementKind.RELEASE,
                       quantity=abs(change), reference=order.number or f"#{order.pk}")


def reserved_quantities(order):
    return _per_variant(order)


def ship(order, quantities, *, actor):
    """Turn reserved stock into shipped stock: ``quantities`` {variant_id: base units}."""
    _move(order, MovementKind.SHIPMENT, dict(sorted(quantities.items())), actor)
