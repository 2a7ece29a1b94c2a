"""Bitwise operators, read as SQLite reads them among other operators, and LIKE and GLOB on
BLOBs, which some SQLite builds never match (SQLITE_LIKE_DOESNT_MATCH_BLOBS)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Integer, LargeBinary, String, func, literal, select
from sqlalchemy import type_coerce as as_type

from .diffkit import EnginePair, pair_of, rows_or_error

VALUES: dict[str, Any] = {
    "NULL": None,
    "0": 0,
    "5": 5,
    "-8": -8,
    "5.7": 5.7,
    "-5.7": -5.7,
    "1e19": 1e19,
    "largest": 2**63 - 1,
    "smallest": -(2**63),
    "63": 63,
    "64": 64,
    "-65": -65,
    "'12abc'": "12abc",
    "'1e3'": "1e3",
    "'abc'": "abc",
}


def _number(value: Any) -> Any:
    return as_type(literal(value), Integer)


OPERATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "a & b": lambda a, b: a.bitwise_and(b),
    "a | b": lambda a, b: a.bitwise_or(b),
    "a << b": lambda a, b: a.bitwise_lshift(b),
    "a >> b": lambda a, b: a.bitwise_rshift(b),
    "~a": lambda a, _b: a.bitwise_not(),
}

CHAINS: dict[str, Any] = {
    "(a & b) + c, written a & b + c": _number(6).bitwise_and(_number(3)) + 1,
    "(a | b) * c": _number(4).bitwise_or(_number(1)) * 2,
    "a + (b << c)": _number(1) + _number(1).bitwise_lshift(_number(3)),
    "(a << b) - c": _number(1).bitwise_lshift(_number(4)) - 1,
    "(a || b) & c": as_type(literal("1").concat(literal("5")), Integer).bitwise_and(_number(7)),
    "(a & b) || c": _number(6).bitwise_and(_number(3)).concat(literal("x")),
    "(a >> b) % c": _number(100).bitwise_rshift(_number(1)) % 7,
}
"""SQLAlchemy ranks the bitwise operators with `+`; SQLite below it."""


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with pair_of() as made:
        yield made


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_bitwise_operators(pair: EnginePair, name: str) -> None:
    operation = OPERATIONS[name]
    columns = [
        operation(_number(a), _number(b)).label(f"c{i}")
        for i, (a, b) in enumerate((a, b) for a in VALUES.values() for b in VALUES.values())
    ]
    pair.check(rows_or_error(select(*columns)), what=name)


@pytest.mark.parametrize("name", list(CHAINS))
def test_bitwise_operators_among_others_read_as_sqlite_reads_them(
    pair: EnginePair, name: str
) -> None:
    pair.check(rows_or_error(select(CHAINS[name])), what=name)


def _blob(value: bytes) -> Any:
    return literal(value, LargeBinary)


def test_like_and_glob_of_blobs(pair: EnginePair) -> None:
    text = as_type(_blob(b"xy"), String)
    checks = [
        text.like("x%"),
        as_type(literal("xy"), String).like(as_type(_blob(b"x%"), String)),
        text.contains("y"),
        func.glob("x*", _blob(b"xy")),
        func.glob(_blob(b"x*"), "xy"),
        func.glob(None, _blob(b"x")),
        as_type(literal("xy"), String).like("x%"),
    ]
    pair.check(rows_or_error(select(*checks)))
