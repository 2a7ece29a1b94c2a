"""Micro-benchmarks: the cost of single awaited operations on one backend, as medians."""

import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.sqla.repositories import SqlAlchemyBarRepository, SqlAlchemyOrderRepository
from ..adapters.sqla.schema_in_place import upgrade_in_place
from ..adapters.sqla.tables import bars, orders
from ..container import Container, configure, opened
from ..domain import Order
from ..runner.reference import reference_instrument
from ..settings import parse_database_url
from .backends import BenchBackend, FreshDatabase, fresh_database
from .micro_parts import (
    OPEN,
    OPEN_ORDERS,
    STRATEGY,
    BulkInput,
    MicroResult,
    MicroSizes,
    RawSqlite,
    new_order,
)


def micro_benchmarks_on(
    backend: BenchBackend,
    workdir: Path,
    sizes: MicroSizes,
    bulk: BulkInput,
    raw_database: Path | str | None,
) -> list[MicroResult]:
    """Every micro-benchmark on a fresh database of `backend`, in an event loop of its own.

    The migrator runs its own event loop, so the fresh database is made outside this one.
    """

    async def measure(database: FreshDatabase) -> list[MicroResult]:
        async with bench_container(database) as container:
            return await run_micro_benchmarks(
                container, backend.name, sizes, bulk, raw_database=raw_database
            )

    with fresh_database(backend, workdir, run=0) as database:
        return asyncio.run(measure(database))


@asynccontextmanager
async def bench_container(database: FreshDatabase) -> AsyncIterator[Container]:
    """An opened container on a fresh database, disposed of afterwards."""
    container = configure(Container(), parse_database_url(database.url))
    if database.create_schema:
        await upgrade_in_place(container.engine())
    async with opened(container):
        yield container


async def median_seconds_per_awaited_op(
    operation: Callable[[], Awaitable[object]], *, number: int, rounds: int
) -> float:
    """Median over `rounds` of the time of `number` awaited calls, divided by `number`."""
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(number):
            await operation()
        timings.append((time.perf_counter() - started) / number)
    return statistics.median(timings)


async def run_micro_benchmarks(
    container: Container,
    backend: str,
    sizes: MicroSizes,
    bulk: BulkInput,
    *,
    raw_database: Path | str | None = None,
) -> list[MicroResult]:
    """Every operation of `OPERATIONS` on the container's (fresh, opened) database.

    With a `raw_database` (a SQLite file path or ":memory:"), raw executemany into it is timed
    too, in rounds alternating with the repository's bulk insert so both see the same machine.
    """
    session: AsyncSession = container.session_factory()()
    try:
        await _seed_orders(session, sizes.table_orders)
        repository = SqlAlchemyOrderRepository(session)
        results = [
            MicroResult(
                backend,
                "select_prebuilt",
                await median_seconds_per_awaited_op(
                    lambda: repository.list_open("ES", STRATEGY),
                    number=sizes.ops,
                    rounds=sizes.rounds,
                ),
            ),
            MicroResult(
                backend,
                "select_fresh",
                await median_seconds_per_awaited_op(
                    lambda: _fresh_open_orders(session), number=sizes.ops, rounds=sizes.rounds
                ),
            ),
            MicroResult(backend, "insert_commit", await _insert_commit(session, sizes)),
            MicroResult(backend, "update_commit", await _update_commit(session, repository, sizes)),
        ]
        bulk_seconds, raw_seconds = await _bulk_insert(session, sizes, bulk, raw_database)
        rows = len(bulk.bars)
        results.append(MicroResult(backend, "bulk_insert", bulk_seconds, rows))
        if raw_seconds is not None:
            results.append(MicroResult(backend, "raw_executemany", raw_seconds, rows))
    finally:
        await session.close()
    return results


async def _fresh_open_orders(session: AsyncSession) -> Sequence[Order]:
    statement = (
        select(Order)
        .where(
            orders.c.symbol == "ES",
            orders.c.strategy_id == STRATEGY,
            orders.c.status.in_(OPEN),
        )
        .order_by(orders.c.ts_init, orders.c.order_id)
    )
    return (await session.scalars(statement)).all()


async def _seed_orders(session: AsyncSession, count: int) -> None:
    session.add(reference_instrument())
    await session.flush()
    for number in range(count):
        order = new_order(f"SEED-{number:07d}", number)
        if number >= OPEN_ORDERS:
            order.cancel(order.ts_init, reason="seeded as closed")
        session.add(order)
    await session.commit()


async def _insert_commit(session: AsyncSession, sizes: MicroSizes) -> float:
    counter = iter(range(sizes.ops * sizes.rounds))

    async def insert_one() -> None:
        number = next(counter)
        session.add(new_order(f"INS-{number:07d}", number))
        await session.commit()

    return await median_seconds_per_awaited_op(insert_one, number=sizes.ops, rounds=sizes.rounds)


async def _update_commit(
    session: AsyncSession, repository: SqlAlchemyOrderRepository, sizes: MicroSizes
) -> float:
    target = await repository.get("SEED-0000000")
    counter = iter(range(sizes.ops * sizes.rounds))

    async def update_one() -> None:
        target.reason = f"note {next(counter)}"
        await session.commit()

    return await median_seconds_per_awaited_op(update_one, number=sizes.ops, rounds=sizes.rounds)


async def _bulk_insert(
    session: AsyncSession, sizes: MicroSizes, bulk: BulkInput, raw_database: Path | str | None
) -> tuple[float, float | None]:
    """Median seconds of the repository's bulk insert, and of raw executemany when asked."""
    repository = SqlAlchemyBarRepository(session)
    timings: list[float] = []
    raw_timings: list[float] = []
    with RawSqlite(raw_database) if raw_database is not None else nullcontext() as raw:
        for _ in range(sizes.bulk_rounds):
            await session.execute(delete(bars))
            await session.commit()
            started = time.perf_counter()
            await repository.add_many(bulk.bars)
            await session.commit()
            timings.append(time.perf_counter() - started)
            if raw is not None:
                raw_timings.append(raw.time_insert(bulk.sqlite_rows))
    raw_median = statistics.median(raw_timings) if raw_timings else None
    return statistics.median(timings), raw_median
