"""Generated bulk batches keep rows and every index right, with commits, rollbacks and savepoints.

A batch goes through `insert_columns` on ``memory://`` and through executemany inside a
savepoint on SQLite (the reference of "all rows or none"). After each batch both engines report
the same outcome and rows; after every commit, rollback and savepoint rollback the whole index
battery is compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, delete, insert, select

from {{ cookiecutter.package_name }}.adapters.memory.bulk import insert_columns

from .casecount import PROFILE, counted
from .diffkit import EnginePair, error_outcome, pair_of
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

prices = st.sampled_from(
    [None, Decimal("0.00"), Decimal("4.00"), Decimal("9.99"), 10.5, 15, Decimal("15.50")]
)
small_rows = st.fixed_dictionaries(
    {
        "id": st.none() | st.integers(1, 30),
        "symbol": st.sampled_from(SYMBOLS),
        "venue": st.sampled_from(VENUES),
        "seq": st.none() | st.integers(1, 6),
        "bid": prices,
        "ts": st.integers(0, 6).map(lambda minute: T0 + timedelta(minutes=minute)),
        "ext_ref": st.sampled_from([None, "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"]),
    }
)
small = st.tuples(st.just("bulk"), st.lists(small_rows, min_size=1, max_size=8))
# Batches large enough to re-sort an index's keys, with keys that never repeat inside the batch
big = st.tuples(
    st.just("big"),
    st.integers(0, 3).map(lambda block: block * 40),
    st.integers(33, 45),
    st.sampled_from(["X", "Y"]),
    st.booleans(),
)
deletes = st.tuples(
    st.just("delete"),
    st.sampled_from([q.symbol == "AAA", q.bid > Decimal("9"), q.id > 20, q.venue == "X"]),
)
controls = st.sampled_from(
    [("commit",), ("rollback",), ("savepoint",), ("release",), ("rollback_to",)]
)
operations = st.integers(4, 12).flatmap(
    lambda n: st.lists(st.one_of(small, small, big, deletes, controls), min_size=n, max_size=n)
)


def big_batch(start: int, count: int, venue: str, with_ids: bool) -> list[dict[str, Any]]:
    return [
        {
            "id": 100 + start + i if with_ids else None,
            "symbol": SYMBOLS[i % 3],
            "venue": venue,
            "seq": 10 + start + i,
            "bid": Decimal(i % 7) + Decimal("0.25"),
            "ts": T0 + timedelta(minutes=(start + i) % 50),
            "ext_ref": f"b{start + i}",
        }
        for i in range(count)
    ]


def bulk(conn: Connection, rows: list[dict[str, Any]]) -> int:
    if conn.dialect.name == "memory":
        return insert_columns(conn, quotes, {key: [row[key] for row in rows] for key in rows[0]})
    with conn.begin_nested():
        return conn.execute(insert(quotes), rows).rowcount


def rows_now(conn: Connection) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in conn.execute(select(quotes).order_by(q.id))]


def replay(engine: Engine, ops: list[tuple[Any, ...]]) -> list[Any]:
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
                if kind == "delete":
                    outcome: Any = conn.execute(delete(quotes).where(op[1])).rowcount
                else:
                    outcome = bulk(conn, op[1] if kind == "bulk" else big_batch(*op[1:]))
            except Exception as error:
                outcome = error_outcome(error)
            trace.append((kind, outcome, rows_now(conn), run_battery(conn, SHORT_BATTERY)))
        conn.commit()
    with engine.connect() as conn:
        trace.append(("final", run_battery(conn)))
    return trace


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with pair_of(metadata) as made:
        yield made


@settings(profile)
@given(ops=operations)
@counted
def test_bulk_batches_with_commits_rollbacks_and_savepoints(
    pair: EnginePair, ops: list[Any]
) -> None:
    pair.check(lambda engine: replay(engine, ops))
