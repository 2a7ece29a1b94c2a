"""`insert_rows` and `insert_columns`: the memory dialect's bulk loaders give the same rows as
`insert()`, take the whole-batch path when they can, and leave the collector as they found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
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

from {{ cookiecutter.package_name }}.adapters.memory.bulk import column_storers, insert_columns, insert_rows
from {{ cookiecutter.package_name }}.adapters.memory.storage import TableStore

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
ledger = Table(
    "ledger",
    metadata,
    Column("venue", String(8), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("ref", String(8), nullable=False, unique=True),
)
stamped = Table(
    "stamped", metadata, Column("id", Integer, primary_key=True), Column("n", Integer, default=0)
)

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


def columns_of(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {key: [row[key] for row in rows] for key in rows[0]}


@pytest.fixture
def row_by_row(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the batches that went row by row (`TableStore.insert_many`)."""
    calls: list[int] = []
    original = TableStore.insert_many

    def counting(self: TableStore, *args: Any, **kwargs: Any) -> int | None:
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TableStore, "insert_many", counting)
    yield calls


def test_insert_columns_stores_what_insert_stores_in_one_whole_batch(
    row_by_row: list[int],
) -> None:
    by_statement, by_loader = fresh(), fresh()
    rows = bar_rows(40)
    with by_statement.begin() as conn:
        conn.execute(insert(bars), rows)
    row_by_row.clear()
    with by_loader.begin() as conn:
        assert insert_columns(conn, bars, columns_of(rows)) == 40
    assert row_by_row == []
    assert everything(by_loader) == everything(by_statement)


def test_insert_columns_takes_values_already_bound(row_by_row: list[int]) -> None:
    engine, reference = fresh(), fresh()
    row_by_row.clear()
    rows = bar_rows(12)
    dialect = engine.dialect
    bound = {
        key: [bars.c[key].type._cached_bind_processor(dialect)(v) for v in values]  # type: ignore[misc]
        if bars.c[key].type._cached_bind_processor(dialect) is not None
        else values
        for key, values in columns_of(rows).items()
    }
    assert bound["ts"][0] == datetime(2025, 1, 2, 14, 30)  # naive: what the type binds
    with engine.begin() as conn:
        insert_columns(conn, bars, bound, processed=True)
    with reference.begin() as conn:
        insert_columns(conn, bars, columns_of(rows))
    assert everything(engine) == everything(reference)
    assert row_by_row == []


def test_insert_columns_goes_row_by_row_when_rows_need_each_other(row_by_row: list[int]) -> None:
    engine = fresh()
    row_by_row.clear()
    with engine.begin() as conn:
        insert_columns(conn, counted, {"id": [1, 2, 3], "n": [None, 1, 2]})
        assert row_by_row == []
        insert_columns(conn, counted, {"id": [5, 6, None], "n": [1, 2, 3]})
        assert row_by_row == [1]
        got = conn.execute(select(counted)).all()
    assert got == [(1, None), (2, 1), (3, 2), (5, 1), (6, 2), (7, 3)]


def test_insert_columns_is_all_or_nothing_where_insert_rows_is_not() -> None:
    engine = fresh()
    rows = bar_rows(3) + bar_rows(1, symbol="XX")
    with engine.connect() as conn:
        with pytest.raises(IntegrityError, match=r"bars\.symbol -> instruments\.symbol"):
            insert_columns(conn, bars, columns_of(rows))
        assert conn.execute(select(bars)).all() == []
        with pytest.raises(IntegrityError, match=r"NOT NULL constraint failed: bars\.close"):
            no_close = {**bar_rows(3)[2], "close": None}
            insert_columns(conn, bars, columns_of([*bar_rows(2), no_close]))
        assert conn.execute(select(bars)).all() == []
        with pytest.raises(IntegrityError, match=r"bars\.symbol -> instruments\.symbol"):
            insert_rows(conn, bars, rows)
        assert len(conn.execute(select(bars)).all()) == 3


def test_a_bulk_batch_is_seen_by_other_connections_only_once_committed() -> None:
    engine = fresh()
    with engine.connect() as writer, engine.connect() as reader:
        writer.begin()
        insert_columns(writer, bars, columns_of(bar_rows(30)))
        assert reader.execute(select(bars.c.ts).where(bars.c.symbol == "ES")).all() == []
        writer.commit()
        assert len(reader.execute(select(bars.c.ts).where(bars.c.symbol == "ES")).all()) == 30


def test_rolling_back_a_bulk_batch_removes_its_index_entries() -> None:
    engine = fresh()
    with engine.begin() as conn:
        insert_columns(conn, bars, columns_of(bar_rows(50)))
    later = [{**row, "ts": row["ts"] + timedelta(hours=1)} for row in bar_rows(60)]
    window = select(bars.c.ts).where(bars.c.symbol == "ES", bars.c.ts >= T0 + timedelta(hours=1))
    with engine.connect() as conn:
        assert conn.execute(window).all() == []
        insert_columns(conn, bars, columns_of(later))
        assert len(conn.execute(window).all()) == 60
        conn.rollback()
        assert conn.execute(window).all() == []
        insert_columns(conn, bars, columns_of(later))
        conn.commit()
        assert len(conn.execute(window).all()) == 60


def ledger_lookups(conn: Any) -> dict[str, list[Any]]:
    """Rows found through each unique index, by the keys the tests below use."""
    by_key = {
        f"{venue}{seq}": conn.execute(
            select(ledger.c.ref).where(ledger.c.venue == venue, ledger.c.seq == seq)
        ).all()
        for venue in ("A", "B")
        for seq in (1, 2, 3)
    }
    by_ref = {
        ref: conn.execute(select(ledger.c.venue, ledger.c.seq).where(ledger.c.ref == ref)).all()
        for ref in ("r1", "r2", "r3", "r4")
    }
    return {**by_key, **by_ref}


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        # the key index takes the batch, then the ref index finds r1 held
        ({"venue": ["B", "B"], "seq": [1, 2], "ref": ["r3", "r1"]}, r"ledger\.ref"),
        # the key index finds A1 held
        ({"venue": ["B", "A"], "seq": [1, 1], "ref": ["r3", "r4"]}, r"ledger\.venue, ledger\.seq"),
        # the batch repeats a key of its own
        ({"venue": ["B", "B"], "seq": [3, 3], "ref": ["r3", "r4"]}, r"ledger\.venue, ledger\.seq"),
        ({"venue": ["B", "B"], "seq": [1, 2], "ref": ["r3", "r3"]}, r"ledger\.ref"),
    ],
)
def test_a_batch_that_repeats_a_unique_key_leaves_every_index_as_it_was(
    batch: dict[str, list[Any]], message: str
) -> None:
    engine = fresh()
    with engine.begin() as conn:
        insert_columns(conn, ledger, {"venue": ["A", "A"], "seq": [1, 2], "ref": ["r1", "r2"]})
    with engine.connect() as conn:
        before = ledger_lookups(conn)
        with pytest.raises(IntegrityError, match=f"UNIQUE constraint failed: {message}"):
            insert_columns(conn, ledger, batch)
        assert ledger_lookups(conn) == before
        assert before["A1"] == [("r1",)] and before["r2"] == [("A", 2)] and before["B1"] == []
        insert_columns(conn, ledger, {"venue": ["B", "B"], "seq": [1, 2], "ref": ["r3", "r4"]})
        assert ledger_lookups(conn)["B2"] == [("r4",)]
        assert ledger_lookups(conn)["r3"] == [("B", 1)]


def test_a_stored_column_is_searched_for_null_unless_named_null_free() -> None:
    engine = fresh()
    with engine.connect() as conn:
        close = column_storers(conn, bars, ["close"])["close"]
        columns = {**columns_of(bar_rows(2)), "close": [close(Decimal("5900.25")), None]}
        with pytest.raises(IntegrityError, match=r"NOT NULL constraint failed: bars\.close"):
            insert_columns(conn, bars, columns, stored=["close"])
        assert conn.execute(select(bars)).all() == []


def test_null_free_columns_must_be_stored_columns() -> None:
    engine = fresh()
    with (
        engine.connect() as conn,
        pytest.raises(ArgumentError, match=r"not in stored: \['close'\]"),
    ):
        insert_columns(conn, bars, columns_of(bar_rows(2)), null_free=["close"])


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was(enabled: bool) -> None:
    engine = fresh()
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        with engine.connect() as conn:
            insert_columns(conn, bars, columns_of(bar_rows(5)))
            assert gc.isenabled() is enabled
            with pytest.raises(IntegrityError):
                insert_columns(conn, bars, columns_of(bar_rows(5)))
            assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"symbol": ["ES"], "colour": ["red"]}, "unknown columns for table bars"),
        ({"symbol": ["ES", "NQ"], "ts": [T0]}, r"as many values in every column, got \[1, 2\]"),
    ],
)
def test_insert_columns_rejects_malformed_columns(
    columns: dict[str, list[Any]], message: str
) -> None:
    engine = fresh()
    with engine.connect() as conn, pytest.raises(ArgumentError, match=message):
        insert_columns(conn, bars, columns)


def test_python_side_defaults_must_be_given() -> None:
    engine = fresh()
    with engine.connect() as conn:
        with pytest.raises(ArgumentError, match=r"stamped\.n has a Python-side default"):
            insert_columns(conn, stamped, {"id": [1]})
        assert insert_columns(conn, stamped, {"id": [1], "n": [5]}) == 1
        assert insert_columns(conn, stamped, {}) == 0


def test_insert_columns_needs_a_memory_connection() -> None:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.connect() as conn, pytest.raises(ArgumentError, match="insert_columns needs a"):
        insert_columns(conn, counted, {"n": [1]})
