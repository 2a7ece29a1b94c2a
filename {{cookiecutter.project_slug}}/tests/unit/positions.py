"""An open long ES position, for the unit tests of rules that look at one."""

from datetime import UTC, datetime
from decimal import Decimal

from {{ cookiecutter.package_name }}.domain import LiquiditySide, OrderSide, Position, Trade

OPENED = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)


def long_position(quantity: int) -> Position:
    """Long `quantity` ES (50 a point) from 100, no commission."""
    trade = Trade(
        trade_id="T-1",
        order_id="O-0",
        symbol="ES",
        strategy_id="default",
        side=OrderSide.BUY,
        quantity=Decimal(quantity),
        price=Decimal(100),
        commission=Decimal(0),
        liquidity_side=LiquiditySide.TAKER,
        ts_event=OPENED,
    )
    return Position.open(
        position_id="P-1",
        trade=trade,
        quantity=Decimal(quantity),
        commission=Decimal(0),
        multiplier=Decimal(50),
    )
