"""Standard entry points: DDL, inspection, Core, Session, sessionmaker, async, engine lifetime."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    func,
    insert,
    inspect,
    select,
    text,
)
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


def test_tables_created_one_by_one_and_dropped(pair_factory: PairFactory) -> None:
    pair = pair_factory()

    def ddl(engine: Engine) -> list[Any]:
        seen: list[Any] = []
        for table in Base.metadata.sorted_tables:
            table.create(engine)
            seen.append(sorted(inspect(engine).get_table_names()))
        for table in reversed(Base.metadata.sorted_tables):
            table.drop(engine)
            seen.append(inspect(engine).has_table(table.name))
        return seen

    pair.check(ddl)


def reflected(engine: Engine, table: str) -> dict[str, Any]:
    inspector = inspect(engine)
    return {
        "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
        "foreign keys": sorted(
            (
                fk["constrained_columns"],
                fk["referred_table"],
                fk["referred_columns"],
                fk.get("options", {}).get("ondelete"),
            )
            for fk in inspector.get_foreign_keys(table)
        ),
        "indexes": sorted(
            (index["name"], index["column_names"], bool(index["unique"]))
            for index in inspector.get_indexes(table)
        ),
        "unique constraints": sorted(
            unique["column_names"] for unique in inspector.get_unique_constraints(table)
        ),
        "nullable": [
            (column["name"], column["nullable"]) for column in inspector.get_columns(table)
        ],
    }


@pytest.mark.parametrize("table", ["accounts", "instruments", "orders", "fills"])
def test_reflected_keys_indexes_and_nullability(pair_factory: PairFactory, table: str) -> None:
    pair = pair_factory(Base.metadata)
    answer = pair.check(lambda engine: reflected(engine, table), table)
    assert answer["primary key"] == ["id"]


defaults_metadata = MetaData()
Table(
    "run_settings",
    defaults_metadata,
    Column("id", Integer, primary_key=True),
    Column("mode", String(8), nullable=False, server_default="paper"),
    Column("retries", Integer, server_default=text("0")),
    Column("created_at", DateTime, server_default=func.now()),
    Column("fee", Numeric(8, 4), server_default="0.0005"),
)


@pytest.mark.parametrize(
    "metadata", [Base.metadata, defaults_metadata], ids=["trading", "defaults"]
)
def test_reflected_column_types_and_defaults(pair_factory: PairFactory, metadata: MetaData) -> None:
    # SQLite reports the DDL type names (an Enum is a VARCHAR) and server defaults as SQL text.
    pair = pair_factory(metadata)

    def columns(engine: Engine) -> list[tuple[str, str, object]]:
        inspector = inspect(engine)
        return [
            (column["name"], str(column["type"]), column.get("default"))
            for table in sorted(inspector.get_table_names())
            for column in inspector.get_columns(table)
        ]

    pair.check(columns)


def test_result_fetching_apis(trading: EnginePair) -> None:
    statement = select(orders.c.id, orders.c.status).order_by(orders.c.id)

    def fetch(engine: Engine) -> list[Any]:
        with engine.connect() as conn:
            result = conn.execute(statement)
            seen: list[Any] = [result.returns_rows, list(result.keys())]
            seen.append(tuple(result.fetchone() or ()))
            seen.append([tuple(row) for row in result.fetchmany(3)])
            seen.append([tuple(row) for row in result.fetchall()])
            seen.append(result.fetchone())
            seen.append(tuple(conn.execute(statement).first() or ()))
            seen.append(conn.execute(statement.where(orders.c.id > 99)).one_or_none())
            seen.append(conn.execute(select(orders.c.id).where(orders.c.id == 3)).scalar_one())
            partitions = conn.execution_options(yield_per=5).execute(statement).partitions()
            seen.append([[tuple(row) for row in part] for part in partitions])
            streamed = conn.execution_options(stream_results=True).execute(statement)
            seen.append([tuple(row) for row in streamed.fetchmany(2)])
            streamed.close()
            seen.append(conn.execute(statement).scalars().all())
            seen.append(conn.execute(statement).columns("status").scalars().unique().all())
        return seen

    answer = trading.check(fetch)
    assert answer[2] == (1, "filled") and len(answer[9]) == 3
