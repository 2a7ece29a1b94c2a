"""Recursive CTEs (`cte(recursive=True)` and `union_all`/`union`), as SQLite answers them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    func,
    literal,
    select,
)

from .diffkit import EnginePair, seeded_pair

metadata = MetaData()
books = Table(
    "books",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(16)),
    Column("parent_id", ForeignKey("books.id")),
)
routes = Table(
    "routes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("origin", String(8)),
    Column("target", String(8)),
)
BOOKS = [
    {"id": 1, "name": "firm", "parent_id": None},
    {"id": 2, "name": "rates", "parent_id": 1},
    {"id": 3, "name": "equities", "parent_id": 1},
    {"id": 4, "name": "swaps", "parent_id": 2},
    {"id": 5, "name": "bonds", "parent_id": 2},
    {"id": 6, "name": "futures", "parent_id": 3},
    {"id": 7, "name": "other firm", "parent_id": None},
]
ROUTES = [  # a cycle: XNAS -> XCME -> XEUR -> XNAS, and a branch to XLON
    {"origin": "XNAS", "target": "XCME"},
    {"origin": "XCME", "target": "XEUR"},
    {"origin": "XEUR", "target": "XNAS"},
    {"origin": "XCME", "target": "XLON"},
]


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with seeded_pair(metadata, (books, BOOKS), (routes, ROUTES)) as made:
        yield made


def test_counting(pair: EnginePair) -> None:
    numbers = select(literal(1).label("n")).cte("numbers", recursive=True)
    numbers = numbers.union_all(select(numbers.c.n + 1).where(numbers.c.n < 10))
    rows = pair.check_rows(select(numbers.c.n))
    assert [n for (n,) in rows] == list(range(1, 11))
    assert pair.check_rows(select(func.sum(numbers.c.n))) == [(55,)]


def test_a_calendar_from_date_functions(pair: EnginePair) -> None:
    days = select(literal("2024-02-27").label("day")).cte("days", recursive=True)
    days = days.union_all(select(func.date(days.c.day, "+1 day")).where(days.c.day < "2024-03-02"))
    rows = pair.check_rows(select(days.c.day, func.strftime("%w", days.c.day)))
    assert rows[2] == ("2024-02-29", "4") and len(rows) == 5


def test_a_tree_walked_from_its_root_with_depth_and_path(pair: EnginePair) -> None:
    b = books.c
    tree = select(b.id, b.name, literal(0).label("depth"), b.name.label("path"))
    tree = tree.where(b.parent_id.is_(None), b.name == "firm").cte("tree", recursive=True)
    tree = tree.union_all(
        select(b.id, b.name, tree.c.depth + 1, tree.c.path + "/" + b.name).join(
            tree, b.parent_id == tree.c.id
        )
    )
    rows = pair.check_rows(select(tree).order_by(tree.c.path))
    assert rows[-1] == (4, "swaps", 2, "firm/rates/swaps") and len(rows) == 6


def test_queue_order_without_order_by(pair: EnginePair) -> None:
    b = books.c
    below = select(b.id).where(b.id == 1).cte("below", recursive=True)
    below = below.union_all(select(b.id).join(below, b.parent_id == below.c.id))
    pair.check_rows(select(below.c.id))


def test_union_stops_at_a_cycle_where_union_all_would_not(pair: EnginePair) -> None:
    r = routes.c
    reach = select(literal("XNAS").label("venue")).cte("reach", recursive=True)
    reach = reach.union(select(r.target).join(reach, r.origin == reach.c.venue))
    rows = pair.check_rows(select(reach.c.venue).order_by(reach.c.venue))
    assert rows == [("XCME",), ("XEUR",), ("XLON",), ("XNAS",)]


def test_a_recursive_cte_read_twice_in_one_statement(pair: EnginePair) -> None:
    numbers = select(literal(1).label("n")).cte("numbers", recursive=True)
    numbers = numbers.union_all(select(numbers.c.n + 1).where(numbers.c.n < 4))
    other = numbers.alias("other")
    statement = select(numbers.c.n, other.c.n).where(other.c.n > numbers.c.n)
    pair.check_rows(statement.order_by(numbers.c.n, other.c.n))


def test_a_recursive_cte_without_a_recursive_part(pair: EnginePair) -> None:
    plain = select(books.c.id).where(books.c.id < 3).cte("plain", recursive=True)
    assert pair.check_rows(select(plain.c.id).order_by(plain.c.id)) == [(1,), (2,)]
