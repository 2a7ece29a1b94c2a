"""COLLATE: SQLite's BINARY, NOCASE and RTRIM collations in comparisons, IN, BETWEEN and ORDER BY,
against SQLite, and a clear refusal where the memory dialect does not apply one.

The labels differ in ASCII case, in trailing and leading spaces, in letters NOCASE does not fold
(É, é, ß), and in kind (numbers and numeric text beside words, NULL), so each collation's rule
and its limits show. Which collation a comparison uses follows SQLite: a COLLATE anywhere in the
left operand, else in the right one, else BINARY.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.exc import NotSupportedError
from sqlalchemy.orm import Session

from .casecount import PROFILE, counted
from .diff_schema import Account
from .diffkit import EnginePair, baseline_mode, rows_or_error, seeded_pair

metadata = MetaData()
labels = Table(
    "labels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(16), index=True),
    Column("other", String(16)),
    Column("day", Date),
)
aliases = Table(
    "aliases", metadata, Column("id", Integer, primary_key=True), Column("alias", String(16))
)
c = labels.c

LABELS: list[Any] = [
    "abc",
    "ABC",
    "abc  ",
    "Abc ",
    " abc",
    "aBc",
    "b",
    "B",
    "É",
    "é",
    "ß",
    "SS",
    "",
    " ",
    "10",
    10,
    2.5,
    None,
]
OTHERS = ["ABC", "abc", "ABC ", "b", "é", None]
ALIASES = ["ABC", "b ", "É", "x", None]
COLLATIONS = ["NOCASE", "RTRIM", "BINARY", "nocase", "Rtrim"]
PROBES = ["abc", "ABC ", "b", "é", "", "10", 10]


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    rows = [
        {"id": number, "label": label, "other": OTHERS[number % len(OTHERS)]}
        for number, label in enumerate(LABELS, start=1)
    ]
    found = [{"id": number, "alias": alias} for number, alias in enumerate(ALIASES, start=1)]
    with seeded_pair(metadata, (labels, rows), (aliases, found)) as seeded:
        yield seeded


def ids(*where: Any) -> Any:
    return select(c.id).where(*where).order_by(c.id)


COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "IS": lambda a, b: a.is_(b),
    "IS NOT": lambda a, b: a.is_not(b),
}


@pytest.mark.parametrize("collation", COLLATIONS)
@pytest.mark.parametrize("operator", list(COMPARISONS))
def test_a_comparison_uses_the_collation_of_either_side(
    pair: EnginePair, collation: str, operator: str
) -> None:
    compare = COMPARISONS[operator]
    for probe in PROBES:
        on_the_left = ids(compare(c.label.collate(collation), probe))
        on_the_right = ids(compare(c.label, literal(probe, String).collate(collation)))
        pair.check_rows(on_the_left, what=f"label COLLATE {collation} {operator} {probe!r}")
        pair.check_rows(on_the_right, what=f"label {operator} {probe!r} COLLATE {collation}")
    pair.check_rows(ids(compare(c.label.collate(collation), c.other)))
    pair.check_rows(ids(compare(c.other, c.label.collate(collation))))


def test_the_left_collation_wins(pair: EnginePair) -> None:
    for left, right in [("RTRIM", "NOCASE"), ("NOCASE", "RTRIM"), ("BINARY", "NOCASE")]:
        pair.check_rows(ids(c.label.collate(left) == c.other.collate(right)), what=left)
        pair.check_rows(ids(c.label.collate(left) < literal("abc ").collate(right)), what=left)


def test_a_collate_inside_an_operand_is_found(pair: EnginePair) -> None:
    statements = {
        "in a function's argument": ids(func.upper(c.label.collate("RTRIM")) == "ABC"),
        "in a concatenation": ids(c.label + literal(" ").collate("RTRIM") == "abc"),
        "under a CAST": ids(cast(c.label.collate("NOCASE"), String) == "abc"),
        "in a CASE condition": ids(
            case((c.other.collate("NOCASE") == "abc", c.label), else_=c.other) == "ABC "
        ),
        "in a CASE result": ids(case((c.id > 3, c.label.collate("NOCASE")), else_="x") == "abc"),
        "beside a LIKE, which ignores it": ids(
            c.label.collate("NOCASE").like("a%"), c.label.collate("NOCASE") == "abc"
        ),
    }
    for name, statement in statements.items():
        pair.check_rows(statement, what=name)


@pytest.mark.parametrize("collation", ["NOCASE", "RTRIM"])
def test_in_uses_the_collation_of_its_left_side(pair: EnginePair, collation: str) -> None:
    left = c.label.collate(collation)
    pair.check_rows(ids(left.in_(["ABC", "b", "é", 10])))
    pair.check_rows(ids(left.not_in(["ABC", "b", None])))
    pair.check_rows(ids(left.in_(bindparam("given", expanding=True))), {"given": ["ABC ", "B"]})
    pair.check_rows(ids(left.in_(select(aliases.c.alias))))
    pair.check_rows(ids(left.not_in(select(aliases.c.alias))))
    pair.check_rows(ids(left.in_(select(aliases.c.alias).where(aliases.c.id < c.id))))
    # one member of several does not lend the list its collation
    pair.check_rows(ids(c.label.in_([literal("ABC").collate(collation), "b"])))


def test_in_with_one_constant_member_is_an_equality(pair: EnginePair) -> None:
    # SQLite reads `x IN (y)` as `x = +y`: y's collation counts then
    pair.check_rows(ids(c.label.in_([literal("ABC").collate("NOCASE")])))
    pair.check_rows(ids(c.label.not_in([literal("abc ").collate("RTRIM")])))
    pair.check_rows(ids(c.label.collate("RTRIM").in_([literal("ABC ").collate("NOCASE")])))


@pytest.mark.parametrize("collation", ["NOCASE", "RTRIM", "BINARY"])
def test_between_compares_each_bound_by_its_own_collation(pair: EnginePair, collation: str) -> None:
    pair.check_rows(ids(c.label.collate(collation).between("ABC", "b")))
    pair.check_rows(ids(~c.label.collate(collation).between("a", "B ")))
    pair.check_rows(ids(c.label.between(literal("ABC").collate(collation), "b")))
    pair.check_rows(ids(c.label.between("A", literal("b").collate(collation))))


@pytest.mark.parametrize("collation", ["NOCASE", "RTRIM", "BINARY"])
def test_order_by_sorts_text_by_the_collation(pair: EnginePair, collation: str) -> None:
    term = c.label.collate(collation)
    pair.check_rows(select(c.id, c.label).order_by(term, c.id))
    pair.check_rows(select(c.id, c.label).order_by(term.desc(), c.id.desc()))
    pair.check_rows(select(c.id).order_by(term.desc().nulls_first(), c.id))
    pair.check_rows(select(c.id).order_by(func.upper(term), c.id).limit(5))
    pair.check_rows(select(c.id).where(c.id > 2).order_by(term, c.id).limit(3).offset(2))


def test_an_index_is_not_used_for_a_collated_comparison(pair: EnginePair) -> None:
    # `label` has an index, kept in BINARY order: a collated look-up must not use it
    pair.check_rows(ids(c.label == literal("ABC").collate("NOCASE")))
    pair.check_rows(ids(c.label > literal("abc").collate("NOCASE")))
    pair.check_rows(ids(c.label.between(literal("a").collate("NOCASE"), "b")))
    pair.check_rows(ids(c.label.in_([literal("abc ").collate("RTRIM")])))
    pair.check_rows(select(c.id, c.label).order_by(c.label.collate("NOCASE"), c.id).limit(4))


def test_a_join_on_a_collated_equality(pair: EnginePair) -> None:
    a = aliases.c
    for on in [c.label == a.alias.collate("NOCASE"), c.label.collate("RTRIM") == a.alias]:
        pair.check_rows(select(c.id, a.id).join(aliases, on).order_by(c.id, a.id))
        pair.check_rows(select(c.id, a.id).outerjoin(aliases, on).order_by(c.id, a.id))


def test_aggregates_over_rows_a_collation_picked(pair: EnginePair) -> None:
    pair.check_rows(select(func.count()).where(c.label.collate("NOCASE") == "abc"))
    pair.check_rows(
        select(c.other, func.count())
        .where(c.label.collate("RTRIM") >= "abc")
        .group_by(c.other)
        .order_by(c.other)
    )


def test_an_orm_query_with_a_collation(trading: EnginePair) -> None:
    def codes(session: Session) -> list[str]:
        statement = (
            select(Account)
            .where(Account.code.collate("NOCASE") >= "B")
            .order_by(Account.code.collate("NOCASE").desc())
        )
        return [account.code for account in session.scalars(statement)]

    trading.check_session(codes)


def test_an_unknown_collation_is_sqlite_s_error(pair: EnginePair) -> None:
    pair.check_statement_error(ids(c.label.collate("FRENCH") == "abc"))
    pair.check_statement_error(select(c.id).order_by(c.label.collate("no_such")))


texts = st.text(alphabet="aAbZ éÉ", max_size=4)
names = st.sampled_from([None, "NOCASE", "RTRIM", "BINARY", "nocase"])


@st.composite
def operands(draw: st.DrawFn) -> Any:
    """The label column or a value, maybe under upper(), with a COLLATE or none, maybe inside a
    concatenation."""
    value = draw(st.one_of(texts, st.integers(-2, 12), st.none()))
    operand: Any = c.label if draw(st.booleans()) else literal(value, String)
    if draw(st.booleans()):
        operand = func.upper(operand)
    name = draw(names)
    if name is not None:
        operand = operand.collate(name)
    if draw(st.booleans()):
        operand = operand + literal(draw(texts), String)
    return operand


@settings(settings.get_profile(PROFILE))
@given(
    left=operands(),
    right=operands(),
    other=operands(),
    kind=st.sampled_from([*COMPARISONS, "BETWEEN", "IN"]),
    order=names,
    descending=st.booleans(),
)
@counted
def test_generated_collated_predicates_and_orders(
    pair: EnginePair, left: Any, right: Any, other: Any, kind: str, order: Any, descending: bool
) -> None:
    if kind == "BETWEEN":
        predicate = left.between(right, other)
    elif kind == "IN":
        predicate = left.in_([right, other])
    else:
        predicate = COMPARISONS[kind](left, right)
    term = c.label if order is None else c.label.collate(order)
    statement = select(c.id).where(predicate).order_by(term.desc() if descending else term, c.id)
    pair.check(rows_or_error(statement, with_message=True), what=str(statement))


REFUSED: dict[str, Any] = {
    "in a selected column": select(c.label.collate("NOCASE")),
    "in GROUP BY": select(func.count()).group_by(c.label.collate("NOCASE")),
    "in a DISTINCT column": select(c.label.collate("NOCASE")).distinct(),
    "inside max(), which compares by it": ids(func.max(c.label.collate("NOCASE"), "a") == "abc"),
    "inside an aggregate": select(func.min(c.label.collate("NOCASE"))),
    "in a simple CASE": ids(case({"abc": 1}, value=c.label.collate("NOCASE"), else_=0) == 1),
    "in a window's ORDER BY": select(func.row_number().over(order_by=c.label.collate("NOCASE"))),
    "in a window's PARTITION BY": select(func.count().over(partition_by=c.label.collate("NOCASE"))),
    "in a compound's ORDER BY": union_all(select(c.label), select(c.other)).order_by(
        literal("x").collate("NOCASE")
    ),
    "in a row value": ids(tuple_(c.label.collate("NOCASE"), c.id) == ("abc", 1)),
    "on a date": lambda: ids(c.day.collate("NOCASE") == "2025-01-02"),
    "on the one member of an IN list that is a column": ids(
        c.label.in_([c.other.collate("NOCASE")])
    ),
}


@pytest.mark.skipif(baseline_mode(), reason="memory-only: SQLite applies these collations")
@pytest.mark.filterwarnings("ignore:Type object.*does not include operator 'collate'")
@pytest.mark.parametrize("name", list(REFUSED))
def test_where_a_collation_is_not_applied_it_is_refused(pair: EnginePair, name: str) -> None:
    with pair.memory.connect() as conn, pytest.raises(NotSupportedError, match="COLLATE"):
        statement = REFUSED[name]
        conn.execute(statement() if callable(statement) else statement).all()
