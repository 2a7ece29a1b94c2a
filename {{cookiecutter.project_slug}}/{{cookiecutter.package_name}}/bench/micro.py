"""Micro-benchmarks: the cost of single operations on one backend, as timeit-style medians."""

import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import Session
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
    bulk_rounds: int = 3

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
}


def median_seconds_per_op(
    operation: Callable[[], object],
    *,
    number: int,
    rounds: int,
    setup: Callable[[], object] | None = None,
) -> float:
    """Median over `rounds` of the time of `number` calls, divided by `number`."""
    timings = []
    for _ in range(rounds):
        if setup is not None:
            setup()
        started = time.perf_counter()
        for _ in range(number):
            operation()
        timings.append((time.perf_counter() - started) / number)
    return statistics.median(timings)


def run_micro_benchmarks(
    container: Container, backend: str, sizes: MicroSizes, bulk_bars: Sequence[Bar]
) -> list[MicroResult]:
    """Every operation of `OPERATIONS` on the container's (fresh) database."""
    session: Session = container.session_factory()()
    try:
        _seed_orders(session, sizes.table_orders)
        repository = SqlAlchemyOrderRepository(session)
        results = [
            MicroResult(
                backend,
                "select_prebuilt",
                median_seconds_per_op(
                    lambda: repository.list_open("ES", STRATEGY),
                    number=sizes.ops,
                    rounds=sizes.rounds,
                ),
            ),
            MicroResult(
                backend,
                "select_fresh",
                median_seconds_per_op(
                    lambda: _fresh_open_orders(session), number=sizes.ops, rounds=sizes.rounds
                ),
            ),
            MicroResult(backend, "insert_commit", _insert_commit(session, sizes)),
            MicroResult(backend, "update_commit", _update_commit(session, repository, sizes)),
            MicroResult(
                backend, "bulk_insert", _bulk_insert(session, sizes, bulk_bars), len(bulk_bars)
            ),
        ]
    finally:
        session.close()
    return results


def _fresh_open_orders(session: Session) -> Sequence[Order]:
    statement = (
        select(Order)
        .where(
            orders.c.symbol == "ES",
            orders.c.strategy_id == STRATEGY,
            orders.c.status.in_(_OPEN),
        )
        .order_by(orders.c.ts_init, orders.c.order_id)
    )
    return session.scalars(statement).all()


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


def _seed_orders(session: Session, count: int) -> None:
    session.add(reference_instrument())
    session.flush()
    for number in range(count):
        order = _new_order(f"SEED-{number:07d}", number)
        if number >= OPEN_ORDERS:
            order.cancel(order.ts_init, reason="seeded as closed")
        session.add(order)
    session.commit()


def _insert_commit(session: Session, sizes: MicroSizes) -> float:
    counter = iter(range(sizes.ops * sizes.rounds))

    def insert_one() -> None:
        number = next(counter)
        session.add(_new_order(f"INS-{number:07d}", number))
        session.commit()

    return median_seconds_per_op(insert_one, number=sizes.ops, rounds=sizes.rounds)


def _update_commit(
    session: Session, repository: SqlAlchemyOrderRepository, sizes: MicroSizes
) -> float:
    target = repository.get("SEED-0000000")
    counter = iter(range(sizes.ops * sizes.rounds))

    def update_one() -> None:
        target.reason = f"note {next(counter)}"
        session.commit()

    return median_seconds_per_op(update_one, number=sizes.ops, rounds=sizes.rounds)


def _bulk_insert(session: Session, sizes: MicroSizes, bulk_bars: Sequence[Bar]) -> float:
    repository = SqlAlchemyBarRepository(session)

    def clear() -> None:
        session.execute(delete(bars))
        session.commit()

    def insert_all() -> None:
        repository.add_many(bulk_bars)
        session.commit()

    return median_seconds_per_op(insert_all, number=1, rounds=sizes.bulk_rounds, setup=clear)


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


def raw_sqlite_executemany(
    database: Path | str, rows: Sequence[tuple[Any, ...]], rounds: int
) -> float:
    """Median seconds of BEGIN, executemany of `rows` into `bars`, COMMIT, on `database`."""
    dialect = sqlite_dialect.dialect()
    statement = str(insert(bars).compile(dialect=dialect))
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys=ON")
        for table in (instruments, bars):
            connection.execute(str(CreateTable(table).compile(dialect=dialect)))
        connection.execute(
            "INSERT INTO instruments (symbol, tick_size, multiplier, currency, quantity_step) "
            "VALUES ('ES', 0.25, 50, 'USD', 1)"
        )

        def clear() -> None:
            connection.execute("DELETE FROM bars")

        def insert_all() -> None:
            connection.execute("BEGIN")
            connection.executemany(statement, rows)
            connection.execute("COMMIT")

        return median_seconds_per_op(insert_all, number=1, rounds=rounds, setup=clear)
    finally:
        connection.close()
