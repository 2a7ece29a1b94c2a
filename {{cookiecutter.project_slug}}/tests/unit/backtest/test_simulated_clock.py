"""The simulated clock: set by the engine, forward only, never the wall clock."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from {{ cookiecutter.package_name }}.services.backtest.clock import ClockNotSetError, SimulatedClock

OPEN = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)


def test_it_shows_the_time_it_was_moved_to() -> None:
    clock = SimulatedClock()

    clock.advance_to(OPEN)
    clock.advance_to(OPEN + timedelta(minutes=1))

    assert clock.now() == OPEN + timedelta(minutes=1)


def test_staying_at_the_same_instant_is_allowed() -> None:
    clock = SimulatedClock(OPEN)

    clock.advance_to(OPEN)

    assert clock.now() == OPEN


def test_other_time_zones_are_kept_in_utc() -> None:
    new_york = timezone(timedelta(hours=-5))
    clock = SimulatedClock(datetime(2025, 1, 2, 9, 30, tzinfo=new_york))

    assert clock.now() == OPEN
    assert clock.now().tzinfo is UTC


def test_reading_it_before_it_is_set_is_an_error() -> None:
    with pytest.raises(ClockNotSetError, match="before it was set"):
        SimulatedClock().now()


def test_it_refuses_to_go_back() -> None:
    clock = SimulatedClock(OPEN)

    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance_to(OPEN - timedelta(seconds=1))
    assert clock.now() == OPEN


def test_it_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        SimulatedClock(datetime(2025, 1, 2, 14, 30))
