"""SQLite's truth: what WHERE, CASE WHEN, AND, OR and NOT make of values that are not booleans.

SQLite has no boolean type. A value tested for truth holds when the number it converts to is not
zero, so the text `'1x'` holds and `'abc'`, `''` and `'0.0'` do not. SQLAlchemy renders a test of
a boolean expression as `x = 1` and its negation as `x = 0`, which compare by affinity; and it
reads a boolean from whatever value the expression gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    func,
    not_,
    or_,
    select,
    type_coerce,
)

from .diffkit import EnginePair, seeded_pair

metadata = MetaData()
values = Table(
    "truth_values",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(16)),
    Column("ratio", Float),
    Column("qty", Integer),
    Column("flag", Boolean),
)
v = values.c

LABELS = ["abc", "1x", "0.0", "", " 2", None, "-0", "1e3", "0", "0x1"]
ROWS = [
    {
        "id": number,
        "label": label,
        "ratio": [0.0, 0.5, None, -0.0, 2.0][number % 5],
        "qty": [0, 3, None, -1][number % 4],
        "flag": [True, False, None][number % 3],
    }
    for number, label in enumerate(LABELS, start=1)
]

label_as_test = type_coerce(v.label, Boolean)
ratio_as_test = type_coerce(v.ratio, Boolean)
qty_as_test = type_coerce(v.qty, Boolean)


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with seeded_pair(metadata, (values, ROWS)) as made:
        yield made


FILTERS: dict[str, Any] = {
    "text as the test": label_as_test,
    "a real as the test": ratio_as_test,
    "an integer as the test": qty_as_test,
    "text AND a comparison": and_(label_as_test, v.id > 2),
    "a comparison AND text": and_(v.id > 2, label_as_test),
    "text AND a real AND an integer": and_(label_as_test, ratio_as_test, qty_as_test),
    "text OR a comparison": or_(label_as_test, v.id > 8),
    "text OR a real OR an integer": or_(label_as_test, ratio_as_test, qty_as_test),
    "NOT of text (x = 0)": not_(label_as_test),
    "text IS true (x = 1)": label_as_test.is_(True),
    "a boolean column": v.flag,
    "NOT of a boolean column": ~v.flag,
    "a function's value": func.coalesce(v.label, v.ratio),
    "CASE WHEN text": case((label_as_test, v.qty), else_=None) > 0,
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_a_where_clause_tests_values_as_sqlite_does(pair: EnginePair, name: str) -> None:
    pair.check_rows(select(v.id).where(FILTERS[name]).order_by(v.id), what=name)


ON_CLAUSES: dict[str, Any] = {
    "text as the join condition": label_as_test,
    "a real as the join condition": ratio_as_test,
    "a function's value as the join condition": func.coalesce(v.label, v.ratio),
    "text AND a comparison as the join condition": and_(label_as_test, v.id > 2),
}


@pytest.mark.parametrize("name", list(ON_CLAUSES))
@pytest.mark.parametrize("kind", ["inner", "left outer"])
def test_a_join_condition_tests_values_as_sqlite_does(
    pair: EnginePair, name: str, kind: str
) -> None:
    other = values.alias("other")
    condition = and_(other.c.id == 1, ON_CLAUSES[name])
    if name.startswith("text as"):
        condition = ON_CLAUSES[name]  # the condition alone: no comparison around it
    joined = values.join(other, condition, isouter=kind == "left outer")
    statement = select(v.id, other.c.id).select_from(joined).order_by(v.id, other.c.id)
    pair.check_rows(statement, what=f"{kind} join, {name}")


def test_case_when_tests_values_as_sqlite_does(pair: EnginePair) -> None:
    statement = select(
        v.id,
        case((label_as_test, "label"), (ratio_as_test, "ratio"), else_="neither"),
        case((qty_as_test, 1), else_=0),
    ).order_by(v.id)
    pair.check_rows(statement)


def test_a_boolean_read_from_other_values(pair: EnginePair) -> None:
    statement = select(
        v.id,
        label_as_test,
        ratio_as_test,
        qty_as_test,
        and_(label_as_test, qty_as_test),
        or_(label_as_test, ratio_as_test),
        not_(label_as_test),
    ).order_by(v.id)
    pair.check_rows(statement)


def test_having_tests_an_aggregate_as_sqlite_does(pair: EnginePair) -> None:
    statement = (
        select(v.qty, func.count())
        .group_by(v.qty)
        .having(type_coerce(func.max(v.label), Boolean))
        .order_by(v.qty)
    )
    pair.check_rows(statement)
