"""Inputs of the trading use cases, as plain immutable values."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..domain import LiquiditySide, OrderSide, OrderType, TimeInForce


@dataclass(frozen=True)
class SubmitOrder:
    symbol: str
    side: OrderSide
    order_type: OrderType
    quantity: Decimal
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    expire_time: datetime | None = None
    strategy_id: str = "default"
    parent_order_id: str | None = None
    order_list_id: str | None = None
    reduce_only: bool = False


@dataclass(frozen=True)
class FillOrder:
    order_id: str
    trade_id: str
    quantity: Decimal
    price: Decimal
    commission: Decimal = Decimal(0)
    liquidity_side: LiquiditySide = LiquiditySide.TAKER
