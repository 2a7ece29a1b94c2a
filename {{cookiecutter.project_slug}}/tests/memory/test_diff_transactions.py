"""Transactions: atomic commit, rollback, savepoints, test isolation, concurrent connections.

Tests with several connections at once use a SQLite file as the reference: SQLite in memory has a
single shared connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .diff_schema import Account, Base, Order, Side, accounts, instruments, orders, seed
from .diffkit import (
    EnginePair,
    assert_same,
    cpython_driver,
    memory_engine,
    new_session,
    sqlite_engine,
)

PairFactory = Callable[..., EnginePair]
LOCK_TIMEOUT = 0.2
NOON = datetime(2024, 3, 1, 12)


def indexed_lookups(conn: Connection) -> list[Any]:
    """Look-ups the indexes of the trading schema answer."""
    o, a, i = orders.c, accounts.c, instruments.c
    statements = [
        select(o.id).where(o.instrument_id == 1, o.status == "open").order_by(o.id),
        select(o.id).where(o.instrument_id == 2).order_by(o.id),
        select(o.id).where(o.account_id == 2).order_by(o.id),
        select(o.id).where(o.account_id.is_(None)).order_by(o.id),
        select(o.id).where(o.account_id.in_([1, 3])).order_by(o.id),
        select(o.account_id, o.id).order_by(o.account_id, o.id),
        select(a.id).where(a.code == "ALPHA"),
        select(a.id).where(a.code == "OMEGA"),
        select(i.id).where(i.symbol == "MSFT"),
        select(func.count()).select_from(orders),
    ]
    return [[tuple(row) for row in conn.execute(statement)] for statement in statements]


def snapshot(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return indexed_lookups(conn)


def churn(conn: Connection) -> None:
    """Inserts, key-moving updates and deletes over indexed columns."""
    o = orders.c
    conn.execute(insert(accounts).values(id=4, code="OMEGA"))
    conn.execute(
        insert(orders),
        [
            {
                "id": 20,
                "instrument_id": 1,
                "account_id": 4,
                "side": Side.BUY,
                "status": "open",
                "placed_at": NOON,
            },
            {
                "id": 21,
                "instrument_id": 2,
                "account_id": None,
                "side": Side.SELL,
                "status": "new",
                "placed_at": NOON,
            },
        ],
    )
    conn.execute(update(orders).where(o.instrument_id == 1).values(status="moved", account_id=3))
    conn.execute(update(orders).where(o.id == 9).values(account_id=2, instrument_id=1))
    conn.execute(update(accounts).where(accounts.c.code == "ALPHA").values(code="ALEPH"))
    conn.execute(delete(orders).where(o.account_id.is_(None)))
    conn.execute(update(instruments).where(instruments.c.symbol == "MSFT").values(symbol="MSFT2"))


def test_commit_applies_every_statement(trading: EnginePair) -> None:
    def work(engine: Engine) -> list[Any]:
        before = snapshot(engine)
        with engine.begin() as conn:
            churn(conn)
        return [before, snapshot(engine)]

    before, after = trading.check(work)
    assert before != after


def test_rollback_restores_rows_and_indexed_lookups(trading: EnginePair) -> None:
    def work(engine: Engine) -> list[Any]:
        before = snapshot(engine)
        with engine.connect() as conn:
            conn.begin()
            churn(conn)
            during = indexed_lookups(conn)
            conn.rollback()
        after = snapshot(engine)
        return [before == after, during != before, after]

    answer = trading.check(work)
    assert answer[:2] == [True, True]


def test_savepoints_commit_and_rollback(trading: EnginePair) -> None:
    def work(engine: Engine) -> list[Any]:
        seen: list[object] = []
        with engine.connect() as conn:
            conn.begin()
            conn.execute(insert(accounts).values(code="OUTER"))
            kept = conn.begin_nested()
            conn.execute(insert(accounts).values(code="KEPT"))
            kept.commit()
            dropped = conn.begin_nested()
            conn.execute(insert(accounts).values(code="DROPPED"))
            conn.execute(update(orders).values(status="gone"))
            seen.append(indexed_lookups(conn))
            dropped.rollback()
            seen.append(indexed_lookups(conn))
            conn.commit()
        seen.append(snapshot(engine))
        with engine.connect() as conn:
            seen.append(conn.execute(select(accounts.c.code).order_by(accounts.c.id)).all())
        return seen

    answer = trading.check(work)
    assert [code for (code,) in answer[-1]][-2:] == ["OUTER", "KEPT"]


def test_savepoints_nested_twice(trading: EnginePair) -> None:
    def codes(conn: Connection) -> list[str]:
        return list(conn.execute(select(accounts.c.code).order_by(accounts.c.id)).scalars())

    def work(engine: Engine) -> list[Any]:
        seen: list[object] = []
        with engine.connect() as conn:
            conn.begin()
            first = conn.begin_nested()
            conn.execute(insert(accounts).values(code="L1"))
            second = conn.begin_nested()
            conn.execute(insert(accounts).values(code="L2"))
            conn.execute(delete(accounts).where(accounts.c.code == "BETA"))
            second.rollback()
            seen.append(codes(conn))
            third = conn.begin_nested()
            conn.execute(insert(accounts).values(code="L3"))
            third.commit()
            first.commit()
            seen.append(codes(conn))
            again = conn.begin_nested()
            inner = conn.begin_nested()
            conn.execute(delete(accounts))
            inner.commit()
            seen.append(codes(conn))
            again.rollback()
            seen.append(codes(conn))
            conn.commit()
        with engine.connect() as conn:
            seen.append(codes(conn))
        return seen

    trading.check(work)


def test_session_savepoints(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        session.add(Account(code="S0"))
        with session.begin_nested():
            session.add(Account(code="S1"))
        nested = session.begin_nested()
        session.add(Account(code="S2"))
        order = session.get(Order, 1)
        assert order is not None
        order.qty = 1
        session.flush()
        nested.rollback()
        qty_after = order.qty
        failed = "nothing failed"
        try:
            with session.begin_nested():
                session.add(Account(code="ALPHA"))
        except Exception as error:
            failed = type(error).__name__
        session.commit()
        codes = session.scalars(select(Account.code).order_by(Account.id)).all()
        return [qty_after, failed, list(codes)]

    assert trading.check_session(work)[0] == 100


def test_outer_transaction_isolates_a_session_that_commits(trading: EnginePair) -> None:
    def work(engine: Engine) -> list[Any]:
        before = snapshot(engine)
        with engine.connect() as conn:
            outer = conn.begin()
            with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
                session.add(Account(code="T1"))
                session.commit()
                session.add(Account(code="T2"))
                session.rollback()
                session.add(Account(code="T3"))
                session.execute(update(Order).values(status="inside"))
                session.commit()
                inside = session.scalars(select(Account.code).order_by(Account.id)).all()
                statuses = session.scalars(select(Order.status).distinct()).all()
            outer.rollback()
        return [list(inside), list(statuses), snapshot(engine) == before]

    answer = trading.check(work)
    assert answer == [["ALPHA", "BETA", "GAMMA", "T1", "T3"], ["inside"], True]


# --- several connections at once ----------------------------------------------------------


@pytest.fixture
def file_pair(tmp_path: Path) -> Iterator[EnginePair]:
    """Engines that allow concurrent connections, seeded, with a short lock timeout."""
    pair = EnginePair(
        sqlite_engine(str(tmp_path / "reference.db"), timeout=LOCK_TIMEOUT),
        memory_engine(timeout=LOCK_TIMEOUT, file_for_baseline=str(tmp_path / "baseline.db")),
    )
    pair.run(Base.metadata.create_all)
    pair.run(seed)
    yield pair
    pair.dispose()


def test_other_connections_never_see_uncommitted_writes(file_pair: EnginePair) -> None:
    def work(engine: Engine) -> list[Any]:
        seen: list[object] = [snapshot(engine)]
        with engine.connect() as writer:
            writer.begin()
            churn(writer)
            own = indexed_lookups(writer)
            seen.append(snapshot(engine))  # another connection: the committed state
            writer.commit()
        seen.append(snapshot(engine))
        return [seen[0] == seen[1], own == seen[2], seen]

    assert file_pair.check(work)[:2] == [True, True]


def test_a_rolled_back_writer_leaves_readers_unaffected(file_pair: EnginePair) -> None:
    def work(engine: Engine) -> list[Any]:
        before = snapshot(engine)
        with engine.connect() as writer:
            writer.begin()
            churn(writer)
            writer.rollback()
        with engine.begin() as other:
            other.execute(insert(accounts).values(code="AFTER"))
        return [before, snapshot(engine)]

    file_pair.check(work)


@pytest.mark.skipif(not cpython_driver(), reason="pysqlite3 waits for a lock its own way")
def test_a_lock_that_cannot_be_had_fails_after_the_timeout(file_pair: EnginePair) -> None:
    def work(engine: Engine) -> list[Any]:
        outcome: dict[str, Any] = {}
        with engine.connect() as holder:
            holder.begin()
            holder.execute(insert(accounts).values(code="HOLDER"))

            def contend() -> None:
                started = time.monotonic()
                with engine.connect() as waiter:
                    waiter.begin()
                    try:
                        waiter.execute(insert(accounts).values(code="WAITER"))
                        outcome["error"] = None
                    except OperationalError as error:
                        outcome["error"] = type(error).__name__
                    outcome["seconds"] = time.monotonic() - started
                    waiter.rollback()

            thread = threading.Thread(target=contend, daemon=True)
            thread.start()
            thread.join(timeout=10)
            assert not thread.is_alive(), "a blocked writer hung instead of timing out"
            holder.commit()
        with engine.begin() as conn:
            conn.execute(insert(accounts).values(code="LATER"))
        with engine.connect() as conn:
            codes = conn.execute(select(accounts.c.code).order_by(accounts.c.id)).scalars()
            final = list(codes)
        waited = outcome["seconds"]
        return [outcome["error"], LOCK_TIMEOUT * 0.75 <= waited < LOCK_TIMEOUT + 3, final]

    answer = file_pair.check(work)
    assert answer[:2] == ["OperationalError", True]


def test_threads_with_their_own_sessions_end_consistent(tmp_path: Path) -> None:
    threads, rounds = 4, 10

    def hammer(engine: Engine) -> list[Any]:
        Base.metadata.create_all(engine)
        seed(engine)
        errors: list[str] = []

        def worker(number: int) -> None:
            try:
                for step in range(rounds):
                    with new_session(engine) as session:
                        session.execute(
                            update(Order).where(Order.id == 1).values(qty=Order.qty + 1)
                        )
                        session.add(Account(code=f"W{number}-{step}"))
                        session.commit()
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")

        workers = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(threads)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=30)
        with engine.connect() as conn:
            qty = conn.execute(select(orders.c.qty).where(orders.c.id == 1)).scalar_one()
            codes = conn.execute(select(accounts.c.code)).scalars().all()
        engine.dispose()
        return [errors, any(thread.is_alive() for thread in workers), qty, sorted(codes)]

    sqlite_answer = hammer(
        sqlite_engine(str(tmp_path / "reference.db"), timeout=30, begin="BEGIN IMMEDIATE")
    )
    memory_answer = hammer(
        memory_engine(
            timeout=30,
            file_for_baseline=str(tmp_path / "baseline.db"),
            baseline_begin="BEGIN IMMEDIATE",
        )
    )
    assert_same(sqlite_answer, memory_answer, "concurrent sessions")
    assert sqlite_answer[:3] == [[], False, 100 + threads * rounds]
