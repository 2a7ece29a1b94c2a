"""CHECK constraints written as SQL text, read as SQLite reads them: every row is let in or
refused as SQLite does, and text SQLite refuses at CREATE TABLE is refused there."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    insert,
    select,
    text,
)
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    NotSupportedError,
    OperationalError,
    StatementError,
)

from .diffkit import EnginePair

PairFactory = Callable[..., EnginePair]

CHECKS = [
    "a > 0",
    "b <> ''",
    "length(b) BETWEEN 1 AND 3",
    "a IN (1, 2, '3')",
    "a NOT IN (1, 2)",
    "a * 2 || 'x' <> '4x'",
    "(a * 2) || 'x' <> '4x'",
    "a || b * 2 > 0",
    "c / 2 > 1",
    "a / 2 = 1",
    "a % 2 = 0",
    "b LIKE 'x%'",
    "b NOT LIKE 'x_'",
    "b LIKE 'x!%' ESCAPE '!'",
    "b GLOB '[a-z]*'",
    "b NOT GLOB 'x*'",
    "b COLLATE NOCASE = 'X'",
    "CAST(b AS INTEGER) = a",
    "CAST(c AS TEXT) <> '1.0'",
    "CASE WHEN a > 1 THEN 1 ELSE 0 END",
    "CASE a WHEN 1 THEN 0 ELSE 1 END",
    "a IS NOT NULL",
    "a ISNULL OR a > 2",
    "a IS b",
    "a IS NOT 1",
    "NOT a = 1",
    "a = NULL",
    "a IS TRUE",
    "b IS NOT FALSE",
    "typeof(d) IN ('integer', 'real')",
    "abs(a) < 3 AND round(c, 1) = c",
    "coalesce(a, 0) >= 0 OR ifnull(b, 'z') <> 'x'",
    "iif(a > 1, 1, 0)",
    "max(a, 2) = 2",
    "substr(b, 1, 1) <> 'x' AND instr(b, 'y') = 0",
    "upper(b) = b",
    "trim(b) = b",
    "a",
    "b",
    "c",
    "a + b > 1",
    "-a < 0",
    "x'00' <> e",
    "TRUE",
    "a = TRUE",
    "d > '1'",
    "a > '1'",
    "b > 1",
    "a < b",
    "0x10 > a",
    "1e3 > a",
    "'it''s' <> b",
    "[a] > 0",
    "\"b\" <> 'y'",
    "t.a > 0",
    "a > 1 = 1",
    "a & 1",
    "~a < 0",
    "a << 1 > 2",
    "9223372036854775808 > a",
    "-9223372036854775808 < a",
]
"""Each of these is the one CHECK of table t; rows of `ROWS` go in one by one."""
NOTHING_STORED = {"a = NULL"}

VALUES: list[Any] = [None, 0, 1, 2, 3, -1, 1.5, 2.0, "x", "X", "xy", "x%", "1", "1.0", "abc"]
_draw = random.Random(7)
ROWS = [
    {
        "a": _draw.choice(VALUES),
        "b": _draw.choice(VALUES),
        "c": _draw.choice(VALUES),
        "d": _draw.choice(VALUES),
        "e": _draw.choice([None, b"x", b"\x00", b""]),
    }
    for _ in range(60)
]


def _table(check: Any) -> tuple[MetaData, Table]:
    metadata = MetaData()
    table = Table(
        "t",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("a", Integer),
        Column("b", String),
        Column("c", Float),
        Column("d", Numeric),
        Column("e", LargeBinary),
        CheckConstraint(check, name="ck_t"),
    )
    return metadata, table


def _let_in(table: Table) -> Callable[[Engine], list[str]]:
    """Per row of `ROWS`: stored, refused by the CHECK, or not bound (a REAL column's
    processor takes no text)."""

    def work(engine: Engine) -> list[str]:
        let_in = []
        for row in ROWS:
            try:
                with engine.begin() as connection:
                    connection.execute(insert(table).values(**row))
            except IntegrityError:
                let_in.append("refused")
            except StatementError as error:
                assert not isinstance(error, DBAPIError), error
                let_in.append("not bound")
            else:
                let_in.append("stored")
        return let_in

    return work


@pytest.mark.parametrize("check", CHECKS)
def test_rows_are_let_in_as_sqlite_lets_them(pair_factory: PairFactory, check: str) -> None:
    metadata, table = _table(text(check))
    pair = pair_factory(metadata)
    let_in = pair.check(_let_in(table), what=check)
    assert "stored" in let_in or check in NOTHING_STORED


def test_an_expression_check_tests_truth_as_sqlite_does(pair_factory: PairFactory) -> None:
    """`CHECK (b)` refuses text that reads as zero ('abc', 'x') and lets NULL in."""
    metadata, table = _table(Column("b", String))
    let_in = pair_factory(metadata).check(_let_in(table))
    assert {"stored", "refused"} <= set(let_in)


def test_the_error_names_the_constraint_or_its_text(pair_factory: PairFactory) -> None:
    metadata = MetaData()
    table = Table(
        "positions",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("quantity", Integer),
        CheckConstraint(text("quantity <> 0")),
    )
    pair = pair_factory(metadata)

    def work(engine: Engine) -> Any:
        with engine.begin() as connection:
            connection.execute(insert(table).values(quantity=0))

    error = pair.check_error(work, names=("quantity <> 0",))
    assert isinstance(error, IntegrityError)
    pair.check(lambda engine: engine.connect().execute(select(table)).all())


REFUSED_AT_CREATE = {
    "no such column": "z > 0",
    "another table's column": "u.a > 0",
    "a subquery": "a IN (SELECT 1)",
    "an aggregate": "count(a) > 0",
    "one-argument max": "max(a) > 0",
}


@pytest.mark.parametrize("name", list(REFUSED_AT_CREATE))
def test_text_sqlite_refuses_is_refused_at_create(pair_factory: PairFactory, name: str) -> None:
    metadata, _table_made = _table(text(REFUSED_AT_CREATE[name]))
    pair = pair_factory()
    error = pair.check_error(lambda engine: metadata.create_all(engine), names=())
    assert isinstance(error, OperationalError)


@pytest.mark.parametrize("check", ["printf('%d', a) <> ''", "a IS 1 IS 1 COLLATE", "a >"])
def test_text_the_dialect_cannot_read_is_refused_with_its_text(
    pair_factory: PairFactory, check: str
) -> None:
    metadata, _table_made = _table(text(check))
    pair = pair_factory()
    with pytest.raises((NotSupportedError, OperationalError), match="CHECK"):
        metadata.create_all(pair.memory)
