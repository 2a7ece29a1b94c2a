"""The differential suite through `AsyncEngine` and `AsyncSession`, on the sync suite's own cases.

``memory+asyncio://`` against ``sqlite+aiosqlite``, inline and through SQLAlchemy's bridge (see
`async_pair`): the case tables of the select modules, awaited on an `AsyncConnection` (all of them
inline, the application's path; a sample through the bridge, whose plumbing is what differs); the
DML statements and constraint violations of the DML and constraint modules, awaited; the sync
modules' operation functions (relationship loading, RETURNING, index look-ups, churn) through
``run_sync``; and session work written with the awaited API: ``get``, ``scalars``,
``stream_scalars``, ``flush``, ``commit``, ``rollback``, ``refresh`` and ``begin_nested``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import selectinload

from .async_pair import (
    ASYNC_MODES,
    AsyncEnginePair,
    make_async_pair,
    seed_trading,
    table_rows,
)
from .diff_schema import Account, AssetClass, Fill, Instrument, Order, Side, accounts, orders
from .test_diff_constraints import ALL, VIOLATIONS, seed_desks
from .test_diff_constraints import metadata as desk_metadata
from .test_diff_dml import WRITES, answer_of, insert_returning_one_and_many
from .test_diff_orm import LOADERS, NOON, loaded_orders
from .test_diff_select_filters import SELECTIVE
from .test_diff_select_functions import AGGREGATES, GROUPINGS, ORDERINGS, PAGES, page
from .test_diff_select_joins import CORE
from .test_diff_transactions import churn, indexed_lookups

o = orders.c
EAGER = {name: option for name, option in LOADERS.items() if option is not None}


@pytest.fixture(scope="module")
def seeded_pairs() -> Iterator[dict[str, AsyncEnginePair]]:
    """A pair per mode with the trading schema and its seed rows, for tests that never write."""
    pairs = {mode: make_async_pair(mode) for mode in ASYNC_MODES}
    for pair in pairs.values():
        pair.run(seed_trading)
    yield pairs
    for pair in pairs.values():
        pair.dispose()


@pytest.fixture(params=ASYNC_MODES)
def seeded_async(
    request: pytest.FixtureRequest, seeded_pairs: dict[str, AsyncEnginePair]
) -> AsyncEnginePair:
    return seeded_pairs[request.param]


@pytest.fixture
def seeded_inline(seeded_pairs: dict[str, AsyncEnginePair]) -> AsyncEnginePair:
    return seeded_pairs["inline"]


@pytest.fixture(params=ASYNC_MODES)
def trading_async(request: pytest.FixtureRequest) -> Iterator[AsyncEnginePair]:
    """Like ``seeded_async``, fresh for one test that writes."""
    pair = make_async_pair(request.param)
    pair.run(seed_trading)
    yield pair
    pair.dispose()


@pytest.fixture(params=ASYNC_MODES)
def desks_async(request: pytest.FixtureRequest) -> Iterator[AsyncEnginePair]:
    """The constraint module's desks, traders and limits, seeded through ``run_sync``."""
    pair = make_async_pair(request.param, desk_metadata)

    async def seed(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            await conn.run_sync(seed_desks)

    pair.run(seed)
    yield pair
    pair.dispose()


# --- queries: the select modules' case tables, awaited on an AsyncConnection -----------------


@pytest.mark.parametrize("name", list(SELECTIVE))
def test_filter(seeded_inline: AsyncEnginePair, name: str) -> None:
    answer = seeded_inline.check_rows(select(o.id).where(SELECTIVE[name]).order_by(o.id), what=name)
    assert answer


@pytest.mark.parametrize("name", list(CORE))
def test_join_subquery_or_compound(seeded_inline: AsyncEnginePair, name: str) -> None:
    assert seeded_inline.check_rows(CORE[name], what=name)


@pytest.mark.parametrize("name", list(AGGREGATES))
def test_aggregate(seeded_inline: AsyncEnginePair, name: str) -> None:
    seeded_inline.check_rows(AGGREGATES[name], what=name)


@pytest.mark.parametrize("name", list(GROUPINGS))
def test_group_by(seeded_inline: AsyncEnginePair, name: str) -> None:
    assert seeded_inline.check_rows(GROUPINGS[name], what=name, ordered=False)


@pytest.mark.parametrize("name", list(ORDERINGS))
def test_order_by(seeded_inline: AsyncEnginePair, name: str) -> None:
    statement = select(o.id, o.qty, o.limit_price).order_by(*ORDERINGS[name])
    seeded_inline.check_rows(statement, what=name)


@pytest.mark.parametrize(("limit", "offset"), PAGES)
def test_limit_offset(
    seeded_inline: AsyncEnginePair, limit: int | None, offset: int | None
) -> None:
    seeded_inline.check_rows(page(limit, offset))


BRIDGE_SAMPLE = {
    "filter": select(o.id).where(SELECTIVE["and_"]).order_by(o.id),
    "join": CORE["three tables"],
    "aggregate": AGGREGATES["sum numeric"],
    "grouping": GROUPINGS["two keys"],
    "page": page(3, 2),
}
"""A query of each table, for the bridge's plumbing: evaluation is the same in both modes."""


@pytest.mark.parametrize("name", list(BRIDGE_SAMPLE))
def test_a_query_of_each_kind_through_both_modes(seeded_async: AsyncEnginePair, name: str) -> None:
    assert seeded_async.check_rows(BRIDGE_SAMPLE[name], what=name, ordered=name != "grouping")


def test_streamed_results_are_the_executed_results(seeded_async: AsyncEnginePair) -> None:
    statement = select(Order).options(selectinload(Order.fills)).order_by(Order.id)

    async def both(session: AsyncSession) -> list[Any]:
        executed = [order.id for order in (await session.scalars(statement)).all()]
        streamed = await session.stream_scalars(statement.execution_options(yield_per=4))
        return [executed, [(order.id, len(order.fills)) async for order in streamed]]

    executed, streamed = seeded_async.check_session(both)
    assert executed == [order_id for order_id, _ in streamed]


def test_a_connection_streams_what_it_executes(seeded_async: AsyncEnginePair) -> None:
    statement = select(o.id, o.qty, o.limit_price).order_by(o.id)

    async def both(engine: AsyncEngine) -> list[Any]:
        async with engine.connect() as conn:
            executed = [tuple(row) for row in (await conn.execute(statement)).all()]
            streamed = await conn.stream(statement)
            parts = [[tuple(row) for row in part] async for part in streamed.partitions(3)]
            ids = [order_id async for order_id in await conn.stream_scalars(select(o.id))]
            return [executed, parts, sorted(ids)]

    executed, parts, ids = seeded_async.check(both)
    assert [row for part in parts for row in part] == executed
    assert all(len(part) == 3 for part in parts[:-1])
    assert ids == sorted(row[0] for row in executed)


# --- writes: the DML module's statements, awaited, and its RETURNING step through run_sync -----


@pytest.mark.parametrize("name", list(WRITES))
def test_write(trading_async: AsyncEnginePair, name: str) -> None:
    write = WRITES[name]

    async def work(engine: AsyncEngine) -> list[Any]:
        async with engine.begin() as conn:
            answered = answer_of(await conn.execute(write.statement, write.params))
        async with engine.connect() as conn:
            return [answered, await conn.run_sync(table_rows, write.table)]

    trading_async.check(work, name)


def test_insert_returning_through_run_sync(trading_async: AsyncEnginePair) -> None:
    answer: Any = trading_async.check_connection(insert_returning_one_and_many)
    assert answer[1] == [(5, "R2"), (6, "R3")]


def test_orm_bulk_insert_returning_objects(trading_async: AsyncEnginePair) -> None:

    async def work(session: AsyncSession) -> list[Any]:
        returned = await session.scalars(
            insert(Account).returning(Account, sort_by_parameter_order=True),
            [{"code": "B3"}, {"code": "B4", "owner": "Bo"}],
        )
        added = [(account.id, account.code, account.owner) for account in returned.all()]
        await session.commit()
        stored = await session.execute(select(accounts).order_by(accounts.c.id))
        return [added, [tuple(row) for row in stored]]

    answer = trading_async.check_session(work, expire_on_commit=False)
    assert answer[0] == [(4, "B3", None), (5, "B4", "Bo")]


# --- the ORM through AsyncSession -----------------------------------------------------------


@pytest.mark.parametrize("loader", list(LOADERS))
def test_relationship_loading_through_run_sync(seeded_async: AsyncEnginePair, loader: str) -> None:
    async def work(session: AsyncSession) -> list[Any]:
        return await session.run_sync(loaded_orders, loader)

    answer = seeded_async.check_session(work)
    assert all(answer[0]) is (loader != "lazy")


@pytest.mark.parametrize("loader", list(EAGER))
def test_eager_loading_awaited(seeded_async: AsyncEnginePair, loader: str) -> None:
    async def work(session: AsyncSession) -> list[Any]:
        statement = select(Order).options(EAGER[loader]).order_by(Order.id)
        loaded = (await session.scalars(statement)).unique().all()
        return [
            (order.id, [(fill.id, fill.qty, fill.price) for fill in order.fills])
            for order in loaded
        ]

    answer = seeded_async.check_session(work)
    assert any(fills for _, fills in answer)


def test_get_identity_map_and_refresh(trading_async: AsyncEnginePair) -> None:
    async def work(session: AsyncSession) -> list[Any]:
        first = await session.get(Order, 1)
        assert first is not None
        again = await session.get(Order, 1)
        selected = (await session.scalars(select(Order).where(Order.id == 1))).one()
        missing = await session.get(Order, 999)
        await session.execute(update(orders).where(o.id == 1).values(qty=7))
        stale = first.qty
        await session.refresh(first)
        return [first is again, first is selected, missing, stale, first.qty]

    assert trading_async.check_session(work) == [True, True, None, 100, 7]


def test_add_flush_commit_and_rollback(trading_async: AsyncEnginePair) -> None:
    async def work(session: AsyncSession) -> list[Any]:
        kept = Account(code="KEPT", owner="Kim")
        session.add(kept)
        await session.flush()
        key_at_flush = kept.id
        await session.commit()
        session.add(Account(code="DROPPED"))
        await session.flush()
        await session.rollback()
        codes = await session.scalars(select(Account.code).order_by(Account.id))
        return [key_at_flush, list(codes)]

    answer = trading_async.check_session(work, expire_on_commit=False)
    assert answer == [4, ["ALPHA", "BETA", "GAMMA", "KEPT"]]


def test_cascade_save_through_relationships(trading_async: AsyncEnginePair) -> None:
    async def work(session: AsyncSession) -> list[Any]:
        instrument = Instrument(
            symbol="ETH-USD", asset_class=AssetClass.CRYPTO, tick_size=Decimal("0.1"), orders=[]
        )
        order = Order(side=Side.BUY, qty=3, placed_at=NOON, fills=[])
        order.fills.append(Fill(qty=2, price=Decimal("3100.00"), filled_at=NOON))
        instrument.orders.append(order)
        session.add(instrument)
        await session.commit()
        counts = select(
            select(func.count()).select_from(Order).scalar_subquery(),
            select(func.count()).select_from(Fill).scalar_subquery(),
        )
        return [(order.id, order.instrument_id), tuple((await session.execute(counts)).one())]

    assert trading_async.check_session(work, expire_on_commit=False) == [(13, 6), (13, 6)]


# --- constraints: the constraint module's violations, awaited ---------------------------------


@pytest.mark.parametrize("name", list(VIOLATIONS))
def test_constraint_violation_leaves_no_trace(desks_async: AsyncEnginePair, name: str) -> None:
    violation = VIOLATIONS[name]

    async def commit(engine: AsyncEngine, _session: type[AsyncSession]) -> None:
        async with engine.begin() as conn:
            await conn.execute(violation.statement)

    error = desks_async.check_error(
        commit, names=violation.names, sqlite_names_them=violation.sqlite_names_them
    )
    assert isinstance(error, IntegrityError)

    desks_async.check_connection(lambda conn: table_rows(conn, *ALL))


def test_duplicate_key_through_a_session_commit(trading_async: AsyncEnginePair) -> None:
    async def commit(engine: AsyncEngine, session_class: type[AsyncSession]) -> None:
        async with session_class(engine) as session:
            session.add(Account(id=2, code="OTHER"))
            await session.commit()

    trading_async.check_error(commit, names=("accounts", "id"))


def test_a_failed_flush_is_rolled_back_and_the_session_goes_on(
    trading_async: AsyncEnginePair,
) -> None:
    async def work(session: AsyncSession) -> list[Any]:
        session.add_all([Account(code="NEW1"), Account(code="ALPHA")])
        failed = "nothing failed"
        try:
            await session.flush()
        except IntegrityError as error:
            failed = type(error).__name__
            await session.rollback()
        session.add(Account(code="NEW3"))
        await session.commit()
        return [failed, list(await session.scalars(select(Account.code).order_by(Account.id)))]

    answer = trading_async.check_session(work)
    assert answer == ["IntegrityError", ["ALPHA", "BETA", "GAMMA", "NEW3"]]


# --- transactions and savepoints --------------------------------------------------------------


def churned(conn: Connection) -> list[Any]:
    """The transaction module's churn, then its index look-ups inside the same transaction."""
    churn(conn)
    return indexed_lookups(conn)


def test_rollback_through_run_sync_restores_the_indexed_lookups(
    trading_async: AsyncEnginePair,
) -> None:
    before = trading_async.check_connection(indexed_lookups)
    during = trading_async.check_connection(churned, commit=False)
    after = trading_async.check_connection(indexed_lookups)
    assert during != before
    assert after == before


def test_commit_through_run_sync_keeps_the_churn(trading_async: AsyncEnginePair) -> None:
    during = trading_async.check_connection(churned)
    assert trading_async.check_connection(indexed_lookups) == during


def test_awaited_savepoints_on_a_connection(trading_async: AsyncEnginePair) -> None:
    async def work(engine: AsyncEngine) -> list[Any]:
        seen: list[Any] = []
        async with engine.connect() as conn:
            await conn.begin()
            await conn.execute(insert(accounts).values(code="OUTER"))
            kept = await conn.begin_nested()
            await conn.execute(insert(accounts).values(code="KEPT"))
            await kept.commit()
            dropped = await conn.begin_nested()
            await conn.execute(insert(accounts).values(code="DROPPED"))
            await conn.execute(update(orders).values(status="gone"))
            seen.append(await conn.run_sync(indexed_lookups))
            await dropped.rollback()
            seen.append(await conn.run_sync(indexed_lookups))
            await conn.commit()
        async with engine.connect() as conn:
            seen.append(await conn.run_sync(table_rows, accounts))
        return seen

    answer = trading_async.check(work)
    assert [row[1] for row in answer[-1][0]][-2:] == ["OUTER", "KEPT"]


def test_session_savepoints(trading_async: AsyncEnginePair) -> None:
    async def work(session: AsyncSession) -> list[Any]:
        session.add(Account(code="S0"))
        async with session.begin_nested():
            session.add(Account(code="S1"))
        nested = await session.begin_nested()
        session.add(Account(code="S2"))
        order = await session.get(Order, 1)
        assert order is not None
        order.qty = 1
        await session.flush()
        await nested.rollback()
        await session.refresh(order, ["qty"])
        failed = "nothing failed"
        try:
            async with session.begin_nested():
                session.add(Account(code="ALPHA"))
        except IntegrityError as error:
            failed = type(error).__name__
        await session.commit()
        codes = await session.scalars(select(Account.code).order_by(Account.id))
        return [order.qty, failed, list(codes)]

    answer = trading_async.check_session(work, expire_on_commit=False)
    assert answer == [100, "IntegrityError", ["ALPHA", "BETA", "GAMMA", "S0", "S1"]]


def test_outer_transaction_isolates_a_session_that_commits(trading_async: AsyncEnginePair) -> None:
    """The isolation the application's tests use: a session joined to an outer transaction."""

    async def work(engine: AsyncEngine, session_class: type[AsyncSession]) -> list[Any]:
        async with engine.connect() as conn:
            outer = await conn.begin()
            session = session_class(bind=conn, join_transaction_mode="create_savepoint")
            session.add(Account(code="T1"))
            await session.commit()
            session.add(Account(code="T2"))
            await session.rollback()
            await session.execute(update(Order).values(status="inside"))
            await session.commit()
            inside = list(await session.scalars(select(Account.code).order_by(Account.id)))
            statuses = list(await session.scalars(select(Order.status).distinct()))
            await session.close()
            await outer.rollback()
        async with engine.connect() as conn:
            after = await conn.run_sync(indexed_lookups)
        return [inside, statuses, after]

    before = trading_async.check_connection(indexed_lookups)
    inside, statuses, after = trading_async.check_sides(work)
    assert [inside, statuses] == [["ALPHA", "BETA", "GAMMA", "T1"], ["inside"]]
    assert after == before
