"""Selected expressions: aggregates, scalar functions, CASE, CAST, ordering, paging, grouping."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Float,
    Integer,
    Numeric,
    String,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    select,
)

from .diff_schema import ORDERS, fills, instruments, orders
from .diffkit import EnginePair

o = orders.c
i = instruments.c
f = fills.c

AGGREGATES: dict[str, Any] = {
    "count(*)": select(func.count()).select_from(orders),
    "count(column) skips NULLs": select(func.count(o.qty)),
    "count(distinct)": select(func.count(distinct(o.status)), func.count(o.qty.distinct())),
    "sum int": select(func.sum(o.qty)),
    "sum numeric": select(func.sum(o.limit_price)),
    "min/max int": select(func.min(o.qty), func.max(o.qty)),
    "min/max numeric": select(func.min(o.limit_price), func.max(o.limit_price)),
    "min/max string": select(func.min(o.note), func.max(o.note)),
    "min/max datetime": select(func.min(o.placed_at), func.max(o.placed_at)),
    "min/max date": select(func.min(i.listed_on), func.max(i.listed_on)),
    "avg int": select(func.avg(o.qty)),
    "avg numeric": select(func.avg(o.limit_price)),
    "sum of an expression": select(func.sum(o.qty * o.limit_price)),
    "aggregates over no rows": select(
        func.count(),
        func.count(o.qty),
        func.sum(o.qty),
        func.sum(o.limit_price),
        func.min(o.qty),
        func.max(o.note),
        func.avg(o.qty),
    ).where(o.id < 0),
    "aggregates over only NULLs": select(func.sum(o.qty), func.max(o.qty), func.avg(o.qty)).where(
        o.qty.is_(None)
    ),
    "sum of fills per the whole table": select(func.sum(f.qty), func.sum(f.price * f.qty)),
    "group_concat": select(func.group_concat(o.status), func.group_concat(o.qty)),
    "group_concat with a separator parameter": select(func.group_concat(o.note, " | ")),
    "group_concat with a separator per row": select(func.group_concat(o.note, o.qty)),
}

SCALAR_FUNCTIONS: dict[str, Any] = {
    "coalesce": select(o.id, func.coalesce(o.qty, 0), func.coalesce(o.note, o.status, "?")),
    "lower/upper (ASCII)": select(o.id, func.lower(o.note), func.upper(o.note)),
    "length": select(o.id, func.length(o.note), func.length(o.status)),
    "abs": select(o.id, func.abs(o.qty), func.abs(o.limit_price - 200)),
    "round numeric": select(o.id, func.round(o.limit_price), func.round(o.limit_price, 1)),
    "round of a literal half": select(o.id, func.round(literal(Decimal("2.5")))),
    "round halves away from zero (SQLite)": select(
        o.id, func.round(literal(-2.5)), func.round(literal(0.125), 2), func.round(literal(7))
    ),
    "coalesce of an int and a numeric keeps the first type": select(
        o.id, func.coalesce(o.qty, o.limit_price), func.coalesce(o.limit_price, o.qty)
    ),
    "nullif": select(o.id, func.nullif(o.qty, 25), func.nullif(o.note, "")),
    "case searched": select(
        o.id,
        case((o.qty > 50, "big"), (o.qty > 0, "small"), else_="none"),
        case((o.limit_price.is_(None), "market"), else_="limit"),
    ),
    "case without else is NULL": select(o.id, case((o.qty > 50, o.qty))),
    "case on a value": select(o.id, case({"open": 1, "filled": 2}, value=o.status, else_=0)),
    "case returning numerics": select(
        o.id, case((o.side == "BUY", o.limit_price), else_=-o.limit_price)
    ),
    "cast int to string": select(o.id, cast(o.qty, String)),
    "cast numeric to integer (truncates)": select(o.id, cast(o.limit_price, Integer)),
    "cast string digits to integer": select(o.id, cast(literal("42"), Integer)),
    "cast int to numeric": select(o.id, cast(o.qty, Numeric(10, 2))),
    "cast int to float": select(o.id, cast(o.qty, Float)),
    "cast numeric to string": select(o.id, cast(o.limit_price, String)),
    "labels and their keys": select(o.id.label("order_id"), (o.qty * 2).label("double_qty")),
}

ORDERINGS: dict[str, Any] = {
    "asc puts NULLs first (SQLite)": [o.qty, o.id],
    "desc puts NULLs last (SQLite)": [o.qty.desc(), o.id],
    "nulls_last on asc": [o.qty.asc().nulls_last(), o.id],
    "nulls_first on desc": [o.qty.desc().nulls_first(), o.id],
    "several keys": [o.status, o.limit_price.desc(), o.id],
    "numeric with ties": [o.limit_price, o.id.desc()],
    "string binary order": [o.note, o.id],
    "enum (stored names)": [o.side.desc(), o.id],
    "datetime desc": [o.placed_at.desc()],
    "expression": [(o.qty * -1).nulls_last(), o.id],
    "case expression": [case((o.status == "open", 0), else_=1), o.id],
}


@pytest.mark.parametrize("name", list(AGGREGATES))
def test_aggregate(seeded: EnginePair, name: str) -> None:
    seeded.check_rows(AGGREGATES[name], what=name)


def test_group_concat_of_distinct_values_takes_no_separator(seeded: EnginePair) -> None:
    statement = select(func.group_concat(o.note.distinct(), "|"))
    error = seeded.check_statement_error(statement)
    assert "DISTINCT aggregates must have exactly one argument" in str(error)


@pytest.mark.parametrize("name", list(SCALAR_FUNCTIONS))
def test_scalar_function(seeded: EnginePair, name: str) -> None:
    answer = seeded.check_rows(SCALAR_FUNCTIONS[name].order_by(o.id), what=name)
    assert len(answer) == len(ORDERS)


def test_result_keys_follow_labels(seeded: EnginePair) -> None:
    statement = select(o.id.label("order_id"), (o.qty + 1).label("next_qty"), o.status)

    def keys(engine: Any) -> list[str]:
        with engine.connect() as conn:
            return list(conn.execute(statement).keys())

    assert seeded.check(keys) == ["order_id", "next_qty", "status"]


@pytest.mark.parametrize("name", list(ORDERINGS))
def test_order_by(seeded: EnginePair, name: str) -> None:
    statement = select(o.id, o.qty, o.limit_price).order_by(*ORDERINGS[name])
    seeded.check_rows(statement, what=name)


PAGES = [(3, None), (3, 2), (5, 10), (None, 4), (0, 0), (100, 11)]
"""(limit, offset) pairs for `page`."""


def page(limit: int | None, offset: int | None) -> Any:
    """The order ids by quantity, largest first: one page of them."""
    return select(o.id).order_by(o.qty.desc(), o.id).limit(limit).offset(offset)


@pytest.mark.parametrize(("limit", "offset"), PAGES)
def test_limit_offset(seeded: EnginePair, limit: int | None, offset: int | None) -> None:
    seeded.check_rows(page(limit, offset))


def test_distinct(seeded: EnginePair) -> None:
    for statement in (
        select(o.status).distinct(),
        select(o.instrument_id, o.status).distinct(),
        select(o.qty).distinct(),
        select(o.account_id).distinct(),
    ):
        answer = seeded.check_rows(statement, ordered=False, what=str(statement))
        assert len(answer) < len(ORDERS)


def test_distinct_with_order_and_limit(seeded: EnginePair) -> None:
    statement = select(o.status).distinct().order_by(o.status.desc()).limit(3)
    seeded.check_rows(statement)


GROUPINGS: dict[str, Any] = {
    "count per instrument": select(o.instrument_id, func.count()).group_by(o.instrument_id),
    "sums per status": select(o.status, func.sum(o.qty), func.sum(o.limit_price)).group_by(
        o.status
    ),
    "NULL keys form one group": select(o.account_id, func.count(), func.max(o.qty)).group_by(
        o.account_id
    ),
    "two keys": select(o.instrument_id, o.side, func.count(), func.min(o.limit_price)).group_by(
        o.instrument_id, o.side
    ),
    "having count": select(o.instrument_id, func.count())
    .group_by(o.instrument_id)
    .having(func.count() > 2),
    "having on an unselected aggregate": select(o.status)
    .group_by(o.status)
    .having(func.sum(o.qty) > 10),
    "having with NULL sums": select(o.account_id, func.sum(o.qty))
    .group_by(o.account_id)
    .having(func.sum(o.qty).is_not(None)),
    "group by an expression": select(o.qty % 2, func.count()).group_by(o.qty % 2),
    "avg per group": select(o.instrument_id, func.avg(o.qty), func.avg(o.limit_price)).group_by(
        o.instrument_id
    ),
    "count distinct per group": select(o.instrument_id, func.count(distinct(o.status))).group_by(
        o.instrument_id
    ),
    "group by with where": select(o.side, func.count()).where(o.status == "open").group_by(o.side),
}


@pytest.mark.parametrize("name", list(GROUPINGS))
def test_group_by(seeded: EnginePair, name: str) -> None:
    answer = seeded.check_rows(GROUPINGS[name], what=name, ordered=False)
    assert answer


def test_group_by_ordered_by_aggregate_with_limit(seeded: EnginePair) -> None:
    total = func.sum(o.qty).label("total")
    statement = (
        select(o.instrument_id, total)
        .group_by(o.instrument_id)
        .order_by(total.desc(), o.instrument_id)
        .limit(3)
    )
    seeded.check_rows(statement)


def test_select_without_a_from_clause(seeded: EnginePair) -> None:
    statement = select(
        literal(1),
        literal("a") + "b",
        literal(Decimal("1.50")),
        literal(7) // 2,
        literal(-7) % 3,
        func.coalesce(None, 3),
        func.abs(-2),
        case((literal(1) > 0, "yes"), else_="no"),
    )
    seeded.check_rows(statement)


def test_order_and_group_by_label_names(seeded: EnginePair) -> None:
    total = func.sum(o.qty).label("total")
    seeded.check_rows(select(o.status.label("st"), o.id).order_by("st", o.id))
    seeded.check_rows(select(o.status, total).group_by(o.status).order_by(total.desc(), o.status))
    seeded.check_rows(select(o.side, total).group_by("side").having(total > 0).order_by("side"))


def test_exists_as_a_selected_value(seeded: EnginePair) -> None:
    has_fills = exists().where(f.order_id == o.id)
    seeded.check_rows(select(o.id, has_fills).order_by(o.id))
    seeded.check_rows(select(exists().where(o.qty > 1000)))


def test_integer_arithmetic_past_64_bits(seeded: EnginePair) -> None:
    # SQLite: + - * overflowing 64 bits give a REAL; sum() overflowing raises OperationalError.
    big = 2**62
    seeded.check_rows(
        select(
            literal(big) + literal(big),
            literal(2**63 - 1) + 1,
            literal(-(2**63)) - 1,
            literal(2**40) * literal(2**40),
            -literal(-(2**63)),
        )
    )

    def overflowing_sum(engine: Any) -> list[Any]:
        with engine.connect() as conn:
            try:
                return [conn.execute(select(func.sum(o.qty * big * 4))).scalar()]
            except Exception as error:
                return [type(error).__name__]

    seeded.check(overflowing_sum)
