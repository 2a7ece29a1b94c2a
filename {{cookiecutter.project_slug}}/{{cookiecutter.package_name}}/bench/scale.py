"""Scale checks of the memory backend: the measurements, each in a process of its own.

`scale_parts` holds the sizes, the closed-order rows, their loading and the processes.
"""

import sys

from ..adapters.sqla.tables import metadata
from ..container import Container, build_container
from ..database_urls import MEMORY_URL, SQLITE_MEMORY_URL
from ..runner.backtest import run_backtest
from ..services.backtest.bar_generator import generate_bars
from ..services.backtest.engine import BacktestSettings
from ..services.backtest.vwap_strategy import VwapStreakStrategy
from .scale_parts import ScaleSizes, grown_by_loading, measure_main


def memory_measures(historical_orders: int, sizes: ScaleSizes) -> tuple[float, int]:
    """(replay seconds per bar, resident bytes of the closed orders) on the memory backend."""
    container = build_container(database_url=MEMORY_URL)
    try:
        settings = BacktestSettings()
        engine = container.migrated_engine()
        grown = 0
        if historical_orders:
            with engine.connect() as connection:
                grown = grown_by_loading(connection, historical_orders, settings.strategy_id)
        run = run_backtest(
            container,
            list(generate_bars(count=sizes.bars, seed=sizes.seed)),
            strategy=VwapStreakStrategy(),
            settings=settings,
        )
        return run.replay_seconds / run.result.bar_count, grown
    finally:
        _shutdown(container)


def sqlite_footprint_bytes(count: int) -> int:
    """Resident memory a SQLite `:memory:` database gains by holding `count` order rows."""
    container = build_container(database_url=SQLITE_MEMORY_URL)
    try:
        engine = container.engine()
        metadata.create_all(engine)
        with engine.connect() as connection:
            return grown_by_loading(connection, count, "footprint")
    finally:
        _shutdown(container)


def _shutdown(container: Container) -> None:
    shutdown = container.shutdown_resources()
    if shutdown is not None:
        raise RuntimeError("the container's resources must shut down synchronously")


if __name__ == "__main__":
    measure_main(sys.argv[1:], memory_measures, sqlite_footprint_bytes)
