"""Micro-benchmarks: the cost of single awaited operations, every round timed on each backend in
turn."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from itertools import count
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
    RoundTimings,
    failure_text,
    new_order,
    raw_reference,
    schedule,
)


def micro_pass(
    backends: Sequence[BenchBackend],
    workdir: Path,
    sizes: MicroSizes,
    bulk: BulkInput,
    failures: dict[str, str],
) -> list[MicroResult]:
    """One pass: a fresh database of every backend open side by side in one event loop, every
    round of every operation timed on each backend in turn (see `interleaved_rounds`).

    The migrator runs its own event loop, so the fresh databases are made outside this one. A
    backend that fails is recorded in `failures` under its label and has no results.
    """
    with ExitStack() as stack:
        ready: list[tuple[BenchBackend, FreshDatabase, RawSqlite | None]] = []
        for backend in backends:
            try:
                database = stack.enter_context(fresh_database(backend, workdir, run=0))
                raw = stack.enter_context(raw_reference(backend, workdir))
                ready.append((backend, database, raw))
            except Exception as error:  # reported in the results and in the exit code
                failures[backend.label] = failure_text(error)
        return asyncio.run(_measure(ready, sizes, bulk, failures))


async def _measure(
    ready: Sequence[tuple[BenchBackend, FreshDatabase, RawSqlite | None]],
    sizes: MicroSizes,
    bulk: BulkInput,
    failures: dict[str, str],
) -> list[MicroResult]:
    async with AsyncExitStack() as stack:
        benches = []
        for backend, database, raw in ready:
            try:
                container = await stack.enter_async_context(bench_container(database))
                bench = await MicroBench.seeded(backend, container, sizes, bulk, raw)
                stack.push_async_callback(bench.close)
                benches.append(bench)
            except Exception as error:  # reported in the results and in the exit code
                failures[backend.label] = failure_text(error)
        return await interleaved_rounds(benches, sizes, failures)


@asynccontextmanager
async def bench_container(database: FreshDatabase) -> AsyncIterator[Container]:
    """An opened container on a fresh database, disposed of afterwards."""
    container = configure(Container(), parse_database_url(database.url))
    if database.create_schema:
        await upgrade_in_place(container.engine())
    async with opened(container):
        yield container


async def interleaved_rounds(
    benches: Sequence["MicroBench"], sizes: MicroSizes, failures: dict[str, str]
) -> list[MicroResult]:
    """Every round of every operation timed on each backend in turn (see `schedule`), so the
    machine's drift weighs on every backend alike; per backend and operation the median."""
    timings = RoundTimings(failures)
    for bench, operation in schedule(benches, sizes):
        if timings.skips(bench.backend):
            continue
        try:
            timings.add(bench.backend, await bench.time_round(operation, sizes.ops))
        except Exception as error:  # reported in the results and in the exit code
            timings.fail(bench.backend, error)
    return timings.medians(sizes)


class MicroBench:
    """One backend's fresh database, seeded with orders, and the operations timed on it."""

    def __init__(
        self,
        backend: BenchBackend,
        session: AsyncSession,
        bulk: BulkInput,
        raw: RawSqlite | None,
        target: Order,
    ) -> None:
        self.backend = backend
        self._session = session
        self._bulk = bulk
        self._raw = raw
        self._orders = SqlAlchemyOrderRepository(session)
        self._bars = SqlAlchemyBarRepository(session)
        self._target = target
        self._numbers = count()
        self._calls: dict[str, Callable[[], Awaitable[object]]] = {
            "select_prebuilt": lambda: self._orders.list_open("ES", STRATEGY),
            "select_fresh": lambda: _fresh_open_orders(self._session),
            "insert_commit": self._insert_commit,
            "update_commit": self._update_commit,
        }

    @classmethod
    async def seeded(
        cls,
        backend: BenchBackend,
        container: Container,
        sizes: MicroSizes,
        bulk: BulkInput,
        raw: RawSqlite | None,
    ) -> "MicroBench":
        session: AsyncSession = container.session_factory()()
        try:
            await _seed_orders(session, sizes.table_orders)
            target = await SqlAlchemyOrderRepository(session).get("SEED-0000000")
        except BaseException:
            await session.close()
            raise
        return cls(backend, session, bulk, raw, target)

    async def time_round(self, operation: str, ops: int) -> list[tuple[str, float]]:
        """Seconds per awaited call of `operation` over `ops` calls; for the bulk insert, the
        seconds of one load of the bars, and of raw executemany beside it when this backend
        has one."""
        if operation == "bulk_insert":
            return await self._bulk_round()
        call = self._calls[operation]
        started = time.perf_counter()
        for _ in range(ops):
            await call()
        return [(operation, (time.perf_counter() - started) / ops)]

    async def close(self) -> None:
        await self._session.close()

    async def _insert_commit(self) -> None:
        number = next(self._numbers)
        self._session.add(new_order(f"INS-{number:07d}", number))
        await self._session.commit()

    async def _update_commit(self) -> None:
        self._target.reason = f"note {next(self._numbers)}"
        await self._session.commit()

    async def _bulk_round(self) -> list[tuple[str, float]]:
        await self._session.execute(delete(bars))
        await self._session.commit()
        started = time.perf_counter()
        await self._bars.add_many(self._bulk.bars)
        await self._session.commit()
        timed = [("bulk_insert", time.perf_counter() - started)]
        if self._raw is not None:
            timed.append(("raw_executemany", self._raw.time_insert(self._bulk.sqlite_rows)))
        return timed


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
