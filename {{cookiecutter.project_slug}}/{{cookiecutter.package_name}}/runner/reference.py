"""The reference backtest's instrument, and how a timed run and its database are shown."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import unquote

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from ..domain import Instrument
from ..errors import ConfigurationError
from ..services.backtest.engine_core import BacktestResult

REFERENCE_SYMBOL = "ES"
REFERENCE_TICK = Decimal("0.25")


def reference_instrument() -> Instrument:
    """The E-mini S&P 500 future: 0.25 tick, 50 USD per point."""
    return Instrument(
        symbol=REFERENCE_SYMBOL, tick_size=REFERENCE_TICK, multiplier=Decimal(50), currency="USD"
    )


def describe_database(engine: Engine | AsyncEngine) -> str:
    """The engine's URL for people: password hidden, no percent-escapes (`sqlite:///:memory:`)."""
    return unquote(engine.url.render_as_string(hide_password=True))


def empty_database_error(engine: Engine | AsyncEngine) -> ConfigurationError:
    """The error for a private in-memory database given without `--create-schema`."""
    return ConfigurationError(
        f"a {describe_database(engine)} database starts empty: pass --create-schema "
        "to run the migrations on it"
    )


@dataclass(frozen=True)
class TimedRun:
    """A backtest result with the time and SQL statements of its two phases."""

    result: BacktestResult
    store_seconds: float
    replay_seconds: float
    store_statements: int
    replay_statements: int

    @property
    def seconds(self) -> float:
        return self.store_seconds + self.replay_seconds

    @property
    def statements_per_bar(self) -> float:
        """SQL statements sent per replayed bar (storing the bars excluded)."""
        return self.replay_statements / self.result.bar_count


class PhaseTimer:
    """Times a run's store and replay phases, and counts the SQL statements of each."""

    def __init__(self, statements_so_far: Callable[[], int]) -> None:
        self._count = statements_so_far
        self._started = self._stored_at = time.perf_counter()
        self._store_statements = 0

    def stored(self) -> None:
        """The bars are stored; the replay starts now."""
        self._stored_at, self._store_statements = time.perf_counter(), self._count()

    def finished(self, result: BacktestResult) -> TimedRun:
        finished_at = time.perf_counter()
        return TimedRun(
            result=result,
            store_seconds=self._stored_at - self._started,
            replay_seconds=finished_at - self._stored_at,
            store_statements=self._store_statements,
            replay_statements=self._count() - self._store_statements,
        )
