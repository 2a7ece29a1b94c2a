"""SQLite's date and time functions on stored dates, datetimes and times, text and numbers.

Every function is called with every value of the table and each modifier list; both engines
must give the same text, numbers and NULLs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time

import pytest
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Time,
    func,
    literal,
    select,
)

from {{ cookiecutter.package_name }}.adapters.memory.releases import TIMEDIFF_FUNCTION

from .diffkit import EnginePair, seeded_pair

metadata = MetaData()
moments = Table(
    "moments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime),
    Column("day", Date),
    Column("clock", Time),
    Column("text", String(40)),
    Column("number", Float),
)
m = moments.c

ROWS = [
    {
        "at": datetime(2024, 3, 1, 9, 30, 0, 123456),
        "day": date(2024, 1, 31),
        "clock": time(23, 59, 59, 999999),
        "text": "2024-02-29T12:00Z",
        "number": 2460371.5,
    },
    {
        "at": datetime(2023, 12, 31, 23, 59, 59),
        "day": date(2024, 2, 29),
        "clock": time(0, 0),
        "text": "2024-03-01 09:30+02:00",
        "number": 1709287200.0,
    },
    {
        "at": datetime(999, 1, 1, 0, 0),
        "day": date(2000, 1, 1),
        "clock": time(12, 34, 56),
        "text": "2024-02-30",
        "number": -1.0,
    },
    {"at": None, "day": None, "clock": None, "text": "12:34:56.789", "number": 0.0},
    {"at": None, "day": None, "clock": None, "text": "not a date", "number": None},
    {"at": None, "day": None, "clock": None, "text": "2024-13-01", "number": 45.5},
    {"at": None, "day": None, "clock": None, "text": "2023-02-31 10:00:59.9996", "number": 1e13},
    {"at": None, "day": None, "clock": None, "text": "2024-04-31T23:59", "number": -3e11},
]

MODIFIERS: dict[str, tuple[str, ...]] = {
    "none": (),
    "days": ("+1 day", "-36 hours"),
    "fractional days": ("1.75 days",),
    "minutes and seconds": ("+90 minutes", "-30.5 seconds"),
    "months": ("+1 month",),
    "fractional months": ("-1.5 months",),
    "years": ("+1 year",),
    "start of month, last day": ("start of month", "+1 month", "-1 day"),
    "start of year": ("start of year",),
    "start of day": ("start of day",),
    "weekday": ("weekday 0",),
    "time shift": ("+01:30",),
    "negative time shift": ("-12:00:30.5",),
    "unixepoch": ("unixepoch",),
    "unknown": ("+1 fortnight",),
    "auto": ("auto",),
    "auto, not first": ("+1 day", "auto"),
    "julianday": ("julianday",),
    "julianday, not first": ("start of day", "julianday"),
    "subsec": ("subsec",),
    "subsecond after a fractional shift": ("+1.2345 seconds", "subsecond"),
    "a date shift (SQLite 3.43)": ("+0001-02-03",),
    "a date and time shift": ("-0000-11-30 12:30:15.5",),
    "a five-digit year shift, and back": ("+10592-00-00", "-10592-00-00"),
    "a year past 9999 on the way": ("+9000 years", "-9000 years"),
    "out-of-range date shifts": ("+0001-12-00",),
}

VALUES = {"at": m.at, "day": m.day, "clock": m.clock, "text": m.text, "number": m.number}


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with seeded_pair(metadata, (moments, ROWS)) as made:
        yield made


@pytest.mark.parametrize("modifiers", list(MODIFIERS))
@pytest.mark.parametrize("value", list(VALUES))
def test_date_functions(pair: EnginePair, value: str, modifiers: str) -> None:
    column, extra = VALUES[value], MODIFIERS[modifiers]
    statement = select(
        func.date(column, *extra),
        func.time(column, *extra),
        func.datetime(column, *extra),
        func.julianday(column, *extra),
        func.unixepoch(column, *extra),
    ).order_by(m.id)
    pair.check_rows(statement, what=f"{value} {modifiers}")


@pytest.mark.parametrize("value", list(VALUES))
def test_strftime(pair: EnginePair, value: str) -> None:
    column = VALUES[value]
    statement = select(
        func.strftime("%Y-%m-%d %H:%M:%S", column),
        func.strftime("%f|%j|%J|%s|%w|%W|%%", column),
        func.strftime("%Y week %W", column, "+3 days"),
        func.strftime("%q", column),
        func.strftime("%e|%F|%I|%k|%l|%p|%P|%R|%T|%u|%U|%G|%g|%V", column),
        func.strftime("%s", column, "subsec"),
    ).order_by(m.id)
    pair.check_rows(statement, what=value)


def test_strftime_weeks_around_new_year() -> None:
    """ISO weeks and years (%G %g %V, SQLite 3.46) and week numbers, a day at a time."""
    days = [date(year, month, day) for year in range(2019, 2030) for month, day in WEEK_EDGES]
    with seeded_pair(metadata, (moments, [{"day": day} for day in days])) as pair:
        pair.check_rows(
            select(m.day, func.strftime("%G %g %V %U %W %u %w %j", m.day)).order_by(m.id)
        )


WEEK_EDGES = [(1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 7), (1, 8), (12, 28), (12, 29)]
WEEK_EDGES += [(12, 30), (12, 31), (6, 30)]


def test_daily_totals_grouped_by_date(pair: EnginePair) -> None:
    day = func.date(m.at)
    statement = select(day, func.count()).where(m.at.is_not(None)).group_by(day).order_by(day)
    assert pair.check_rows(statement) == [("0999-01-01", 1), ("2023-12-31", 1), ("2024-03-01", 1)]


def test_now_is_the_same_for_both_spellings(pair: EnginePair) -> None:
    statement = select(func.date("now") == func.date(), func.datetime("now") == func.datetime())
    assert pair.check_rows(statement) == [(1, 1)]


def test_missing_and_null_arguments_give_null(pair: EnginePair) -> None:
    statement = select(
        func.strftime(), func.strftime(None), func.date(None), func.date("2024-01-01", None)
    )
    assert pair.check_rows(statement) == [(None, None, None, None)]


def test_a_literal_value_and_a_bound_modifier(pair: EnginePair) -> None:
    statement = select(func.date(literal("2024-01-31"), literal("+1 month")))
    assert pair.check_rows(statement) == [("2024-03-02",)]


DAY_OVERFLOWS = [
    "2024-01-31",
    "2023-01-31",
    "2024-03-31 10:30:00",
    "2023-02-31",
    "2024-02-30",
    "2100-02-29",
    "2000-02-30",
    "2024-05-31",
    "2024-12-31 23:59:59.5",
    "2024-02-29",
]
OVERFLOW_CHAINS: list[tuple[str, ...]] = [
    ("floor",),
    ("ceiling",),
    ("+1 month", "floor"),
    ("+1 month", "ceiling"),
    ("-1 month", "floor"),
    ("+13 months", "floor"),
    ("+1 year", "floor"),
    ("+1 month", "start of day", "floor"),
    ("+1 month", "+1 day", "floor"),
    ("+1 month", "floor", "floor"),
    ("+1 month", "ceiling", "floor"),
    ("+1.5 months", "floor"),
    ("weekday 0", "floor"),
    ("+1 month", "weekday 3", "floor"),
]


@pytest.mark.parametrize("chain", OVERFLOW_CHAINS, ids=" ".join)
def test_day_overflow_modifiers(pair: EnginePair, chain: tuple[str, ...]) -> None:
    """SQLite 3.46's 'floor' (back to the month's last day) and 'ceiling' (into the next month,
    as without either); before 3.46 they are unknown and give NULL."""
    columns = [func.datetime(value, *chain) for value in DAY_OVERFLOWS]
    pair.check_rows(select(*columns), what=" ".join(chain))


def test_years_before_one(pair: EnginePair) -> None:
    """date() writes a year before 1 as its sign and four digits, strftime's %Y as printf's
    %04d; a shift that passes year 9999 on its way is NULL even when it comes back."""
    days = [1621338, 1456623.5, 1721000, 0]
    columns = [func.date(day) for day in days] + [func.datetime(day) for day in days]
    columns += [func.strftime("%Y|%j", day) for day in days]
    columns += [func.date("0010-06-01", "-20 years"), func.date("9990-01-01", "+20 years")]
    pair.check_rows(select(*columns))


TIMEDIFF_PAIRS = [
    ("2024-03-31", "2024-02-29"),
    ("2024-02-29", "2024-03-31"),
    ("2023-03-01", "2022-01-31 23:59:59.999"),
    ("2000-01-01", "1999-12-31 12:00"),
    ("2024-01-31 10:00:00.5", "2023-11-30 11:30:00.25"),
    ("0001-01-01", "9999-12-31 23:59:59"),
    ("2024-05-15", "2024-05-15"),
    ("2023-02-31", "2023-01-31"),
    (2460000.25, "2023-01-01"),
    ("12:30", "01:15:30"),
    ("junk", "2024-01-01"),
    (None, "2024-01-01"),
]


def test_timediff_counts_years_months_and_days(pair: EnginePair) -> None:
    """SQLite 3.43's timediff(); before 3.43 there is no such function."""
    statement = select(*[func.timediff(later, earlier) for later, earlier in TIMEDIFF_PAIRS])
    if not TIMEDIFF_FUNCTION:
        assert "no such function" in str(pair.check_statement_error(statement))
        return
    pair.check_rows(statement)
    rows = select(func.timediff(m.day, func.date(m.day, "-47 days", "+1 month")), m.id)
    pair.check_rows(rows.order_by(m.id))
    error = pair.check_statement_error(select(func.timediff("2024-01-01")))
    assert "wrong number of arguments" in str(error)
