"""REGEXP (`regexp_match`) and `regexp()`: Python's `re.search`, as SQLAlchemy's SQLite dialect
registers it, on every row, on the values the driver would hand it, and on its errors."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import String, func, literal, select, type_coerce

from .diff_schema import orders
from .diffkit import EnginePair

o = orders.c

PER_ROW: dict[str, Any] = {
    "a pattern on a text column": select(
        o.id, o.note.regexp_match("^[Rr]ush"), o.status.regexp_match("open|filled")
    ),
    "NOT REGEXP, NULLs staying NULL": select(
        o.id, ~o.note.regexp_match("_"), ~o.note.regexp_match("")
    ),
    "the pattern from another column": select(o.id, o.note.regexp_match(o.status)),
    "an enum column, and a backslash in the value": select(
        o.id, o.side.regexp_match("^B"), o.note.regexp_match(r"\\")
    ),
    "a timestamp, matched on the text SQLite stores": select(
        o.id, func.regexp(r" 09:3\d:00\.000000$", o.placed_at)
    ),
    "inline flags and groups": select(
        o.id, o.note.regexp_match("(?i)rush"), o.note.regexp_match(r"(\w+) \1")
    ),
    "regexp() called as a function": select(o.id, func.regexp(r"\d", o.note)),
    "REGEXP in a where clause": select(o.id).where(o.note.regexp_match("(?i)^rush")),
    "NOT REGEXP in a where clause": select(o.id).where(~o.status.regexp_match("^(open|filled)$")),
    "REGEXP in arithmetic and ordering": select(o.id, o.note.regexp_match("r") + 1).order_by(
        o.note.regexp_match("o").desc()
    ),
}

VALUES: list[tuple[Any, Any]] = [
    ("a", None),
    (None, None),
    ("", ""),
    ("^$", ""),
    ("é.", "aéb"),
    ("a.c", "a\nc"),
    ("(?s)a.c", "a\nc"),
    (literal(b"\x00"), literal(b"a\x00b")),
    ("x", type_coerce("x", String)),
]

FAILING: dict[str, tuple[Any, Any]] = {
    "a NULL pattern": (None, "a"),
    "an integer value": ("1", 12),
    "a REAL value": ("1", 1.5),
    "a truth value, which the driver hands over as 1": ("1", True),
    "an integer pattern": (1, "1"),
    "a text pattern on a blob": ("a", literal(b"a")),
    "a blob pattern on text": (literal(b"a"), "a"),
    "a malformed pattern": ("(", "a"),
}


@pytest.mark.parametrize("name", list(PER_ROW))
def test_per_row(seeded: EnginePair, name: str) -> None:
    assert seeded.check_rows(PER_ROW[name].order_by(o.id), what=name)


def test_values(seeded: EnginePair) -> None:
    statement = select(*[func.regexp(pattern, value) for pattern, value in VALUES])
    assert seeded.check_rows(statement, what="regexp") == [(None, None, 1, 1, 1, 0, 1, 1, 1)]


@pytest.mark.parametrize("name", list(FAILING))
def test_what_the_search_refuses_is_an_error(seeded: EnginePair, name: str) -> None:
    pattern, value = FAILING[name]
    seeded.check_statement_error(select(func.regexp(pattern, value)))


def test_a_failing_row_fails_the_statement(seeded: EnginePair) -> None:
    # The price column holds REALs, which the search refuses; the first row ends the statement.
    seeded.check_statement_error(select(o.id).where(func.regexp("0", o.limit_price)))


def test_regexp_takes_two_arguments(seeded: EnginePair) -> None:
    seeded.check_statement_error(select(func.regexp("a")))
