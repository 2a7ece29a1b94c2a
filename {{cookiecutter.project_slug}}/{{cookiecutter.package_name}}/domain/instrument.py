"""A tradable instrument: its price grid, contract multiplier and quantity step."""

from decimal import ROUND_HALF_EVEN, Decimal

from .amounts import AMOUNT_PLACES
from .errors import (
    InvalidInstrumentError,
    InvalidOrderError,
    InvalidQuantityError,
    OffTickPriceError,
)
from .validation import require_positive, require_text


def _decimal_places(step: Decimal) -> int:
    """Number of digits after the point that `step` needs (0.25 -> 2, 5 -> 0)."""
    exponent = step.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers only reach here
    return max(0, -exponent)


def _instrument_step(value: object, name: str) -> Decimal:
    """A positive tick size, multiplier or quantity step with no more decimal places than an
    amount is stored with."""
    number = require_positive(value, name, InvalidInstrumentError)
    if _decimal_places(number) > AMOUNT_PLACES:
        raise InvalidInstrumentError(
            f"{name} {number} has more than {AMOUNT_PLACES} decimal places, the most an amount "
            "is stored with"
        )
    return number


class Instrument:
    """Symbol, tick size, multiplier and currency of a contract, e.g. ES: 0.25 tick, x50."""

    symbol: str
    tick_size: Decimal
    multiplier: Decimal
    currency: str
    quantity_step: Decimal

    def __init__(
        self,
        *,
        symbol: str,
        tick_size: Decimal,
        multiplier: Decimal,
        currency: str = "USD",
        quantity_step: Decimal = Decimal(1),
    ) -> None:
        error = InvalidInstrumentError
        self.symbol = require_text(symbol, "instrument symbol", error)
        self.tick_size = _instrument_step(tick_size, f"{symbol} tick_size")
        self.multiplier = _instrument_step(multiplier, f"{symbol} multiplier")
        self.currency = require_text(currency, f"{symbol} currency", error)
        self.quantity_step = _instrument_step(quantity_step, f"{symbol} quantity_step")

    @property
    def price_precision(self) -> int:
        """Decimal places of a price on this instrument's tick grid."""
        return _decimal_places(self.tick_size)

    @property
    def quantity_precision(self) -> int:
        """Decimal places of a quantity on this instrument's step grid."""
        return _decimal_places(self.quantity_step)

    def check_price(self, price: Decimal, *, label: str = "price") -> Decimal:
        """Return a positive on-grid `price` at the price precision; refuse it otherwise."""
        value = require_positive(price, f"{self.symbol} {label}", InvalidOrderError)
        if value % self.tick_size != 0:
            raise OffTickPriceError(
                f"{self.symbol} {label} {value} is not a multiple of the tick size {self.tick_size}"
            )
        return value.quantize(Decimal(1).scaleb(-self.price_precision))

    def round_to_tick(self, price: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
        """Snap any `price` to the nearest tick in the given `decimal` rounding mode."""
        value = require_positive(price, f"{self.symbol} price to round", InvalidOrderError)
        ticks = (value / self.tick_size).quantize(Decimal(1), rounding=rounding)
        return (ticks * self.tick_size).quantize(Decimal(1).scaleb(-self.price_precision))

    def check_quantity(self, quantity: Decimal, *, label: str = "quantity") -> Decimal:
        """Return a positive `quantity` on the step grid; refuse it otherwise."""
        value = require_positive(quantity, f"{self.symbol} {label}", InvalidQuantityError)
        if value % self.quantity_step != 0:
            raise InvalidQuantityError(
                f"{self.symbol} {label} {value} is not a multiple of the quantity step "
                f"{self.quantity_step}"
            )
        return value.quantize(Decimal(1).scaleb(-self.quantity_precision))

    def __repr__(self) -> str:
        return (
            f"Instrument(symbol={self.symbol!r}, tick_size={self.tick_size}, "
            f"multiplier={self.multiplier}, currency={self.currency!r}, "
            f"quantity_step={self.quantity_step})"
        )
