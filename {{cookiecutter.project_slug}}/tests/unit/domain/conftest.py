"""Builders for the domain tests: the ES future, a clock in minutes, orders and fills."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.domain import (
    Instrument,
    LiquiditySide,
    Order,
    OrderSide,
    OrderType,
    Trade,
)

SESSION_OPEN = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)


@pytest.fixture
def es() -> Instrument:
    """The E-mini S&P 500 future: quarter-point ticks, $50 a point."""
    return Instrument(symbol="ES", tick_size=Decimal("0.25"), multiplier=Decimal(50))


@pytest.fixture
def at() -> Callable[[int], datetime]:
    """Minutes after the session open, as an aware UTC datetime."""
    return lambda minute: SESSION_OPEN + timedelta(minutes=minute)


@pytest.fixture
def new_order(es: Instrument) -> Callable[..., Order]:
    """A BUY LIMIT 2 ES @ 5000.00 GTC order, with any field changed."""

    def build(**changes: Any) -> Order:
        fields: dict[str, Any] = {
            "order_id": "O-1",
            "instrument": es,
            "side": OrderSide.BUY,
            "order_type": OrderType.LIMIT,
            "quantity": Decimal(2),
            "price": Decimal("5000.00"),
            "ts_init": SESSION_OPEN,
            "strategy_id": "vwap-trend",
        }
        fields.update(changes)
        return Order(**fields)

    return build


@pytest.fixture
def fill_of() -> Callable[..., Trade]:
    """A fill that matches `order`: its whole leaves quantity at its price unless told."""
    counter = iter(range(1, 1_000))

    def build(
        order: Order,
        quantity: str | None = None,
        price: str | None = None,
        *,
        commission: str = "2.10",
        minute: int = 1,
        trade_id: str | None = None,
    ) -> Trade:
        fill_price = Decimal(price) if price else order.price or order.trigger_price
        assert fill_price is not None, "give a price for a MARKET order's fill"
        return Trade(
            trade_id=trade_id or f"T-{next(counter)}",
            order_id=order.order_id,
            symbol=order.symbol,
            strategy_id=order.strategy_id,
            side=order.side,
            quantity=Decimal(quantity) if quantity else order.leaves_qty,
            price=fill_price,
            commission=Decimal(commission),
            liquidity_side=LiquiditySide.MAKER,
            ts_event=SESSION_OPEN + timedelta(minutes=minute),
        )

    return build


@pytest.fixture
def make_trade() -> Callable[..., Trade]:
    """A fill of any side, quantity and price, for position tests."""
    counter = iter(range(1, 1_000))

    def build(
        side: OrderSide,
        quantity: str,
        price: str,
        *,
        commission: str = "0",
        minute: int = 1,
        order_id: str = "O-1",
        strategy_id: str = "vwap-trend",
        symbol: str = "ES",
    ) -> Trade:
        return Trade(
            trade_id=f"T-{next(counter)}",
            order_id=order_id,
            symbol=symbol,
            strategy_id=strategy_id,
            side=side,
            quantity=Decimal(quantity),
            price=Decimal(price),
            commission=Decimal(commission),
            liquidity_side=LiquiditySide.TAKER,
            ts_event=SESSION_OPEN + timedelta(minutes=minute),
        )

    return build
