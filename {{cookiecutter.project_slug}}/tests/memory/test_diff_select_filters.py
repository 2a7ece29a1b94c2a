"""WHERE clauses: comparisons, boolean logic, IN, BETWEEN, LIKE, NULL tests, arithmetic.

Every clause selects the ids of the seed orders it keeps; both engines must keep the same ones.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    null,
    or_,
    select,
    true,
    tuple_,
    type_coerce,
)

from .diff_schema import ORDERS, Side, instruments, orders
from .diffkit import EnginePair

o = orders.c
i = instruments.c

# Clauses that keep some of the seed orders but not all of them.
SELECTIVE: dict[str, ColumnElement[bool]] = {
    "int >": o.qty > 25,
    "int >=": o.qty >= 25,
    "int <": o.qty < 25,
    "int <= 0": o.qty <= 0,
    "int ==": o.qty == 25,
    "int != (NULLs drop out)": o.qty != 25,
    "literal on the left": literal(30) > o.qty,
    "numeric > decimal": o.limit_price > Decimal("190"),
    "numeric == decimal with other scale": o.limit_price == Decimal("410.0"),
    "numeric < int": o.limit_price < 200,
    "numeric > float": o.limit_price > 409.995,
    "datetime >=": o.placed_at >= datetime(2024, 3, 1, 9, 47),
    "datetime <": o.placed_at < datetime(2024, 3, 1, 9, 35, 0, 1),
    "enum ==": o.side == Side.SELL,
    "enum !=": o.side != Side.BUY,
    "string ==": o.status == "open",
    "string > (binary order)": o.note > "Rush",
    "string == empty": o.note == "",
    "and_": and_(o.status == "open", o.qty > 5),
    "or_": or_(o.qty.is_(None), o.qty < 1),
    "not_ (NULLs drop out)": not_(o.qty > 10),
    "not_ of or_": not_(or_(o.status == "open", o.qty > 50)),
    "~and_": ~and_(o.side == Side.BUY, o.limit_price > 100),
    "and_ with true()": and_(true(), o.qty == 25),
    "or_ with false()": or_(false(), o.side == Side.SELL),
    "in_": o.status.in_(["open", "filled"]),
    "in_ ints": o.qty.in_([0, 2, 7, 1000]),
    "in_ with a NULL item": o.qty.in_([25, None]),
    "not_in": o.status.not_in(["open", "filled"]),
    "not_in ints (NULLs drop out)": o.qty.not_in([25, 40]),
    "in_ enum": o.side.in_([Side.SELL]),
    "between ints": o.qty.between(2, 25),
    "between numerics": o.limit_price.between(Decimal("12.34"), Decimal("410")),
    "between datetimes": o.placed_at.between(
        datetime(2024, 3, 1, 9, 35), datetime(2024, 3, 1, 9, 49)
    ),
    "not between": ~o.qty.between(2, 25),
    "like prefix (SQLite: ASCII case-insensitive)": o.note.like("Rush%"),
    "like single-char wildcard": o.note.like("_ush%"),
    "like with escape": o.note.like("%!_%", escape="!"),
    "like literal backslash": o.note.like("a\\b"),
    "not like": o.note.not_like("%rush%"),
    "ilike": o.note.ilike("RUSH%"),
    "not ilike": o.note.not_ilike("%o%"),
    "startswith": o.note.startswith("rush"),
    "startswith autoescape": o.note.startswith("tiny_%", autoescape=True),
    "endswith": o.note.endswith("lot"),
    "contains percent autoescape": o.note.contains("%", autoescape=True),
    "contains underscore autoescape": o.note.contains("_", autoescape=True),
    "contains underscore unescaped matches any char": o.note.contains("_"),
    "contains": o.note.contains("sh"),
    "is_ None": o.qty.is_(None),
    "is_not None": o.qty.is_not(None),
    "== None renders IS NULL": o.account_id == None,  # noqa: E711
    "!= None renders IS NOT NULL": o.note != None,  # noqa: E711
    "is_(null())": o.limit_price.is_(null()),
    "is_distinct_from": o.qty.is_distinct_from(25),
    "is_not_distinct_from None": o.account_id.is_not_distinct_from(None),
    "column vs column": o.qty > o.id,
    "numeric column vs int column": o.limit_price > o.qty,
    "foreign keys compared": o.instrument_id == o.account_id,
    "arithmetic in where": o.qty * 2 + 1 > 50,
    "modulo in where": o.qty % 2 == 1,
    "numeric arithmetic in where": o.limit_price * 2 > Decimal("800.00"),
    "true division in where": o.qty / 2 > 12,
    "floor division in where": o.qty // 2 == 12,
    "SQL's own / divides integers as integers": o.qty.op("/")(2) == 1,
    "SQL's own / by a real divides as reals": o.qty.op("/")(2.0) == 1.5,
    "negation": -o.qty < -20,
    "concatenation": (o.status + ":" + o.side) == "open:BUY",
    "tuple IN": tuple_(o.instrument_id, o.status).in_([(1, "open"), (2, "filled"), (9, "open")]),
    "tuple NOT IN": tuple_(o.instrument_id, o.side).not_in([(1, Side.BUY), (4, Side.SELL)]),
    "tuple equality": tuple_(o.instrument_id, o.account_id) == tuple_(1, 1),
}

# Clauses that keep nothing or everything by design.
EXTREME: dict[str, ColumnElement[bool]] = {
    "in_ empty list": o.qty.in_([]),
    "not_in with a NULL item keeps nothing": o.qty.not_in([25, None]),
    "not_in empty list": o.qty.not_in([]),
    "= NULL is never true": o.qty.op("=")(null()),
    "false()": false(),
    "not_ of a NULL comparison": not_(o.qty.op("=")(null())),
    "tautology with NULLs": or_(o.qty > 0, o.qty <= 0, o.qty.is_(None)),
}


def _ids(clause: ColumnElement[bool]) -> Any:
    return select(o.id).where(clause).order_by(o.id)


@pytest.mark.parametrize("name", list(SELECTIVE))
def test_selective_filter(seeded: EnginePair, name: str) -> None:
    answer = seeded.check_rows(_ids(SELECTIVE[name]), what=name)
    assert 0 < len(answer) < len(ORDERS), f"{name} should keep some seed orders, not {answer}"


@pytest.mark.parametrize("name", list(EXTREME))
def test_filter_keeping_nothing_or_everything(seeded: EnginePair, name: str) -> None:
    answer = seeded.check_rows(_ids(EXTREME[name]), what=name)
    assert len(answer) in (0, len(ORDERS))


@pytest.mark.parametrize("statuses", [["open"], ["open", "rejected"], [], ["none-such"]], ids=repr)
def test_expanding_bindparam(seeded: EnginePair, statuses: list[str]) -> None:
    statement = _ids(o.status.in_(bindparam("statuses", expanding=True)))
    seeded.check_rows(statement, {"statuses": statuses})


def test_expanding_bindparam_not_in(seeded: EnginePair) -> None:
    statement = _ids(o.qty.not_in(bindparam("qtys", expanding=True)))
    for qtys in ([25], [], [0, 2, 3]):
        seeded.check_rows(statement, {"qtys": qtys}, what=f"not in {qtys}")


def _raw(name: str = "v") -> Any:
    """A parameter no bind processor touches, as untyped SQL would send it."""
    return type_coerce(bindparam(name), Integer)


# Comparisons convert an operand first by SQLite's affinity rules: parameters, literals and most
# expressions have none, columns and CASTs have their type's (BOOLEAN, DATE and DATETIME are
# NUMERIC, an Enum's VARCHAR is TEXT), a scalar subquery has that of what it selects.
AFFINITY_CASES: dict[str, tuple[Any, dict[str, Any]]] = {
    "integer column = numeric text": (o.qty == bindparam("v"), {"v": "25"}),
    "integer column = text with spaces": (o.qty == bindparam("v"), {"v": " 25 "}),
    "integer column = text that is no number": (o.qty == bindparam("v"), {"v": "25x"}),
    "integer column > numeric text": (o.qty > bindparam("v"), {"v": "24"}),
    "integer column BETWEEN texts": (
        o.qty.between(bindparam("lo"), bindparam("hi")),
        {"lo": "2", "hi": "7"},
    ),
    "integer column IN texts": (o.qty.in_(bindparam("vs", expanding=True)), {"vs": ["25", "7"]}),
    "integer column IN a literal list": (o.qty.in_(["25", "7", 3]), {}),
    "row id = numeric text": (o.id == bindparam("v"), {"v": "3"}),
    "row id IN texts": (o.id.in_(bindparam("vs", expanding=True)), {"vs": ["3", "5.0"]}),
    "indexed column = numeric text": (o.instrument_id == bindparam("v"), {"v": "2"}),
    "numeric column = decimal text": (o.limit_price == bindparam("v"), {"v": "410.00"}),
    "numeric text = integer column": (bindparam("v") == o.qty, {"v": "7"}),
    "integer column IS numeric text": (o.qty.is_(bindparam("v")), {"v": "25"}),
    "text column > an integer": (o.note > bindparam("v"), {"v": 5}),
    "text column = an integer": (o.note == bindparam("v"), {"v": 1}),
    "integer column = a function of a text": (o.qty == func.abs(bindparam("v")), {"v": "7"}),
    "text column > arithmetic": (o.note > (o.qty + 0), {}),
    "integer column < text column": (o.qty < o.status, {}),
    "text column = integer column": (o.status != o.qty, {}),
    "integer column = CAST to text": (o.qty == cast(bindparam("v"), String), {"v": 25}),
    "type_coerce keeps the column's affinity": (type_coerce(o.qty, String) == "25", {}),
    "type_coerce of text beside a number": (type_coerce(o.status, Integer) > 5, {}),
    "CAST to integer = text column": (cast(o.status, Integer) == o.note, {}),
    "integer column > a column CAST to text": (o.id > cast(o.qty, String), {}),
    "text column IN integers": (o.note.in_([1, 2]), {}),
    "integer column BETWEEN a text column and a number": (o.qty.between(o.status, 30), {}),
    "integer column = scalar subquery of a text": (
        o.qty == select(literal_column("'25'")).scalar_subquery(),
        {},
    ),
    "integer column = scalar subquery of a CAST to text": (
        o.qty == select(cast(o.qty, String)).where(o.id == 1).scalar_subquery(),
        {},
    ),
    "enum column = integer": (o.side == _raw(), {"v": 1}),
    "enum column > integer": (o.side > _raw(), {"v": 1}),
    "integer column = enum column": (o.qty == o.side, {}),
    "datetime column > integer": (o.placed_at > _raw(), {"v": 5}),
    "text column IN a subquery of integers": (
        cast(o.qty, String).in_(select(o.qty)),
        {},
    ),
    "text column IN a subquery of integers, which meet as numbers": (
        o.note.in_(select(o.qty)),
        {},
    ),
    "integer column IN a subquery of text": (o.qty.in_(select(cast(o.qty, String))), {}),
    "integer column NOT IN a subquery of text": (
        o.qty.not_in(select(func.trim(cast(o.qty, String)))),
        {},
    ),
    "text column IN a subquery of an expression, which takes the column's TEXT": (
        o.note.in_(select(o.qty + 0)),
        {},
    ),
    "a value IN a subquery of an integer column": (
        literal("25").in_(select(o.qty)),
        {},
    ),
}


@pytest.mark.parametrize("name", list(AFFINITY_CASES))
def test_comparisons_convert_operands_by_affinity_as_sqlite_does(
    seeded: EnginePair, name: str
) -> None:
    clause, params = AFFINITY_CASES[name]
    seeded.check_rows(_ids(clause), params or None, what=name)


# The columns of a subquery or CTE have the affinity of what they select.
_derived = select(
    o.id, o.qty, o.qty.label("q"), (o.qty + 0).label("x"), cast(o.qty, String).label("c"), o.status
).subquery()
_nested = select(_derived.c.id, _derived.c.q).subquery()
_cte = select(o.id, o.qty).cte("picked")
DERIVED_AFFINITY_CASES: dict[str, tuple[Any, dict[str, Any]]] = {
    "subquery integer column = numeric text": (_derived.c.qty == bindparam("v"), {"v": "25"}),
    "subquery labelled column = numeric text": (_derived.c.q == bindparam("v"), {"v": "25"}),
    "subquery arithmetic column = numeric text": (_derived.c.x == bindparam("v"), {"v": "25"}),
    "subquery CAST-to-text column = integer": (_derived.c.c == bindparam("v"), {"v": 25}),
    "subquery integer column IN texts": (
        _derived.c.qty.in_(bindparam("vs", expanding=True)),
        {"vs": ["25", "7"]},
    ),
    "subquery text column = integer": (_derived.c.status == bindparam("v"), {"v": 1}),
    "subquery of a subquery = numeric text": (_nested.c.q == bindparam("v"), {"v": "25"}),
    "CTE integer column = numeric text": (_cte.c.qty == bindparam("v"), {"v": "25"}),
}


@pytest.mark.parametrize("name", list(DERIVED_AFFINITY_CASES))
def test_subquery_and_cte_columns_have_the_affinity_of_what_they_select(
    seeded: EnginePair, name: str
) -> None:
    clause, params = DERIVED_AFFINITY_CASES[name]
    source = clause.left.table
    statement = select(source.c.id).where(clause).order_by(source.c.id)
    seeded.check_rows(statement, params or None, what=name)


@pytest.mark.parametrize(
    ("clause", "params"),
    [
        (i.active == _raw(), {"v": "1"}),
        (i.active == _raw(), {"v": "1.0"}),
        (i.active != _raw(), {"v": " 0 "}),
        (i.listed_on > _raw(), {"v": 5}),
        (i.listed_on < _raw(), {"v": 5}),
    ],
    ids=["boolean = text", "boolean = float text", "boolean != padded text", "date >", "date <"],
)
def test_boolean_and_date_columns_have_numeric_affinity(
    seeded: EnginePair, clause: Any, params: dict[str, Any]
) -> None:
    seeded.check_rows(select(i.id).where(clause).order_by(i.id), params, what=str(clause))


def test_plain_bindparams_given_at_execute_time(seeded: EnginePair) -> None:
    statement = _ids(and_(o.qty >= bindparam("low"), o.status == bindparam("status")))
    first = seeded.check_rows(statement, {"low": 3, "status": "open"})
    second = seeded.check_rows(statement, {"low": 30, "status": "open"})
    assert first != second


def test_filters_on_boolean_and_date_columns(seeded: EnginePair) -> None:
    for clause in (
        i.active.is_(True),
        i.active == False,  # noqa: E712
        ~i.active,
        i.listed_on < date(1985, 1, 1),
        i.listed_on.is_(None),
        i.symbol.like("aapl%"),  # SQLite: also matches "AAPL" (ASCII case folding)
        i.name.like("%(100!%%", escape="!"),
        i.tick_size < Decimal("0.1"),
    ):
        seeded.check_rows(select(i.id).where(clause).order_by(i.id), what=str(clause))


def test_three_valued_logic_as_selected_values(seeded: EnginePair) -> None:
    statement = select(
        o.id,
        o.qty > 10,
        o.qty == None,  # noqa: E711
        not_(o.qty > 10),
        and_(o.qty > 10, o.note.is_(None)),
        or_(o.qty > 10, o.note.is_(None)),
        and_(o.qty > 10, o.limit_price > 100),
        or_(o.qty < 0, o.limit_price > 1000),
    ).order_by(o.id)
    answer = seeded.check_rows(statement)
    assert any(None in row for row in answer)


def test_arithmetic_as_selected_values(seeded: EnginePair) -> None:
    # SQLite: integer // truncates toward zero and % takes the dividend's sign; x/0 is NULL.
    statement = select(
        o.id,
        o.qty + 1,
        o.qty - o.id,
        o.qty * o.id,
        o.qty / 2,
        o.qty // 2,
        o.qty % 3,
        -o.qty,
        o.qty / 0,
        o.qty // 0,
        o.qty % 0,
        o.limit_price * 2,
        o.limit_price + Decimal("0.005"),
        o.limit_price - o.qty,
        o.limit_price / 4,
        o.limit_price * o.qty,
        o.limit_price / 0,
        o.status + "/" + o.note,
    ).order_by(o.id)
    answer = seeded.check_rows(statement)
    assert len(answer) == len(ORDERS)
