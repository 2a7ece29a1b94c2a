"""Positions keep their cost basis, so realized PnL no longer rests on a rounded average price.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07

Existing positions get the best cost basis their columns allow: the average open price times
the open quantity and the multiplier (zero for a closed position). A position whose cost basis
would reach the amount limit (10^12, what NUMERIC(20, 8) holds) stops the upgrade, naming it,
before anything changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from alembic.util import CommandError

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AMOUNT = sa.Numeric(precision=20, scale=8)
AMOUNT_LIMIT = 10**12

positions = sa.table(
    "positions",
    sa.column("position_id", sa.String),
    sa.column("cost_basis", AMOUNT),
    sa.column("avg_px_open", AMOUNT),
    sa.column("quantity", AMOUNT),
    sa.column("multiplier", AMOUNT),
)


def upgrade() -> None:
    cost = positions.c.avg_px_open * positions.c.quantity * positions.c.multiplier
    if not context.is_offline_mode():
        _refuse_costs_past_the_limit(cost)
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cost_basis", AMOUNT, nullable=True))
    op.execute(positions.update().values(cost_basis=sa.func.round(cost, 8)))
    copy_from = _positions(cost_basis_nullable=True) if context.is_offline_mode() else None
    with op.batch_alter_table("positions", schema=None, copy_from=copy_from) as batch_op:
        batch_op.alter_column("cost_basis", existing_type=AMOUNT, nullable=False)


def _refuse_costs_past_the_limit(cost: sa.ColumnElement[object]) -> None:
    too_large = sa.select(positions.c.position_id).where(sa.func.abs(cost) >= AMOUNT_LIMIT)
    names = op.get_bind().execute(too_large.order_by(positions.c.position_id)).scalars().all()
    if names:
        raise CommandError(
            f"positions {', '.join(names)} hold a cost basis of 10^12 or more (average open "
            "price x quantity x multiplier), which the new column cannot store; close them "
            "with the version before this migration first"
        )


def downgrade() -> None:
    copy_from = _positions(cost_basis_nullable=False) if context.is_offline_mode() else None
    with op.batch_alter_table("positions", schema=None, copy_from=copy_from) as batch_op:
        batch_op.drop_column("cost_basis")


def _positions(*, cost_basis_nullable: bool) -> sa.Table:
    """The positions table with its cost basis: what SQLite's batch mode copies when it writes
    the SQL offline (`--sql`), where it cannot read the table from the database."""
    return sa.Table(
        "positions",
        sa.MetaData(),
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
        sa.Column("signed_qty", AMOUNT, nullable=False),
        sa.Column("quantity", AMOUNT, nullable=False),
        sa.Column("peak_qty", AMOUNT, nullable=False),
        sa.Column("closed_qty", AMOUNT, nullable=False),
        sa.Column("avg_px_open", AMOUNT, nullable=False),
        sa.Column("avg_px_close", AMOUNT, nullable=True),
        sa.Column("realized_pnl", AMOUNT, nullable=False),
        sa.Column("commissions", AMOUNT, nullable=False),
        sa.Column("multiplier", AMOUNT, nullable=False),
        sa.Column("ts_opened", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ts_closed", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ts_last", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cost_basis", AMOUNT, nullable=cost_basis_nullable),
        sa.ForeignKeyConstraint(
            ["symbol"], ["instruments.symbol"], name="fk_positions_symbol_instruments"
        ),
        sa.PrimaryKeyConstraint("position_id", name="pk_positions"),
        sa.Index("ix_positions_symbol_strategy_id_ts_closed", "symbol", "strategy_id", "ts_closed"),
    )
