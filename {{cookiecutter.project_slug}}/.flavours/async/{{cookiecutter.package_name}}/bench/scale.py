"""Scale checks of the memory backend on the async engine: the measurements, each in a process.

`scale_parts` holds the sizes, the closed-order rows, their loading and the processes; the loading
is synchronous Core, run here through `AsyncConnection.run_sync`.
"""

import asyncio
import sys
from statistics import median

from ..adapters.sqla.tables import metadata
from ..container import Container, build_container, opened
from ..database_urls import MEMORY_URL, SQLITE_MEMORY_URL
from ..domain.bar import Bar
from ..runner.backtest import run_backtest
from ..services.backtest.bar_generator import generate_bars
from ..services.backtest.engine import BacktestSettings
from ..services.backtest.vwap_strategy import VwapStreakStrategy
from .scale_parts import (
    ScaleSizes,
    clear_replayed_rows,
    grown_by_loading,
    measure_main,
)


def memory_measures(sizes: ScaleSizes) -> tuple[float, float, int]:
    """Per-bar replay seconds on an empty orders table and beside `sizes.orders` closed orders
    (medians of alternating rounds), and the resident bytes those orders took."""
    return asyncio.run(_memory_measures(sizes))


async def _memory_measures(sizes: ScaleSizes) -> tuple[float, float, int]:
    # Both databases live through all rounds and have what a replay wrote deleted after each, so
    # both have their statements compiled and their caches filled alike after the first round.
    settings = BacktestSettings()
    loaded = build_container(database_url=MEMORY_URL)
    async with opened(loaded):
        async with loaded.engine().connect() as connection:
            # First, before anything else frees memory the loading could reuse unseen.
            grown: int = await connection.run_sync(
                grown_by_loading, sizes.orders, settings.strategy_id
            )
        empty = build_container(database_url=MEMORY_URL)
        async with opened(empty):
            replayed = list(generate_bars(count=sizes.bars, seed=sizes.seed))
            runs: dict[str, list[float]] = {"empty": [], "loaded": []}
            for _ in range(sizes.rounds):
                for name, container in (("empty", empty), ("loaded", loaded)):
                    runs[name].append(await _per_bar(container, replayed, settings))
                    async with container.engine().connect() as connection:
                        await connection.run_sync(clear_replayed_rows)
        return median(runs["empty"]), median(runs["loaded"]), grown


async def _per_bar(container: Container, replayed: list[Bar], settings: BacktestSettings) -> float:
    run = await run_backtest(container, replayed, strategy=VwapStreakStrategy(), settings=settings)
    return run.replay_seconds / run.result.bar_count


def sqlite_footprint_bytes(count: int) -> int:
    """Resident memory a SQLite `:memory:` database gains by holding `count` order rows."""
    return asyncio.run(_sqlite_footprint_bytes(count))


async def _sqlite_footprint_bytes(count: int) -> int:
    engine = build_container(database_url=SQLITE_MEMORY_URL).engine()
    try:
        async with engine.connect() as connection:
            await connection.run_sync(metadata.create_all)
            grown: int = await connection.run_sync(grown_by_loading, count, "footprint")
            return grown
    finally:
        await engine.dispose()


if __name__ == "__main__":
    measure_main(sys.argv[1:], memory_measures, sqlite_footprint_bytes)
