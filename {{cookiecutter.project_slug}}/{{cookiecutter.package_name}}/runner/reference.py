"""The reference backtest's instrument, and how a timed run and its database are shown."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import unquote

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from ..domain import Instrument
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
