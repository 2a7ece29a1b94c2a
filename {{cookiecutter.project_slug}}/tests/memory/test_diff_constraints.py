"""Constraints: primary keys, UNIQUE, NOT NULL, foreign keys and their ON DELETE actions.

A violation raises the same ``sqlalchemy.exc`` class on both engines, the memory message names
the table and column(s), and a failing statement leaves no trace of itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    Engine,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .diff_schema import Account, accounts, fills, instruments, orders
from .diffkit import EnginePair, new_session

PairFactory = Callable[..., EnginePair]

metadata = MetaData()
desks = Table(
    "desks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(16), nullable=False, unique=True),
)
traders = Table(
    "traders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("desk_id", ForeignKey("desks.id"), nullable=False),
    Column("backup_desk_id", ForeignKey("desks.id", ondelete="SET NULL")),
    Column("login", String(16), nullable=False),
    Column("region", String(8), nullable=False),
    Column("badge", String(8), unique=True),
    UniqueConstraint("login", "region", name="uq_traders_login_region"),
)
limits = Table(
    "limits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("trader_id", ForeignKey("traders.id", ondelete="CASCADE"), nullable=False),
    Column("amount", Integer, nullable=False),
)
limits.append_constraint(CheckConstraint(limits.c.amount > 0, name="ck_limits_amount_positive"))

books_metadata = MetaData()
books = Table(
    "books",
    books_metadata,
    Column("desk", String(8), primary_key=True),
    Column("code", String(8), primary_key=True),
    Column("parent_desk", String(8)),
    Column("parent_code", String(8)),
    ForeignKeyConstraint(
        ["parent_desk", "parent_code"], ["books.desk", "books.code"], ondelete="CASCADE"
    ),
)


def rows_of(engine: Engine, *tables: Any) -> list[list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return [
            [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))]
            for table in tables
        ]


def seed_desks(conn: Connection) -> None:
    """Two desks, three traders (two logins `ann` in different regions) and their limits."""
    conn.execute(insert(desks), [{"id": 1, "name": "rates"}, {"id": 2, "name": "fx"}])
    conn.execute(
        insert(traders),
        [
            {"id": 1, "desk_id": 1, "backup_desk_id": 2, "login": "ann", "region": "EU"},
            {"id": 2, "desk_id": 2, "backup_desk_id": 2, "login": "ann", "region": "US"},
            {"id": 3, "desk_id": 2, "backup_desk_id": None, "login": "bob", "region": "EU"},
        ],
    )
    conn.execute(insert(limits), [{"trader_id": t, "amount": 100 * t} for t in (1, 2, 2, 3)])


def desk_pair(pair_factory: PairFactory) -> EnginePair:
    pair = pair_factory(metadata)

    def seed(engine: Engine) -> None:
        with engine.begin() as conn:
            seed_desks(conn)

    pair.run(seed)
    return pair


def committing(statement: Any, params: Any = None) -> Callable[[Engine], object]:
    def work(engine: Engine) -> object:
        with engine.begin() as conn:
            return conn.execute(statement, params)

    return work


ALL = (desks, traders, limits)


@dataclass(frozen=True)
class Violation:
    """A statement that breaks a constraint of the seeded desks, and what the error must name.

    ``sqlite_names_them=False`` marks errors SQLite reports without naming table or column.
    """

    statement: Any
    names: tuple[str, ...]
    sqlite_names_them: bool = True


CHECK_NAME = ("ck_limits_amount_positive",)
VIOLATIONS = {
    "duplicate primary key": Violation(
        insert(desks).values(id=1, name="equities"), ("desks", "id")
    ),
    "unique on insert": Violation(insert(desks).values(name="fx"), ("desks", "name")),
    "unique on update": Violation(
        update(desks).where(desks.c.id == 1).values(name="fx"), ("desks", "name")
    ),
    "composite unique on insert": Violation(
        insert(traders).values(desk_id=1, login="ann", region="US"), ("traders", "login", "region")
    ),
    "composite unique on update": Violation(
        update(traders).where(traders.c.id == 3).values(login="ann"), ("traders", "login", "region")
    ),
    "not null on insert": Violation(
        insert(traders).values(desk_id=1, region="EU"), ("traders", "login")
    ),
    "not null on update": Violation(
        update(traders).where(traders.c.id == 1).values(region=None), ("traders", "region")
    ),
    "foreign key on insert": Violation(
        insert(traders).values(desk_id=9, login="eve", region="EU"),
        ("traders", "desk_id"),
        sqlite_names_them=False,
    ),
    "foreign key on update": Violation(
        update(limits).where(limits.c.id == 1).values(trader_id=42),
        ("limits", "trader_id"),
        sqlite_names_them=False,
    ),
    "deleting a referenced row": Violation(
        delete(desks).where(desks.c.id == 2), ("traders", "desk_id"), sqlite_names_them=False
    ),
    "check on insert": Violation(insert(limits).values(trader_id=1, amount=0), CHECK_NAME),
    "check on update": Violation(update(limits).values(amount=limits.c.amount - 150), CHECK_NAME),
}
"""Constraint violations on the seeded desks; the async suite commits them too."""


def violate(pair: EnginePair, name: str) -> BaseException:
    """Commit the `VIOLATIONS` entry ``name`` on both engines: `EnginePair.check_error`."""
    violation = VIOLATIONS[name]
    return pair.check_error(
        committing(violation.statement),
        names=violation.names,
        sqlite_names_them=violation.sqlite_names_them,
    )


def then_rows(statement: Any, *tables: Any) -> Callable[[Engine], object]:
    """Commit ``statement``; answer its rowcount and the tables' rows."""

    def work(engine: Engine) -> object:
        with engine.begin() as conn:
            count = conn.execute(statement).rowcount
        return [count, rows_of(engine, *tables)]

    return work


def test_duplicate_primary_key(pair_factory: PairFactory) -> None:
    pair = desk_pair(pair_factory)
    error = violate(pair, "duplicate primary key")
    assert isinstance(error, IntegrityError)
    pair.check(lambda engine: rows_of(engine, desks))


def test_duplicate_primary_key_through_the_session(trading: EnginePair) -> None:
    def work(engine: Engine) -> None:
        with new_session(engine) as session:
            session.add(Account(id=2, code="OTHER"))
            session.commit()

    trading.check_error(work, names=("accounts", "id"))


def test_unique_single_column(pair_factory: PairFactory) -> None:
    pair = desk_pair(pair_factory)
    violate(pair, "unique on insert")
    violate(pair, "unique on update")


def test_unique_allows_several_nulls(pair_factory: PairFactory) -> None:
    pair = desk_pair(pair_factory)
    pair.check(then_rows(update(traders).values(badge=None), traders))
    pair.check(then_rows(insert(traders).values(desk_id=1, login="x", region="EU"), traders))


def test_unique_composite(pair_factory: PairFactory) -> None:
    pair = desk_pair(pair_factory)
    violate(pair, "composite unique on insert")
    violate(pair, "composite unique on update")
    allowed = insert(traders).values(desk_id=1, login="ann", region="APAC")
    pair.check(then_rows(allowed, traders))


def test_not_null_on_insert_and_update(pair_factory: PairFactory) -> None:
    pair = desk_pair(pair_factory)
    violate(pair, "not null on insert")
    violate(pair, "not null on update")
    pair.check(lambda engine: rows_of(engine, *ALL))


def test_foreign_key_on_insert_and_update(pair_factory: PairFactory) -> None:
    # SQLite says only "FOREIGN KEY constraint failed"; memory must also name the column.
    pair = desk_pair(pair_factory)
    violate(pair, "foreign key on insert")
    violate(pair, "foreign key on update")
    pair.check(lambda engine: rows_of(engine, *ALL))


def test_foreign_key_blocks_deleting_a_referenced_row(pair_factory: PairFactory) -> None:
    pair = desk_pair(pair_factory)
    violate(pair, "deleting a referenced row")
    pair.check(lambda engine: rows_of(engine, *ALL))


def test_null_foreign_key_needs_no_parent(pair_factory: PairFactory) -> None:
    pair = desk_pair(pair_factory)
    statement = insert(traders).values(desk_id=1, backup_desk_id=None, login="zoe", region="EU")
    pair.check(then_rows(statement, traders))


def test_on_delete_cascade_and_set_null(pair_factory: PairFactory) -> None:
    pair = desk_pair(pair_factory)

    def work(engine: Engine) -> object:
        with engine.begin() as conn:
            conn.execute(delete(traders).where(traders.c.id == 2))  # cascades to its limits
            conn.execute(update(traders).values(desk_id=1))
            conn.execute(delete(desks).where(desks.c.id == 2))  # backups become NULL
        return rows_of(engine, *ALL)

    answer: Any = pair.check(work)
    assert [row[2] for row in answer[1]] == [None, None]
    assert [row[1] for row in answer[2]] == [1, 3]


def test_cascade_chain_in_the_trading_schema(trading: EnginePair) -> None:
    def work(engine: Engine) -> object:
        with engine.begin() as conn:
            deleted = conn.execute(delete(instruments).where(instruments.c.id == 1)).rowcount
            conn.execute(delete(accounts).where(accounts.c.id == 2))
        return [deleted, rows_of(engine, orders, fills)]

    trading.check(work)


def test_executemany_stops_at_the_failing_row(pair_factory: PairFactory) -> None:
    # SQLite: executemany is one statement per parameter set, each atomic on its own, so the
    # rows before the failing one stay in the transaction until it is rolled back.
    pair = desk_pair(pair_factory)
    batch = [{"name": "a"}, {"name": "b"}, {"name": "fx"}, {"name": "c"}]

    def work(engine: Engine) -> list[Any]:
        with engine.connect() as conn:
            conn.begin()
            try:
                conn.execute(insert(desks), batch)
            except IntegrityError as error:
                failed = type(error).__name__
            inside = [tuple(row) for row in conn.execute(select(desks).order_by(desks.c.id))]
            conn.rollback()
        return [failed, inside, rows_of(engine, desks)]

    answer = pair.check(work)
    assert answer[2] == [[(1, "rates"), (2, "fx")]]


def test_a_failing_multi_row_statement_has_no_partial_effect(pair_factory: PairFactory) -> None:
    pair = desk_pair(pair_factory)

    def work(engine: Engine) -> list[Any]:
        outcomes: list[object] = []
        with engine.connect() as conn:
            conn.begin()
            for statement in (
                insert(desks).values([{"name": "a"}, {"name": "b"}, {"name": "fx"}]),
                update(traders).values(badge="same"),
                update(traders).where(traders.c.id > 1).values(login="ann", region="EU"),
                delete(desks),
            ):
                try:
                    conn.execute(statement)
                    outcomes.append("ok")
                except IntegrityError as error:
                    outcomes.append(type(error).__name__)
                outcomes.append(rows_of_connection(conn))
            conn.commit()
        return [outcomes, rows_of(engine, *ALL)]

    answer = pair.check(work)
    assert answer[0][0::2] == ["IntegrityError"] * 4


def test_a_failed_flush_leaves_nothing_after_rollback(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        session.add_all([Account(code="NEW1"), Account(code="NEW2"), Account(code="ALPHA")])
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
        session.add(Account(code="NEW3"))
        session.commit()
        return [
            tuple(row) for row in session.execute(select(accounts).order_by(accounts.c.id)).all()
        ]

    trading.check_session(work)


def rows_of_connection(conn: Any) -> list[list[tuple[Any, ...]]]:
    return [
        [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))]
        for table in ALL
    ]


def test_check_constraint(pair_factory: PairFactory) -> None:
    pair = desk_pair(pair_factory)
    violate(pair, "check on insert")
    violate(pair, "check on update")
    pair.check(lambda engine: rows_of(engine, limits))


def test_composite_string_keys_and_a_self_referencing_cascade(pair_factory: PairFactory) -> None:
    pair = pair_factory(books_metadata)
    tree = [
        {"desk": "fx", "code": "root", "parent_desk": None, "parent_code": None},
        {"desk": "fx", "code": "g10", "parent_desk": "fx", "parent_code": "root"},
        {"desk": "fx", "code": "eur", "parent_desk": "fx", "parent_code": "g10"},
        {"desk": "rates", "code": "root", "parent_desk": None, "parent_code": None},
    ]
    pair.check(then_rows(insert(books).values(tree), books))
    pair.check_error(
        committing(insert(books).values(desk="fx", code="g10")), names=("books", "desk", "code")
    )
    pair.check_error(
        committing(insert(books).values(desk="fx", code="x", parent_desk="fx", parent_code="no")),
        names=("books", "parent_desk", "parent_code"),
        sqlite_names_them=False,
    )
    pair.check(then_rows(delete(books).where(books.c.code == "g10"), books))
