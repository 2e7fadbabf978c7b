"""Spreading an amount (a rebate, a discount) over an order's lines exactly.

Each line gets its share in proportion to its amount, rounded down to the cent; the
cents left over go to the largest line (the first of equals), so the shares add up to
the amount exactly and a return can take back the part its lines carried."""

from decimal import ROUND_DOWN, Decimal

CENT = Decimal("0.01")


def allocate(amount, line_amounts):
    """``[share]`` for ``line_amounts`` (Decimals ≥ 0), adding up to ``amount``
    (0 ≤ amount ≤ their sum)."""
    amount = Decimal(amount).quantize(CENT)
    total = sum(line_amounts, Decimal("0"))
    if not line_amounts:
        return []
    if amount < 0 or amount > total:
        raise ValueError("amount outside 0 … lines' total")
    if total == 0:
        return [Decimal("0.00")] * len(line_amounts)
    shares = [(amount * line / total).quantize(CENT, rounding=ROUND_DOWN)
              for line in line_amounts]
    left = amount - sum(shares, Decimal("0"))
    # the cents left go to the largest line; a line never carries more than its amount,
    # so what it cannot take goes on to the next largest
    for index in sorted(range(len(line_amounts)), key=lambda i: (-line_amounts[i], i)):
        if left <= 0:
            break
        extra = min(left, line_amounts[index] - shares[index])
        shares[index] += extra
        left -= extra
    return shares
