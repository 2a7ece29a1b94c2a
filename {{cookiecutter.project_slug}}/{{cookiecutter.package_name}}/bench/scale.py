"""Scale checks of the memory backend: the measurements, each in a process of its own.

`scale_parts` holds the sizes, the closed-order rows, their loading and the processes.
"""

import sys
from statistics import median

from ..adapters.sqla.tables import metadata
from ..container import Container, build_container
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
    (medians of alternating rounds), and the resident bytes those orders took.

    Both databases live through all rounds and have what a replay wrote deleted after each, so
    both have their statements compiled and their caches filled alike after the first round.
    """
    settings = BacktestSettings()
    loaded = build_container(database_url=MEMORY_URL)
    empty: Container | None = None
    try:
        with loaded.migrated_engine().connect() as connection:
            # First, before anything else frees memory the loading could reuse unseen.
            grown = grown_by_loading(connection, sizes.orders, settings.strategy_id)
        empty = build_container(database_url=MEMORY_URL)
        empty.migrated_engine()
        replayed = list(generate_bars(count=sizes.bars, seed=sizes.seed))
        runs: dict[str, list[float]] = {"empty": [], "loaded": []}
        for _ in range(sizes.rounds):
            for name, container in (("empty", empty), ("loaded", loaded)):
                runs[name].append(_per_bar(container, replayed, settings))
                with container.engine().connect() as connection:
                    clear_replayed_rows(connection)
        return median(runs["empty"]), median(runs["loaded"]), grown
    finally:
        if empty is not None:
            _shutdown(empty)
        _shutdown(loaded)


def _per_bar(container: Container, replayed: list[Bar], settings: BacktestSettings) -> float:
    run = run_backtest(container, replayed, strategy=VwapStreakStrategy(), settings=settings)
    return run.replay_seconds / run.result.bar_count


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
