"""Scale checks of the memory backend on the async engine: the measurements, each in a process.

`scale_parts` holds the sizes, the closed-order rows, their loading and the processes; the loading
is synchronous Core, run here through `AsyncConnection.run_sync`.
"""

import asyncio
import sys

from ..adapters.sqla.tables import metadata
from ..container import build_container, opened
from ..database_urls import MEMORY_URL, SQLITE_MEMORY_URL
from ..runner.backtest import run_backtest
from ..services.backtest.bar_generator import generate_bars
from ..services.backtest.engine import BacktestSettings
from ..services.backtest.vwap_strategy import VwapStreakStrategy
from .scale_parts import ScaleSizes, grown_by_loading, measure_main


def memory_measures(historical_orders: int, sizes: ScaleSizes) -> tuple[float, int]:
    """(replay seconds per bar, resident bytes of the closed orders) on the memory backend."""
    return asyncio.run(_memory_measures(historical_orders, sizes))


async def _memory_measures(historical_orders: int, sizes: ScaleSizes) -> tuple[float, int]:
    container = build_container(database_url=MEMORY_URL)
    async with opened(container):
        settings = BacktestSettings()
        grown = 0
        if historical_orders:
            async with container.engine().connect() as connection:
                grown = await connection.run_sync(
                    grown_by_loading, historical_orders, settings.strategy_id
                )
        run = await run_backtest(
            container,
            list(generate_bars(count=sizes.bars, seed=sizes.seed)),
            strategy=VwapStreakStrategy(),
            settings=settings,
        )
        return run.replay_seconds / run.result.bar_count, grown


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
