"""SQLite's math functions (`ln`, `exp`, `sqrt`, `pow`, ...) on every kind of operand.

Log returns (`ln(close / previous close)`) and volatilities (`sqrt(avg(r * r) - ...)`) are what
a trading application asks of them. SQLite takes a number or text that is wholly one, gives
NULL for anything else and for a result that is not a number, and infinities for overflows
and poles; `floor()` is Python's own, which SQLAlchemy registers on pysqlite connections.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    func,
    literal,
    null,
    select,
)

from .diffkit import EnginePair, cpython_driver, pair_of, rows_or_error, seeded_pair


def _sqlite_has_math_functions() -> bool:
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("SELECT ln(1)")
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()
    return True


pytestmark = pytest.mark.skipif(
    not _sqlite_has_math_functions(), reason="this Python's SQLite has no math functions"
)

OPERANDS: dict[str, Any] = {
    "an integer": literal(5),
    "one": literal(1),
    "zero": literal(0),
    "a negative integer": literal(-3),
    "a real": literal(2.5),
    "a real below one": literal(0.25),
    "a negative real": literal(-1.5),
    "negative zero": literal(-0.0),
    "integer text": literal("12"),
    "real text with spaces": literal(" 2.5 "),
    "a number, then text": literal("3x"),
    "text of no number": literal("abc"),
    "a blob of digits": literal(b"42", LargeBinary),
    "NULL": null(),
    "a huge real": literal(1e300),
    "a huge negative real": literal(-1e300),
    "infinity": literal(float("inf")),
    "the largest integer": literal(2**63 - 1),
}

UNARY = [
    "ceil",
    "ceiling",
    "floor",
    "trunc",
    "ln",
    "log",
    "log10",
    "log2",
    "exp",
    "sqrt",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
    "acosh",
    "atanh",
    "radians",
    "degrees",
]
BINARY = ["pow", "power", "mod", "atan2", "log"]
SECOND: dict[str, Any] = {
    "two": literal(2),
    "minus three": literal(-3),
    "a half": literal(0.5),
    "zero": literal(0),
    "negative zero": literal(-0.0),
    "a number, then text": literal("3x"),
    "NULL": null(),
    "a large odd power": literal(1001),
}


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with pair_of() as made:
        yield made


FLOOR_OVERFLOWS = {"a huge real", "a huge negative real", "infinity"}
"""Operands whose floor() does not fit an integer: SQLAlchemy registers Python's math.floor as
floor() on pysqlite connections, and the driver reports its overflow."""


@pytest.mark.parametrize("name", UNARY)
def test_one_argument_function_on_every_operand(pair: EnginePair, name: str) -> None:
    function = getattr(func, name)
    for operand, value in OPERANDS.items():
        if name == "floor" and operand in FLOOR_OVERFLOWS and not cpython_driver():
            continue
        pair.check(
            rows_or_error(select(function(value)), with_message=True), what=f"{name} of {operand}"
        )


@pytest.mark.parametrize("name", BINARY)
def test_two_argument_function_on_every_pair_of_operands(pair: EnginePair, name: str) -> None:
    function = getattr(func, name)
    for first, x in OPERANDS.items():
        for second, y in SECOND.items():
            what = f"{name}({first}, {second})"
            pair.check(rows_or_error(select(function(x, y)), with_message=True), what=what)


QUOTIENT_OVERFLOW = ("the largest integer", "a half")
"""A quotient whose floor() does not fit an integer either."""


@pytest.mark.filterwarnings("ignore:Type object.*does not include operator 'floordiv'")
def test_floor_division_floors_sqlite_s_own_quotient(pair: EnginePair) -> None:
    """`a // b` is `a / b` for two integer types, else `FLOOR(a / b)`: SQLite's division (whole
    for two integers, NULL for a zero divisor), then the registered floor(), for which a NULL
    is an error."""
    for first, x in OPERANDS.items():
        for second, y in SECOND.items():
            overflows = first in FLOOR_OVERFLOWS or (first, second) == QUOTIENT_OVERFLOW
            if overflows and not cpython_driver():
                continue
            what = f"{first} // {second}"
            pair.check(rows_or_error(select(x // y), with_message=True), what=what)


def test_pi_and_the_wrong_number_of_arguments(pair: EnginePair) -> None:
    pair.check_rows(select(func.pi()))
    for statement in (select(func.exp()), select(func.log(1, 2, 3)), select(func.abs(1, 2))):
        error = pair.check_statement_error(statement)
        assert "wrong number of arguments" in str(error)


closes = Table(
    "closes",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("close", Float),
)
CLOSES = [5100.25, 5101.0, 5099.75, 5099.75, 5104.5, 5102.25, 5110.0, 5108.75]


def test_log_returns_and_their_volatility(pair: EnginePair) -> None:
    """ln(close / previous close) per bar, then the square root of their mean square."""
    with seeded_pair(
        closes.metadata, (closes, [{"id": n, "close": c} for n, c in enumerate(CLOSES)])
    ) as seeded:
        c = closes.c
        returns = select(
            c.id, func.ln(c.close / func.lag(c.close).over(order_by=c.id)).label("r")
        ).subquery()
        seeded.check_rows(select(returns.c.id, returns.c.r).order_by(returns.c.id))
        seeded.check_rows(
            select(
                func.sqrt(func.avg(returns.c.r * returns.c.r)),
                func.exp(func.sum(returns.c.r)),
                func.power(func.max(returns.c.r), 2),
            )
        )
