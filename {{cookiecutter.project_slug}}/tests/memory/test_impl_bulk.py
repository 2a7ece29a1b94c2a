"""`insert_rows`: the memory dialect's bulk loader gives the same rows as `insert()`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    insert,
    select,
)
from sqlalchemy.exc import ArgumentError, IntegrityError

from {{ cookiecutter.package_name }}.adapters.memory.bulk import insert_rows

metadata = MetaData()
instruments = Table("instruments", metadata, Column("symbol", String(8), primary_key=True))
bars = Table(
    "bars",
    metadata,
    Column("symbol", ForeignKey("instruments.symbol"), primary_key=True),
    Column("ts", DateTime(timezone=True), primary_key=True),
    Column("close", Numeric(12, 2), nullable=False),
    Column("volume", BigInteger, nullable=False),
    Column("note", String(10), server_default="none"),
)
counted = Table("counted", metadata, Column("id", Integer, primary_key=True), Column("n", Integer))

T0 = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)


def bar_rows(count: int, symbol: str = "ES") -> list[dict[str, Any]]:
    return [
        {
            "symbol": symbol,
            "ts": T0 + timedelta(minutes=i),
            "close": Decimal("5900.25") + i,
            "volume": float(100 + i),
        }
        for i in range(count)
    ]


def fresh() -> Engine:
    engine = create_engine("memory://")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(instruments), [{"symbol": "ES"}, {"symbol": "NQ"}])
    return engine


def everything(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(bars).order_by(bars.c.ts))]


def test_insert_rows_stores_what_insert_stores() -> None:
    by_statement, by_loader = fresh(), fresh()
    rows = bar_rows(50)
    with by_statement.begin() as conn:
        conn.execute(insert(bars), rows)
    with by_loader.begin() as conn:
        assert insert_rows(conn, bars, rows) == 50
    assert everything(by_loader) == everything(by_statement)
    assert everything(by_loader)[0][-2:] == (100, "none")
    with by_loader.begin() as conn:
        assert insert_rows(conn, counted, [{"n": 1}, {"n": 2}]) == 2
        assert conn.execute(select(counted)).all() == [(1, 1), (2, 2)]


def test_insert_rows_joins_the_transaction_and_rolls_back_with_it() -> None:
    engine = fresh()
    with engine.connect() as conn:
        insert_rows(conn, bars, bar_rows(5))
        conn.rollback()
    assert everything(engine) == []


def test_insert_rows_enforces_constraints_like_executemany() -> None:
    engine = fresh()
    rows = bar_rows(3) + bar_rows(1, symbol="XX")
    with engine.connect() as conn:
        with pytest.raises(IntegrityError, match=r"bars\.symbol -> instruments\.symbol"):
            insert_rows(conn, bars, rows)
        assert len(conn.execute(select(bars)).all()) == 3
        with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: bars\.symbol"):
            insert_rows(conn, bars, bar_rows(1))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"symbol": "ES", "colour": "red"}], "unknown columns for table bars"),
        ([{"symbol": "ES"}, {"symbol": "NQ", "volume": 1}], "same keys in every row"),
    ],
)
def test_insert_rows_rejects_malformed_rows(rows: list[dict[str, Any]], message: str) -> None:
    engine = fresh()
    with engine.connect() as conn, pytest.raises(ArgumentError, match=message):
        insert_rows(conn, bars, rows)


def test_insert_rows_needs_a_memory_connection() -> None:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.connect() as conn, pytest.raises(ArgumentError, match="memory:// connection"):
        insert_rows(conn, counted, [{"n": 1}])
