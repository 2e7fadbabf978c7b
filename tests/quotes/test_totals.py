from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given, strategies as st

from ordering.quotes.totals import line_amount, line_price, quotation_totals


class _Lines(list):
    def all(self):
        return self


def _line(pk, price, quantity, tiers=(), declined=False):
    return SimpleNamespace(pk=pk, unit_price=None if price is None else Decimal(price),
                           quantity=quantity, tiers=list(tiers), declined=declined)


def _quotation(lines, fee="0"):
    return SimpleNamespace(lines=_Lines(lines), shipping_fee=Decimal(fee))


def test_a_tier_applies_from_its_quantity():
    line = _line(1, "10.00", 99, [{"min_qty": 100, "price": "9.50"},
                                  {"min_qty": 500, "price": "9.20"}])
    assert line_price(line) == Decimal("10.00")
    assert line_price(line, 100) == Decimal("9.50")
    assert line_price(line, 700) == Decimal("9.20")
    assert line_amount(line, 500) == Decimal("4600.00")


def test_declined_lines_count_for_nothing_and_shipping_is_added():
    totals = quotation_totals(_quotation([
        _line(1, "2.50", 4), _line(2, None, 3, declined=True), _line(3, "1.00", 1)], "8.00"))
    assert totals == {"goods": Decimal("11.00"), "shipping": Decimal("8.00"),
                      "total": Decimal("19.00")}


def test_chosen_quantities_pick_the_tier():
    quotation = _quotation([_line(7, "10.00", 10, [{"min_qty": 100, "price": "9.00"}])])
    assert quotation_totals(quotation, {7: 100})["goods"] == Decimal("900.00")
    assert quotation_totals(quotation, {"7": 5})["goods"] == Decimal("50.00")


@given(st.lists(st.tuples(st.decimals("0", "9999", places=2), st.integers(1, 10000),
                          st.booleans()), max_size=20),
       st.decimals("0", "999", places=2))
def test_the_total_is_the_sum_of_the_lines_and_the_fee(rows, fee):
    lines = [_line(i, str(price), qty, declined=declined)
             for i, (price, qty, declined) in enumerate(rows)]
    totals = quotation_totals(_quotation(lines, str(fee)))
    expected = sum((price * qty for price, qty, declined in rows if not declined), Decimal(0))
    assert totals["goods"] == expected
    assert totals["total"] == expected + fee


def test_tiers_typed_by_staff_are_read_and_written_back():
    from ordering.quotes.tiers import as_text, parse_text, validate

    raw, error = parse_text("100: 9.50, 500+ 9.2；1000=9")
    assert error == ""
    tiers, error = validate(raw)
    assert error == "" and as_text(tiers) == "100: 9.50, 500: 9.20, 1000: 9.00"
    assert parse_text("")[0] == []
    assert parse_text("hundred at nine")[1]


def test_a_price_with_more_than_two_decimals_is_refused_never_rounded():
    from ordering.quotes.services import _price
    from ordering.quotes.tiers import validate

    assert _price("7.5", required=True) == (Decimal("7.50"), "")
    assert _price("7.505", required=True)[1] == "Enter a price with at most 2 decimals."
    assert validate([{"min_qty": 100, "price": "9.999"}])[1] == \
        "Enter a price with at most 2 decimals."
    assert validate([{"min_qty": 100, "price": "9.9"}]) == ([{"min_qty": 100, "price": "9.90"}], "")
