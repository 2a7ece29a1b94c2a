"""The report as the terminal shows it: every figure on a row, labelled, with its precision."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from rich.console import Console

from {{ cookiecutter.package_name }}.domain.enums import PositionSide
from {{ cookiecutter.package_name }}.runner.console import report_table
from {{ cookiecutter.package_name }}.services.backtest.report import (
    OpenPosition,
    RoundTrip,
    build_report,
)

START = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)


def rendered_rows() -> dict[str, str]:
    trip = RoundTrip(
        symbol="ES",
        side=PositionSide.LONG,
        quantity=Decimal(1),
        entry_ts=START,
        exit_ts=START + timedelta(minutes=5),
        entry_price=Decimal("5900.00"),
        exit_price=Decimal("5900.25"),
        pnl=Decimal("8.00"),
        commission=Decimal("4.50"),
        return_pct=float(Decimal("8.00") / Decimal(295_000) * 100),
    )
    report = build_report(
        equity=[(START, 100_000.0), (START + timedelta(minutes=9), 100_105.75)],
        round_trips=[trip],
        initial_cash=Decimal(100_000),
        bars_in_position=2,
        first_price=Decimal("5900.00"),
        last_price=Decimal("5902.00"),
        open_position=OpenPosition(Decimal(-1), Decimal("97.75"), Decimal("2.25")),
    )
    console = Console(record=True, width=120)
    console.print(report_table(report, title="report"))
    rows = {}
    for line in console.export_text().splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if len(cells) == 2:
            rows[cells[0]] = cells[1]
    return rows


def test_every_figure_has_a_labelled_row() -> None:
    rows = rendered_rows()
    assert rows["Commissions"] == "6.75"
    assert rows["Open at the end (signed qty)"] == "-1.00"
    assert rows["Open position PnL"] == "97.75"
    assert rows["Buy and hold (price return) %"] == "0.03"
    assert rows["Wiped out at"] == "n/a"


def test_trade_returns_keep_four_decimals_and_short_runs_are_not_annualized() -> None:
    rows = rendered_rows()
    assert rows["Avg trade %"] == "0.0027"  # 8.00 on 295,000 of notional
    assert rows["Annualized return %"] == "n/a"
    assert rows["CAGR %"] == "n/a"
