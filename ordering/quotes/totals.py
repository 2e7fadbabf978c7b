"""What a quotation version comes to: each line's price at its quantity (the tier that
applies, else the line's price) and the version's goods, shipping fee and total.
Declined lines count for nothing. Pure functions over prefetched rows, no queries."""

from decimal import Decimal

from ordering.catalog.pricing import money
from ordering.quotes import tiers as tier_rules

ZERO = Decimal("0.00")


def line_price(line, quantity=None):
    """The unit price of ``line`` at ``quantity`` (default: the quoted quantity); None
    for a declined line."""
    if line.declined or line.unit_price is None:
        return None
    return tier_rules.price_for(line.unit_price, line.tiers,
                                quantity if quantity is not None else line.quantity)


def line_amount(line, quantity=None):
    """The line's amount at ``quantity`` (default: the quoted one); zero when declined."""
    price = line_price(line, quantity)
    if price is None:
        return ZERO
    return money(price * (quantity if quantity is not None else line.quantity))


def quotation_totals(quotation, quantities=None):
    """``{"goods", "shipping", "total"}`` of a version, its lines prefetched;
    ``quantities`` maps line ids to chosen quantities (default: the quoted ones)."""
    chosen = {str(k): v for k, v in (quantities or {}).items()}
    goods = sum((line_amount(line, chosen.get(str(line.pk))) for line in quotation.lines.all()),
                ZERO)
    shipping = money(quotation.shipping_fee or 0)
    return {"goods": money(goods), "shipping": shipping, "total": money(goods + shipping)}
