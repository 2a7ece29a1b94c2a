"""SQLite's hex, unhex, unicode, char, zeroblob, glob, iif, likely, unlikely, concat,
concat_ws and octet_length, row by row and on the edge values where SQLite's reading of an
argument decides the answer, and the functions newer than the linked SQLite, which it lacks."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, literal, select
from sqlalchemy.exc import SQLAlchemyError

from {{ cookiecutter.package_name }}.adapters.memory.releases import FUNCTIONS_SINCE, LINKED, iif_takes

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


NEWER_FUNCTIONS: dict[str, list[Any]] = {
    "concat": [
        func.concat(None),
        func.concat("", 1.0, literal(b"BC"), None, 2**63 - 1),
        func.concat(o.note, o.qty, o.limit_price),
    ],
    "concat_ws": [
        func.concat_ws(",", "", "a", None, "b", 1.5, 2, literal(b"A")),
        func.concat_ws(",", "a", "", "b"),
        func.concat_ws(",", "", ""),
        func.concat_ws(",", None, ""),
        func.concat_ws(None, "a"),
        func.concat_ws(" | ", o.note, o.status, o.qty),
    ],
    "octet_length": [
        func.octet_length("é"),
        func.octet_length(1.5),
        func.octet_length(0.1),
        func.octet_length(literal(b"\x00\x00")),
        func.octet_length(None),
        func.octet_length(-(2**63)),
        func.octet_length(o.note),
        func.octet_length(o.limit_price),
    ],
    "unhex": [
        func.unhex("4142"),
        func.unhex("0a0B"),
        func.unhex(""),
        func.unhex("41 42", " "),
        func.unhex("-41-", "-"),
        func.unhex("41é42", "é"),
        func.unhex("41-42"),
        func.unhex("414"),
        func.unhex("4x"),
        func.unhex(None),
        func.unhex("41", None),
        func.unhex(4142),
        func.unhex(literal(b"41\x0042")),
        func.unhex(func.hex(o.note)),
    ],
    "string_agg": [func.length(func.string_agg(o.status, "/"))],  # its order is the scan's
}
"""Functions SQLite brought after 3.40, each with the calls that try its reading of values."""


@pytest.mark.parametrize("name", list(NEWER_FUNCTIONS))
def test_a_newer_function_from_its_release_and_no_such_function_before(
    seeded: EnginePair, name: str
) -> None:
    for call in NEWER_FUNCTIONS[name]:
        statement = select(call).select_from(orders)
        if FUNCTIONS_SINCE[name] <= LINKED:
            seeded.check_rows(statement if name == "string_agg" else statement.order_by(o.id))
        else:
            error = seeded.check_statement_error(statement)
            assert f"no such function: {name}" in str(error)


def test_the_argument_counts_of_concat_and_concat_ws(seeded: EnginePair) -> None:
    for statement in (select(func.concat()), select(func.concat_ws(","))):
        seeded.check_statement_error(statement)


@pytest.mark.skipif(baseline_mode(), reason="memory-only: SQLite fails when the text is read")
def test_char_of_a_utf16_surrogate_is_refused() -> None:
    # SQLite writes such a character as bytes no driver reads back as text; memory:// says so.
    engine = memory_engine()
    with engine.connect() as conn, pytest.raises(SQLAlchemyError, match="surrogate"):
        conn.execute(select(func.char(0xD800)))
    engine.dispose()
