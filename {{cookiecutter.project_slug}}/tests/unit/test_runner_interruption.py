"""The one line a backtest interrupted from the keyboard ends with."""

from {{ cookiecutter.package_name }}.runner.interruption import ProgressSeen, interrupted

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
        "interrupted with about 1,200 of 15,210 bars replayed; sqlite:///runs/today.db holds that "
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

    assert message == "interrupted with about 0 of 500 bars replayed; nothing was kept"
