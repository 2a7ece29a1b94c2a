"""Ranges after equality on a multi-column index read only the rows they return.

The plan names the index it reads (`access_label`), and counting the row ids it hands over
shows how many rows a look-up examines: the rows it returns, whatever the table holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    create_engine,
    delete,
    insert,
    select,
)

from {{ cookiecutter.package_name }}.adapters.sqla.mapping import start_mappers
from {{ cookiecutter.package_name }}.adapters.sqla.statements import statements
from {{ cookiecutter.package_name }}.adapters.sqla.tables import bars, instruments
from {{ cookiecutter.package_name }}.adapters.sqla.tables import metadata as app_metadata

metadata = MetaData()
ticks = Table(
    "ticks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sym", String(8), nullable=False),
    Column("ts", DateTime, nullable=False),
    Column("venue", String(8)),
    UniqueConstraint("sym", "ts", name="uq_ticks_sym_ts"),
    Index("ix_ticks_sym", "sym"),
    Index("ix_ticks_ts_venue", "ts", "venue"),
)
t = ticks.c
T0 = datetime(2025, 3, 7, 9, 30)
SYMBOLS = ("A", "B", "C")

window = (
    select(t.id, t.ts)
    .where(t.sym == bindparam("sym"), t.ts >= bindparam("start"), t.ts < bindparam("end"))
    .order_by(t.ts)
)
latest = (
    select(t.id)
    .where(t.sym == bindparam("sym"), t.ts < bindparam("end"))
    .order_by(t.ts.desc())
    .limit(3)
)


def engine_with(per_symbol: int) -> Engine:
    engine = create_engine("memory://")
    metadata.create_all(engine)
    rows = [
        {"sym": sym, "ts": T0 + timedelta(minutes=i), "venue": None if i % 3 else "X"}
        for sym in SYMBOLS
        for i in range(per_symbol)
    ]
    with engine.begin() as conn:
        conn.execute(insert(ticks), rows)
    return engine


@pytest.fixture
def engine() -> Iterator[Engine]:
    made = engine_with(2_000)
    yield made
    made.dispose()


Params = dict[str, Any]
RowidsFn = Callable[[Any, Any], Iterable[int] | None]


def run_counting(
    engine: Engine, statement: Any, params: Params, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, list[Any], list[int]]:
    """Run `statement` twice: once to plan it, once counting the row ids its index hands over."""
    examined: list[int] = []

    def counting(fn: RowidsFn) -> RowidsFn:
        def wrapped(store: Any, env: Any) -> Iterable[int] | None:
            found = fn(store, env)
            return None if found is None else _tally(found, examined)

        return wrapped

    with engine.connect() as conn:
        plan = conn.execute(statement, params).context.compiled.memory_plan.query  # type: ignore[union-attr]
        if plan.access_order is not None:
            monkeypatch.setattr(plan, "access_order", counting(plan.access_order))
        if plan.tree.access is not None:
            monkeypatch.setattr(plan.tree, "access", counting(plan.tree.access))
        rows = [tuple(row) for row in conn.execute(statement, params)]
    return plan, rows, examined


def _tally(rowids: Iterable[int], into: list[int]) -> Iterator[int]:
    for rowid in rowids:
        into.append(rowid)
        yield rowid


def test_equality_then_range_reads_the_matching_keys_only(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = {"sym": "B", "start": T0 + timedelta(minutes=100), "end": T0 + timedelta(minutes=110)}
    plan, rows, examined = run_counting(engine, window, params, monkeypatch)

    assert plan.tree.access_label == "index uq_ticks_sym_ts (sym =, ts range)"
    assert plan.where is None  # the index decides every term
    assert plan.access_order is not None  # ORDER BY ts is the index order: no sort
    assert [ts for _id, ts in rows] == [T0 + timedelta(minutes=m) for m in range(100, 110)]
    assert len(examined) == 10


def test_descending_order_with_limit_stops_after_the_rows_it_keeps(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, rows, examined = run_counting(
        engine, latest, {"sym": "C", "end": T0 + timedelta(minutes=500)}, monkeypatch
    )
    assert rows == [(4000 + 500,), (4000 + 499,), (4000 + 498,)]
    assert len(examined) == 3
    assert plan.tree.access_label == "index uq_ticks_sym_ts (sym =, ts range)"


def test_the_rows_examined_do_not_grow_with_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    params = {"sym": "A", "start": T0 + timedelta(minutes=5), "end": T0 + timedelta(minutes=25)}
    counts = []
    for size in (100, 5_000):
        engine = engine_with(size)
        _plan, rows, examined = run_counting(engine, window, params, monkeypatch)
        counts.append((len(rows), len(examined)))
        engine.dispose()
    assert counts == [(20, 20), (20, 20)]


def test_a_range_on_the_first_column_of_an_index_with_nullable_later_columns(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ix_ticks_ts_venue holds NULL venues, which sorted keys leave out: the range on ts
    # alone must not read it, or the rows with a NULL venue would be lost
    statement = select(t.id).where(t.ts >= bindparam("start")).order_by(t.id)
    plan, rows, _examined = run_counting(
        engine, statement, {"start": T0 + timedelta(minutes=1998)}, monkeypatch
    )
    assert plan.tree.access_label == ""
    assert rows == [(1999,), (2000,), (3999,), (4000,), (5999,), (6000,)]


def test_equality_alone_prefers_the_hash_index(engine: Engine) -> None:
    statement = select(t.id).where(t.sym == bindparam("sym")).order_by(t.ts.desc()).limit(1)
    with engine.connect() as conn:
        result = conn.execute(statement, {"sym": "A"})
        plan = result.context.compiled.memory_plan.query  # type: ignore[union-attr]
        assert result.all() == [(2000,)]
    assert plan.tree.access_label == "index ix_ticks_sym (sym =)"


def test_another_connection_reads_the_last_committed_rows(engine: Engine) -> None:
    params = {"sym": "A", "start": T0, "end": T0 + timedelta(minutes=3)}
    with engine.connect() as writer, engine.connect() as reader:
        writer.execute(delete(ticks).where(t.id == 2))
        writer.execute(insert(ticks).values(sym="A", ts=T0 + timedelta(seconds=30)))
        assert [row.id for row in writer.execute(window, params)] == [1, 6001, 3]
        assert [row.id for row in reader.execute(window, params)] == [1, 2, 3]
        writer.commit()
        reader.rollback()
        assert [row.id for row in reader.execute(window, params)] == [1, 6001, 3]


def test_the_bar_repository_reads_its_ranges_from_the_primary_key() -> None:
    start_mappers()
    engine = create_engine("memory://")
    app_metadata.create_all(engine, tables=[instruments, bars])
    start = datetime(2025, 1, 2, tzinfo=UTC)
    with engine.connect() as conn:
        result = conn.execute(
            statements().bar_range, {"symbol": "ES", "start": start, "end": start}
        )
        plan = result.context.compiled.memory_plan.query  # type: ignore[union-attr]
    engine.dispose()
    assert plan.tree.access_label == "index pk (symbol =, ts range)"
    assert plan.where is None and plan.access_order is not None
