"""Amounts as people read them: the currency's symbol and the active language's
separators (``¥1,584.00``). Pages, PDFs and e-mails use ``format_money`` (in templates
the ``money`` filter); exports and the API keep plain numbers (``1584.00``)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import connection
from django.utils.formats import number_format

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$"}
CENT = Decimal("0.01")


def money(value):
    """``value`` as an amount of money: a Decimal to the cent, half up."""
    return Decimal(str(value) if isinstance(value, float) else value).quantize(
        CENT, rounding=ROUND_HALF_UP)


def currency_symbol(code):
    """``¥`` for CNY; an unknown code is written out with a space (``GBP 12.00``)."""
    if not code:
        return ""
    return CURRENCY_SYMBOLS.get(code, f"{code} ")


def current_currency():
    """The current tenant's currency code, or "" outside a tenant."""
    return getattr(getattr(connection, "tenant", None), "currency", "") or ""


def format_money(amount, currency=None, *, symbol=True):
    """``amount`` with two decimals, grouped by thousands in the active language, after
    the symbol of ``currency`` (default: the current tenant's). ``None``/"" give ""."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(amount)
    text = number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if not symbol:
        return text
    code = current_currency() if currency is None else currency
    sign = currency_symbol(code)
    if text.startswith("-"):
        return f"-{sign}{text[1:]}"
    return f"{sign}{text}"
