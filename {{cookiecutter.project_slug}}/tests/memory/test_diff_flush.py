"""The fast flush of `MemorySession`, against SQLite, on models without relationships.

Plainly mapped objects are written by the memory session itself (`adapters/memory/flush.py`);
each scenario runs the same unit-of-work steps on SQLite and on ``memory://``, with the fast path
on and off, and compares the rows, the objects' loaded state, the errors and what the session
holds afterwards. Scenarios that qualify also check that the fast flush really wrote them.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Engine,
    ForeignKey,
    MetaData,
    Numeric,
    String,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, Session, mapped_column, relationship

from {{ cookiecutter.package_name }}.adapters.memory.session import MemorySession

from .diff_schema import Side
from .diffkit import (
    EnginePair,
    assert_same,
    baseline_mode,
    error_outcome,
    held_objects,
    new_session,
    object_status,
    sqlite_engine,
)

PairFactory = Callable[..., EnginePair]
NOON = datetime(2024, 3, 1, 12)
UNIQUE_FAILED = ("IntegrityError", "IntegrityError", "UNIQUE constraint failed")
FOREIGN_KEY_FAILED = ("IntegrityError", "IntegrityError", "FOREIGN KEY constraint failed")


class FlushBase(DeclarativeBase):
    metadata = MetaData()


class Desk(FlushBase):
    """The parent table: a string key given by the caller."""

    __tablename__ = "desks"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    region: Mapped[str] = mapped_column(String(8))
    budget: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    active: Mapped[bool]
    opened_at: Mapped[datetime]


class Book(FlushBase):
    """A composite key; its class name sorts before `Desk`, so books are written before desks."""

    __tablename__ = "books"
    __table_args__ = (UniqueConstraint("desk_code", "title"),)

    desk_code: Mapped[str] = mapped_column(ForeignKey("desks.code"), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(16))
    cap: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))


class Trade(FlushBase):
    """The child table: an integer key, a foreign key to desks and one to itself."""

    __tablename__ = "trades"
    __table_args__ = (UniqueConstraint("desk_code", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    desk_code: Mapped[str] = mapped_column(ForeignKey("desks.code"))
    ref: Mapped[str] = mapped_column(String(16))
    side: Mapped[Side]
    qty: Mapped[int]
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("trades.id"))
    booked_at: Mapped[datetime | None]


class Memo(FlushBase):
    """Has a relationship(): flushes holding a memo go through the unit of work."""

    __tablename__ = "memos"

    id: Mapped[int] = mapped_column(primary_key=True)
    desk_code: Mapped[str] = mapped_column(ForeignKey("desks.code"))
    text: Mapped[str] = mapped_column(String(32))

    desk: Mapped[Desk] = relationship()


class Quota(FlushBase):
    """Has a column default: flushes holding a quota go through the unit of work."""

    __tablename__ = "quotas"

    id: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[int] = mapped_column(default=100)


class NamedNone(TypeDecorator[str]):
    """Binds None as the text 'none'."""

    impl = String(8)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str:
        return "none" if value is None else value


class Tag(FlushBase):
    """A column whose type binds None as a value."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str | None] = mapped_column(NamedNone())


class Stamp(FlushBase):
    """Mapper events write `note`: they must run, so stamps go through the unit of work."""

    __tablename__ = "stamps"

    id: Mapped[int] = mapped_column(primary_key=True)
    note: Mapped[str | None] = mapped_column(String(48))


@event.listens_for(Stamp, "before_insert")
def _note_insert(_mapper: Mapper[Stamp], _connection: Any, target: Stamp) -> None:
    target.note = f"inserted as {target.id}"


@event.listens_for(Stamp, "before_update")
def _note_update(_mapper: Mapper[Stamp], _connection: Any, target: Stamp) -> None:
    target.note = f"{target.note}, updated"


TABLES = [FlushBase.metadata.tables[name] for name in ("desks", "books", "trades")]


def seed(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(Desk),
            [
                {
                    "code": "RATES",
                    "name": "Rates",
                    "region": "EU",
                    "budget": Decimal("1000.00"),
                    "active": True,
                    "opened_at": datetime(2024, 1, 2, 9),
                },
                {
                    "code": "FX",
                    "name": "FX Spot",
                    "region": "US",
                    "budget": Decimal("250.50"),
                    "active": False,
                    "opened_at": datetime(2024, 1, 3, 9, 30),
                },
                {
                    "code": "CASH",
                    "name": "Cash",
                    "region": "EU",
                    "budget": Decimal("0.00"),
                    "active": True,
                    "opened_at": datetime(2024, 1, 4),
                },
            ],
        )
        conn.execute(
            insert(Book),
            [
                {"desk_code": "RATES", "number": 1, "title": "Main", "cap": Decimal("1000000")},
                {"desk_code": "FX", "number": 1, "title": "Main", "cap": None},
                {"desk_code": "FX", "number": 2, "title": "Hedge", "cap": Decimal("2.5")},
            ],
        )
        conn.execute(
            insert(Trade),
            [
                {
                    "id": 1,
                    "desk_code": "RATES",
                    "ref": "T1",
                    "side": Side.BUY,
                    "qty": 5,
                    "price": Decimal("101.25"),
                    "parent_id": None,
                    "booked_at": NOON,
                },
                {
                    "id": 2,
                    "desk_code": "RATES",
                    "ref": "T2",
                    "side": Side.SELL,
                    "qty": 3,
                    "price": None,
                    "parent_id": 1,
                    "booked_at": None,
                },
                {
                    "id": 3,
                    "desk_code": "FX",
                    "ref": "F1",
                    "side": Side.BUY,
                    "qty": 10,
                    "price": Decimal("1.0850"),
                    "parent_id": None,
                    "booked_at": NOON + timedelta(microseconds=250),
                },
            ],
        )


def new_desk(code: str, name: str, **values: Any) -> Desk:
    given: dict[str, Any] = {
        "region": "EU",
        "budget": Decimal("100.00"),
        "active": True,
        "opened_at": NOON,
    }
    return Desk(code=code, name=name, **(given | values))


def new_trade(key: int | None, desk_code: str = "RATES", ref: str = "", **values: Any) -> Trade:
    given: dict[str, Any] = {
        "side": Side.BUY,
        "qty": 1,
        "price": Decimal("10.5000"),
        "parent_id": None,
        "booked_at": NOON,
    }
    return Trade(id=key, desk_code=desk_code, ref=ref or f"R{key}", **(given | values))


def loaded(session: Session, key: tuple[type[Any], Any]) -> Any:
    """The object of ``key`` (class, primary key) through `Session.get`; it must exist."""
    found = session.get(*key)
    assert found is not None, f"no {key}"
    return found


# --- what is compared ------------------------------------------------------------------------


def table_rows(session: Session) -> list[list[tuple[Any, ...]]]:
    """Every table's rows, as the session's own transaction sees them (no autoflush)."""
    conn = session.connection()
    return [
        [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))]
        for table in TABLES
    ]


def view(session: Session) -> list[Any]:
    """The session and its database: active or not, the objects, the rows when readable."""
    active = session.is_active
    return [
        active,
        session.in_nested_transaction(),
        held_objects(session),
        table_rows(session) if active else "no rows: the session needs a rollback",
    ]


def flush_outcome(session: Session) -> object:
    try:
        session.flush()
    except Exception as error:
        return error_outcome(error)
    return "flushed"


def commit_outcome(session: Session) -> object:
    try:
        session.commit()
    except Exception as error:
        return error_outcome(error)
    return "committed"


def query_outcome(session: Session) -> object:
    try:
        return session.scalar(select(func.count()).select_from(Desk))
    except Exception as error:
        return error_outcome(error)


def fail_then_roll_back(session: Session, touched: list[object]) -> list[Any]:
    """A flush expected to fail; the session after it, its next flush and query, and rollback()."""
    outcome = flush_outcome(session)
    after_error = [session.is_active, held_objects(session)]
    again = [flush_outcome(session), query_outcome(session)]
    session.rollback()
    return [outcome, after_error, again, view(session), [object_status(obj) for obj in touched]]


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def desks(pair_factory: PairFactory) -> EnginePair:
    pair = pair_factory(FlushBase.metadata)
    pair.run(seed)
    return pair


class WriteLog:
    """The INSERT and UPDATE statements the memory engine received: the fast flush sends none."""

    def __init__(self, engine: Engine) -> None:
        self.sent: list[str] = []
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args: Any) -> None:
        verb = str(args[2]).lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE"):
            self.sent.append(verb)

    def forget(self) -> None:
        """Drop what was sent so far (statements the scenario itself ran behind the ORM)."""
        self.sent.clear()

    def expect_fast(self, mode: str) -> None:
        """Flushes that qualify: no statements in the fast mode, statements otherwise."""
        if mode == "fast" and not baseline_mode():
            assert self.sent == [], f"the fast flush was not taken: {self.sent}"
        else:
            assert self.sent, "the general flush sent no statements"


@pytest.fixture
def writes(desks: EnginePair) -> WriteLog:
    return WriteLog(desks.memory)


# --- the order of the writes -----------------------------------------------------------------


def test_children_added_before_their_desk_are_written_after_it(
    desks: EnginePair, writes: WriteLog, session_mode: str
) -> None:
    def work(session: Session) -> list[Any]:
        session.add(new_trade(10, "EQ"))
        session.add(new_desk("EQ", "Equities", region="APAC"))
        session.add(new_trade(11, "EQ", parent_id=10))
        outcome = flush_outcome(session)
        flushed = view(session)
        session.commit()
        return [outcome, flushed, view(session)]

    assert desks.check_session(work)[0] == "flushed"
    writes.expect_fast(session_mode)


def test_self_references_follow_the_order_of_adding(
    desks: EnginePair, writes: WriteLog, session_mode: str
) -> None:
    def work(session: Session) -> list[Any]:
        session.add_all([new_trade(12), new_trade(10, parent_id=12)])
        session.add(new_trade(11, parent_id=10))
        return [flush_outcome(session), view(session)]

    assert desks.check_session(work)[0] == "flushed"
    writes.expect_fast(session_mode)


BAD_ORDERS: dict[str, Callable[[Session], list[object]]] = {
    # books are written before desks, whatever the order of adding
    "a book of a new desk": lambda s: [
        new_desk("EQ", "Equities"),
        Book(desk_code="EQ", number=1, title="Main", cap=None),
    ],
    # one table's new rows go in the order they were added
    "a trade added before its parent": lambda s: [new_trade(11, parent_id=10), new_trade(10)],
    # updates come before inserts: the updated row points at a trade not yet written
    "an update pointing at a new trade": lambda s: [
        new_trade(10),
        _changed(loaded(s, (Trade, 1)), parent_id=10),
    ],
}


def _changed(obj: Any, **values: Any) -> Any:
    for key, value in values.items():
        setattr(obj, key, value)
    return obj


@pytest.mark.parametrize("case", list(BAD_ORDERS))
def test_writes_in_the_unit_of_work_order_fail_the_same_way(desks: EnginePair, case: str) -> None:
    def work(session: Session) -> list[Any]:
        touched = BAD_ORDERS[case](session)
        session.add_all(touched)
        return fail_then_roll_back(session, touched)

    assert desks.check_session(work)[0] == FOREIGN_KEY_FAILED


def test_updates_run_in_primary_key_order(
    desks: EnginePair, writes: WriteLog, session_mode: str
) -> None:
    def work(session: Session) -> list[Any]:
        rates, fx = loaded(session, (Desk, "RATES")), loaded(session, (Desk, "FX"))
        rates.name = "FX Spot"  # taken by FX until FX, the lower key, is written first
        fx.name = "Macro"
        return [flush_outcome(session), view(session)]

    assert desks.check_session(work)[0] == "flushed"
    writes.expect_fast(session_mode)


def test_updates_in_primary_key_order_can_fail(desks: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        rates, fx = loaded(session, (Desk, "RATES")), loaded(session, (Desk, "FX"))
        rates.name = "Renamed"  # would free "Rates" first if rows were written as changed
        fx.name = "Rates"
        return fail_then_roll_back(session, [rates, fx])

    assert desks.check_session(work)[0] == UNIQUE_FAILED


def test_mixed_updates_and_inserts_in_one_flush(
    desks: EnginePair, writes: WriteLog, session_mode: str
) -> None:
    def work(session: Session) -> list[Any]:
        first = loaded(session, (Trade, 1))
        third = loaded(session, (Trade, 3))
        cash = loaded(session, (Desk, "CASH"))
        first.ref = "T1-old"
        session.add(new_trade(10, "RATES", "T1"))  # the ref the update frees
        session.add(new_desk("EQ", "Equities"))
        third.desk_code = "EQ"  # desks are written before trades
        third.qty, third.price = 12, Decimal("1.0900")
        cash.budget = Decimal("12.34")
        session.add(Book(desk_code="CASH", number=1, title="Sweep", cap=Decimal("0.0001")))
        outcome = flush_outcome(session)
        flushed = view(session)
        session.commit()
        return [outcome, flushed, view(session)]

    assert desks.check_session(work)[0] == "flushed"
    writes.expect_fast(session_mode)


def test_an_insert_after_the_updates_fails(desks: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        first = loaded(session, (Trade, 1))
        first.ref = "T9"
        added = new_trade(10, "RATES", "T9")
        session.add(added)
        return fail_then_roll_back(session, [first, added])

    assert desks.check_session(work)[0] == UNIQUE_FAILED


# --- updates ---------------------------------------------------------------------------------


def test_updates_of_several_attributes_some_set_back(
    desks: EnginePair, writes: WriteLog, session_mode: str
) -> None:
    trades = TABLES[2]

    def work(session: Session) -> list[Any]:
        first, second, third = (loaded(session, (Trade, key)) for key in (1, 2, 3))
        fx = loaded(session, (Desk, "FX"))
        # behind the ORM's back: an UPDATE of the second trade would overwrite this
        session.execute(update(trades).where(trades.c.id == 2).values(qty=42))
        writes.forget()
        third.qty, third.price, third.side = 11, Decimal("1.0900"), Side.SELL
        third.booked_at = NOON + timedelta(hours=1, microseconds=7)
        first.ref, first.parent_id = "T1-amended", 3
        second.qty = 99
        second.qty = 3  # back to the committed value
        second.price = None  # it was None
        fx.active, fx.budget = True, Decimal("300.75")
        fx.region = "US"  # unchanged
        modified = [session.is_modified(obj) for obj in (first, second, third, fx)]
        outcome = flush_outcome(session)
        flushed = view(session)
        session.commit()
        return [modified, outcome, flushed, view(session)]

    answer = desks.check_session(work)
    assert answer[0] == [True, False, True, True]
    assert answer[3][3][2][1][4] == 42  # the set-back trade was not written
    writes.expect_fast(session_mode)


def test_after_a_large_flush_the_next_ones_find_the_few_changed_objects(
    desks: EnginePair, writes: WriteLog, session_mode: str
) -> None:
    storage: dict[str, tuple[int, int]] = {}

    def work(session: Session) -> list[Any]:
        session.add_all([new_trade(100 + number) for number in range(2_000)])
        session.commit()
        writes.forget()
        first = loaded(session, (Trade, 1))
        first.qty = 5
        session.add(new_trade(99))
        outcome = flush_outcome(session)
        modified = session.identity_map._modified
        storage[session.get_bind().dialect.name] = (
            sys.getsizeof(session._new),
            sys.getsizeof(modified),
        )
        session.commit()
        return [outcome, view(session)]

    assert desks.check_session(work)[0] == "flushed"
    writes.expect_fast(session_mode)
    if session_mode == "fast" and not baseline_mode():
        # Emptied, the pending dict and the modified set get fresh storage: later flushes
        # and commits do not walk the 2,000 slots they grew to.
        assert storage["memory"] == (sys.getsizeof({}), sys.getsizeof(set()))


def test_an_update_of_a_row_deleted_by_core_is_stale(desks: EnginePair) -> None:
    trades = TABLES[2]

    def work(session: Session) -> list[Any]:
        second, third = loaded(session, (Trade, 2)), loaded(session, (Trade, 3))
        session.execute(delete(trades).where(trades.c.id == 2))
        third.qty = 30  # written first, then undone with the rest
        second.qty = 50
        return fail_then_roll_back(session, [second, third])

    assert desks.check_session(work)[0] == ("StaleDataError", None, None)


def test_an_attribute_set_to_a_sql_expression(desks: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        first = loaded(session, (Trade, 1))
        first.qty = Trade.qty + 1
        first.price = Decimal("1.5")
        session.add(new_trade(10, qty=literal(6) * 7))
        outcome = flush_outcome(session)
        flushed = view(session)  # the expression's attributes are expired, not guessed
        return [outcome, flushed, first.qty, loaded(session, (Trade, 10)).qty, view(session)]

    assert desks.check_session(work)[2:4] == [6, 42]


def test_a_changed_primary_key(desks: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        cash = loaded(session, (Desk, "CASH"))
        book = loaded(session, (Book, ("FX", 2)))
        cash.code = "MONEY"
        book.number = 7
        return [flush_outcome(session), view(session)]

    assert desks.check_session(work)[0] == "flushed"


# --- errors and what the session holds afterwards --------------------------------------------

BAD_CHANGES: dict[str, Callable[[Session], list[object]]] = {
    "a new desk's name taken": lambda s: [new_desk("EQ", "Rates")],
    "one name for two new desks": lambda s: [new_desk("EQ", "Same"), new_desk("MM", "Same")],
    "a new trade's desk and ref taken": lambda s: [new_trade(10, "RATES", "T1")],
    "a desk renamed to a taken name": lambda s: [_changed(loaded(s, (Desk, "FX")), name="Cash")],
    "a new book's composite key taken": lambda s: [Book(desk_code="FX", number=2, title="X")],
    "a new trade of a missing desk": lambda s: [new_trade(10, "NOPE")],
    "a new trade of a missing parent": lambda s: [new_trade(10, parent_id=77)],
    "a trade moved to a missing desk": lambda s: [
        _changed(loaded(s, (Trade, 3)), desk_code="NOPE")
    ],
    "a new desk without a region": lambda s: [new_desk("EQ", "Equities", region=None)],
    "a new book without a number": lambda s: [Book(desk_code="FX", number=None, title="X")],
    "a trade's quantity set to NULL": lambda s: [_changed(loaded(s, (Trade, 1)), qty=None)],
}


@pytest.mark.filterwarnings("ignore:Column 'books.number' is marked as a member of the primary key")
@pytest.mark.parametrize("case", list(BAD_CHANGES))
def test_a_failing_flush_and_rollback(desks: EnginePair, case: str) -> None:
    def work(session: Session) -> list[Any]:
        third = loaded(session, (Trade, 3))
        third.qty = 33  # a good change, lost with the failing flush's transaction
        session.add(new_trade(20, "FX", "F20"))
        touched = [third, *BAD_CHANGES[case](session)]
        session.add_all(touched)
        return fail_then_roll_back(session, touched)

    outcome, _, again, *_ = desks.check_session(work)
    assert outcome[:2] == ("IntegrityError", "IntegrityError")
    assert again == ["flushed", ("PendingRollbackError", None, None)]


def test_failing_flushes_inside_autoflush_and_commit(desks: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        session.add(new_desk("EQ", "Rates"))
        try:
            session.scalars(select(Desk).order_by(Desk.code)).all()
            queried: object = "queried"
        except Exception as error:
            queried = error_outcome(error)
        session.rollback()
        session.add(new_trade(10, "NOPE"))
        committed = commit_outcome(session)
        after = [session.is_active, held_objects(session)]
        session.rollback()
        return [queried, committed, after, view(session)]

    answer = desks.check_session(work)
    assert answer[0][0] == answer[1][0] == "IntegrityError"


def test_a_new_object_with_the_key_of_a_loaded_one(desks: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        persistent = loaded(session, (Trade, 1))  # held: the identity map is weak
        duplicate = new_trade(1, "FX", "DUP")
        session.add(duplicate)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            answer = fail_then_roll_back(session, [duplicate, persistent])
        return [answer, [(w.category.__name__, str(w.message).split(" ", 2)[:2]) for w in caught]]

    answer = desks.check_session(work)
    assert answer[1] == [("SAWarning", ["New", "instance"])]
    assert answer[0][0][0] == "IntegrityError"


def test_a_new_object_with_the_key_of_a_row_not_loaded(desks: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        duplicate = new_trade(1, "FX", "DUP")
        session.add(duplicate)
        return fail_then_roll_back(session, [duplicate])

    assert desks.check_session(work)[0] == UNIQUE_FAILED


def test_a_new_object_replacing_a_deleted_one_switches_the_row(desks: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        cash = loaded(session, (Desk, "CASH"))
        session.delete(cash)
        replacement = new_desk("CASH", "Cash 2", budget=Decimal("5.00"))
        session.add(replacement)
        outcome = flush_outcome(session)
        return [outcome, view(session), replacement in session, cash in session]

    assert desks.check_session(work)[0] == "flushed"


def test_a_new_object_replacing_a_row_deleted_by_core(desks: EnginePair) -> None:
    desk_table = TABLES[0]

    def work(session: Session) -> list[Any]:
        cash = loaded(session, (Desk, "CASH"))
        session.execute(delete(desk_table).where(desk_table.c.code == "CASH"))
        session.expire(cash)
        replacement = new_desk("CASH", "Cash 2")
        session.add(replacement)
        outcome = flush_outcome(session)
        return [outcome, view(session), object_status(cash), object_status(replacement)]

    assert desks.check_session(work)[0] == "flushed"


def test_new_objects_without_a_key_get_one_from_the_database(desks: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        added = [new_trade(None, ref="A"), new_trade(20, ref="B"), new_trade(None, ref="C")]
        session.add_all(added)
        outcome = flush_outcome(session)
        return [outcome, [trade.id for trade in added], view(session)]

    assert desks.check_session(work)[1] == [4, 20, 21]


# --- transactions, autoflush, reloading ------------------------------------------------------


def test_a_flush_inside_a_savepoint_then_its_rollback(
    desks: EnginePair, writes: WriteLog, session_mode: str
) -> None:
    def work(session: Session) -> list[Any]:
        first = loaded(session, (Trade, 1))
        kept = new_trade(10)
        session.add(kept)
        session.flush()
        savepoint = session.begin_nested()
        first.qty, first.ref = 77, "T1-inner"
        dropped = [new_trade(11, parent_id=10), new_desk("EQ", "Equities")]
        session.add_all(dropped)
        outcome = flush_outcome(session)
        inside = view(session)
        savepoint.rollback()
        after_savepoint = view(session)
        released = session.begin_nested()
        kept.qty = 8
        session.add(new_trade(12, parent_id=10))
        session.flush()
        released.commit()
        session.commit()
        return [
            outcome,
            inside,
            after_savepoint,
            [object_status(obj) for obj in dropped],
            view(session),
        ]

    assert desks.check_session(work)[0] == "flushed"
    writes.expect_fast(session_mode)


def test_autoflush_before_a_query_sees_the_pending_rows(
    desks: EnginePair, writes: WriteLog, session_mode: str
) -> None:
    def work(session: Session) -> list[Any]:
        third = loaded(session, (Trade, 3))
        added = [new_trade(10, qty=25), new_trade(11, "FX", qty=4)]
        session.add_all(added)
        third.qty = 15
        with session.no_autoflush:
            unflushed = session.scalar(select(func.count()).where(Trade.qty >= 10))
        selected = session.scalars(select(Trade).where(Trade.qty >= 10).order_by(Trade.id)).all()
        counted = session.scalar(select(func.count()).select_from(Trade))
        same = [selected[-1] is added[0], loaded(session, (Trade, 11)) is added[1]]
        session.add(new_desk("EQ", "Equities"))
        by_get = loaded(session, (Desk, "EQ")).name
        return [unflushed, [t.id for t in selected], counted, same, by_get, view(session)]

    assert desks.check_session(work)[:2] == [1, [3, 10]]
    writes.expect_fast(session_mode)


def test_commit_then_expire_and_reload(
    desks: EnginePair, writes: WriteLog, session_mode: str
) -> None:
    def work(session: Session) -> list[Any]:
        desk = new_desk("EQ", "Equities", budget=Decimal("1.005"), active=False)
        trade = new_trade(10, "EQ", price=Decimal("0.123456"), side=Side.SELL)
        session.add_all([trade, desk])
        first = loaded(session, (Trade, 1))
        first.booked_at = NOON + timedelta(days=1, microseconds=1)
        session.commit()
        expired = held_objects(session)
        reloaded = [trade.price, desk.budget, desk.active, first.booked_at, trade.side]
        trade.qty = 3
        session.expire(trade, ["price"])
        session.commit()
        session.refresh(desk)
        session.expire_all()
        return [expired, reloaded, view(session), trade.qty, trade.price]

    answer = desks.check_session(work)
    assert answer[1][:2] == [Decimal("0.1235"), Decimal("1.00")]
    writes.expect_fast(session_mode)


class DirectCommits:
    """How many commits `MemorySession` made on a connection of its own (no pool checkout)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = MemorySession._direct_commit

        def counted(session: MemorySession, *args: Any) -> bool:
            done = original(session, *args)
            self.count += done
            return done

        monkeypatch.setattr(MemorySession, "_direct_commit", counted)

    def expect(self, mode: str, count: int) -> None:
        assert self.count == (count if mode == "fast" and not baseline_mode() else 0)


@pytest.mark.parametrize("expire_on_commit", [True, False])
def test_commits_without_a_flush_before_them(
    desks: EnginePair,
    session_mode: str,
    monkeypatch: pytest.MonkeyPatch,
    expire_on_commit: bool,
) -> None:
    """A commit in a transaction that has only read writes on a connection of its own: the
    objects afterwards, loaded, changed again or set back, are those of the general path."""
    direct = DirectCommits(monkeypatch)

    def work(engine: Engine) -> list[Any]:
        with new_session(engine, expire_on_commit=expire_on_commit) as session:
            desk, trade = loaded(session, (Desk, "FX")), loaded(session, (Trade, 2))
            desk.budget, desk.active = Decimal("99.99"), True
            session.commit()
            first = held_objects(session)
            trade.qty, trade.price = 30, Decimal("2.5")
            session.add(new_trade(10, "FX", parent_id=2))
            session.commit()
            second = held_objects(session)
            trade.qty = 30  # the value it already has: no UPDATE
            desk.region = "APAC"
            desk.region = "US"  # set back before the commit: no UPDATE either
            session.commit()
            third = held_objects(session)
            return [first, second, third, view(session)]

    desks.check(work)
    # Expired objects are written by the general flush (it reads their keys from the identity).
    direct.expect(session_mode, 1 if expire_on_commit else 3)


@pytest.mark.parametrize("expire_on_commit", [True, False])
def test_a_commit_without_a_flush_deletes_what_was_deleted(
    desks: EnginePair,
    session_mode: str,
    monkeypatch: pytest.MonkeyPatch,
    expire_on_commit: bool,
) -> None:
    """Deleted objects in a transaction that has only read: their rows go, with the changes
    beside them, as the general path deletes them; the objects end detached."""
    direct = DirectCommits(monkeypatch)

    def work(engine: Engine) -> list[Any]:
        with new_session(engine, expire_on_commit=expire_on_commit) as session:
            session.add_all([new_trade(10, "FX"), new_trade(11, "FX")])
            session.commit()
            first = loaded(session, (Trade, 10))
            session.delete(first)
            session.commit()
            alone = [first in session, held_objects(session)]
            second = loaded(session, (Trade, 11))
            loaded(session, (Desk, "FX")).name = "Foreign exchange"
            session.delete(second)
            session.commit()
            beside = [second in session, held_objects(session)]
        with new_session(engine) as other:
            return [alone, beside, view(other)]

    desks.check(work)
    direct.expect(session_mode, 1)  # the first commit; the general path deletes


def test_a_none_the_column_type_would_bind_as_a_value(
    desks: EnginePair, writes: WriteLog, session_mode: str
) -> None:
    """The unit of work sends None for a column with no default, given or not, and the type
    binds it, in an INSERT as in an UPDATE."""
    tags = FlushBase.metadata.tables["tags"]

    def work(session: Session) -> list[Any]:
        session.add_all([Tag(id=1, label=None), Tag(id=2, label="kept"), Tag(id=3)])
        session.commit()
        inserted = [tuple(row) for row in session.execute(select(tags).order_by(tags.c.id))]
        loaded(session, (Tag, 2)).label = None
        session.commit()
        updated = [tuple(row) for row in session.execute(select(tags).order_by(tags.c.id))]
        return [inserted, updated]

    assert desks.check_session(work) == [
        [(1, "none"), (2, "kept"), (3, "none")],
        [(1, "none"), (2, "none"), (3, "none")],
    ]
    writes.expect_fast(session_mode)


def test_a_commit_without_a_flush_that_fails(
    desks: EnginePair, session_mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The failing write is undone and the general path reports it; the database stays
    writable for others."""
    direct = DirectCommits(monkeypatch)

    def work(engine: Engine) -> list[Any]:
        with new_session(engine) as session:
            loaded(session, (Desk, "FX")).name = "Rates"  # taken
            committed = commit_outcome(session)
            after = [session.is_active, held_objects(session)]
            session.rollback()
        with new_session(engine) as other:
            loaded(other, (Desk, "CASH")).name = "Cash Desk"
            other.commit()
            return [committed, after, view(other)]

    assert desks.check(work)[0] == UNIQUE_FAILED
    direct.expect(session_mode, 1)  # the other session's commit


def test_pool_and_engine_listeners_see_a_commit_check_out_a_connection(
    desks: EnginePair, session_mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    direct = DirectCommits(monkeypatch)

    def work(engine: Engine) -> list[str]:
        with new_session(engine) as quiet:  # no listener yet: a direct commit on memory://
            loaded(quiet, (Trade, 1)).qty += 1
            quiet.commit()
        seen: list[str] = []
        listeners = [
            (engine.pool, "checkout", lambda *_args: seen.append("checkout")),
            (engine, "begin", lambda *_args: seen.append("begin")),
            (engine.pool, "connect", lambda *_args: seen.append("connect")),
        ]
        for target, name, listener in listeners:
            event.listen(target, name, listener)
            with new_session(engine) as session:
                loaded(session, (Trade, 1)).qty += 1
                session.commit()
            event.remove(target, name, listener)
        return seen

    assert desks.check(work) == ["checkout", "begin"]  # pooled: no new connection
    direct.expect(session_mode, 1)


# --- values the bind processors refuse -------------------------------------------------------

BAD_VALUES = {
    "a string for a datetime": ("booked_at", "2024-03-01 12:00:00"),
    "a string for a boolean": ("active", "yes"),
    "text for a number": ("budget", "lots"),
}


@pytest.mark.parametrize("written", ["inserted", "updated"])
@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_a_value_the_column_type_refuses(
    desks: EnginePair, session_mode: str, case: str, written: str
) -> None:
    key, value = BAD_VALUES[case]

    def work(session: Session) -> list[Any]:
        target: Any
        if written == "updated":
            target = loaded(session, (Trade, 1) if key == "booked_at" else (Desk, "FX"))
        else:
            target = new_trade(10) if key == "booked_at" else new_desk("EQ", "Equities")
        setattr(target, key, value)
        session.add(target)
        return fail_then_roll_back(session, [target])

    outcome = desks.check_session(work)[0]
    assert outcome[0] == "StatementError"


# --- flushes the fast path leaves to the unit of work ----------------------------------------

FALLBACKS: dict[str, Callable[[Session], object]] = {
    "mapper events": lambda s: s.add_all([Stamp(id=1), new_desk("EQ", "Equities")]),
    "a relationship": lambda s: s.add(Memo(id=1, desk=loaded(s, (Desk, "FX")), text="hello")),
    "a column default": lambda s: s.add_all([Quota(id=1), Quota(id=2, amount=5)]),
    "a deleted object": lambda s: _delete_and_add(s, loaded(s, (Trade, 2)), new_trade(10)),
    "a key left to the database": lambda s: s.add(new_trade(None)),
}


def _delete_and_add(session: Session, deleted: object, added: object) -> None:
    session.delete(deleted)
    session.add(added)


def _updated_stamp(session: Session) -> None:
    loaded(session, (Stamp, 1)).note = "changed"


@pytest.mark.parametrize("case", list(FALLBACKS))
def test_flushes_the_fast_path_leaves_to_the_unit_of_work(
    desks: EnginePair, writes: WriteLog, case: str
) -> None:
    def work(session: Session) -> list[Any]:
        FALLBACKS[case](session)
        outcome = flush_outcome(session)
        if case == "mapper events":
            _updated_stamp(session)
            session.flush()
        extra = [
            sorted(tuple(row) for row in session.execute(select(table.__table__)).all())
            for table in (Memo, Quota, Stamp)
        ]
        return [outcome, view(session), extra]

    assert desks.check_session(work)[0] == "flushed"
    assert writes.sent, "the unit of work sent no statements"


def test_a_before_flush_listener_runs(desks: EnginePair, writes: WriteLog) -> None:
    def shout(session: Session, _context: Any, _objects: Any) -> None:
        for obj in session.new:
            if isinstance(obj, Desk):
                obj.name = obj.name.upper()

    def work(session: Session) -> list[Any]:
        event.listen(session, "before_flush", shout)
        added = new_desk("EQ", "Equities")
        session.add(added)
        return [flush_outcome(session), added.name, view(session)]

    assert desks.check_session(work)[1] == "EQUITIES"
    assert writes.sent


def test_a_mapper_event_added_after_a_fast_flush_runs(desks: EnginePair, session_mode: str) -> None:
    seen: list[str] = []

    def record(_mapper: Mapper[Any], _connection: Any, target: Desk) -> None:
        seen.append(target.code)

    def work(session: Session) -> list[Any]:
        seen.clear()
        session.add(new_desk("EQ", "Equities"))
        session.flush()
        event.listen(Desk, "before_insert", record)
        try:
            session.add(new_desk("MM", "Money"))
            session.flush()
        finally:
            event.remove(Desk, "before_insert", record)
        return list(seen)

    assert desks.check_session(work) == ["MM"]


def test_a_flush_opens_and_closes_a_subtransaction(desks: EnginePair, session_mode: str) -> None:

    def work(session: Session) -> list[Any]:
        seen: list[str] = []

        def kind(transaction: Any) -> str:
            return "nested" if transaction.nested else "sub" if transaction.parent else "root"

        event.listen(session, "after_transaction_create", lambda _s, t: seen.append(f"+{kind(t)}"))
        event.listen(session, "after_transaction_end", lambda _s, t: seen.append(f"-{kind(t)}"))
        loaded(session, (Trade, 1)).qty = 8
        session.flush()
        session.add(new_trade(10))
        session.commit()
        return seen

    assert "+sub" in desks.check_session(work)


# --- the fast flush is taken on memory://, and fast_path=off turns it off ---------------------


def _qualifying_work(session: Session) -> list[Any]:
    first = loaded(session, (Trade, 1))
    first.qty, first.price = 6, Decimal("99.5")
    session.add_all([new_desk("EQ", "Equities"), new_trade(10, "EQ"), new_trade(11, "EQ")])
    session.commit()
    return table_rows(session)


@pytest.fixture
def off_engine() -> Iterator[Engine]:
    engine = create_engine("memory://?fast_path=off")
    yield engine
    engine.dispose()


def test_the_fast_flush_sends_no_statements_and_fast_path_off_sends_them(
    off_engine: Engine, session_mode: str
) -> None:
    reference = sqlite_engine()
    fast = create_engine("memory://")
    try:
        answers: list[Any] = []
        sent: list[int] = []
        makers: list[tuple[Engine, Callable[..., Session]]] = [
            (reference, new_session),
            (fast, new_session),
            (off_engine, MemorySession),
        ]
        for engine, make in makers:
            FlushBase.metadata.create_all(engine)
            seed(engine)
            log = WriteLog(engine)
            with make(engine) as session:
                answers.append(_qualifying_work(session))
            sent.append(len(log.sent))
        assert_same(answers[0], answers[1], "memory://")
        assert_same(answers[0], answers[2], "memory://?fast_path=off")
        assert sent[0] > 0 and sent[2] > 0
        assert (sent[1] == 0) is (session_mode == "fast")
    finally:
        reference.dispose()
        fast.dispose()
