"""The reference backtest, shortened, gives the identical report on every backend."""

from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from {{ cookiecutter.package_name }}.adapters.id_generators import SequentialIdGenerator
from {{ cookiecutter.package_name }}.container import Container
from {{ cookiecutter.package_name }}.domain import Instrument
from {{ cookiecutter.package_name }}.services.backtest.bar_generator import generate_bars
from {{ cookiecutter.package_name }}.services.backtest.engine import BacktestEngine, BacktestResult
from {{ cookiecutter.package_name }}.services.backtest.report import RoundTrip
from {{ cookiecutter.package_name }}.services.backtest.vwap_strategy import VwapStreakStrategy
from {{ cookiecutter.package_name }}.services.ports import UnitOfWork

BARS = 1_500
LAST_CLOSE = list(generate_bars(count=BARS, seed=7))[-1].close


@dataclass(frozen=True)
class Outcome:
    backend: str
    round_trips: tuple[RoundTrip, ...]
    final_equity: Decimal
    report: dict[str, object]


_first: list[Outcome] = []
"""The outcome of the first backend that ran in this session; the others must equal it."""


async def reference_run(container: Container) -> BacktestResult:
    engine = BacktestEngine(
        unit_of_work=lambda: cast(UnitOfWork, container.unit_of_work()),
        instrument=Instrument(symbol="ES", tick_size=Decimal("0.25"), multiplier=Decimal(50)),
        strategy=VwapStreakStrategy(),
        ids=SequentialIdGenerator(),
    )
    return await engine.run(generate_bars(count=BARS, seed=7))


async def test_the_reference_backtest_is_identical_on_every_backend(container: Container) -> None:
    result = await reference_run(container)
    outcome = Outcome(
        backend=container.config.database.backend(),
        round_trips=result.round_trips,
        final_equity=result.final_equity,
        report=result.report.to_dict(),
    )

    assert result.bar_count == BARS
    assert result.report.trades == len(result.round_trips) >= 10
    assert result.fill_count >= 2 * len(result.round_trips)
    closed_pnl = sum((trip.pnl for trip in result.round_trips), Decimal(0))
    last_close = result.equity[-1]
    async with cast(UnitOfWork, container.unit_of_work()) as uow:
        still_open = await uow.positions.get_open("ES", "vwap-streak")
        open_pnl = Decimal(0) if still_open is None else still_open.total_pnl(LAST_CLOSE)
    assert result.final_equity == Decimal(100_000) + closed_pnl + open_pnl
    assert last_close[1] == float(result.final_equity) == result.report.final_equity
    if not _first:
        _first.append(outcome)
        return
    reference = _first[0]
    assert outcome.round_trips == reference.round_trips, f"differs from {reference.backend}"
    assert str(outcome.final_equity) == str(reference.final_equity)
    assert outcome.report == reference.report
