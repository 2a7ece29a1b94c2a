"""The backtest on a terminal: a progress bar while it runs, the report as a table afterwards."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime, timedelta

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..services.backtest.engine import ProgressCallback
from ..services.backtest.report import BacktestReport

_PERCENT_SUFFIX = "_pct"
_LABELS = {
    "sqn": "SQN",
    "cagr_pct": "CAGR %",
    "buy_and_hold_return_pct": "Buy and hold (price return) %",
    "open_quantity": "Open at the end (signed qty)",
    "open_pnl": "Open position PnL",
    "max_drawdown_duration": "Longest drawdown duration",
}
_RATIOS = {"sharpe_ratio", "sortino_ratio", "calmar_ratio", "profit_factor", "sqn"}
_TRADE_RETURNS = {"best_trade_pct", "worst_trade_pct", "avg_trade_pct"}
"""Returns on a futures contract's notional value are small: they get four decimals."""


@contextmanager
def replay_progress(console: Console, *, enabled: bool) -> Iterator[ProgressCallback]:
    """A progress bar on `console` (when enabled), driven by the callback it yields."""
    columns = (
        TextColumn("replaying bars"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=not enabled) as progress:
        task = progress.add_task("replay", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def report_table(report: BacktestReport, *, title: str) -> Table:
    """Every figure of the report, one row each, undefined figures shown as n/a."""
    table = Table(title=title, title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for field in fields(report):
        table.add_row(_label(field.name), _format(field.name, getattr(report, field.name)))
    return table


def _label(name: str) -> str:
    if name in _LABELS:
        return _LABELS[name]
    if name.endswith(_PERCENT_SUFFIX):
        return name.removesuffix(_PERCENT_SUFFIX).replace("_", " ").capitalize() + " %"
    return name.replace("_", " ").capitalize()


def _format(name: str, value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, timedelta):
        return str(timedelta(seconds=round(value.total_seconds())))
    if isinstance(value, float):
        if name in _RATIOS:
            return f"{value:.3f}"
        return f"{value:,.4f}" if name in _TRADE_RETURNS else f"{value:,.2f}"
    return str(value)
