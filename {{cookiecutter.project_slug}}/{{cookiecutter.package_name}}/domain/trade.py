"""A fill: one execution of part or all of an order. Not a report's round trip."""

from datetime import datetime
from decimal import Decimal

from .amounts import round_amount
from .enums import LiquiditySide, OrderSide
from .errors import InvalidTradeError
from .validation import (
    optional_text,
    require_member,
    require_non_negative,
    require_positive,
    require_text,
    require_utc,
)


class Trade:
    """An execution at one price; immutable by convention and stored append-only."""

    trade_id: str
    order_id: str
    symbol: str
    strategy_id: str
    side: OrderSide
    quantity: Decimal
    price: Decimal
    commission: Decimal
    liquidity_side: LiquiditySide
    ts_event: datetime
    position_id: str | None

    def __init__(
        self,
        *,
        trade_id: str,
        order_id: str,
        symbol: str,
        strategy_id: str,
        side: OrderSide,
        quantity: Decimal,
        price: Decimal,
        commission: Decimal,
        liquidity_side: LiquiditySide,
        ts_event: datetime,
        position_id: str | None = None,
    ) -> None:
        error = InvalidTradeError
        self.trade_id = require_text(trade_id, "trade_id", error)
        label = f"trade {trade_id!r}"
        self.order_id = require_text(order_id, f"{label} order_id", error)
        self.symbol = require_text(symbol, f"{label} symbol", error)
        self.strategy_id = require_text(strategy_id, f"{label} strategy_id", error)
        self.side = require_member(OrderSide, side, f"{label} side", error)
        self.quantity = require_positive(quantity, f"{label} quantity", error)
        self.price = require_positive(price, f"{label} price", error)
        self.commission = round_amount(
            require_non_negative(commission, f"{label} commission", error)
        )
        self.liquidity_side = require_member(
            LiquiditySide, liquidity_side, f"{label} liquidity_side", error
        )
        self.ts_event = require_utc(ts_event, f"{label} ts_event", error)
        self.position_id = optional_text(position_id, f"{label} position_id", error)

    @property
    def signed_quantity(self) -> Decimal:
        """Quantity with the sign of the side: positive for BUY, negative for SELL."""
        return self.quantity * self.side.sign

    @property
    def notional(self) -> Decimal:
        """Price times quantity, before any contract multiplier."""
        return self.price * self.quantity

    def __repr__(self) -> str:
        return (
            f"Trade({self.trade_id!r}, order={self.order_id!r}, {self.side} "
            f"{self.quantity} {self.symbol} @ {self.price}, commission={self.commission}, "
            f"at={self.ts_event.isoformat()})"
        )
