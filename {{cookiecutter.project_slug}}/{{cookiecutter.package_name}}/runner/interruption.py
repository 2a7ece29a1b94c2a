"""What a backtest interrupted from the keyboard (Ctrl-C) leaves behind, said in one line."""

from dataclasses import dataclass

from ..errors import ApplicationError
from ..services.backtest.engine import ProgressCallback


class BacktestInterrupted(ApplicationError):
    """The run was interrupted; the message says what its database holds."""


@dataclass
class ProgressSeen:
    """A progress callback that passes the replay's progress on and remembers it."""

    passed_on: ProgressCallback | None = None
    replayed: int | None = None
    """Bars replayed at the last call (about every 100); None before the replay starts."""

    def __call__(self, replayed: int, total: int) -> None:
        self.replayed = replayed
        if self.passed_on is not None:
            self.passed_on(replayed, total)


def interrupted(where: str, seen: ProgressSeen, total: int, *, kept: bool) -> BacktestInterrupted:
    """The error for a run interrupted on `where`; `kept` when that database outlives the run."""
    fresh = "a new run needs a fresh database (a new SQLite file, or `db downgrade base` then "
    fresh += "`db upgrade`)"
    if seen.replayed is None:
        done = "interrupted before the replay started"
        held = f"if {where} holds the bars, {fresh}" if kept else "nothing was kept"
    else:
        done = f"interrupted with about {seen.replayed:,} of {total:,} bars replayed"
        held = f"{where} holds that partial run, so {fresh}" if kept else "nothing was kept"
    return BacktestInterrupted(f"{done}; {held}")
