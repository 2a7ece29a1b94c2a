"""Micro-benchmarks: the cost of single operations on one backend, as timeit-style medians."""

import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..adapters.sqla.repositories import SqlAlchemyBarRepository, SqlAlchemyOrderRepository
from ..adapters.sqla.schema_in_place import upgrade_in_place
from ..adapters.sqla.tables import bars, orders
from ..container import Container, configure
from ..domain import Order
from ..runner.reference import reference_instrument
from ..settings import parse_database_url
from .backends import BenchBackend, fresh_database
from .micro_parts import (
    OPEN,
    OPEN_ORDERS,
    STRATEGY,
    BulkInput,
    MicroResult,
    MicroSizes,
    RawSqlite,
    median_seconds_per_op,
    new_order,
)


def micro_benchmarks_on(
    backend: BenchBackend,
    workdir: Path,
    sizes: MicroSizes,
    bulk: BulkInput,
    raw_database: Path | str | None,
) -> list[MicroResult]:
    """Every micro-benchmark on a fresh database of `backend`."""
    with bench_container(backend, workdir) as container:
        return run_micro_benchmarks(container, backend.name, sizes, bulk, raw_database=raw_database)


@contextmanager
def bench_container(backend: BenchBackend, workdir: Path) -> Iterator[Container]:
    """A container on a fresh database of `backend`, in this process, released afterwards."""
    with fresh_database(backend, workdir, run=0) as database:
        container = configure(Container(), parse_database_url(database.url))
        try:
            if database.create_schema:
                upgrade_in_place(container.engine())
            container.migrated_engine()
            yield container
        finally:
            container.shutdown_resources()


def run_micro_benchmarks(
    container: Container,
    backend: str,
    sizes: MicroSizes,
    bulk: BulkInput,
    *,
    raw_database: Path | str | None = None,
) -> list[MicroResult]:
    """Every operation of `OPERATIONS` on the container's (fresh) database.

    With a `raw_database` (a SQLite file path or ":memory:"), raw executemany into it is timed
    too, in rounds alternating with the repository's bulk insert so both see the same machine.
    """
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
        ]
        bulk_seconds, raw_seconds = _bulk_insert(session, sizes, bulk, raw_database)
        rows = len(bulk.bars)
        results.append(MicroResult(backend, "bulk_insert", bulk_seconds, rows))
        if raw_seconds is not None:
            results.append(MicroResult(backend, "raw_executemany", raw_seconds, rows))
    finally:
        session.close()
    return results


def _fresh_open_orders(session: Session) -> Sequence[Order]:
    statement = (
        select(Order)
        .where(
            orders.c.symbol == "ES",
            orders.c.strategy_id == STRATEGY,
            orders.c.status.in_(OPEN),
        )
        .order_by(orders.c.ts_init, orders.c.order_id)
    )
    return session.scalars(statement).all()


def _seed_orders(session: Session, count: int) -> None:
    session.add(reference_instrument())
    session.flush()
    for number in range(count):
        order = new_order(f"SEED-{number:07d}", number)
        if number >= OPEN_ORDERS:
            order.cancel(order.ts_init, reason="seeded as closed")
        session.add(order)
    session.commit()


def _insert_commit(session: Session, sizes: MicroSizes) -> float:
    counter = iter(range(sizes.ops * sizes.rounds))

    def insert_one() -> None:
        number = next(counter)
        session.add(new_order(f"INS-{number:07d}", number))
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


def _bulk_insert(
    session: Session, sizes: MicroSizes, bulk: BulkInput, raw_database: Path | str | None
) -> tuple[float, float | None]:
    """Median seconds of the repository's bulk insert, and of raw executemany when asked."""
    repository = SqlAlchemyBarRepository(session)
    timings: list[float] = []
    raw_timings: list[float] = []
    with RawSqlite(raw_database) if raw_database is not None else nullcontext() as raw:
        for _ in range(sizes.bulk_rounds):
            session.execute(delete(bars))
            session.commit()
            started = time.perf_counter()
            repository.add_many(bulk.bars)
            session.commit()
            timings.append(time.perf_counter() - started)
            if raw is not None:
                raw_timings.append(raw.time_insert(bulk.sqlite_rows))
    raw_median = statistics.median(raw_timings) if raw_timings else None
    return statistics.median(timings), raw_median
