"""SQLite's upsert, `INSERT ... ON CONFLICT ... DO NOTHING | DO UPDATE`, as SQLite answers it.

Each case runs its statements on both engines and compares what they return (row counts,
RETURNING rows, errors) and the table afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    literal,
    select,
)
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from .diff_schema import Account
from .diffkit import EnginePair

PairFactory = Callable[..., EnginePair]

metadata = MetaData()
books = Table(
    "books",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("venue", String(8), nullable=False),
    Column("symbol", String(16), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("px", Numeric(12, 2)),
    Column("ref", String(16), unique=True),
    UniqueConstraint("venue", "symbol", name="uq_books_venue_symbol"),
)
b = books.c

SEED = [
    {"id": 1, "venue": "XNAS", "symbol": "AAPL", "qty": 10, "px": Decimal("190.50"), "ref": "r1"},
    {"id": 2, "venue": "XNAS", "symbol": "MSFT", "qty": 5, "px": Decimal("410.00"), "ref": "r2"},
    {"id": 3, "venue": "XCME", "symbol": "ES", "qty": 2, "px": None, "ref": None},
]

Step = Callable[[Any], Any]


def run(steps: list[Any], params: list[Any] | None = None) -> Callable[[Engine], list[Any]]:
    """Seed the table, run each statement in its own transaction, then read the table."""

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(books.insert(), SEED)
        answers: list[Any] = []
        for i, statement in enumerate(steps):
            given = None if params is None else params[i]
            try:
                with engine.begin() as conn:
                    result = conn.execute(statement, given)
                    returned = [tuple(row) for row in result] if result.returns_rows else None
                    answers.append((result.rowcount, returned))
            except (IntegrityError, OperationalError) as error:
                answers.append(type(error).__name__)
        with engine.connect() as conn:
            answers.append([tuple(row) for row in conn.execute(select(books).order_by(b.id))])
        return answers

    return work


def new_book(**values: Any) -> dict[str, Any]:
    row = {"venue": "XNAS", "symbol": "NVDA", "qty": 1, "px": Decimal("100.00"), "ref": None}
    row.update(values)
    return row


excluded = insert(books).excluded

CASES: dict[str, Any] = {
    "do nothing on a unique column": (
        [insert(books).values(new_book(ref="r1")).on_conflict_do_nothing(index_elements=[b.ref])],
    ),
    "do nothing, no conflict: inserted": (
        [insert(books).values(new_book(ref="r9")).on_conflict_do_nothing(index_elements=["ref"])],
    ),
    "do nothing with no target, on the primary key": (
        [insert(books).values(new_book(id=2)).on_conflict_do_nothing()],
    ),
    "do nothing with no target, on a two-column key": (
        [insert(books).values(new_book(symbol="AAPL")).on_conflict_do_nothing()],
    ),
    "do nothing for some rows of an executemany": (
        [insert(books).on_conflict_do_nothing(index_elements=[b.venue, b.symbol])],
        [[new_book(symbol="AAPL"), new_book(symbol="AMD"), new_book(venue="XCME", symbol="ES")]],
    ),
    "do update from excluded and the stored row, with RETURNING": (
        [
            insert(books)
            .values(new_book(symbol="AAPL", qty=3, px=Decimal("191.25")))
            .on_conflict_do_update(
                index_elements=[b.symbol, b.venue],  # the key's columns in another order
                set_={"qty": b.qty + excluded.qty, "px": excluded.px},
            )
            .returning(b.id, b.qty, b.px)
        ],
    ),
    "do update on the primary key with a literal and a parameter": (
        [
            insert(books)
            .values(new_book(id=3, qty=7))
            .on_conflict_do_update(index_elements=[b.id], set_={"qty": 99, "ref": literal("x")})
        ],
    ),
    "do update whose WHERE is false: skipped": (
        [
            insert(books)
            .values(new_book(symbol="MSFT", qty=50))
            .on_conflict_do_update(
                index_elements=[b.venue, b.symbol],
                set_={"qty": excluded.qty},
                where=excluded.qty < b.qty,
            )
            .returning(b.id)
        ],
    ),
    "do update whose WHERE is true": (
        [
            insert(books)
            .values(new_book(symbol="MSFT", qty=50))
            .on_conflict_do_update(
                index_elements=[b.venue, b.symbol],
                set_={"qty": excluded.qty},
                where=excluded.qty > b.qty,
            )
        ],
    ),
    "a later row of one VALUES conflicts with an earlier one": (
        [
            insert(books)
            .values([new_book(symbol="AMD", qty=1), new_book(symbol="AMD", qty=2)])
            .on_conflict_do_update(
                index_elements=[b.venue, b.symbol], set_={"qty": b.qty + excluded.qty}
            )
        ],
    ),
    "INSERT FROM SELECT, do nothing for the rows already there": (
        [
            insert(books)
            .from_select(
                ["venue", "symbol", "qty"],
                # SQLite needs the WHERE to tell its ON CONFLICT from a join's ON
                select(literal("XNAS"), b.symbol, b.qty + 1).where(b.qty > 0),
            )
            .on_conflict_do_nothing()
        ],
    ),
    "a number given as text meets the stored number": (
        [
            insert(books)
            .values(new_book(id="1", qty=4))
            .on_conflict_do_update(index_elements=[b.id], set_={"qty": excluded.qty})
        ],
    ),
    "a conflict on another key than the target raises": (
        [insert(books).values(new_book(ref="r2")).on_conflict_do_nothing(index_elements=[b.id])],
    ),
    "an update that breaks another key raises": (
        [
            insert(books)
            .values(new_book(symbol="AAPL"))
            .on_conflict_do_update(index_elements=[b.venue, b.symbol], set_={"ref": "r2"})
        ],
    ),
    "NOT NULL is checked before the conflict": (
        [
            insert(books)
            .values(new_book(ref="r1", qty=None))
            .on_conflict_do_nothing(index_elements=[b.ref])
        ],
    ),
    "a target that is no unique key raises": (
        [insert(books).values(new_book()).on_conflict_do_nothing(index_elements=[b.qty])],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_upsert(pair_factory: PairFactory, name: str) -> None:
    pair = pair_factory(metadata)
    pair.check(run(*CASES[name]), name)


def test_upsert_answers_are_the_expected_ones(pair_factory: PairFactory) -> None:
    updated = run(*CASES["do update from excluded and the stored row, with RETURNING"])
    assert pair_factory(metadata).check(updated)[0] == (1, [(1, 13, Decimal("191.25"))])
    skipped = run(*CASES["do update whose WHERE is false: skipped"])
    assert pair_factory(metadata).check(skipped)[0] == (0, [])


SQLALCHEMY_VERSION = tuple(int(part) for part in sqlalchemy.__version__.split(".")[:2])


@pytest.mark.skipif(
    SQLALCHEMY_VERSION < (2, 1), reason="several ON CONFLICT clauses need SQLAlchemy 2.1"
)
def test_the_first_clause_whose_key_conflicts_decides(pair_factory: PairFactory) -> None:
    statement = (
        insert(books)
        .values(new_book(symbol="AAPL", ref="r2", qty=8))
        .on_conflict_do_nothing(index_elements=[b.id])
        .on_conflict_do_update(index_elements=[b.venue, b.symbol], set_={"qty": excluded.qty})
    )
    pair = pair_factory(metadata)
    pair.check(run([statement]))


def test_an_orm_session_upserts_and_reads_back(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        statement = insert(Account).values(
            [
                {"id": 7, "code": "ALPHA", "owner": "Alan"},
                {"id": 8, "code": "DELTA", "owner": "Dora"},
            ]
        )
        statement = statement.on_conflict_do_update(
            index_elements=[Account.code], set_={"owner": statement.excluded.owner}
        )
        session.execute(statement)
        session.commit()
        accounts = session.scalars(select(Account).order_by(Account.id))
        return [(account.id, account.code, account.owner) for account in accounts]

    answer = trading.check_session(work)
    assert (1, "ALPHA", "Alan") in answer and (8, "DELTA", "Dora") in answer
