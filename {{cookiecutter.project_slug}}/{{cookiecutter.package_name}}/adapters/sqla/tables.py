"""The schema: tables of the trading application under one `MetaData` with a naming convention."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
)

from ...domain.enums import (
    LiquiditySide,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    TimeInForce,
)
from .column_types import UTCDateTime, decimal_column, enum_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ID = 64
"""Length of client-generated identifiers."""

instruments = Table(
    "instruments",
    metadata,
    Column("symbol", String(32), primary_key=True),
    Column("tick_size", decimal_column(), nullable=False),
    Column("multiplier", decimal_column(), nullable=False),
    Column("currency", String(8), nullable=False),
    Column("quantity_step", decimal_column(), nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("order_id", String(ID), primary_key=True),
    Column("symbol", ForeignKey("instruments.symbol"), nullable=False),
    Column("strategy_id", String(ID), nullable=False),
    Column("position_id", String(ID), nullable=True),
    Column("parent_order_id", ForeignKey("orders.order_id"), nullable=True),
    Column("order_list_id", String(ID), nullable=True),
    Column("side", enum_column(OrderSide), nullable=False),
    Column("order_type", enum_column(OrderType), nullable=False),
    Column("quantity", decimal_column(), nullable=False),
    Column("price", decimal_column(), nullable=True),
    Column("trigger_price", decimal_column(), nullable=True),
    Column("time_in_force", enum_column(TimeInForce), nullable=False),
    Column("expire_time", UTCDateTime(), nullable=True),
    Column("reduce_only", Boolean(create_constraint=False), nullable=False),
    Column("status", enum_column(OrderStatus), nullable=False),
    Column("filled_qty", decimal_column(), nullable=False),
    Column("leaves_qty", decimal_column(), nullable=False),
    Column("avg_px", decimal_column(), nullable=True),
    Column("commission", decimal_column(), nullable=False),
    Column("reason", String(255), nullable=True),
    Column("ts_init", UTCDateTime(), nullable=False),
    Column("ts_submitted", UTCDateTime(), nullable=True),
    Column("ts_accepted", UTCDateTime(), nullable=True),
    Column("ts_triggered", UTCDateTime(), nullable=True),
    Column("ts_closed", UTCDateTime(), nullable=True),
    Column("ts_last", UTCDateTime(), nullable=True),
    Index(None, "symbol", "strategy_id", "status"),
    Index(None, "order_list_id"),
)

trades = Table(
    "trades",
    metadata,
    Column("trade_id", String(ID), primary_key=True),
    Column("order_id", ForeignKey("orders.order_id"), nullable=False, index=True),
    Column("position_id", String(ID), nullable=True, index=True),
    Column("symbol", ForeignKey("instruments.symbol"), nullable=False),
    Column("strategy_id", String(ID), nullable=False),
    Column("side", enum_column(OrderSide), nullable=False),
    Column("quantity", decimal_column(), nullable=False),
    Column("price", decimal_column(), nullable=False),
    Column("commission", decimal_column(), nullable=False),
    Column("liquidity_side", enum_column(LiquiditySide), nullable=False),
    Column("ts_event", UTCDateTime(), nullable=False),
)

positions = Table(
    "positions",
    metadata,
    Column("position_id", String(ID), primary_key=True),
    Column("symbol", ForeignKey("instruments.symbol"), nullable=False),
    Column("strategy_id", String(ID), nullable=False),
    Column("opening_order_id", String(ID), nullable=False),
    Column("closing_order_id", String(ID), nullable=True),
    Column("side", enum_column(PositionSide), nullable=False),
    Column("signed_qty", decimal_column(), nullable=False),
    Column("quantity", decimal_column(), nullable=False),
    Column("peak_qty", decimal_column(), nullable=False),
    Column("closed_qty", decimal_column(), nullable=False),
    Column("avg_px_open", decimal_column(), nullable=False),
    Column("avg_px_close", decimal_column(), nullable=True),
    Column("realized_pnl", decimal_column(), nullable=False),
    Column("commissions", decimal_column(), nullable=False),
    Column("multiplier", decimal_column(), nullable=False),
    Column("ts_opened", UTCDateTime(), nullable=False),
    Column("ts_closed", UTCDateTime(), nullable=True),
    Column("ts_last", UTCDateTime(), nullable=False),
    Column("cost_basis", decimal_column(), nullable=False),
    Index(None, "symbol", "strategy_id", "ts_closed"),
)

bars = Table(
    "bars",
    metadata,
    Column("symbol", ForeignKey("instruments.symbol"), primary_key=True),
    Column("ts", UTCDateTime(), primary_key=True),
    Column("open", decimal_column(), nullable=False),
    Column("high", decimal_column(), nullable=False),
    Column("low", decimal_column(), nullable=False),
    Column("close", decimal_column(), nullable=False),
    Column("volume", BigInteger(), nullable=False),
)
