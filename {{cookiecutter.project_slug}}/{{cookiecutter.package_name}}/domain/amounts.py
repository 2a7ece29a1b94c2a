"""The one rounding rule for money and average prices, and the size every amount stays under."""

from decimal import ROUND_HALF_EVEN, Decimal

AMOUNT_PLACES = 8
AMOUNT_QUANTUM = Decimal(1).scaleb(-AMOUNT_PLACES)
AMOUNT_LIMIT = Decimal(10) ** 12
"""Prices, quantities and money stay below this in size: 12 digits before the point and 8
after fit NUMERIC(20, 8), which PostgreSQL stores exactly. SQLite and `memory://` keep a
NUMERIC as a 64-bit float, exact to 15 significant digits: an amount with more (an average
price of 9999999999.41666667) comes back from them with its last digits changed."""


def within_limit(value: Decimal) -> bool:
    return abs(value) < AMOUNT_LIMIT


def past_limit(what: str, value: Decimal) -> str | None:
    """Why `value`, a total about to be kept as `what`, cannot be; None when it can."""
    if within_limit(value):
        return None
    return f"{what} would reach {value:,}, past the amount limit {AMOUNT_LIMIT:,}"


def round_amount(value: Decimal) -> Decimal:
    """Round money or an average price to 8 decimal places, half to even.

    Applied at every step that produces a new amount (a PnL, a commission sum,
    an average price), so that stored values never need more than 8 places.
    """
    return value.quantize(AMOUNT_QUANTUM, rounding=ROUND_HALF_EVEN)
