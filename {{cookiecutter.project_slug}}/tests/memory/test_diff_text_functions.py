"""SQLite's hex, unicode, char, zeroblob, glob, iif, likely and unlikely, row by row and on
the edge values where SQLite's reading of an argument decides the answer."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, literal, select
from sqlalchemy.exc import SQLAlchemyError

from {{ cookiecutter.package_name }}.adapters.memory.releases import iif_takes

from .diff_schema import ORDERS, orders
from .diffkit import EnginePair, baseline_mode, memory_engine

o = orders.c

PER_ROW: dict[str, Any] = {
    "hex of text, integers, numerics and NULLs": select(
        o.id, func.hex(o.note), func.hex(o.qty), func.hex(o.limit_price), func.hex(o.side)
    ),
    "unicode of the first character": select(o.id, func.unicode(o.note), func.unicode(o.qty)),
    "char of column values": select(o.id, func.char(o.qty), func.char(o.qty, o.id, None)),
    "zeroblob of a column": select(
        o.id, func.zeroblob(o.qty % 4), func.length(func.zeroblob(o.id))
    ),
    "glob on a column": select(
        o.id, func.glob("*e*", o.note), func.glob("[a-m]*", o.status), func.glob("?", o.qty)
    ),
    "glob in a where clause": select(o.id).where(func.glob("[^o]*", o.status)),
    "iif": select(o.id, func.iif(o.qty > 40, "big", "small"), func.iif(o.note, o.qty, -1)),
    "likely and unlikely": select(o.id, func.likely(o.qty > 10), func.unlikely(o.note)),
    "a truth value passed through a function comes out as SQLite's integer": select(
        o.id,
        func.nullif(o.qty > 10, 5),
        func.ifnull(o.note == "", o.qty > 1),
        func.iif(o.qty, o.qty > 40, o.note),
        func.coalesce(None, o.qty > 20),
        func.max(o.qty > 10, o.id > 5),
    ),
}

EDGE_VALUES: dict[str, Any] = {
    "hex": [None, 12, 1.5, 0.1, 1e300, True, "aé", literal(b"\x00\xff")],
    "unicode": ["", None, "é", 65, literal(b"\xc3\xa9")],
    "zeroblob": [3, -1, None, "2", 2.9, "x"],
}
CHAR_ARGUMENTS = [
    (),
    (None,),
    (65, None, 66),
    (65.7,),
    ("66",),
    (-1,),
    (0x110000,),
    ("x",),
    (2**40,),
]
GLOBS = [
    ("a*", "abc"),
    ("A*", "abc"),
    ("[a-c]?", "bz"),
    ("[^a]*", "abc"),
    (None, "a"),
    ("a", None),
    ("1*", 12),
    ("[]]", "]"),
    ("[^]]", "]"),
    ("[a-]", "-"),
    ("[-a]", "-"),
    ("[a-c-e]", "-"),
    ("[a-c-e]", "d"),
    ("[z-a]", "m"),
    ("[^z-a]", "m"),
    ("[abc", "a"),
    ("a?c", "a\nc"),
    ("*.*", "a.b"),
    ("%_", "%_"),
    ("é?", "éa"),
]
IIF_TESTS = [1, 0, None, "1x", "abc", 0.5, "0.0", literal(b"1")]


@pytest.mark.parametrize("name", list(PER_ROW))
def test_per_row(seeded: EnginePair, name: str) -> None:
    answer = seeded.check_rows(PER_ROW[name].order_by(o.id), what=name)
    assert answer


def test_every_row_is_answered(seeded: EnginePair) -> None:
    answer = seeded.check_rows(select(o.id, func.hex(o.note)).order_by(o.id), what="hex")
    assert len(answer) == len(ORDERS)


@pytest.mark.parametrize("name", list(EDGE_VALUES))
def test_edge_values(seeded: EnginePair, name: str) -> None:
    function = getattr(func, name)
    seeded.check_rows(select(*[function(value) for value in EDGE_VALUES[name]]), what=name)


def test_char_reads_each_argument_as_an_integer(seeded: EnginePair) -> None:
    seeded.check_rows(select(*[func.char(*arguments) for arguments in CHAR_ARGUMENTS]), what="char")


def test_glob_patterns(seeded: EnginePair) -> None:
    statement = select(*[func.glob(pattern, value) for pattern, value in GLOBS])
    expected = (1, 0, 1, 0, None, None, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1)
    assert seeded.check_rows(statement, what="glob") == [expected]


def test_iif_tests_truth_as_case_does(seeded: EnginePair) -> None:
    seeded.check_rows(select(*[func.iif(test, "then", "else") for test in IIF_TESTS]), what="iif")


def test_iif_evaluates_only_the_branch_it_takes(seeded: EnginePair) -> None:
    overflow = func.abs(literal(-(2**63)))
    seeded.check_rows(select(func.iif(1, "taken", overflow)), what="iif")
    error = seeded.check_statement_error(select(func.iif(0, "taken", overflow)))
    assert "integer overflow" in str(error)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6])
def test_iif_takes_the_arguments_the_linked_sqlite_takes(seeded: EnginePair, count: int) -> None:
    """Three before SQLite 3.48; two or three in 3.48; any number from two on from 3.49."""
    tests_and_results = [o.id > 2, o.id, o.qty > 1, literal("b"), o.note, literal(0)]
    statement = select(func.iif(*tests_and_results[:count])).order_by(o.id)
    if iif_takes(count):
        seeded.check_rows(statement)
    else:
        error = seeded.check_statement_error(statement)
        assert "wrong number of arguments to function iif()" in str(error)


@pytest.mark.skipif(baseline_mode(), reason="memory-only: SQLite fails when the text is read")
def test_char_of_a_utf16_surrogate_is_refused() -> None:
    # SQLite writes such a character as bytes no driver reads back as text; memory:// says so.
    engine = memory_engine()
    with engine.connect() as conn, pytest.raises(SQLAlchemyError, match="surrogate"):
        conn.execute(select(func.char(0xD800)))
    engine.dispose()
