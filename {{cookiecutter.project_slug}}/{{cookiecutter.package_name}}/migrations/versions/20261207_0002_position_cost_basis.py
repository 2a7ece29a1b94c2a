"""Positions keep their cost basis, so realized PnL no longer rests on a rounded average price.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07

Existing positions get the best cost basis their columns allow: the average open price times
the open quantity and the multiplier (zero for a closed position).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AMOUNT = sa.Numeric(precision=20, scale=8)

positions = sa.table(
    "positions",
    sa.column("cost_basis", AMOUNT),
    sa.column("avg_px_open", AMOUNT),
    sa.column("quantity", AMOUNT),
    sa.column("multiplier", AMOUNT),
)


def upgrade() -> None:
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cost_basis", AMOUNT, nullable=True))
    cost = positions.c.avg_px_open * positions.c.quantity * positions.c.multiplier
    op.execute(positions.update().values(cost_basis=sa.func.round(cost, 8)))
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.alter_column("cost_basis", existing_type=AMOUNT, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_column("cost_basis")
