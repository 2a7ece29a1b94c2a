"""Indexed look-ups stay right through inserts, key moves, deletes, rollbacks and savepoints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from .diffkit import EnginePair
from .index_battery import T0, metadata, quotes, run_battery

PairFactory = Callable[..., EnginePair]
Step = Callable[[Connection], object]
q = quotes.c


def quote(id_: int, symbol: str | None, venue: str | None, seq: int | None, bid: str | None,
          minute: int, ext_ref: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "id": id_,
        "symbol": symbol,
        "venue": venue,
        "seq": seq,
        "bid": None if bid is None else Decimal(bid),
        "ts": T0 + timedelta(minutes=minute),
        "ext_ref": ext_ref,
    }


ROWS = [
    quote(1, "AAA", "X", 1, "10.50", 0, "r1"),
    quote(2, "BBB", "X", 2, "9.99", 1, "r2"),
    quote(3, "AAA", "Y", 1, None, 2),
    quote(4, None, "Y", 2, "15.50", 3),
    quote(5, "CCC", None, 1, "15.50", 4, "r5"),
    quote(6, "BBB", None, 1, "4.00", 5),
    quote(7, "BBB", "Y", 3, "20.00", 2),
]


def insert_rows(rows: list[dict[str, Any]]) -> Step:
    return lambda conn: conn.execute(insert(quotes), rows).rowcount


def execute(statement: Any) -> Step:
    return lambda conn: conn.execute(statement).rowcount


def replay(steps: list[Step]) -> Callable[[Engine], list[object]]:
    """Commit each step; answer what it returned and the battery after it, on a new connection."""

    def work(engine: Engine) -> list[object]:
        seen: list[object] = []
        with engine.connect() as conn:
            seen.append(run_battery(conn))
        for step in steps:
            with engine.begin() as conn:
                seen.append(step(conn))
            with engine.connect() as conn:
                seen.append(run_battery(conn))
        return seen

    return work


MOVES: list[Step] = [
    execute(update(quotes).where(q.id == 1).values(symbol="BBB")),
    execute(update(quotes).where(q.symbol == "BBB").values(symbol="CCC", bid=q.bid + 1)),
    execute(update(quotes).where(q.id == 3).values(venue="X", seq=9)),
    execute(update(quotes).where(q.id == 4).values(symbol="AAA", ts=T0)),
    execute(update(quotes).where(q.ext_ref == "r1").values(ext_ref=None)),
    execute(update(quotes).where(q.id == 6).values(ext_ref="r1", bid=None)),
    execute(update(quotes).where(q.bid.is_(None)).values(bid=Decimal("0.01"))),
    execute(update(quotes).where(q.id == 2).values(id=20)),
]


def test_queried_before_the_first_insert(pair_factory: PairFactory) -> None:
    pair = pair_factory(metadata)
    answer = pair.check(replay([insert_rows(ROWS[:3]), insert_rows(ROWS[3:])]))
    assert all(result == [] for result in answer[0])  # type: ignore[attr-defined]


def test_updates_that_move_rows_between_keys(pair_factory: PairFactory) -> None:
    pair = pair_factory(metadata)
    pair.check(replay([insert_rows(ROWS), *MOVES]))


def test_deletes(pair_factory: PairFactory) -> None:
    pair = pair_factory(metadata)
    steps = [
        insert_rows(ROWS),
        execute(delete(quotes).where(q.symbol == "BBB")),
        execute(delete(quotes).where(q.bid.is_(None))),
        insert_rows([quote(2, "BBB", "X", 2, "1.00", 9, "r2")]),
        execute(delete(quotes).where(q.venue.is_(None))),
        execute(delete(quotes)),
        insert_rows(ROWS[:2]),
    ]
    pair.check(replay(steps))


def test_nulls_in_unique_indexes_do_not_collide(pair_factory: PairFactory) -> None:
    pair = pair_factory(metadata)
    nulls = [quote(n, None, None, None, None, n) for n in range(10, 14)]
    same_null_venue = [quote(20, "AAA", None, 1, "1", 0), quote(21, "AAA", None, 1, "1", 0)]
    pair.check(replay([insert_rows(ROWS), insert_rows(nulls), insert_rows(same_null_venue)]))


def test_unique_index_violations_leave_the_indexes_intact(pair_factory: PairFactory) -> None:
    pair = pair_factory(metadata)
    pair.run(lambda engine: replay([insert_rows(ROWS)])(engine))
    violations = [
        insert(quotes).values(id=50, venue="X", seq=1),
        insert(quotes).values(id=51, ext_ref="r2"),
        update(quotes).where(q.id == 3).values(venue="X", seq=2),
        update(quotes).where(q.id.in_([1, 2])).values(ext_ref="same"),
    ]
    for statement in violations:
        pair.check_error(execute_committing(statement), names=("quotes",))
    pair.check(replay([]))


def execute_committing(statement: Any) -> Callable[[Engine], object]:
    def work(engine: Engine) -> object:
        with engine.begin() as conn:
            return conn.execute(statement).rowcount

    return work


def test_rollback_restores_the_indexes(pair_factory: PairFactory) -> None:
    pair = pair_factory(metadata)

    def work(engine: Engine) -> list[object]:
        replay([insert_rows(ROWS)])(engine)
        with engine.connect() as conn:
            conn.begin()
            before = run_battery(conn)
            for step in [*MOVES, execute(delete(quotes).where(q.symbol == "CCC"))]:
                step(conn)
            insert_rows([quote(30, "AAA", "Z", 1, "99", 0, "r30")])(conn)
            during = run_battery(conn)
            conn.rollback()
            after = run_battery(conn)
        return [before == after, before != during, after]

    assert pair.check(work)[:2] == [True, True]


def test_savepoint_rollbacks_restore_the_indexes(pair_factory: PairFactory) -> None:
    pair = pair_factory(metadata)

    def work(engine: Engine) -> list[object]:
        replay([insert_rows(ROWS)])(engine)
        seen: list[object] = []
        with engine.connect() as conn:
            conn.begin()
            MOVES[0](conn)
            savepoint = conn.begin_nested()
            for step in MOVES[1:5]:
                step(conn)
            seen.append(run_battery(conn))
            savepoint.rollback()
            seen.append(run_battery(conn))
            savepoint = conn.begin_nested()
            try:
                with conn.begin_nested():
                    MOVES[5](conn)
                    conn.execute(insert(quotes).values(id=60, ext_ref="r2"))
            except IntegrityError:
                seen.append("violation rolled back to its savepoint")
            MOVES[6](conn)
            savepoint.commit()
            seen.append(run_battery(conn))
            conn.commit()
        with engine.connect() as conn:
            seen.append(run_battery(conn))
        return seen

    pair.check(work)


def test_statements_run_again_after_the_table_is_made_anew(pair_factory: PairFactory) -> None:
    """A statement's plan is kept with the statement: after the table is dropped and created
    again, with other rows and without an index, its look-ups read the new table's indexes."""
    first = MetaData()
    made = Table(
        "made",
        first,
        Column("id", Integer, primary_key=True),
        Column("k", String(8), unique=True),
        Column("n", Integer),
        Index("ix_made_n", "n"),
    )
    second = MetaData()
    Table(
        "made",
        second,
        Column("id", Integer, primary_key=True),
        Column("k", String(8), unique=True),
        Column("n", Integer),
    )
    statements = [
        select(made.c.id).where(made.c.k.in_(["a", "c"])).order_by(made.c.id),
        select(made.c.id).where(made.c.n.is_(None)).order_by(made.c.id),
        select(made.c.id).where(made.c.n.between(2, 5)).order_by(made.c.id),
        select(made.c.id).where(made.c.n.in_([1, 4])).order_by(made.c.id),
    ]
    moved = update(made).where(made.c.k.in_(["a", "c"])).values(k=None)
    pair = pair_factory()

    def work(engine: Engine) -> list[Any]:
        answers: list[Any] = []
        for metadata_, rows in (
            (first, [{"k": "a", "n": 1}, {"k": "b", "n": None}, {"k": "c", "n": 4}]),
            (second, [{"k": "d", "n": 4}, {"k": "a", "n": None}, {"k": "e", "n": 2}]),
        ):
            first.drop_all(engine)
            metadata_.create_all(engine)
            with engine.begin() as conn:
                conn.execute(insert(made), rows)
                answers += [conn.execute(s).all() for s in statements]
                answers.append(conn.execute(moved).rowcount)
                answers.append(conn.execute(select(made).order_by(made.c.id)).all())
        return answers

    pair.check(work)
