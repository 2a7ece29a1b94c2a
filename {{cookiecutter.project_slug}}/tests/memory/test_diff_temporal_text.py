"""Dates and times beside text: SQLite stores them as text, and compares and hands out that text.

A DATE, DATETIME or TIME column compared with a string (which SQLAlchemy sends untouched), read
through `type_coerce` to a string type, or CAST to text, must give SQLite's answers, indexed
columns included. Values with the year 999 check the zero-padded year. The other way round, text
read through a date or time type is parsed as SQLite's dialect parses the text it stores, and
CAST to DATE, DATETIME or TIME is SQLite's numeric CAST, as those names have NUMERIC affinity.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Time,
    cast,
    func,
    literal,
    not_,
    select,
    type_coerce,
)

from .diffkit import EnginePair, seeded_pair

metadata = MetaData()
moments = Table(
    "moments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, index=True),
    Column("day", Date, index=True),
    Column("clock", Time),
)
notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("on_day", String(32)),
)
m = moments.c

ROWS = [
    {"id": 1, "at": datetime(2024, 3, 1, 9, 30), "day": date(2024, 3, 1), "clock": time(9, 30)},
    {
        "id": 2,
        "at": datetime(2024, 3, 1, 9, 30, 0, 123456),
        "day": date(2024, 12, 31),
        "clock": time(23, 59, 59, 999999),
    },
    {"id": 3, "at": datetime(999, 5, 6, 7, 8, 9), "day": date(999, 1, 1), "clock": time(0, 0)},
    {"id": 4, "at": None, "day": None, "clock": None},
]


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    notes_rows = [{"on_day": "2024-12-31"}, {"on_day": "0999-01-01"}]
    with seeded_pair(metadata, (moments, ROWS), (notes, notes_rows)) as made:
        yield made


CLAUSES: dict[str, Any] = {
    "date = text": m.day == "2024-03-01",
    "date != text": m.day != "2024-03-01",
    "date > partial text": m.day > "2024-06",
    "text = date": literal("2024-12-31") == m.day,
    "date IN texts": m.day.in_(["2024-03-01", "0999-01-01", "1999"]),
    "date NOT IN texts": m.day.not_in(["2024-03-01"]),
    "date IN a subquery of texts": m.day.in_(select(cast(m.day, String)).where(m.id == 2)),
    "date BETWEEN texts": m.day.between("2024-01-01", "2024-06-30"),
    "date IS text": m.day.is_("2024-12-31"),
    "datetime = text to the microsecond": m.at == "2024-03-01 09:30:00.000000",
    "datetime = text to the second (stored text differs)": m.at == "2024-03-01 09:30:00",
    "datetime >= text": m.at >= "2024-03-01 09:30:00.1",
    "datetime < text": m.at < "2024-03-01 09:30:00.000001",
    "datetime of a year below 1000 < text": m.at < "1000-01-01",
    "datetime < numeric text (a number then)": m.at < "1000",
    "time = text": m.clock == "09:30:00.000000",
    "time < text": m.clock < "10:00",
    "not (time > text)": not_(m.clock > "12"),
    "datetime coerced to text LIKE": type_coerce(m.at, String).like("0999-%"),
    "date coerced to text > text": type_coerce(m.day, String) > "2024-06",
    "datetime = date (no match as text)": m.at == literal(date(2024, 3, 1)),
    "datetime > date": m.at > literal(date(2024, 3, 1)),
}


@pytest.mark.parametrize("name", list(CLAUSES))
def test_date_and_time_columns_compare_with_text_as_the_stored_text(
    pair: EnginePair, name: str
) -> None:
    pair.check_rows(select(m.id).where(CLAUSES[name]).order_by(m.id), what=name)


def test_date_and_time_read_as_text_are_the_stored_text(pair: EnginePair) -> None:
    read = pair.check_rows(
        select(
            type_coerce(m.at, String),
            type_coerce(m.day, String),
            type_coerce(m.clock, String),
            cast(m.at, String),
            cast(m.day, String),
            cast(m.clock, String),
        ).order_by(m.id)
    )
    assert read[2] == ("0999-05-06 07:08:09.000000", "0999-01-01", "00:00:00.000000") * 2


def test_a_date_joined_to_text_matches_the_stored_text(pair: EnginePair) -> None:
    joined = (
        select(m.id, notes.c.id)
        .join_from(notes, moments, m.day == notes.c.on_day)
        .order_by(m.id, notes.c.id)
    )
    assert pair.check_rows(joined) == [(2, 1), (3, 2)]


def _access_label(pair: EnginePair, statement: Any) -> str:
    with pair.memory.connect() as conn:
        compiled: Any = conn.execute(statement).context.compiled
        return str(compiled.memory_plan.query.tree.access_label)


def test_text_beside_an_indexed_date_is_not_looked_up_in_the_index(pair: EnginePair) -> None:
    by_text = select(m.id).where(m.day == "2024-03-01")
    by_date = select(m.id).where(m.day == date(2024, 3, 1))
    assert pair.check_rows(by_text) == pair.check_rows(by_date) == [(1,)]
    assert _access_label(pair, by_text) == ""
    assert _access_label(pair, by_date) == "index ix_moments_day (day =)"


# Text handed to a date or time type, and CAST to one.
READ_AS_TEMPORAL: dict[str, Any] = {
    "text read as a date": select(type_coerce(notes.c.on_day, Date)).order_by(notes.c.id),
    "text read as a datetime": select(type_coerce(notes.c.on_day, DateTime)).order_by(notes.c.id),
    "text read as a time": select(type_coerce(cast(m.clock, String), Time)).order_by(m.id),
    "a date read as a datetime": select(type_coerce(m.day, DateTime)).order_by(m.id),
    "date() typed as a date": select(func.date(m.at, type_=Date)).order_by(m.id),
    "datetime() typed as a datetime": select(
        func.datetime(m.day, "+1 day", type_=DateTime)
    ).order_by(m.id),
    "time() typed as a time": select(func.time(m.at, type_=Time)).order_by(m.id),
    "a date CAST to an integer (its year)": select(cast(m.day, Integer)).order_by(m.id),
    "CAST to DATE compared with a number": select(m.id)
    .where(cast(m.day, Date) == literal(2024, Integer))
    .order_by(m.id),
}


@pytest.mark.parametrize("name", list(READ_AS_TEMPORAL))
def test_text_read_as_a_date_or_time_is_parsed_as_sqlite_parses_it(
    pair: EnginePair, name: str
) -> None:
    pair.check_rows(READ_AS_TEMPORAL[name], what=name)


REFUSED_AS_TEMPORAL: dict[str, Any] = {
    "text that is no date, read as a date": select(type_coerce(notes.c.on_day + "x", Date)),
    "a datetime read as a date": select(type_coerce(m.at, Date)),
    "a date CAST to DATE (a number on SQLite)": select(cast(m.day, Date)),
    "text CAST to DATETIME": select(cast(literal("2024-03-01 09:30"), DateTime)),
    "a time CAST to TIME": select(cast(m.clock, Time)),
}


@pytest.mark.parametrize("name", list(REFUSED_AS_TEMPORAL))
def test_what_sqlite_cannot_read_as_a_date_or_time_fails_alike(pair: EnginePair, name: str) -> None:
    pair.check_statement_error(REFUSED_AS_TEMPORAL[name])
