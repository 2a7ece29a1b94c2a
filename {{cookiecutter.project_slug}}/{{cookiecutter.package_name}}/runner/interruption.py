"""A backtest interrupted from the keyboard (Ctrl-C): stopped between two bars, and the one line
that says what its database keeps."""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from ..errors import ApplicationError
from ..services.backtest.engine import ProgressCallback


class BacktestInterrupted(ApplicationError):
    """The run was interrupted; the message says what its database holds."""


@dataclass
class ProgressSeen:
    """A progress callback that passes the replay's progress on, remembers it, and stops the
    replay there once a stop is asked for."""

    passed_on: ProgressCallback | None = None
    replayed: int | None = None
    """Bars replayed at the last call (every 100); None before the replay starts."""
    stop_asked: bool = False
    forced: bool = False
    """A second Ctrl-C: the replay stopped wherever it was, after the bars last counted."""

    def __call__(self, replayed: int, total: int) -> None:
        self.replayed = replayed  # committed, bar by bar, when the call comes
        if self.stop_asked:
            raise KeyboardInterrupt
        if self.passed_on is not None:
            self.passed_on(replayed, total)


@contextmanager
def stopped_between_bars(seen: ProgressSeen) -> Iterator[None]:
    """Ctrl-C asks the replay to stop at its next progress call, between two bars: raised
    anywhere, the interrupt could land in code that swallows it (a weakref callback of the ORM)
    and be lost. A second Ctrl-C interrupts at once; a process that ignores SIGINT goes on
    ignoring it."""
    on_main_thread = threading.current_thread() is threading.main_thread()
    if not on_main_thread or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return

    def ask_to_stop(_signal: int, _frame: FrameType | None) -> None:
        if seen.stop_asked:
            seen.forced = True
            raise KeyboardInterrupt
        seen.stop_asked = True

    signal.signal(signal.SIGINT, ask_to_stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def interrupted(where: str, seen: ProgressSeen, total: int, *, kept: bool) -> BacktestInterrupted:
    """The error for a run interrupted on `where`; `kept` when that database outlives the run."""
    fresh = "a new run needs a fresh database (a new SQLite file, or `db downgrade base` then "
    fresh += "`db upgrade`)"
    if seen.replayed is None:
        done = "interrupted before the replay started"
        held = f"if {where} holds the bars, {fresh}" if kept else "nothing was kept"
    else:
        at_least = "at least " if seen.forced else ""
        done = f"interrupted with {at_least}{seen.replayed:,} of {total:,} bars replayed"
        held = f"{where} holds that partial run, so {fresh}" if kept else "nothing was kept"
    return BacktestInterrupted(f"{done}; {held}")
