"""`insert_columns`: a batch loaded column by column stores what INSERT stores, all or nothing.

The SQLite reference for one all-or-nothing batch is executemany inside a savepoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    delete,
    insert,
    select,
)

from {{ cookiecutter.package_name }}.adapters.memory.bulk import column_storers, insert_columns

from .diffkit import EnginePair, error_outcome

PairFactory = Callable[..., EnginePair]

metadata = MetaData()
parents = Table("parents", metadata, Column("code", String(8), primary_key=True))
legs = Table(
    "legs",
    metadata,
    Column("code", ForeignKey("parents.code"), primary_key=True),
    Column("ts", DateTime(timezone=True), primary_key=True),
    Column("price", Numeric(12, 2), nullable=False),
    Column("size", Integer, nullable=False),
    Column("ratio", Float),
    Column("note", String(10), server_default="none"),
    Column("ref", String(8), unique=True),
)
legs.append_constraint(CheckConstraint(legs.c.size >= 0, name="ck_legs_size"))
nodes = Table(
    "nodes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", ForeignKey("nodes.id")),
    Column("name", String(8), nullable=False),
)

T0 = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)


class Note(StrEnum):
    HELD = "held"


def leg(minute: int, price: Any = Decimal("10.25"), size: Any = 1, **more: Any) -> dict[str, Any]:
    row = {"code": "A", "ts": T0 + timedelta(minutes=minute), "price": price, "size": size}
    return {"ratio": None, "ref": f"r{minute}", **row, **more}


def bulk(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], *, stored: bool = False
) -> int:
    """Insert `rows` all or nothing: `insert_columns` on memory://, a savepoint on SQLite.

    `stored`: the memory side converts every value with its column's storer first.
    """
    if conn.dialect.name == "memory":
        keys = list(rows[0]) if rows else []
        columns = {key: [row[key] for row in rows] for key in keys}
        if not stored:
            return insert_columns(conn, table, columns)
        storers = column_storers(conn, table, keys)
        converted = {key: list(map(storers[key], values)) for key, values in columns.items()}
        return insert_columns(conn, table, converted, stored=keys)
    with conn.begin_nested():
        return conn.execute(insert(table), list(rows)).rowcount


def contents(conn: Connection) -> list[list[tuple[Any, ...]]]:
    return [
        [tuple(row) for row in conn.execute(select(legs).order_by(legs.c.code, legs.c.ts))],
        [tuple(row) for row in conn.execute(select(nodes).order_by(nodes.c.id))],
        [tuple(row) for row in conn.execute(select(nodes))],  # a full scan: row id order
    ]


def load(
    table: Table, *batches: Sequence[dict[str, Any]], stored: bool = False
) -> Callable[[Engine], list[Any]]:
    """Each batch in one transaction: its outcome, then what a new connection reads."""

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(insert(parents), [{"code": "A"}, {"code": "B"}])
        seen: list[Any] = []
        for batch in batches:
            with engine.begin() as conn:
                try:
                    seen.append(bulk(conn, table, batch, stored=stored))
                except Exception as error:
                    seen.append(error_outcome(error))
                seen.append(contents(conn))
            with engine.connect() as conn:
                seen.append(contents(conn))
        return seen

    return work


def pair_with_tables(pair_factory: PairFactory) -> EnginePair:
    pair: EnginePair = pair_factory(metadata)
    return pair


CLEAN = [
    leg(0, Decimal("10.00"), 5, ratio=0.5),
    leg(1, Decimal("-0.00"), 0, ratio=-0.0),
    leg(2, Decimal("10.125"), 7, ratio=3),
    leg(3, 11, 2, ratio=2.0),
    leg(4, 10.5, 9, code="B"),
]


@pytest.mark.parametrize(
    ("batches", "failures"),
    [
        pytest.param([CLEAN], 0, id="clean"),
        pytest.param([CLEAN, [leg(9), leg(10, size=None)]], 1, id="not-null"),
        pytest.param([CLEAN, [leg(9), leg(10, size=-1)]], 1, id="check"),
        pytest.param([CLEAN, [leg(9), leg(9)]], 1, id="key-twice-in-batch"),
        pytest.param([CLEAN, [leg(9), leg(2)]], 1, id="key-already-stored"),
        pytest.param([CLEAN, [leg(9), leg(10, code="Z")]], 1, id="foreign-key"),
        pytest.param([CLEAN, [leg(9, ref="x"), leg(10, ref="r3")]], 1, id="unique-column"),
        pytest.param([CLEAN, [leg(9, ref="x"), leg(10, ref="x")]], 1, id="unique-in-batch"),
        pytest.param([[leg(9, code=None)]], 1, id="null-primary-key"),
        pytest.param([[leg(9, ref=None), leg(10, ref=None)]], 0, id="nulls-in-unique-column"),
        pytest.param([[leg(9, ref=None), leg(10, size=None, ref=None)]], 1, id="null-not-null"),
        pytest.param(
            [[leg(9, note=Note.HELD, ref=Note.HELD), leg(10, size=True, note="x")]],
            0,
            id="enum-and-bool-values",
        ),
    ],
)
@pytest.mark.parametrize("stored", [False, True], ids=["as-bound", "through-storers"])
def test_a_batch_stores_what_insert_stores_or_nothing(
    pair_factory: PairFactory, batches: list[list[dict[str, Any]]], failures: int, stored: bool
) -> None:
    pair = pair_with_tables(pair_factory)
    seen = pair.check(load(legs, *batches, stored=stored))
    assert sum(isinstance(outcome, tuple) for outcome in seen[::3]) == failures


def test_rows_may_reference_rows_of_the_same_batch(pair_factory: PairFactory) -> None:
    pair = pair_with_tables(pair_factory)
    family: list[dict[str, Any]] = [
        {"id": 1, "parent_id": None, "name": "root"},
        {"id": 2, "parent_id": 1, "name": "child"},
        {"id": 3, "parent_id": 3, "name": "self"},
    ]
    seen = pair.check(load(nodes, family, [{"id": 4, "parent_id": 9, "name": "orphan"}]))
    assert seen[0] == 3 and isinstance(seen[3], tuple)


@pytest.mark.parametrize(
    "ids",
    [
        pytest.param([None, None, None], id="all-assigned"),
        pytest.param([7, 3, 5], id="all-given"),
        pytest.param([None, 2, None], id="some-given"),
        pytest.param([4, 4], id="given-twice"),
        pytest.param([1, None], id="given-and-stored"),
        pytest.param([2.0, True], id="given-as-float-and-bool"),
    ],
)
def test_integer_primary_keys_given_or_assigned(pair_factory: PairFactory, ids: list[Any]) -> None:
    pair = pair_with_tables(pair_factory)
    first = [{"id": None, "parent_id": None, "name": "first"}]
    batch = [{"id": i, "parent_id": None, "name": f"n{n}"} for n, i in enumerate(ids)]
    after = [{"id": None, "parent_id": None, "name": "after"}]
    pair.check(load(nodes, first, batch, after))


def test_a_rolled_back_batch_leaves_no_row_and_no_index_entry(pair_factory: PairFactory) -> None:
    pair = pair_with_tables(pair_factory)

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(insert(parents), [{"code": "A"}, {"code": "B"}])
            bulk(conn, legs, CLEAN[:2])
        with engine.connect() as conn:
            conn.begin()
            bulk(conn, legs, CLEAN[2:])
            inside = contents(conn)
            conn.rollback()
            after = contents(conn)
        with engine.begin() as conn:
            again = bulk(conn, legs, CLEAN[2:])
            by_ref = conn.execute(select(legs.c.ts).where(legs.c.ref == "r3")).scalars().all()
        with engine.connect() as conn:
            return [inside, after, again, by_ref, contents(conn)]

    seen = pair.check(work)
    assert len(seen[0][0]) == 5 and len(seen[1][0]) == 2


def test_a_failing_batch_inside_a_transaction_keeps_the_earlier_writes(
    pair_factory: PairFactory,
) -> None:
    pair = pair_with_tables(pair_factory)

    def work(engine: Engine) -> list[Any]:
        with engine.connect() as conn:
            conn.begin()
            conn.execute(insert(parents), [{"code": "A"}])
            first = bulk(conn, legs, [leg(0), leg(1)])
            try:
                bulk(conn, legs, [leg(2), leg(1)])
            except Exception as error:
                failed = error_outcome(error)
            third = bulk(conn, legs, [leg(3)])
            conn.commit()
        with engine.connect() as conn:
            return [first, failed, third, contents(conn)]

    seen = pair.check(work)
    assert [len(rows) for rows in seen[3]] == [3, 0, 0]


def test_a_full_scan_keeps_row_id_order_after_the_largest_row_id_is_deleted(
    pair_factory: PairFactory,
) -> None:
    pair = pair_with_tables(pair_factory)

    def work(engine: Engine) -> list[Any]:
        seen: list[Any] = []
        for below in ({"id": 0, "parent_id": None, "name": "zero"}, None):
            with engine.begin() as conn:
                conn.execute(delete(nodes))
                first = [{"id": i, "parent_id": None, "name": "n"} for i in (1, 5)]
                conn.execute(insert(nodes), first)
                conn.execute(delete(nodes).where(nodes.c.id == 5))
                if below is not None:
                    conn.execute(insert(nodes).values(below))
                else:
                    bulk(conn, nodes, [{"id": 3, "parent_id": None, "name": "b"},
                                       {"id": -1, "parent_id": None, "name": "c"}])  # fmt: skip
                seen.append(contents(conn)[2])
        return seen

    assert pair.check(work)[0] == [(0, None, "zero"), (1, None, "n")]
