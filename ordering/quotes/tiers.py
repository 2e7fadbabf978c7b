"""Quantity tiers on a quotation line: ``[{"min_qty": 100, "price": "9.50"}, …]``.

The price for a quantity is the tier with the largest ``min_qty`` not above it, else
the line's base price. Pure functions, no queries."""

import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ordering.catalog.pricing import money
from ordering.catalog.storefront import MAX_QUANTITY

MAX_TIERS = 10


def validate(raw):
    """``(tiers, error)``: the tiers normalised (ascending, prices as "0.00" strings),
    or an error message."""
    if raw in (None, "", []):
        return [], ""
    if not isinstance(raw, (list, tuple)) or len(raw) > MAX_TIERS:
        return [], _("At most %(n)d quantity tiers.") % {"n": MAX_TIERS}
    tiers, seen = [], set()
    for item in raw:
        try:
            min_qty = int(str(item["min_qty"]).strip())
            price = Decimal(str(item["price"]).strip())
        except (KeyError, TypeError, ValueError, InvalidOperation):
            return [], _("Each tier needs a quantity and a price.")
        if min_qty < 2 or not price.is_finite() or price < 0 or price > Decimal("1e11"):
            return [], _("A tier starts at 2 or more and has a price of zero or more.")
        if min_qty > MAX_QUANTITY:  # no line is ordered in more
            return [], _("Enter at most %(n)s.") % {"n": f"{MAX_QUANTITY:,}"}
        if price != money(price):
            return [], _("Enter a price with at most 2 decimals.")
        if min_qty in seen:
            return [], _("Two tiers start at the same quantity.")
        seen.add(min_qty)
        tiers.append({"min_qty": min_qty, "price": str(money(price))})
    return sorted(tiers, key=lambda t: t["min_qty"]), ""


def price_for(base_price, tiers, quantity):
    """The unit price for ``quantity``: the tier with the largest min_qty ≤ quantity,
    else ``base_price``."""
    chosen = None
    for tier in tiers or ():
        if int(tier["min_qty"]) <= quantity and (
                chosen is None or int(tier["min_qty"]) > int(chosen["min_qty"])):
            chosen = tier
    return money(chosen["price"]) if chosen is not None else money(base_price)


def parse_text(text):
    """``(raw tiers, error)`` from what staff type: ``"100: 9.50, 500: 9.20"`` (also
    ``100+ 9.50``, ``100=9.50``, one per line or separated by commas or semicolons; in
    full-width characters too, as a Chinese keyboard types them: ``１００：９．５０``);
    ``validate`` then checks the values."""
    import re

    raw = []
    for part in re.split(r"[,;，；\n]+", unicodedata.normalize("NFKC", text or "")):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(\d+)\s*\+?\s*[:=＝：@]?\s*(?:at\s+)?([0-9]+(?:[.,][0-9]+)?)", part)
        if match is None:
            return [], _("Write tiers as “100: 9.50, 500: 9.20” (quantity: price).")
        raw.append({"min_qty": match.group(1), "price": match.group(2).replace(",", ".")})
    return raw, ""


def as_text(tiers):
    """Tiers as staff type them (``parse_text``'s inverse)."""
    return ", ".join(f"{t['min_qty']}: {t['price']}" for t in tiers or ())
