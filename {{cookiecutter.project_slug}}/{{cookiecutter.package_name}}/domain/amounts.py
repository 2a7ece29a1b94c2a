"""The one rounding rule for money and average prices."""

from decimal import ROUND_HALF_EVEN, Decimal

AMOUNT_PLACES = 8
AMOUNT_QUANTUM = Decimal(1).scaleb(-AMOUNT_PLACES)


def round_amount(value: Decimal) -> Decimal:
    """Round money or an average price to 8 decimal places, half to even.

    Applied at every step that produces a new amount (a PnL, a commission sum,
    an average price), so that stored values never need more than 8 places.
    """
    return value.quantize(AMOUNT_QUANTUM, rounding=ROUND_HALF_EVEN)
