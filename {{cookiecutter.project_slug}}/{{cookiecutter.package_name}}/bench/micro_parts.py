"""What the micro-benchmarks of both flavours share: sizes, results, inputs and the reference.

The reference is raw `executemany` through the sqlite3 module alone, beside the bulk insert.
"""

import sqlite3
import statistics
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateTable

from ..adapters.sqla.tables import bars, instruments
from ..domain import OPEN_ORDER_STATUSES, Order, OrderSide, OrderType
from ..domain.bar import Bar
from ..runner.reference import reference_instrument
from .backends import BASELINE, BenchBackend

STRATEGY = "bench"
OPEN_ORDERS = 3
"""Working orders among the seeded ones: what the open-orders query finds on a busy bar."""
T0 = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)
OPEN = [status.value for status in OPEN_ORDER_STATUSES]
T = TypeVar("T")


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
    passes: int = 3
    """Passes over the backends, each backend once per pass on a fresh database; per operation
    the median pass counts."""

    def __post_init__(self) -> None:
        for name in ("ops", "rounds", "table_orders", "bulk_rows", "bulk_rounds", "passes"):
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


def median_of_passes(results: Sequence[MicroResult]) -> list[MicroResult]:
    """One result per backend and operation, in the order first met: the median of its passes."""
    passes: dict[tuple[str, str], list[MicroResult]] = {}
    for result in results:
        passes.setdefault((result.backend, result.operation), []).append(result)
    return [
        replace(found[0], seconds_per_op=statistics.median(r.seconds_per_op for r in found))
        for found in passes.values()
    ]


TIMED_OPERATIONS = (
    "select_prebuilt",
    "select_fresh",
    "insert_commit",
    "update_commit",
    "bulk_insert",
)
"""The operations a pass times, in order; the bulk insert's rounds time raw executemany too."""


def schedule(benches: Sequence[T], sizes: MicroSizes) -> Iterator[tuple[T, str]]:
    """Every round of every operation, each round on every backend in turn (reversed every
    other round, so none always runs right after the same other one)."""
    for operation in TIMED_OPERATIONS:
        for round_ in range(sizes.bulk_rounds if operation == "bulk_insert" else sizes.rounds):
            for bench in benches if round_ % 2 == 0 else benches[::-1]:
                yield bench, operation


class RoundTimings:
    """The timed rounds of one pass per backend and operation; failures go to `failures`
    under the backend's label, and a backend that failed has no results."""

    def __init__(self, failures: dict[str, str]) -> None:
        self.failures = failures
        self._seconds: dict[tuple[str, str], list[float]] = {}

    def skips(self, backend: BenchBackend) -> bool:
        return backend.label in self.failures

    def add(self, backend: BenchBackend, timed: Iterable[tuple[str, float]]) -> None:
        for operation, seconds in timed:
            self._seconds.setdefault((backend.name, operation), []).append(seconds)

    def fail(self, backend: BenchBackend, error: Exception) -> None:
        self.failures[backend.label] = failure_text(error)
        for key in [key for key in self._seconds if key[0] == backend.name]:
            del self._seconds[key]

    def medians(self, sizes: MicroSizes) -> list[MicroResult]:
        """Per backend and operation, in the order first met, the median of its rounds."""
        return [
            MicroResult(
                backend, operation, statistics.median(seconds), rows_per_op(operation, sizes)
            )
            for (backend, operation), seconds in self._seconds.items()
        ]


def rows_per_op(operation: str, sizes: MicroSizes) -> int:
    """Rows one timed call writes: the bulk insert's bars, or one."""
    return sizes.bulk_rows if operation in ("bulk_insert", "raw_executemany") else 1


@contextmanager
def raw_reference(backend: BenchBackend, workdir: Path) -> Iterator["RawSqlite | None"]:
    """Raw executemany beside `backend`: into a file beside file SQLite (deleted afterwards, so
    the next pass starts from an empty one), into memory beside the in-memory backends, none
    beside PostgreSQL."""
    if backend.name == "sqlite-file":
        path = workdir / "raw-executemany.db"
        try:
            with RawSqlite(path) as raw:
                yield raw
        finally:
            path.unlink(missing_ok=True)
    elif backend.name in ("memory", BASELINE):
        with RawSqlite(":memory:") as raw:
            yield raw
    else:
        yield None


def failure_text(error: Exception) -> str:
    """How a failed backend or check is reported: the error's type and message."""
    return f"{type(error).__name__}: {error}"


@dataclass(frozen=True)
class BulkInput:
    """The bars of the bulk insert, and the same rows as SQLite stores them for the reference."""

    bars: Sequence[Bar]
    sqlite_rows: Sequence[tuple[Any, ...]]

    @classmethod
    def of(cls, bulk_bars: Sequence[Bar]) -> "BulkInput":
        return cls(bulk_bars, reference_sqlite_rows(bulk_bars))


def new_order(order_id: str, minute: int) -> Order:
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
