"""Trading days that start at midnight UTC or at another UTC time, such as CME's 22:00."""

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

import pytest

from {{ cookiecutter.package_name }}.services.backtest.sessions import check_session_start, trading_day

CME = time(22, 0)


class Chicago(tzinfo):
    """Like `zoneinfo.ZoneInfo("America/Chicago")`: no offset for a time of day without a date."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None if dt is None else timedelta(hours=-6)

    def tzname(self, dt: datetime | None) -> str:
        return "CST"

    def __str__(self) -> str:
        return "America/Chicago"

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 1, day, hour, minute, tzinfo=UTC)  # 2025-01-05 is a Sunday


def test_by_default_a_trading_day_is_a_utc_date() -> None:
    assert trading_day(utc(6, 0)) == date(2025, 1, 6)
    assert trading_day(utc(6, 23, 59)) == date(2025, 1, 6)


def test_a_moment_in_another_zone_is_placed_by_its_utc_time() -> None:
    new_york = timezone(timedelta(hours=-5))
    assert trading_day(datetime(2025, 1, 6, 20, 0, tzinfo=new_york)) == date(2025, 1, 7)


def test_a_cme_session_is_one_trading_day_in_winter_and_in_summer() -> None:
    winter = [utc(5, 23), utc(6, 14, 30), utc(6, 21, 59)]  # Sunday 17:00 CT to Monday 15:59 CT
    assert {trading_day(ts, CME) for ts in winter} == {date(2025, 1, 5)}
    assert trading_day(utc(6, 23), CME) == date(2025, 1, 6)  # Monday evening: the next session
    summer = [datetime(2025, 7, 6, 22, 0, tzinfo=UTC), datetime(2025, 7, 7, 20, 59, tzinfo=UTC)]
    assert {trading_day(ts, CME) for ts in summer} == {date(2025, 7, 6)}


def test_the_session_start_is_a_whole_minute_of_utc() -> None:
    assert check_session_start(time(22, 0, tzinfo=UTC)) == CME
    with pytest.raises(ValueError, match=r"the session start is a UTC time, got 22:00:00-05:00$"):
        check_session_start(time(22, 0, tzinfo=timezone(timedelta(hours=-5))))
    # a named zone has no offset without a date
    with pytest.raises(ValueError, match=r"got 17:00:00 in America/Chicago$"):
        check_session_start(time(17, 0, tzinfo=Chicago()))
    with pytest.raises(ValueError, match="a whole minute"):
        check_session_start(time(22, 0, 30))
    with pytest.raises(ValueError, match="a whole minute"):
        check_session_start(time(22, 0, 0, 500))
