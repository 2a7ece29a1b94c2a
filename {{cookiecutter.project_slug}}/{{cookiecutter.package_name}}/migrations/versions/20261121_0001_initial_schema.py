"""Initial schema: instruments, orders, trades, positions and bars.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instruments",
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("tick_size", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("multiplier", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("quantity_step", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.PrimaryKeyConstraint("symbol", name=op.f("pk_instruments")),
    )
    op.create_table(
        "bars",
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("open", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("high", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("low", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("close", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("volume", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["symbol"], ["instruments.symbol"], name=op.f("fk_bars_symbol_instruments")
        ),
        sa.PrimaryKeyConstraint("symbol", "ts", name=op.f("pk_bars")),
    )
    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("strategy_id", sa.String(length=64), nullable=False),
        sa.Column("position_id", sa.String(length=64), nullable=True),
        sa.Column("parent_order_id", sa.String(length=64), nullable=True),
        sa.Column("order_list_id", sa.String(length=64), nullable=True),
        sa.Column(
            "side", sa.Enum("BUY", "SELL", name="orderside", native_enum=False), nullable=False
        ),
        sa.Column(
            "order_type",
            sa.Enum(
                "MARKET", "LIMIT", "STOP_MARKET", "STOP_LIMIT", name="ordertype", native_enum=False
            ),
            nullable=False,
        ),
        sa.Column("quantity", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("price", sa.Numeric(precision=20, scale=8), nullable=True),
        sa.Column("trigger_price", sa.Numeric(precision=20, scale=8), nullable=True),
        sa.Column(
            "time_in_force",
            sa.Enum("GTC", "IOC", "FOK", "GTD", "DAY", name="timeinforce", native_enum=False),
            nullable=False,
        ),
        sa.Column("expire_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reduce_only", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "INITIALIZED",
                "DENIED",
                "SUBMITTED",
                "ACCEPTED",
                "TRIGGERED",
                "PARTIALLY_FILLED",
                "FILLED",
                "CANCELED",
                "REJECTED",
                "EXPIRED",
                name="orderstatus",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("filled_qty", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("leaves_qty", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("avg_px", sa.Numeric(precision=20, scale=8), nullable=True),
        sa.Column("commission", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("ts_init", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ts_submitted", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ts_accepted", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ts_triggered", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ts_closed", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ts_last", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_order_id"], ["orders.order_id"], name=op.f("fk_orders_parent_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["symbol"], ["instruments.symbol"], name=op.f("fk_orders_symbol_instruments")
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_orders")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_orders_order_list_id"), ["order_list_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_orders_symbol_strategy_id_status"),
            ["symbol", "strategy_id", "status"],
            unique=False,
        )

    op.create_table(
        "positions",
        sa.Column("position_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("strategy_id", sa.String(length=64), nullable=False),
        sa.Column("opening_order_id", sa.String(length=64), nullable=False),
        sa.Column("closing_order_id", sa.String(length=64), nullable=True),
        sa.Column(
            "side",
            sa.Enum("FLAT", "LONG", "SHORT", name="positionside", native_enum=False),
            nullable=False,
        ),
        sa.Column("signed_qty", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("peak_qty", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("closed_qty", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("avg_px_open", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("avg_px_close", sa.Numeric(precision=20, scale=8), nullable=True),
        sa.Column("realized_pnl", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("commissions", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("multiplier", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("ts_opened", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ts_closed", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ts_last", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["symbol"], ["instruments.symbol"], name=op.f("fk_positions_symbol_instruments")
        ),
        sa.PrimaryKeyConstraint("position_id", name=op.f("pk_positions")),
    )
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_positions_symbol_strategy_id_ts_closed"),
            ["symbol", "strategy_id", "ts_closed"],
            unique=False,
        )

    op.create_table(
        "trades",
        sa.Column("trade_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("position_id", sa.String(length=64), nullable=True),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("strategy_id", sa.String(length=64), nullable=False),
        sa.Column(
            "side", sa.Enum("BUY", "SELL", name="orderside", native_enum=False), nullable=False
        ),
        sa.Column("quantity", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("price", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column("commission", sa.Numeric(precision=20, scale=8), nullable=False),
        sa.Column(
            "liquidity_side",
            sa.Enum("MAKER", "TAKER", name="liquidityside", native_enum=False),
            nullable=False,
        ),
        sa.Column("ts_event", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.order_id"], name=op.f("fk_trades_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["symbol"], ["instruments.symbol"], name=op.f("fk_trades_symbol_instruments")
        ),
        sa.PrimaryKeyConstraint("trade_id", name=op.f("pk_trades")),
    )
    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trades_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trades_position_id"), ["position_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trades_position_id"))
        batch_op.drop_index(batch_op.f("ix_trades_order_id"))

    op.drop_table("trades")
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_positions_symbol_strategy_id_ts_closed"))

    op.drop_table("positions")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_symbol_strategy_id_status"))
        batch_op.drop_index(batch_op.f("ix_orders_order_list_id"))

    op.drop_table("orders")
    op.drop_table("bars")
    op.drop_table("instruments")
