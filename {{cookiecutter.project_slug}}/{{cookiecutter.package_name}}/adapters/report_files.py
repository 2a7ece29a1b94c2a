"""Backtest results as files: round trips as CSV, the report as JSON, the equity curve as PNG.

The chart is drawn with matplotlib's Agg renderer on a bare `Figure`: no display, no pyplot
state, safe to call from any thread.
"""

import csv
import errno
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..services.backtest.report import BacktestReport, RoundTrip, drawdown_series
from .output_folder import replaced_whole, writable_folder

ROUND_TRIP_COLUMNS = (
    "symbol",
    "side",
    "quantity",
    "entry_ts",
    "exit_ts",
    "entry_price",
    "exit_price",
    "pnl",
    "commission",
    "return_pct",
)


@dataclass(frozen=True)
class ReportFiles:
    """Where `write_report_files` put each file."""

    report_json: Path
    round_trips_csv: Path
    equity_png: Path


def report_files_in(directory: str | os.PathLike[str]) -> ReportFiles:
    """The files of a report in `directory`, created if missing; an `OSError` when the files
    could not be written there (checked before a run, so that no run is lost to it)."""
    folder = writable_folder(directory)
    files = ReportFiles(
        report_json=folder / "report.json",
        round_trips_csv=folder / "round_trips.csv",
        equity_png=folder / "equity.png",
    )
    for path in (files.report_json, files.round_trips_csv, files.equity_png):
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "a folder has the file's name", str(path))
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, "the file is not writable", str(path))
    return files


def write_report_files(
    directory: str | os.PathLike[str] | ReportFiles,
    *,
    report: BacktestReport,
    round_trips: Sequence[RoundTrip],
    equity: Sequence[tuple[datetime, float]],
) -> ReportFiles:
    """Write `report.json`, `round_trips.csv` and `equity.png` into `directory` (created), or
    to the files `report_files_in` found."""
    files = directory if isinstance(directory, ReportFiles) else report_files_in(directory)
    write_report_json(files.report_json, report)
    write_round_trips_csv(files.round_trips_csv, round_trips)
    write_equity_png(files.equity_png, equity, report.initial_cash)
    return files


def write_report_json(path: str | os.PathLike[str], report: BacktestReport) -> None:
    """The report's figures as strict JSON (no NaN or Infinity), indented."""
    text = json.dumps(report.to_dict(), indent=2, allow_nan=False)
    with replaced_whole(path) as partial:
        partial.write_text(text + "\n", encoding="utf-8")


def write_round_trips_csv(path: str | os.PathLike[str], round_trips: Sequence[RoundTrip]) -> None:
    """One row per round trip, times in ISO-8601, prices and money as exact decimals."""
    with replaced_whole(path) as partial, partial.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(ROUND_TRIP_COLUMNS)
        for trip in round_trips:
            writer.writerow(
                (
                    trip.symbol,
                    trip.side.value,
                    trip.quantity,
                    trip.entry_ts.isoformat(),
                    trip.exit_ts.isoformat(),
                    trip.entry_price,
                    trip.exit_price,
                    trip.pnl,
                    trip.commission,
                    repr(trip.return_pct),
                )
            )


def write_equity_png(
    path: str | os.PathLike[str],
    equity: Sequence[tuple[datetime, float]],
    initial_cash: float,
    *,
    title: str = "Equity",
) -> None:
    """Two panels, equity above and drawdown in percent below, one point per bar.

    Points are spaced evenly, so nights and weekends take no room; the axis is labelled with
    the time of the bar under each tick.
    """
    if not equity:
        raise ValueError("the equity curve is empty; there is nothing to draw")
    times = [ts for ts, _ in equity]
    values = [value for _, value in equity]
    drawdowns = drawdown_series(equity, initial_cash)
    steps = range(len(equity))

    figure = Figure(figsize=(11, 6.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    upper, lower = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]}, squeeze=True
    )
    upper.plot(steps, values, color="tab:blue", linewidth=1.0)
    upper.axhline(initial_cash, color="grey", linewidth=0.8, linestyle="--")
    upper.set_title(title)
    upper.set_ylabel("equity")
    upper.grid(alpha=0.3)
    lower.fill_between(steps, drawdowns, 0.0, color="tab:red", alpha=0.4, linewidth=0)
    lower.plot(steps, drawdowns, color="tab:red", linewidth=0.8)
    lower.set_ylabel("drawdown %")
    lower.grid(alpha=0.3)
    lower.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    lower.xaxis.set_major_formatter(FuncFormatter(_bar_time_labeller(times)))
    lower.set_xlim(0, max(len(equity) - 1, 1))
    figure.autofmt_xdate()
    with replaced_whole(path) as partial:
        figure.savefig(partial, format="png")


def _bar_time_labeller(times: Sequence[datetime]) -> Callable[[float, int | None], str]:
    """Label tick `x` with the time of bar number `x`, in minutes when the run is short."""
    short_run = times[-1] - times[0] < timedelta(days=3)
    pattern = "%Y-%m-%d %H:%M" if short_run else "%Y-%m-%d"

    def label(x: float, _position: int | None) -> str:
        index = round(x)
        return times[index].strftime(pattern) if 0 <= index < len(times) else ""

    return label
