"""Micro-benchmarks: the cost of single operations, every round timed on each backend in turn."""

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from itertools import count
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
    """One pass: a fresh database of every backend open side by side, every round of every
    operation timed on each backend in turn (see `interleaved_rounds`).

    A backend that fails is recorded in `failures` under its label and has no results.
    """
    with ExitStack() as stack:
        benches = []
        for backend in backends:
            try:
                container = stack.enter_context(bench_container(backend, workdir))
                raw = stack.enter_context(raw_reference(backend, workdir))
                benches.append(MicroBench(backend, container, sizes, bulk, raw))
            except Exception as error:  # reported in the results and in the exit code
                failures[backend.label] = failure_text(error)
        try:
            return interleaved_rounds(benches, sizes, failures)
        finally:
            for bench in benches:
                bench.close()


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


def interleaved_rounds(
    benches: Sequence["MicroBench"], sizes: MicroSizes, failures: dict[str, str]
) -> list[MicroResult]:
    """Every round of every operation timed on each backend in turn (see `schedule`), so the
    machine's drift weighs on every backend alike; per backend and operation the median."""
    timings = RoundTimings(failures)
    for bench, operation in schedule(benches, sizes):
        if timings.skips(bench.backend):
            continue
        try:
            timings.add(bench.backend, bench.time_round(operation, sizes.ops))
        except Exception as error:  # reported in the results and in the exit code
            timings.fail(bench.backend, error)
    return timings.medians(sizes)


class MicroBench:
    """One backend's fresh database, seeded with orders, and the operations timed on it."""

    def __init__(
        self,
        backend: BenchBackend,
        container: Container,
        sizes: MicroSizes,
        bulk: BulkInput,
        raw: RawSqlite | None,
    ) -> None:
        self.backend = backend
        self._bulk = bulk
        self._raw = raw
        self._session: Session = container.session_factory()()
        _seed_orders(self._session, sizes.table_orders)
        self._orders = SqlAlchemyOrderRepository(self._session)
        self._bars = SqlAlchemyBarRepository(self._session)
        self._target = self._orders.get("SEED-0000000")
        self._numbers = count()
        self._calls: dict[str, Callable[[], object]] = {
            "select_prebuilt": lambda: self._orders.list_open("ES", STRATEGY),
            "select_fresh": lambda: _fresh_open_orders(self._session),
            "insert_commit": self._insert_commit,
            "update_commit": self._update_commit,
        }

    def time_round(self, operation: str, ops: int) -> list[tuple[str, float]]:
        """Seconds per call of `operation` over `ops` calls; for the bulk insert, the seconds of
        one load of the bars, and of raw executemany beside it when this backend has one."""
        if operation == "bulk_insert":
            return self._bulk_round()
        call = self._calls[operation]
        started = time.perf_counter()
        for _ in range(ops):
            call()
        return [(operation, (time.perf_counter() - started) / ops)]

    def close(self) -> None:
        self._session.close()

    def _insert_commit(self) -> None:
        number = next(self._numbers)
        self._session.add(new_order(f"INS-{number:07d}", number))
        self._session.commit()

    def _update_commit(self) -> None:
        self._target.reason = f"note {next(self._numbers)}"
        self._session.commit()

    def _bulk_round(self) -> list[tuple[str, float]]:
        self._session.execute(delete(bars))
        self._session.commit()
        started = time.perf_counter()
        self._bars.add_many(self._bulk.bars)
        self._session.commit()
        timed = [("bulk_insert", time.perf_counter() - started)]
        if self._raw is not None:
            timed.append(("raw_executemany", self._raw.time_insert(self._bulk.sqlite_rows)))
        return timed


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
