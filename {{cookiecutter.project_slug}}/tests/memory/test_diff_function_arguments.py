"""Functions, aggregates, arithmetic and CAST on odd operands: text, blobs, -0.0, huge values.

SQLite reads a function's numeric argument from any value: text by its numeric prefix (`'3x'`
is 3, `'abc'` is 0), an integer argument as a C `int`, a REAL cut to the 64-bit range. Its
arithmetic reads text the same way, where Python would join or repeat it, and so do sum(),
total() and avg(), adding text that is wholly an integer as one. It writes -0.0 as `0.0` and
rounds through its printf, which adds a 3e-16 share of the value before cutting the digits, so
`round(87.46499999999999, 2)` is 87.47.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    String,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy import type_coerce as as_type

from .diffkit import EnginePair, pair_of, rows_or_error

OPERANDS: dict[str, Any] = {
    "an integer": literal(5),
    "a negative integer": literal(-3),
    "a real": literal(2.5),
    "negative zero": literal(-0.0),
    "integer text": literal("12"),
    "real text with spaces": literal(" 2.5 "),
    "text with an exponent": literal("1e3"),
    "text with a sign": literal("+5"),
    "text of no number": literal("abc"),
    "a number, then text": literal("3x"),
    "empty text": literal(""),
    "hexadecimal text": literal("0x10"),
    "non-ASCII digits": literal("١٢"),
    "a no-break space, then digits": literal("\xa012"),
    "text past 64 bits": literal("99999999999999999999"),
    "whole text past 2**51": literal("1e17"),
    "whole text below 2**51": literal("2251799813685247.0"),
    "an exponent, then text": literal("1e3abc"),
    "negative text past 64 bits": literal("-99999999999999999999"),
    "a blob": literal(b"\x01\x02", LargeBinary),
    "a blob of digits": literal(b"42", LargeBinary),
    "an empty blob": literal(b"", LargeBinary),
    "a blob starting with NUL": literal(b"\x00a", LargeBinary),
    "NULL": null(),
    "a huge real": literal(1e300),
    "a huge negative real": literal(-1e300),
    "infinity": literal(float("inf")),
    "a real past 64 bits": literal(9.3e18),
    "the largest integer": literal(2**62),
}

FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "lower": func.lower,
    "length": func.length,
    "abs": func.abs,
    "round": func.round,
    "round to 2": lambda v: func.round(v, 2),
    "round to v digits": lambda v: func.round(literal(2.567891), v),
    "sign": func.sign,
    "substr from v": lambda v: func.substr(literal("abcdef"), v),
    "substr of v": lambda v: func.substr(v, 2),
    "substr of length v": lambda v: func.substr(literal("abcdef"), 2, v),
    "replace in v": lambda v: func.replace(v, literal("2"), literal("x")),
    "replace nothing in v, by NULL": lambda v: func.replace(v, literal(""), null()),
    "replace by v": lambda v: func.replace(literal("a2b"), literal("2"), v),
    "trim of v": func.trim,
    "trim by v": lambda v: func.trim(literal("5a25"), v),
    "ltrim by v": lambda v: func.ltrim(literal("2.5x"), v),
    "rtrim by v": lambda v: func.rtrim(literal("x2.5"), v),
    "unicode": func.unicode,
    "coalesce of v, then an overflow": lambda v: func.coalesce(v, func.abs(literal(-(2**63)))),
    "ifnull of v, then an overflow": lambda v: func.ifnull(v, func.abs(literal(-(2**63)))),
    "coalesce of NULL, then v": lambda v: func.coalesce(null(), null(), v),
    "typeof": func.typeof,
    "CAST AS INTEGER": lambda v: cast(v, Integer),
    "CAST AS REAL": lambda v: cast(v, Float),
    "CAST AS TEXT": lambda v: cast(v, String),
    "CAST AS NUMERIC": lambda v: cast(v, Numeric),
    "typeof CAST AS NUMERIC": lambda v: func.typeof(cast(v, Numeric)),
    "CAST AS BOOLEAN, plus one": lambda v: as_type(cast(v, Boolean), Integer) + 1,
    "v % 7": lambda v: as_type(v, Integer) % 7,
    "7 % v": lambda v: literal(7) % as_type(v, Integer),
    "v - v": lambda v: as_type(v, Float) - as_type(v, Float),
    "v * 0": lambda v: as_type(v, Float) * 0,
    "v + 0": lambda v: as_type(v, Integer) + 0,
    "v * 1": lambda v: as_type(v, Integer) * 1,
    "v - 0.0": lambda v: as_type(v, Float) - 0.0,
    "v * v": lambda v: as_type(v, Integer) * as_type(v, Integer),
    "v + v": lambda v: as_type(v, Integer) + as_type(v, Integer),
}


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with pair_of() as made:
        yield made


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_each_operand_is_read_as_sqlite_reads_it(pair: EnginePair, name: str) -> None:
    make = FUNCTIONS[name]
    for operand, value in OPERANDS.items():
        pair.check(rows_or_error(select(make(value))), what=f"{name} of {operand}")


ROUNDINGS: list[tuple[float, int]] = [
    (87.46499999999999, 2),  # just below a half: SQLite's 3e-16 share rounds it up
    (23.904999999999998, 2),
    (2.675, 2),
    (-2.5, 0),
    (0.5, 0),
    (-0.3686584017849779, 0),  # rounds to +0.0
    (-8.300535849291513e-06, 2),  # rounds to -0.0
    (-0.0, 1),
    (0.5960937163382865, 15),  # the printf cuts, it does not round, past the last digit
    (-15.1808, 15),
    (-968954738.3280226, 8),
    (2.567891, 30),  # at most 16 significant digits are written
    (1e300, 2),
    (-1e300, 0),
    (123456789.987654321, 3),
    (1e-20, 25),
    (0.1 + 0.2, 1),
]


CHAINS: dict[str, Any] = {
    "(a * b) || c": (literal(3) * literal(2)).concat(literal("1")),
    "a || (b + c)": literal("1").concat(literal(3) + literal(2)),
    "((a + b) || c) * d": (literal(3) + literal(2)).concat(literal("1")) * 2,
    "(a / b) || c": (literal(7) / literal(2)).concat(literal("0")),
    "(a * b * c) || d || (e - f)": (literal(2) * literal(3) * literal(4))
    .concat(literal("5"))
    .concat(literal(9) - literal(1)),
    "(a % b) || c + d": (literal(7) % literal(4)).concat(literal(2) + literal(1)),
    "(a // b) || c, integers": (literal(7) // literal(2)).concat(literal("5")),
    "(a // b) || c, reals": (literal(7.5) // literal(2)).concat(literal("5")),
    "a type_coerce'd product || c": as_type(literal(3) * literal(2), String).concat("x"),
}
"""SQLAlchemy writes these without parentheses where SQLite binds `||` tighter than it does."""


@pytest.mark.parametrize("name", list(CHAINS))
def test_concatenation_among_arithmetic_is_read_as_sqlite_reads_it(
    pair: EnginePair, name: str
) -> None:
    pair.check(rows_or_error(select(CHAINS[name]), with_message=True), what=name)


def test_round_gives_sqlites_digits(pair: EnginePair) -> None:
    statement = select(*(func.round(literal(x), literal(n)) for x, n in ROUNDINGS))
    pair.check_rows(statement)


def test_coalesce_takes_two_arguments_or_more_and_ifnull_two(pair: EnginePair) -> None:
    for statement in (
        select(func.coalesce(1)),
        select(func.coalesce()),
        select(func.ifnull(1)),
        select(func.ifnull(1, 2, 3)),
    ):
        error = pair.check_statement_error(statement)
        assert "wrong number of arguments" in str(error)


def test_abs_of_the_smallest_integer_overflows(pair: EnginePair) -> None:
    error = pair.check_statement_error(select(func.abs(literal(-(2**63)))))
    assert "integer overflow" in str(error)


COLUMNS_OF_VALUES: dict[str, list[Any]] = {
    "integers": [1, 2, 3],
    "integer text": ["5", " 6 ", "+7"],
    "numeric text with a point or an exponent": ["1.0", "1e3", " 2 "],
    "numeric text and a number, then text": ["1", "2.5", "3x"],
    "text of no number": ["abc", "", "b"],
    "mixed, with NULL": [1, "2", 2.5, None],
    "negative zero": [-0.0, 0.0],
    "reals": [0.1, 0.2, 0.3],
    "text past 64 bits": ["99999999999999999999", "1"],
    "booleans": [True, False, True],
    "a partial sum past 64 bits": [2**62, 2**62, -(2**62)],
    "dates": [dt.date(2024, 3, 1), dt.date(2023, 1, 1)],
    "reals past the largest double": [1e308, 1e308, -1e308],
    "infinities of both signs": [float("inf"), 1.0, float("-inf")],
    "integers past 2**53": [2**62 - 1, 2**53 + 1, -(2**61) + 3, 7],
    "an overflow, then a real": [2**62, 2**62, 0.5, -1],
    "an overflow, then integers only": [2**62, 2**62, -(2**62), -(2**62)],
    "a real among large integers": [2**60 + 1, 0.25, 2**60 + 3, -(2**59) - 5],
}

AGGREGATES: dict[str, Callable[[Any], Any]] = {
    "sum": func.sum,
    "total": func.total,
    "avg": func.avg,
    "min": func.min,
    "max": func.max,
}


@pytest.mark.parametrize("name", list(COLUMNS_OF_VALUES))
def test_aggregates_add_values_as_sqlite_does(pair: EnginePair, name: str) -> None:
    column = (
        union_all(
            *(
                select((null() if value is None else literal(value)).label("v"))
                for value in COLUMNS_OF_VALUES[name]
            )
        )
        .subquery()
        .c.v
    )
    for aggregate, make in AGGREGATES.items():
        pair.check(rows_or_error(select(make(column))), what=f"{aggregate} of {name}")
        running = select(make(column).over(order_by=column))
        pair.check(rows_or_error(running), what=f"running {aggregate} of {name}")


SUBSTR_BOUNDS = [0, 1, 2, -1, -3, 6, 7, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**32 + 2]
SUBSTR_BOUNDS += [-(2**32) - 2, 2**62, -(2**62), 1_000_000_000, -1_000_000_001]


@pytest.mark.parametrize("start", SUBSTR_BOUNDS)
def test_substr_from_every_bound(pair: EnginePair, start: int) -> None:
    """Around the 32-bit edges SQLite before 3.48 cut the arguments to; 64-bit ones after."""
    text, blob = literal("abcdéf"), literal(b"abcdef", LargeBinary)
    statement = select(
        func.substr(text, literal(start)),
        func.substr(blob, literal(start)),
        *(func.substr(text, literal(start), literal(length)) for length in SUBSTR_BOUNDS),
        *(func.substr(blob, literal(start), literal(length)) for length in SUBSTR_BOUNDS),
    )
    pair.check_rows(statement, what=f"substr from {start}")
