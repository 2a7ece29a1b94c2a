"""The one line a backtest interrupted from the keyboard ends with."""

import signal
from collections.abc import Iterator

import pytest

from {{ cookiecutter.package_name }}.runner.interruption import ProgressSeen, interrupted, stopped_between_bars

WHERE = "sqlite:///runs/today.db"


def test_the_progress_is_passed_on_and_remembered() -> None:
    calls: list[tuple[int, int]] = []
    seen = ProgressSeen(lambda replayed, total: calls.append((replayed, total)))

    seen(0, 500)
    seen(200, 500)

    assert (calls, seen.replayed) == ([(0, 500), (200, 500)], 200)


def test_a_database_that_outlives_the_run_is_said_to_hold_the_partial_run() -> None:
    seen = ProgressSeen(replayed=1_200)

    message = str(interrupted(WHERE, seen, 15_210, kept=True))

    assert message == (
        "interrupted with 1,200 of 15,210 bars replayed; sqlite:///runs/today.db holds that "
        "partial run, so a new run needs a fresh database (a new SQLite file, or `db downgrade "
        "base` then `db upgrade`)"
    )


def test_before_the_replay_the_bars_may_or_may_not_be_stored() -> None:
    message = str(interrupted(WHERE, ProgressSeen(), 500, kept=True))

    assert message.startswith(
        "interrupted before the replay started; if sqlite:///runs/today.db holds the bars, "
    )


def test_a_database_of_the_process_keeps_nothing() -> None:
    message = str(interrupted("memory://", ProgressSeen(replayed=0), 500, kept=False))

    assert message == "interrupted with 0 of 500 bars replayed; nothing was kept"


@pytest.fixture
def python_ctrl_c() -> Iterator[None]:
    """Python's own SIGINT handler, whatever this process started with (a background job
    starts with SIGINT ignored)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.mark.usefixtures("python_ctrl_c")
def test_ctrl_c_stops_the_replay_at_its_next_progress_call() -> None:
    seen = ProgressSeen()

    with stopped_between_bars(seen):
        seen(100, 500)
        signal.raise_signal(signal.SIGINT)  # asks; raises nothing where it lands
        with pytest.raises(KeyboardInterrupt):
            seen(200, 500)

    assert seen.replayed == 200
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.usefixtures("python_ctrl_c")
def test_a_second_ctrl_c_interrupts_at_once() -> None:
    seen = ProgressSeen()

    with stopped_between_bars(seen), pytest.raises(KeyboardInterrupt):
        seen(300, 500)
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)

    message = str(interrupted("memory://", seen, 500, kept=False))
    assert message == "interrupted with at least 300 of 500 bars replayed; nothing was kept"


def test_a_process_that_ignores_ctrl_c_goes_on_ignoring_it() -> None:
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with stopped_between_bars(ProgressSeen()):
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
