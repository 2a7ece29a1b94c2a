"""The reference backtest, shortened, and what its report must be: shared by both flavours.

The first backend that runs it in a session sets the outcome; every other must equal it exactly.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from {{ cookiecutter.package_name }}.adapters.id_generators import SequentialIdGenerator
from {{ cookiecutter.package_name }}.container import Container
from {{ cookiecutter.package_name }}.domain import Instrument, Position
from {{ cookiecutter.package_name }}.domain.bar import Bar
from {{ cookiecutter.package_name }}.services.backtest.bar_generator import generate_bars
from {{ cookiecutter.package_name }}.services.backtest.engine import BacktestEngine, BacktestResult
from {{ cookiecutter.package_name }}.services.backtest.report import RoundTrip
from {{ cookiecutter.package_name }}.services.backtest.vwap_strategy import VwapStreakStrategy
from {{ cookiecutter.package_name }}.services.ports import UnitOfWork

BARS = 1_500
SEED = 7
LAST_CLOSE = list(generate_bars(count=BARS, seed=SEED))[-1].close


@dataclass(frozen=True)
class Outcome:
    backend: str
    round_trips: tuple[RoundTrip, ...]
    final_equity: Decimal
    report: dict[str, object]


_first: list[Outcome] = []
"""The outcome of the first backend that ran in this session; the others must equal it."""


def reference_bars() -> Iterator[Bar]:
    return generate_bars(count=BARS, seed=SEED)


def reference_engine(container: Container) -> BacktestEngine:
    return BacktestEngine(
        unit_of_work=lambda: cast(UnitOfWork, container.unit_of_work()),
        instrument=Instrument(symbol="ES", tick_size=Decimal("0.25"), multiplier=Decimal(50)),
        strategy=VwapStreakStrategy(),
        ids=SequentialIdGenerator(),
    )


def open_pnl(still_open: Position | None) -> Decimal:
    """The open position's PnL at the last close (read it while its unit of work is open)."""
    return Decimal(0) if still_open is None else still_open.total_pnl(LAST_CLOSE)


def check_the_same_on_every_backend(
    backend: str, result: BacktestResult, unrealized: Decimal
) -> None:
    """The run is consistent in itself and equals the first backend's, to the last digit."""
    assert result.bar_count == BARS
    assert result.report.trades == len(result.round_trips) >= 10
    assert result.fill_count >= 2 * len(result.round_trips)
    closed_pnl = sum((trip.pnl for trip in result.round_trips), Decimal(0))
    assert result.final_equity == Decimal(100_000) + closed_pnl + unrealized
    assert result.equity[-1][1] == float(result.final_equity) == result.report.final_equity
    outcome = Outcome(backend, result.round_trips, result.final_equity, result.report.to_dict())
    if not _first:
        _first.append(outcome)
        return
    reference = _first[0]
    assert outcome.round_trips == reference.round_trips, f"differs from {reference.backend}"
    assert str(outcome.final_equity) == str(reference.final_equity)
    assert outcome.report == reference.report
