"""Values at the edges of SQLite's rules: booleans against text, numbers as blobs, truth values
that SQLAlchemy does not read as booleans, BETWEEN among the equality operators, ties in min(),
the sign of a negated zero, and dates and UUIDs passed on by expressions of another type."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    case,
    cast,
    func,
    insert,
    literal,
    select,
)

from .diffkit import EnginePair, pair_of, seeded_pair

metadata = MetaData()
notes = Table(
    "edge_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(16)),
    Column("ratio", Float),
    Column("blob", LargeBinary),
    Column("at", DateTime),
    Column("ref", Uuid),
    Column("day", Date),
)
n = notes.c
STAMP = "2024-01-02 03:04:05.000000"
REF = uuid.UUID(int=5)
GIVEN = [
    {"id": 1, "label": "abc", "ratio": 0.0, "blob": b"a", "at": datetime(2024, 1, 2, 3, 4, 5)},
    {"id": 7, "label": "day", "ratio": 4.0, "blob": None, "day": date(2024, 1, 3)},
    {"id": 2, "label": "1", "ratio": 3.0, "blob": None, "ref": REF},
    {"id": 3, "label": "0", "ratio": -0.0, "blob": b""},
    {"id": 4, "label": "True", "ratio": None, "blob": b"\x00"},
    {"id": 5, "label": STAMP, "ratio": 1.0, "blob": None},
    {"id": 6, "label": REF.hex, "ratio": 2.0, "blob": None},
]
ROWS = [
    {"at": None, "ref": None, "day": None, **row} for row in GIVEN
]  # executemany takes every key


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with seeded_pair(metadata, (notes, ROWS)) as made:
        yield made


BOOLEANS_AGAINST_TEXT: dict[str, Any] = {
    "text = True (SQLAlchemy writes = 1)": n.label == True,  # noqa: E712
    "text = a True literal": n.label == literal(True),
    "text != a True literal": n.label != literal(True),
    "text IN (True, False)": n.label.in_([True, False]),
    "text = a comparison": n.label == (n.id == 2),
}


@pytest.mark.parametrize("name", list(BOOLEANS_AGAINST_TEXT))
def test_a_boolean_meets_text_as_the_integer_it_binds_as(pair: EnginePair, name: str) -> None:
    statement = select(n.id).where(BOOLEANS_AGAINST_TEXT[name]).order_by(n.id)
    pair.check_rows(statement, what=name)


def test_a_boolean_stored_in_a_text_column_is_its_integer_as_text() -> None:
    with pair_of(metadata) as pair:

        def work(engine: Engine) -> list[Any]:
            with engine.begin() as conn:
                conn.execute(insert(notes), [{"id": 1, "label": True}, {"id": 2, "label": False}])
                return list(conn.execute(select(n.label, func.typeof(n.label)).order_by(n.id)))

        assert pair.check(work) == [("1", "text"), ("0", "text")]


def test_an_integer_is_no_blob_parameter() -> None:
    # sqlite3 takes bytes-like values for a blob only; bytes(3) would be three zero bytes.
    with pair_of(metadata) as pair:

        def work(engine: Engine) -> object:
            with engine.begin() as conn:
                return conn.execute(insert(notes).values(id=1, blob=3))

        error = pair.check_error(work, names=(), sqlite_names_them=False)
        assert "bytes-like" in str(error)


def test_a_number_cast_to_a_blob_is_the_bytes_of_its_text(pair: EnginePair) -> None:
    statement = select(
        cast(literal(49), LargeBinary),
        func.hex(cast(literal(3), LargeBinary)),
        cast(literal(2.5), LargeBinary),
        cast(n.ratio, LargeBinary),
        cast(n.label, LargeBinary),
    ).order_by(n.id)
    pair.check_rows(statement)


TRUTH_VALUES: dict[str, Any] = {
    "BETWEEN": literal(2).between(1, 3),
    "NOT BETWEEN": ~literal(2).between(1, 3),
    "a column BETWEEN": n.ratio.between(0, 1),
    "a custom comparison operator": literal(2).op(">")(1),
    "min() of BETWEEN": func.min(n.id.between(2, 3)),
}


@pytest.mark.parametrize("name", list(TRUTH_VALUES))
def test_a_truth_value_not_read_as_a_boolean_is_an_integer(pair: EnginePair, name: str) -> None:
    statement = select(TRUTH_VALUES[name]).select_from(notes)
    answer = pair.check_rows(statement, what=name, ordered=False)
    assert all(type(value) is not bool for row in answer for value in row)


BETWEEN_BOUNDS: dict[str, Any] = {
    "upper bound !=": literal(5).between(literal(1), literal(3) != literal(4)),
    "upper bound =": literal(5).between(literal(1), literal(0) == literal(4)),
    "upper bound NOT LIKE": literal(5).between(1, literal("b").not_like("%b%")),
    "upper bound IS NULL": literal(2).between(1, literal(3).is_(None)),
    "upper bound IN": literal(1).between(0, literal(3).in_([3])),
    "upper bound BETWEEN": literal(5).between(1, literal(3).between(1, 9)),
    "upper bound <": literal(5).between(literal(1), literal(3) < literal(4)),
    "NOT BETWEEN, upper bound !=": ~literal(5).between(literal(1), literal(3) != literal(4)),
    "a column, upper bound =": n.id.between(1, n.ratio == 3.0),
    "upper bound NOT IN (written in parentheses)": n.id.between(0, n.id.not_in([2, 3])),
    "NOT BETWEEN, upper bound NOT IN": ~n.id.between(0, n.id.not_in([7])),
    "upper bound ILIKE": n.id.between(0, n.label.ilike("ABC")),
    "upper bound STARTSWITH": n.id.between(0, n.label.startswith("1")),
    "upper bound CONTAINS": n.id.between(0, n.label.contains("b")),
    "upper bound a custom !=": n.id.between(0, n.label.op("!=")("abc")),
}
"""SQLAlchemy writes `x BETWEEN a AND b = c` for its `x BETWEEN a AND (b = c)`; SQLite reads
`(x BETWEEN a AND b) = c`, as `=`, `!=`, IN, IS, LIKE and BETWEEN bind less tightly."""


def test_a_symmetric_between_is_sqlites_syntax_error(pair: EnginePair) -> None:
    pair.check_statement_error(select(n.id).where(n.id.between(3, 1, symmetric=True)))


@pytest.mark.parametrize("name", list(BETWEEN_BOUNDS))
def test_between_among_equality_operators_reads_as_sqlite_reads_it(
    pair: EnginePair, name: str
) -> None:
    statement = select(n.id, BETWEEN_BOUNDS[name]).order_by(n.id)
    pair.check_rows(statement, what=name)


def test_min_and_max_of_equal_arguments_pick_as_sqlite_does(pair: EnginePair) -> None:
    # Of equal arguments SQLite's min() keeps the last one and its max() the first.
    zero, real_zero = literal(0), literal(0.0)
    statement = select(
        func.min(zero, real_zero),
        func.min(real_zero, zero),
        func.max(zero, real_zero),
        func.max(real_zero, zero),
        func.min(literal(1), zero, real_zero, zero),
        func.min(n.ratio, zero),
        func.max(n.ratio, zero),
    ).order_by(n.id)
    pair.check_rows(statement)


def test_a_negated_zero_is_zero(pair: EnginePair) -> None:
    # SQLite negates by subtracting from zero, so -(0.0) and -(-0.0) are 0.0.
    statement = select(
        -n.ratio, func.atan2(-n.ratio, -1.0), -literal(0.0), -literal(-0.0), -literal(0)
    ).order_by(n.id)
    pair.check_rows(statement)


PASSED_ON: dict[str, Any] = {
    "IFNULL of a date (typed as nothing)": func.ifnull(n.at, 0),
    "IFNULL of a UUID": func.ifnull(n.ref, 1),
    "IIF to a date or text": func.iif(n.id == 1, n.at, n.label),
    "NULLIF of a date": func.nullif(n.at, "x"),
    "CASE typed by its integer branch": case((n.id == 9, n.id), else_=n.at),
    "COALESCE of a date (typed as one)": func.coalesce(n.at, n.at),
    "CASE of a datetime or a date (typed as a datetime)": case((n.id < 7, n.at), else_=n.day),
    "IFNULL of a date (typed as one)": func.ifnull(n.day, n.day, type_=Date),
}
"""SQLite holds dates and UUIDs as text and passes that text on; SQLAlchemy turns it back into
a date or UUID only where the expression's type says so."""


@pytest.mark.parametrize("name", list(PASSED_ON))
def test_a_date_or_uuid_passed_on_by_an_expression_is_what_sqlite_gives(
    pair: EnginePair, name: str
) -> None:
    expression = PASSED_ON[name]
    pair.check_rows(select(n.id, expression).order_by(n.id), what=name)
    pair.check_rows(select(n.id).where(expression == STAMP).order_by(n.id), what=name)
    pair.check_rows(select(expression).distinct(), what=name, ordered=False)


COMPOUNDS: dict[str, Any] = {
    "a date UNION text": select(n.at).where(n.id == 1).union(select(n.label).where(n.id == 5)),
    "text UNION a date": select(n.label).where(n.id == 5).union(select(n.at).where(n.id == 1)),
    "text INTERSECT dates": select(n.label).intersect(select(n.at)),
    "text EXCEPT dates": select(n.label).except_(select(n.at)),
    "text EXCEPT UUIDs": select(n.label).except_(select(n.ref)),
    "dates UNION dates": select(n.at).union(select(n.at).where(n.id > 2)),
}


@pytest.mark.parametrize("name", list(COMPOUNDS))
def test_a_compound_of_dates_or_uuids_and_text_compares_the_stored_text(
    pair: EnginePair, name: str
) -> None:
    pair.check_rows(COMPOUNDS[name], what=name, ordered=False)


BARE_COLUMNS: dict[str, Any] = {
    "no GROUP BY": select(func.count(), n.label),
    "GROUP BY": select(func.count(), n.label).group_by(n.blob.is_(None)).order_by(n.blob.is_(None)),
    "GROUP BY with a WHERE": select(func.sum(n.id), n.label)
    .where(n.id > 1)
    .group_by(n.ratio > 0)
    .order_by(n.ratio > 0),
    "HAVING on the bare column": select(func.count(), n.label)
    .group_by(n.blob.is_(None))
    .having(n.label != "abc")
    .order_by(n.blob.is_(None)),
}


@pytest.mark.parametrize("name", list(BARE_COLUMNS))
def test_a_bare_column_of_an_aggregate_reads_the_first_row_of_its_group(
    pair: EnginePair, name: str
) -> None:
    # SQLite leaves the row open; 3.40 to 3.51 read the first one the scan meets.
    pair.check_rows(BARE_COLUMNS[name], what=name)
