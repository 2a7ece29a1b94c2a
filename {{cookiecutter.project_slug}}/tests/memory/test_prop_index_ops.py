"""Generated sequences of writes, commits, rollbacks and savepoints keep every index right.

After each operation both engines report the same outcome (row count or error class) and the same
rows; after every commit, rollback and savepoint rollback the whole index battery is compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, delete, insert, select, update

from .casecount import PROFILE, counted
from .diffkit import EnginePair, memory_engine, pair_of, sqlite_engine
from .index_battery import (
    SHORT_BATTERY,
    SYMBOLS,
    T0,
    TRANSACTION_STEPS,
    VENUES,
    TransactionSteps,
    metadata,
    quotes,
    run_battery,
)

profile = settings.get_profile(PROFILE)
q = quotes.c

bids = st.sampled_from(
    [None, Decimal("0.01"), Decimal("4.00"), Decimal("9.99"), Decimal("10.50"), Decimal("15.50")]
)
fields = {
    "symbol": st.sampled_from(SYMBOLS),
    "venue": st.sampled_from(VENUES),
    "seq": st.none() | st.integers(1, 6),
    "bid": bids,
    "ts": st.integers(0, 6).map(lambda minute: T0 + timedelta(minutes=minute)),
    "ext_ref": st.sampled_from([None, None, None, "r1", "r2", "r3", "r4", "r5", "r6"]),
}
new_rows = st.fixed_dictionaries({"id": st.none() | st.integers(1, 40), **fields})
changes = st.sets(st.sampled_from([*fields, "id"]), min_size=1, max_size=3).flatmap(
    lambda keys: st.fixed_dictionaries(
        {key: st.integers(1, 12) if key == "id" else fields[key] for key in keys}
    )
)
targets = st.one_of(
    st.tuples(st.just("id"), st.integers(1, 12)),
    st.tuples(st.just("symbol"), st.sampled_from(SYMBOLS)),
    st.tuples(st.just("venue"), st.sampled_from(VENUES)),
    st.tuples(st.just("bid_above"), bids),
    st.tuples(st.just("ext_ref_in"), st.lists(st.sampled_from(["r1", "r2", "r3"]), max_size=2)),
    st.just(("all",)),
)
inserts = st.tuples(st.just("insert"), st.lists(new_rows, min_size=1, max_size=6))
updates = st.tuples(st.just("update"), targets, changes)
writes = st.one_of(
    inserts, inserts, inserts, updates, updates, st.tuples(st.just("delete"), targets)
)
controls = st.sampled_from(
    [("commit",), ("rollback",), ("savepoint",), ("release",), ("rollback_to",)]
)
savepoint_controls = st.sampled_from([("savepoint",), ("release",), ("rollback_to",)])


def sequences(step: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    """Sequences long enough to fill the table and move rows between keys."""
    return st.integers(5, 16).flatmap(lambda n: st.lists(step, min_size=n, max_size=n))


operations = sequences(st.one_of(writes, writes, writes, controls))
savepoint_heavy = sequences(st.one_of(writes, writes, savepoint_controls))


def where(target: tuple[Any, ...]) -> Any:
    kind = target[0]
    if kind == "id":
        return q.id == target[1]
    if kind == "symbol":
        return q.symbol.is_(None) if target[1] is None else q.symbol == target[1]
    if kind == "venue":
        return q.venue.is_(None) if target[1] is None else q.venue == target[1]
    if kind == "bid_above":
        return q.bid.is_(None) if target[1] is None else q.bid > target[1]
    if kind == "ext_ref_in":
        return q.ext_ref.in_(target[1])
    return q.id.is_not(None)


def rows_now(conn: Connection) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in conn.execute(select(quotes).order_by(q.id))]


def replay(engine: Engine, ops: list[tuple[Any, ...]], *, observe: bool = False) -> list[Any]:
    """Apply ``ops`` on one connection; the trace of outcomes, rows and index answers.

    With ``observe``, another connection also runs the index battery after every step: it must
    see the last committed state, never the writer's pending changes.
    """
    with engine.begin() as conn:
        conn.execute(delete(quotes))
    trace: list[Any] = []
    with engine.connect() as conn:
        conn.begin()
        steps = TransactionSteps(conn)
        for op in ops:
            kind = op[0]
            if kind in TRANSACTION_STEPS:
                seen = steps.apply(kind)
                if seen is not None:
                    trace.append((kind, seen))
                continue
            try:
                if kind == "insert":
                    outcome: Any = conn.execute(insert(quotes), op[1]).rowcount
                elif kind == "update":
                    outcome = conn.execute(
                        update(quotes).where(where(op[1])).values(op[2])
                    ).rowcount
                else:
                    outcome = conn.execute(delete(quotes).where(where(op[1]))).rowcount
            except Exception as error:
                outcome = type(error).__name__
            trace.append((kind, outcome, rows_now(conn)))
            if observe:
                with engine.connect() as reader:
                    seen = run_battery(reader, SHORT_BATTERY)
                    trace.append(("seen by another connection", seen))
        conn.commit()
    with engine.connect() as conn:
        trace.append(("final", run_battery(conn)))
    return trace


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with pair_of(metadata) as made:
        yield made


@pytest.fixture(scope="module")
def file_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EnginePair]:
    """Engines with truly separate connections: SQLite in a file as the reference."""
    folder = tmp_path_factory.mktemp("index_ops")
    made = EnginePair(
        sqlite_engine(str(folder / "reference.db")),
        memory_engine(file_for_baseline=str(folder / "baseline.db")),
    )
    made.run(metadata.create_all)
    yield made
    made.dispose()


@settings(profile)
@given(ops=operations)
@counted
def test_write_sequences_with_commits_and_rollbacks(pair: EnginePair, ops: list[Any]) -> None:
    pair.check(lambda engine: replay(engine, ops))


@settings(profile)
@given(ops=savepoint_heavy)
@counted
def test_write_sequences_in_nested_savepoints(pair: EnginePair, ops: list[Any]) -> None:
    pair.check(lambda engine: replay(engine, ops))


@settings(profile)
@given(ops=operations)
@counted
def test_other_connections_see_only_committed_rows(file_pair: EnginePair, ops: list[Any]) -> None:
    file_pair.check(lambda engine: replay(engine, ops, observe=True))
