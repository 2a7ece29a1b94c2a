"""Micro-benchmarks: the cost of single awaited operations on one backend, as medians."""

import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.schema import CreateTable

from ..adapters.sqla.repositories import SqlAlchemyBarRepository, SqlAlchemyOrderRepository
from ..adapters.sqla.tables import bars, instruments, orders
from ..container import Container
from ..domain import OPEN_ORDER_STATUSES, Order, OrderSide, OrderType
from ..domain.bar import Bar
from ..runner.backtest import reference_instrument

STRATEGY = "bench"
OPEN_ORDERS = 3
"""Working orders among the seeded ones: what the open-orders query finds on a busy bar."""
T0 = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)
_OPEN = [status.value for status in OPEN_ORDER_STATUSES]


@dataclass(frozen=True)
class MicroSizes:
    """How much work each micro-benchmark does."""

    ops: int = 300
    """Operations per timed round."""
    rounds: int = 5
    """Timed rounds; the median round counts."""
    table_orders: int = 1_000
    """Orders in the table before the timing starts (all but a few of them closed)."""
    bulk_rows: int = 100_000
    bulk_rounds: int = 5

    def __post_init__(self) -> None:
        for name in ("ops", "rounds", "table_orders", "bulk_rows", "bulk_rounds"):
            if getattr(self, name) < 1:
                raise ValueError(f"micro-benchmark {name} must be at least 1")


@dataclass(frozen=True)
class MicroResult:
    """The median cost of one operation on one backend."""

    backend: str
    operation: str
    seconds_per_op: float
    rows_per_op: int = 1

    @property
    def ops_per_second(self) -> float:
        return 1.0 / self.seconds_per_op

    @property
    def rows_per_second(self) -> float:
        return self.rows_per_op / self.seconds_per_op


OPERATIONS = {
    "select_prebuilt": "open orders, prebuilt select",
    "select_fresh": "open orders, select built per call",
    "insert_commit": "insert an order + commit",
    "update_commit": "update an attribute + commit",
    "bulk_insert": "bulk insert of bars",
    "raw_executemany": "raw sqlite3 executemany of the same bars",
}


async def median_seconds_per_op(
    operation: Callable[[], Awaitable[object]], *, number: int, rounds: int
) -> float:
    """Median over `rounds` of the time of `number` calls, divided by `number`."""
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(number):
            await operation()
        timings.append((time.perf_counter() - started) / number)
    return statistics.median(timings)


@dataclass(frozen=True)
class BulkInput:
    """The bars of the bulk insert, and the same rows as SQLite stores them for the reference."""

    bars: Sequence[Bar]
    sqlite_rows: Sequence[tuple[Any, ...]]

    @classmethod
    def of(cls, bulk_bars: Sequence[Bar]) -> "BulkInput":
        return cls(bulk_bars, reference_sqlite_rows(bulk_bars))


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
                await median_seconds_per_op(
                    lambda: repository.list_open("ES", STRATEGY),
                    number=sizes.ops,
                    rounds=sizes.rounds,
                ),
            ),
            MicroResult(
                backend,
                "select_fresh",
                await median_seconds_per_op(
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
            orders.c.status.in_(_OPEN),
        )
        .order_by(orders.c.ts_init, orders.c.order_id)
    )
    return (await session.scalars(statement)).all()


def _new_order(order_id: str, minute: int) -> Order:
    order = Order(
        order_id=order_id,
        instrument=reference_instrument(),
        side=OrderSide.BUY,
        order_type=OrderType.LIMIT,
        quantity=Decimal(1),
        price=Decimal("5900.25"),
        strategy_id=STRATEGY,
        ts_init=T0 + timedelta(minutes=minute),
    )
    order.submit(order.ts_init)
    order.accept(order.ts_init)
    return order


async def _seed_orders(session: AsyncSession, count: int) -> None:
    session.add(reference_instrument())
    await session.flush()
    for number in range(count):
        order = _new_order(f"SEED-{number:07d}", number)
        if number >= OPEN_ORDERS:
            order.cancel(order.ts_init, reason="seeded as closed")
        session.add(order)
    await session.commit()


async def _insert_commit(session: AsyncSession, sizes: MicroSizes) -> float:
    counter = iter(range(sizes.ops * sizes.rounds))

    async def insert_one() -> None:
        number = next(counter)
        session.add(_new_order(f"INS-{number:07d}", number))
        await session.commit()

    return await median_seconds_per_op(insert_one, number=sizes.ops, rounds=sizes.rounds)


async def _update_commit(
    session: AsyncSession, repository: SqlAlchemyOrderRepository, sizes: MicroSizes
) -> float:
    target = await repository.get("SEED-0000000")
    counter = iter(range(sizes.ops * sizes.rounds))

    async def update_one() -> None:
        target.reason = f"note {next(counter)}"
        await session.commit()

    return await median_seconds_per_op(update_one, number=sizes.ops, rounds=sizes.rounds)


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


# -- the reference: raw executemany through the sqlite3 module ---------------------------------


def reference_sqlite_rows(bulk_bars: Sequence[Bar]) -> list[tuple[Any, ...]]:
    """The bars as SQLite stores them, converted by SQLAlchemy's own bind processors."""
    dialect = sqlite_dialect.dialect()
    columns = list(bars.columns)
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    rows = []
    for bar in bulk_bars:
        values = [getattr(bar, column.key) for column in columns]
        rows.append(
            tuple(
                value if processor is None else processor(value)
                for value, processor in zip(values, processors, strict=True)
            )
        )
    return rows


class RawSqlite:
    """The `bars` table in a SQLite database reached through the sqlite3 module alone."""

    def __init__(self, database: Path | str) -> None:
        dialect = sqlite_dialect.dialect()
        self._statement = str(insert(bars).compile(dialect=dialect))
        self._connection = sqlite3.connect(database, isolation_level=None)
        self._connection.execute("PRAGMA foreign_keys=ON")
        for table in (instruments, bars):
            self._connection.execute(str(CreateTable(table).compile(dialect=dialect)))
        self._connection.execute(
            "INSERT INTO instruments (symbol, tick_size, multiplier, currency, quantity_step) "
            "VALUES ('ES', 0.25, 50, 'USD', 1)"
        )

    def __enter__(self) -> "RawSqlite":
        return self

    def __exit__(self, *_exc: object) -> None:
        self._connection.close()

    def time_insert(self, rows: Sequence[tuple[Any, ...]]) -> float:
        """Empty the table, then time BEGIN, executemany of `rows`, COMMIT."""
        self._connection.execute("DELETE FROM bars")
        started = time.perf_counter()
        self._connection.execute("BEGIN")
        self._connection.executemany(self._statement, rows)
        self._connection.execute("COMMIT")
        return time.perf_counter() - started
