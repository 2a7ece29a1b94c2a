"""What the integration tests of both flavours build and compare: objects, commands, states."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from {{ cookiecutter.package_name }}.domain import (
    Instrument,
    LiquiditySide,
    Order,
    OrderSide,
    OrderStatus,
    OrderType,
    Position,
    PositionSide,
    Trade,
)
from {{ cookiecutter.package_name }}.domain.bar import Bar
from {{ cookiecutter.package_name }}.services.commands import FillOrder, SubmitOrder

T0 = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)
ORDER_FIELDS = [
    "order_id", "symbol", "strategy_id", "position_id", "parent_order_id", "order_list_id",
    "side", "order_type", "quantity", "price", "trigger_price", "time_in_force", "expire_time",
    "reduce_only", "status", "filled_qty", "leaves_qty", "avg_px", "commission", "reason",
    "ts_init", "ts_submitted", "ts_accepted", "ts_triggered", "ts_closed", "ts_last",
]  # fmt: skip


def es_future() -> Instrument:
    return Instrument(
        symbol="ES", tick_size=Decimal("0.25"), multiplier=Decimal(50), currency="USD"
    )


def nq_future() -> Instrument:
    return Instrument(symbol="NQ", tick_size=Decimal("0.25"), multiplier=Decimal(20))


def limit_order(
    order_id: str, *, minutes: int = 0, strategy_id: str = "vwap", **extra: object
) -> Order:
    """A submitted ES limit order to buy 3 at 5900.25, made `minutes` after `T0`."""
    order = Order(
        order_id=order_id,
        instrument=es_future(),
        side=OrderSide.BUY,
        order_type=OrderType.LIMIT,
        quantity=Decimal(3),
        price=Decimal("5900.25"),
        ts_init=T0 + timedelta(minutes=minutes),
        strategy_id=strategy_id,
        **extra,  # type: ignore[arg-type]
    )
    order.submit(T0 + timedelta(minutes=minutes, seconds=1))
    return order


def buy_fill(trade_id: str, order: Order, quantity: str, price: str) -> Trade:
    return Trade(
        trade_id=trade_id,
        order_id=order.order_id,
        symbol="ES",
        strategy_id=order.strategy_id,
        side=OrderSide.BUY,
        quantity=Decimal(quantity),
        price=Decimal(price),
        commission=Decimal("1.25"),
        liquidity_side=LiquiditySide.MAKER,
        ts_event=T0 + timedelta(minutes=1),
    )


def opened_position(order: Order) -> Position:
    """Position P-1: long 2 at 5900.00, opened by a fill of `order`."""
    return Position.open(
        position_id="P-1",
        trade=buy_fill("T-1", order, "2", "5900.00"),
        quantity=Decimal(2),
        commission=Decimal("1.25"),
        multiplier=Decimal(50),
    )


def rising_bars(count: int, symbol: str = "ES") -> list[Bar]:
    """One-minute bars from `T0`, each a point above the one before."""
    return [
        Bar(
            symbol=symbol,
            ts=T0 + timedelta(minutes=i),
            open=Decimal("5900.00") + i,
            high=Decimal("5901.00") + i,
            low=Decimal("5899.75") + i,
            close=Decimal("5900.50") + i,
            volume=1000 + i,
        )
        for i in range(count)
    ]


def buy(quantity: int, price: str | None = None) -> SubmitOrder:
    """A market order, or a limit order at `price`, to buy ES."""
    order_type = OrderType.MARKET if price is None else OrderType.LIMIT
    return SubmitOrder(
        symbol="ES",
        side=OrderSide.BUY,
        order_type=order_type,
        quantity=Decimal(quantity),
        price=None if price is None else Decimal(price),
    )


def sell(quantity: int) -> SubmitOrder:
    return SubmitOrder(
        symbol="ES", side=OrderSide.SELL, order_type=OrderType.MARKET, quantity=Decimal(quantity)
    )


def unknown_instrument_buy() -> SubmitOrder:
    return SubmitOrder(
        symbol="ZZ", side=OrderSide.BUY, order_type=OrderType.MARKET, quantity=Decimal(1)
    )


def fill_command(order_id: str, trade_id: str, qty: int, px: str) -> FillOrder:
    """A fill of `qty` contracts at `px`, paying 2.50 per contract."""
    return FillOrder(
        order_id=order_id,
        trade_id=trade_id,
        quantity=Decimal(qty),
        price=Decimal(px),
        commission=Decimal("2.50") * qty,
    )


def order_state(order: Order) -> tuple[OrderStatus, Decimal, Decimal, Decimal | None, Decimal]:
    """Status, filled and left quantities, average fill price and commission."""
    return order.status, order.filled_qty, order.leaves_qty, order.avg_px, order.commission


def position_state(position: Position | None) -> tuple[PositionSide, Decimal, Decimal] | None:
    """Side, signed quantity and average opening price (None without a position)."""
    if position is None:
        return None
    return position.side, position.signed_qty, position.avg_px_open


LIST_ID = "L-1"


def in_list(command: SubmitOrder) -> SubmitOrder:
    """The command with its order in order list `LIST_ID`."""
    return replace(command, order_list_id=LIST_ID)


def child(parent_id: str, order_type: OrderType, price: str) -> SubmitOrder:
    """A reduce-only sell of 1 ES in `LIST_ID`, contingent on `parent_id`: a stop-loss
    (STOP_MARKET triggered at `price`) or a take-profit (LIMIT at `price`)."""
    stop = order_type is OrderType.STOP_MARKET
    return SubmitOrder(
        symbol="ES",
        side=OrderSide.SELL,
        order_type=order_type,
        quantity=Decimal(1),
        price=None if stop else Decimal(price),
        trigger_price=Decimal(price) if stop else None,
        parent_order_id=parent_id,
        order_list_id=LIST_ID,
        reduce_only=True,
    )


def ohlc(minute: int, open_: str, high: str, low: str, close: str) -> Bar:
    """An ES bar `minute` minutes after `T0`."""
    return Bar(
        symbol="ES",
        ts=T0 + timedelta(minutes=minute),
        open=Decimal(open_),
        high=Decimal(high),
        low=Decimal(low),
        close=Decimal(close),
        volume=100,
    )
