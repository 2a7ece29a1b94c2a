"""Repository statements, built once after the mappers start and executed with bind parameters."""

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from ...domain import Order, Position, Trade
from .rows import BAR_FIELDS
from .tables import bars, orders, positions, trades


@dataclass(frozen=True)
class Statements:
    """Every query the repositories run (typed loosely: SQLAlchemy 2.0 and 2.1 differ)."""

    open_orders: Select[Any]
    orders_in_group: Select[Any]
    order_count: Select[Any]
    trades_for_order: Select[Any]
    open_position: Select[Any]
    closed_positions: Select[Any]
    bar_count: Select[Any]
    bar_range: Select[Any]


@cache
def statements() -> Statements:
    """Build the statements; call only after `start_mappers()`."""
    return Statements(
        open_orders=select(Order)
        .where(
            orders.c.symbol == bindparam("symbol"),
            orders.c.strategy_id == bindparam("strategy_id"),
            orders.c.status.in_(bindparam("statuses", expanding=True)),
        )
        .order_by(orders.c.ts_init, orders.c.order_id),
        orders_in_group=select(Order)
        .where(orders.c.order_list_id == bindparam("order_list_id"))
        .order_by(orders.c.ts_init, orders.c.order_id),
        order_count=select(func.count()).select_from(orders),
        trades_for_order=select(Trade)
        .where(trades.c.order_id == bindparam("order_id"))
        .order_by(trades.c.ts_event, trades.c.trade_id),
        open_position=select(Position).where(
            positions.c.symbol == bindparam("symbol"),
            positions.c.strategy_id == bindparam("strategy_id"),
            positions.c.ts_closed.is_(None),
        ),
        closed_positions=select(Position)
        .where(
            positions.c.symbol == bindparam("symbol"),
            positions.c.strategy_id == bindparam("strategy_id"),
            positions.c.ts_closed.is_not(None),
        )
        .order_by(positions.c.ts_closed, positions.c.position_id),
        bar_count=select(func.count())
        .select_from(bars)
        .where(bars.c.symbol == bindparam("symbol")),
        # The columns in the order `rows.bars_from_rows` unpacks them.
        bar_range=select(*(bars.c[name] for name in BAR_FIELDS))
        .where(
            bars.c.symbol == bindparam("symbol"),
            bars.c.ts >= bindparam("start"),
            bars.c.ts < bindparam("end"),
        )
        .order_by(bars.c.ts),
    )
