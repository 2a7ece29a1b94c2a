"""Standard entry points: DDL, inspection, Core, Session, sessionmaker, async, engine lifetime."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker

from .diff_schema import (
    ACCOUNTS,
    Account,
    AssetClass,
    Base,
    Instrument,
    Order,
    Side,
    accounts,
    orders,
)
from .diffkit import (
    EnginePair,
    assert_same,
    memory_async_engine,
    memory_engine,
    sqlite_async_engine,
    sqlite_engine,
)

PairFactory = Callable[..., EnginePair]
NOON = datetime(2024, 3, 1, 12)


def schema_seen_by(engine: Engine) -> dict[str, list[str]]:
    inspector = inspect(engine)
    return {
        table: [column["name"] for column in inspector.get_columns(table)]
        for table in sorted(inspector.get_table_names())
    }


def test_create_all_then_drop_all_as_seen_by_the_inspector(pair_factory: PairFactory) -> None:
    pair = pair_factory()

    def lifecycle(engine: Engine) -> list[Any]:
        seen: list[Any] = [schema_seen_by(engine)]
        Base.metadata.create_all(engine)
        seen.append(schema_seen_by(engine))
        seen.append(inspect(engine).has_table("orders"))
        Base.metadata.create_all(engine)  # checkfirst: a second call changes nothing
        seen.append(schema_seen_by(engine))
        Base.metadata.drop_all(engine, tables=[Base.metadata.tables["fills"]])
        seen.append(sorted(inspect(engine).get_table_names()))
        Base.metadata.drop_all(engine)
        seen.append(schema_seen_by(engine))
        seen.append(inspect(engine).has_table("orders"))
        return seen

    answer = pair.check(lifecycle)
    assert answer[0] == {} and answer[-1] is False
    assert answer[1]["orders"][:3] == ["id", "instrument_id", "account_id"]


def test_core_connection_execute_insert_and_select(pair_factory: PairFactory) -> None:
    pair = pair_factory(Base.metadata)

    def core(engine: Engine) -> list[Any]:
        with engine.connect() as conn:
            inserted = conn.execute(insert(accounts), ACCOUNTS).rowcount
            conn.commit()
        with engine.connect() as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.id)).all()
            one = conn.execute(select(accounts.c.code).where(accounts.c.id == 2)).scalar_one()
            mapping = conn.execute(select(accounts).where(accounts.c.id == 1)).mappings().one()
        return [inserted, [tuple(row) for row in rows], one, dict(mapping)]

    answer = pair.check(core)
    assert answer[0] == len(ACCOUNTS) and answer[2] == "BETA"


def test_session_add_commit_and_query(pair_factory: PairFactory) -> None:
    pair = pair_factory(Base.metadata)

    def work(session: Session) -> list[Any]:
        session.add_all([Account(code="ALPHA", owner="Ada"), Account(code="BETA")])
        session.commit()
        found = session.scalars(select(Account).order_by(Account.code.desc())).all()
        return [[(account.id, account.code, account.owner) for account in found]]

    answer = pair.check_session(work)
    assert answer == [[(2, "BETA", None), (1, "ALPHA", "Ada")]]


def test_sessionmaker_begin_commits_and_a_new_session_sees_it(pair_factory: PairFactory) -> None:
    pair = pair_factory(Base.metadata)

    def work(engine: Engine) -> list[Any]:
        factory = sessionmaker(engine, expire_on_commit=False)
        with factory.begin() as session:
            session.add(Account(code="ALPHA"))
        with factory() as session:
            count = session.scalar(select(func.count()).select_from(Account))
            code = session.scalars(select(Account.code)).one()
        return [count, code]

    assert pair.check(work) == [1, "ALPHA"]


def test_async_engine_and_async_session() -> None:
    pytest.importorskip("aiosqlite", reason="the SQLite async reference needs aiosqlite")

    async def scenario(engine: AsyncEngine) -> list[Any]:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
            await conn.execute(insert(accounts), ACCOUNTS)
        factory = async_sessionmaker(engine, expire_on_commit=False)
        async with factory() as session:
            instrument = Instrument(
                symbol="AAPL", asset_class=AssetClass.EQUITY, tick_size=Decimal("0.01")
            )
            session.add(instrument)
            await session.flush()
            session.add(Order(instrument_id=instrument.id, side=Side.BUY, qty=5, placed_at=NOON))
            await session.commit()
        async with AsyncSession(engine) as session:
            codes = (await session.scalars(select(Account.code).order_by(Account.id))).all()
            order = (await session.execute(select(Order.id, Order.status, Order.side))).one()
            streamed = [row async for row in await session.stream_scalars(select(Account.id))]
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: sorted(inspect(sync).get_table_names()))
        await engine.dispose()
        return [list(codes), tuple(order), sorted(streamed), tables]

    sqlite_answer = asyncio.run(scenario(sqlite_async_engine()))
    memory_answer = asyncio.run(scenario(memory_async_engine()))
    assert_same(sqlite_answer, memory_answer, "the async scenario")
    assert sqlite_answer[0] == ["ALPHA", "BETA", "GAMMA"]


def test_each_engine_is_its_own_database() -> None:
    def two_engines(make: Callable[[], Engine]) -> list[Any]:
        first, second = make(), make()
        try:
            Base.metadata.create_all(first)
            with first.begin() as conn:
                conn.execute(insert(accounts), ACCOUNTS)
            return [schema_seen_by(second), len(schema_seen_by(first))]
        finally:
            first.dispose()
            second.dispose()

    sqlite_answer = two_engines(sqlite_engine)
    memory_answer = two_engines(memory_engine)
    assert_same(sqlite_answer, memory_answer, "two engines")
    assert sqlite_answer == [{}, 4]


def test_committed_rows_survive_across_connections_until_dispose(pair_factory: PairFactory) -> None:
    pair = pair_factory(Base.metadata)

    def lifetime(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(insert(accounts), ACCOUNTS)
        with engine.connect() as conn:
            before = conn.execute(select(func.count()).select_from(accounts)).scalar_one()
        engine.dispose()
        return [before, schema_seen_by(engine)]

    assert pair.check(lifetime) == [3, {}]


def test_orders_table_columns_in_declaration_order(pair_factory: PairFactory) -> None:
    pair = pair_factory(Base.metadata)
    answer = pair.check(lambda engine: schema_seen_by(engine)["orders"])
    assert answer == [column.name for column in orders.columns]
