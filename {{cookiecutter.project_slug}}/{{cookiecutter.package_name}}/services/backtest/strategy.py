"""The strategy interface: the engine shows each closed bar; the strategy answers with actions."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from ...domain.bar import Bar
from ...domain.enums import OrderSide


class StrategyView(Protocol):
    """What a strategy may read about its account when a bar closes."""

    @property
    def position_quantity(self) -> Decimal:
        """Signed quantity held: positive long, negative short, zero flat."""
        ...

    @property
    def open_order_count(self) -> int:
        """Working orders of the strategy, bracket children included."""
        ...

    @property
    def tick_size(self) -> Decimal:
        """Price grid of the instrument traded."""
        ...


@dataclass(frozen=True)
class SubmitBracket:
    """Enter at market with a stop-loss and a take-profit attached.

    The entry fills at the next bar's open. The stop-loss (STOP_MARKET at `stop_price`) and the
    take-profit (LIMIT at `target_price`) go live once the entry fills and cancel each other.
    """

    side: OrderSide
    quantity: Decimal
    stop_price: Decimal
    target_price: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.side, OrderSide):
            raise ValueError(f"bracket side must be an OrderSide, got {self.side!r}")
        if not self.quantity.is_finite() or self.quantity <= 0:
            raise ValueError(f"bracket quantity must be positive, got {self.quantity}")
        for name in ("stop_price", "target_price"):
            price: Decimal = getattr(self, name)
            if not price.is_finite() or price <= 0:
                raise ValueError(f"bracket {name} must be positive, got {price}")
        below, above = (
            (self.stop_price, self.target_price)
            if self.side is OrderSide.BUY
            else (self.target_price, self.stop_price)
        )
        if below >= above:
            raise ValueError(
                f"a {self.side} bracket needs its stop {self.stop_price} on the losing side "
                f"of its target {self.target_price}"
            )


@dataclass(frozen=True)
class CancelAll:
    """Cancel every working order of the strategy."""


Action = SubmitBracket | CancelAll


class Strategy(Protocol):
    """A trading strategy: called once per bar, in time order, after the bar closes."""

    def on_bar(self, bar: Bar, view: StrategyView) -> list[Action]:
        """The actions to take now; orders they submit can fill from the next bar on."""
        ...
