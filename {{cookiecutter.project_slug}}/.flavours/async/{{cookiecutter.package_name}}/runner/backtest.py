"""One backtest on a configured container: the reference instrument, wiring, timing, SQL count.

`backtest_on` is the synchronous entry of the command line: it runs the whole backtest in one
event loop.
"""

import asyncio
from collections.abc import Sequence
from typing import cast

from ..adapters.id_generators import SequentialIdGenerator
from ..adapters.sqla.schema_in_place import is_sqlite_memory, upgrade_in_place
from ..adapters.sqla.statement_counter import StatementCounter
from ..container import Container, opened
from ..domain.bar import Bar
from ..services.backtest.engine import (
    BacktestEngine,
    BacktestSettings,
    ProgressCallback,
)
from ..services.backtest.strategy import Strategy
from ..services.ports import UnitOfWork
from .heap import heap_frozen
from .interruption import ProgressSeen, interrupted, stopped_between_bars
from .reference import (
    REFERENCE_SYMBOL,
    REFERENCE_TICK,
    PhaseTimer,
    TimedRun,
    describe_database,
    empty_database_error,
    reference_instrument,
)

__all__ = ["REFERENCE_SYMBOL", "REFERENCE_TICK", "TimedRun", "backtest_on", "run_backtest"]


async def run_backtest(
    container: Container,
    bars: Sequence[Bar],
    *,
    strategy: Strategy,
    settings: BacktestSettings,
    on_progress: ProgressCallback | None = None,
) -> TimedRun:
    """Store and replay `bars` on the container's database with sequential ids."""

    def unit_of_work() -> UnitOfWork:
        # The port declares its repositories as plain attributes, which mypy compares
        # invariantly; the SQLAlchemy unit of work satisfies the port at run time.
        return cast(UnitOfWork, container.unit_of_work())

    engine = BacktestEngine(
        unit_of_work=unit_of_work,
        instrument=reference_instrument(),
        strategy=strategy,
        ids=SequentialIdGenerator(),
        settings=settings,
    )
    with StatementCounter(container.engine().sync_engine) as counter:
        timer = PhaseTimer(lambda: counter.count)
        stored = await engine.store(bars)
        timer.stored()
        with heap_frozen():
            result = await engine.replay(stored, on_progress=on_progress)
        return timer.finished(result)


def backtest_on(
    container: Container,
    bars: Sequence[Bar],
    *,
    strategy: Strategy,
    settings: BacktestSettings,
    create_schema: bool = False,
    on_progress: ProgressCallback | None = None,
) -> tuple[str, TimedRun]:
    """Ready the container's database, then run the backtest; returns (database, timed run).

    `create_schema` migrates a private in-memory SQLite database in place, which starts empty.
    """

    engine = container.engine()
    seen = ProgressSeen(on_progress)

    async def ready_and_run() -> TimedRun:
        if create_schema:
            await upgrade_in_place(engine)
        elif is_sqlite_memory(engine):
            raise empty_database_error(engine)
        async with opened(container):
            return await run_backtest(
                container, bars, strategy=strategy, settings=settings, on_progress=seen
            )

    where = describe_database(engine)
    try:
        with stopped_between_bars(seen):
            return where, asyncio.run(ready_and_run())
    except KeyboardInterrupt:
        kept = container.config.database.needs_migrations() and not is_sqlite_memory(engine)
        raise interrupted(where, seen, len(bars), kept=kept) from None
