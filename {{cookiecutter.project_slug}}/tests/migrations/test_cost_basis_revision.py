"""Revision 0002 gives the positions already stored a cost basis, and its downgrade keeps them."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.util import CommandError
from sqlalchemy import Connection, inspect

from {{ cookiecutter.package_name }}.adapters.sqla.migration_state import current_revisions

from .database import Database
from .steps import downgrade, upgrade

AMOUNT = sa.Numeric(20, 8)
OPENED = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)

instruments = sa.table(
    "instruments",
    sa.column("symbol", sa.String),
    sa.column("tick_size", AMOUNT),
    sa.column("multiplier", AMOUNT),
    sa.column("currency", sa.String),
    sa.column("quantity_step", AMOUNT),
)
positions = sa.table(
    "positions",
    *(sa.column(name, sa.String) for name in ("position_id", "symbol", "strategy_id")),
    *(sa.column(name, sa.String) for name in ("opening_order_id", "side")),
    *(sa.column(name, AMOUNT) for name in ("signed_qty", "quantity", "peak_qty", "closed_qty")),
    *(sa.column(name, AMOUNT) for name in ("avg_px_open", "realized_pnl", "commissions")),
    sa.column("multiplier", AMOUNT),
    sa.column("ts_opened", sa.DateTime(timezone=True)),
    sa.column("ts_last", sa.DateTime(timezone=True)),
)


def _position(
    position_id: str, side: str, signed_qty: int, avg_px_open: str, peak: int = 3
) -> dict[str, object]:
    quantity = Decimal(abs(signed_qty))
    return {
        "position_id": position_id,
        "symbol": "ES",
        "strategy_id": "vwap",
        "opening_order_id": f"O-{position_id}",
        "side": side,
        "signed_qty": Decimal(signed_qty),
        "quantity": quantity,
        "peak_qty": Decimal(peak),
        "closed_qty": Decimal(peak) - quantity,
        "avg_px_open": Decimal(avg_px_open),
        "realized_pnl": Decimal(0),
        "commissions": Decimal(0),
        "multiplier": Decimal(50),
        "ts_opened": OPENED,
        "ts_last": OPENED,
    }


def _store_instrument(connection: Connection) -> None:
    connection.execute(
        instruments.insert().values(
            symbol="ES",
            tick_size=Decimal("0.25"),
            multiplier=Decimal(50),
            currency="USD",
            quantity_step=Decimal(1),
        )
    )


def _store_positions(connection: Connection) -> None:
    _store_instrument(connection)
    connection.execute(
        positions.insert(),
        [
            _position("P-long", "LONG", 3, "100.16666667"),
            _position("P-short", "SHORT", -2, "5000.25"),
            _position("P-closed", "FLAT", 0, "5001.00"),
        ],
    )


def _cost_bases(connection: Connection) -> dict[str, Decimal]:
    rows = connection.execute(sa.text("SELECT position_id, cost_basis FROM positions"))
    return {position_id: Decimal(str(cost)) for position_id, cost in rows}


def _position_ids(connection: Connection) -> set[str]:
    return set(connection.execute(sa.text("SELECT position_id FROM positions")).scalars())


def _position_columns(connection: Connection) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns("positions")}


def test_upgrade_gives_stored_positions_their_cost_basis(empty_database: Database) -> None:
    empty_database.run(upgrade("0001"))
    empty_database.run(_store_positions)

    empty_database.run(upgrade("0002"))

    assert empty_database.run(_cost_bases) == {
        "P-long": Decimal("15025.000000500"),  # 100.16666667 * 3 * 50
        "P-short": Decimal("500025"),  # 5000.25 * 2 * 50
        "P-closed": Decimal(0),
    }


def test_downgrade_drops_the_column_and_keeps_the_positions(empty_database: Database) -> None:
    empty_database.run(upgrade("0001"))
    empty_database.run(_store_positions)
    empty_database.run(upgrade("0002"))

    empty_database.run(downgrade("0001"))

    assert "cost_basis" not in empty_database.run(_position_columns)
    assert empty_database.run(_position_ids) == {"P-long", "P-short", "P-closed"}


def _store_a_huge_position(connection: Connection) -> None:
    _store_instrument(connection)
    # 4,000,000 contracts at 5000 with 50 a point: 10^12, which NUMERIC(20, 8) cannot hold
    huge = _position("P-huge", "LONG", 4_000_000, "5000.00", peak=4_000_000)
    connection.execute(positions.insert(), [huge, _position("P-small", "LONG", 1, "5000.00")])


def test_a_cost_basis_past_the_limit_stops_the_upgrade_before_any_change(
    empty_database: Database,
) -> None:
    empty_database.run(upgrade("0001"))
    empty_database.run(_store_a_huge_position)

    with pytest.raises(CommandError, match=r"positions P-huge hold a cost basis of 10\^12 or"):
        empty_database.run(upgrade("0002"))

    assert empty_database.run(current_revisions) == {"0001"}
    assert "cost_basis" not in empty_database.run(_position_columns)
    empty_database.run(_remove_positions)  # the PostgreSQL fixture migrates back to head


def _remove_positions(connection: Connection) -> None:
    connection.execute(sa.text("DELETE FROM positions"))
