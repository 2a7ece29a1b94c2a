"""Window functions over SQLite's default frame, as SQLite answers them.

The fills below have ties in time and quantity and NULL quantities and prices, so peers, NULL
order and partitions all show. Without ORDER BY, SQLite gives the rows in the first window's order
(each window sorts the rows the one after it left); LIMIT then keeps the first of those.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    desc,
    func,
    literal,
    select,
)

from .diffkit import EnginePair, seeded_pair

metadata = MetaData()
fills = Table(
    "fills",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("symbol", String(8)),
    Column("ts", DateTime),
    Column("qty", Integer),
    Column("price", Numeric(12, 2)),
)
f = fills.c
T0 = datetime(2024, 3, 1, 9, 30)

ROWS = [
    {"symbol": "ES", "ts": T0, "qty": 2, "price": Decimal("5100.25")},
    {"symbol": "NQ", "ts": T0, "qty": 1, "price": Decimal("18000.00")},
    {"symbol": "ES", "ts": T0 + timedelta(minutes=1), "qty": -1, "price": Decimal("5101.00")},
    {"symbol": "ES", "ts": T0 + timedelta(minutes=1), "qty": 3, "price": None},
    {"symbol": "NQ", "ts": T0 + timedelta(minutes=2), "qty": None, "price": Decimal("17990.50")},
    {"symbol": "ES", "ts": T0 + timedelta(minutes=3), "qty": 2, "price": Decimal("5099.75")},
    {"symbol": None, "ts": T0 + timedelta(minutes=4), "qty": 5, "price": Decimal("1.00")},
    {"symbol": "NQ", "ts": None, "qty": 1, "price": Decimal("17995.00")},
]

by_symbol = {"partition_by": f.symbol, "order_by": (f.ts, f.id)}
by_time = {"partition_by": f.symbol, "order_by": f.ts}  # rows at the same time are peers

WINDOWS: dict[str, Any] = {
    "row_number over everything": func.row_number().over(order_by=f.id),
    "row_number per symbol": func.row_number().over(**by_symbol),
    "rank with ties and NULLs": func.rank().over(order_by=f.qty),
    "dense_rank descending": func.dense_rank().over(order_by=desc(f.qty)),
    "percent_rank": func.percent_rank().over(order_by=f.qty),
    "cume_dist per symbol": func.cume_dist().over(**by_time),
    "ntile": func.ntile(3).over(order_by=f.id),
    "lag": func.lag(f.price).over(**by_symbol),
    "lag by two with a default": func.lag(f.qty, 2, 0).over(**by_symbol),
    "lead": func.lead(f.qty).over(**by_symbol),
    "first_value": func.first_value(f.price).over(**by_time),
    "last_value takes the peers": func.last_value(f.id).over(**by_time),
    "nth_value": func.nth_value(f.id, 2).over(**by_symbol),
    "running sum, peers together": func.sum(f.qty).over(**by_time),
    "sum over the partition": func.sum(f.qty).over(partition_by=f.symbol),
    "count(*) over everything": func.count().over(),
    "running count of a column": func.count(f.qty).over(order_by=f.qty),
    "running avg of prices": func.avg(f.price).over(**by_symbol),
    "running total": func.total(f.qty).over(order_by=f.id),
    "running min and max": func.min(f.price).over(order_by=f.id)
    + func.max(f.price).over(order_by=f.id),
    "NULLS LAST in the window's order": func.row_number().over(order_by=f.ts.desc().nullslast()),
}


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with seeded_pair(metadata, (fills, ROWS)) as made:
        yield made


@pytest.mark.parametrize("name", list(WINDOWS))
def test_window_function(pair: EnginePair, name: str) -> None:
    pair.check_rows(select(f.id, WINDOWS[name]).order_by(f.id), what=name)


def test_windows_over_groups(pair: EnginePair) -> None:
    traded = func.sum(func.abs(f.qty))
    statement = (
        select(f.symbol, traded, func.rank().over(order_by=traded.desc()))
        .group_by(f.symbol)
        .order_by(f.symbol)
    )
    assert pair.check_rows(statement)[0] == (None, 5, 2)


def test_a_window_in_order_by_with_where_and_limit(pair: EnginePair) -> None:
    newest_first = func.row_number().over(order_by=(f.ts.desc(), f.id))
    statement = select(f.id).where(f.qty > 0).order_by(newest_first).limit(3)
    pair.check_rows(statement)


def test_a_window_inside_an_expression_and_a_subquery(pair: EnginePair) -> None:
    numbered = select(
        f.id, f.symbol, (func.row_number().over(**by_symbol) * 10).label("n")
    ).subquery()
    statement = select(numbered.c.id, numbered.c.n).where(numbered.c.n > 10).order_by("id")
    pair.check_rows(statement)


# SELECTs without ORDER BY: their rows come in the first window's order.
UNORDERED: dict[str, Any] = {
    "one window": select(f.id, func.row_number().over(order_by=f.qty)),
    "partitions in key order": select(f.id, func.count().over(partition_by=f.symbol)),
    "partition and order, descending": select(
        f.id, func.rank().over(partition_by=f.symbol, order_by=f.price.desc())
    ),
    "the first of two windows orders": select(
        f.id,
        func.row_number().over(order_by=f.ts.desc()),
        func.row_number().over(order_by=f.qty),
    ),
    "ties keep the order of the later window": select(
        f.id,
        func.count().over(partition_by=f.symbol),
        func.row_number().over(order_by=f.price),
    ),
    "a window and LIMIT": select(f.id, func.lag(f.qty).over(order_by=f.price.desc())).limit(3),
    "a window with WHERE": select(f.id, func.sum(f.qty).over(order_by=f.ts)).where(f.qty > 0),
    "a window over groups": select(
        f.symbol, func.count(), func.row_number().over(order_by=func.count())
    ).group_by(f.symbol),
}


@pytest.mark.parametrize("name", list(UNORDERED))
def test_rows_without_order_by_come_in_the_first_windows_order(pair: EnginePair, name: str) -> None:
    pair.check_rows(UNORDERED[name], what=name)


def test_a_window_in_where_is_misuse(pair: EnginePair) -> None:
    statement = select(f.id).where(func.row_number().over() > literal(1))
    error = pair.check_statement_error(statement)
    assert "misuse of window function row_number()" in str(error)
