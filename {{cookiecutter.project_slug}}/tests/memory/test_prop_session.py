"""ORM sessions driven through generated adds, updates, deletes, flushes, commits and savepoints.

The same step is applied to a Session on each engine; outcomes (including error classes), the
database state seen by the session's transaction, and the loaded state of the identity map must
agree after every step.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import ForeignKey, MetaData, Numeric, String, func, inspect, select, update
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    SessionTransaction,
    mapped_column,
    relationship,
)

from .casecount import PROFILE, case_key, counted, record, register
from .diffkit import (
    SESSION_MODES,
    EnginePair,
    PairedSessionSteps,
    assert_same,
    make_pair,
    new_session,
    set_session_mode,
)

session_modes = st.sampled_from(SESSION_MODES)

profile = settings.get_profile(PROFILE)
# Random steps legitimately touch objects after a failed flush; the ORM warns, on both sides.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Session's state has been changed:sqlalchemy.exc.SAWarning"
)


class Base(DeclarativeBase):
    metadata = MetaData()


class Position(Base):
    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(8), unique=True)
    qty: Mapped[int]
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    book: Mapped[str | None] = mapped_column(String(8), index=True)

    lots: Mapped[list[Lot]] = relationship(cascade="all, delete-orphan", order_by="Lot.id")


class Lot(Base):
    __tablename__ = "lots"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"))
    qty: Mapped[int]


SYMBOLS = ["AAPL", "MSFT", "ES", "NQ", "BTC", "ETH"]
BOOKS = [None, "alpha", "beta"]
symbols = st.sampled_from(SYMBOLS)
books = st.sampled_from(BOOKS)
quantities = st.integers(-100, 100)
prices = st.none() | st.decimals(Decimal("0.01"), Decimal("999.99"), places=2)


class SessionDriver(PairedSessionSteps):
    """A Session per engine, and each operation applied to both with the outcomes compared."""

    def __init__(self, mode: str) -> None:
        self.pair: EnginePair = make_pair(Base.metadata)
        set_session_mode(mode)
        self.sessions = [new_session(engine) for _, engine in self.pair.sides()]
        self.savepoints: list[list[SessionTransaction]] = [[], []]

    def apply(self, what: str, action: Callable[[Session, int], Any]) -> None:
        outcomes: list[Any] = []
        for side, session in enumerate(self.sessions):
            try:
                outcomes.append(action(session, side))
            except Exception as error:
                outcomes.append(("raised", type(error).__name__))
        assert_same(outcomes[0], outcomes[1], what)

    def close(self) -> None:
        for session in self.sessions:
            session.close()
        self.pair.dispose()

    # --- operations ------------------------------------------------------------------------

    @staticmethod
    def _find(session: Session, symbol: str) -> Position | None:
        return session.scalars(select(Position).where(Position.symbol == symbol)).first()

    def add(self, symbol: str, qty: int, price: Decimal | None, book: str | None) -> None:
        self.apply(
            f"add {symbol}",
            lambda s, _: s.add(Position(symbol=symbol, qty=qty, price=price, book=book)),
        )

    def change(self, symbol: str, delta: int, price: Decimal | None, book: str | None) -> None:
        def action(session: Session, _: int) -> object:
            found = self._find(session, symbol)
            if found is None:
                return "absent"
            found.qty += delta
            found.price = price
            found.book = book
            return found.id

        self.apply(f"change {symbol}", action)

    def add_lot(self, symbol: str, qty: int) -> None:
        def action(session: Session, _: int) -> object:
            found = self._find(session, symbol)
            if found is None:
                return "absent"
            found.lots.append(Lot(qty=qty))
            return len(found.lots)

        self.apply(f"add lot to {symbol}", action)

    def drop_lot(self, symbol: str) -> None:
        def action(session: Session, _: int) -> object:
            found = self._find(session, symbol)
            if found is None or not found.lots:
                return "nothing to drop"
            return found.lots.pop(0).qty

        self.apply(f"drop lot of {symbol}", action)

    def delete(self, symbol: str) -> None:
        def action(session: Session, _: int) -> object:
            found = self._find(session, symbol)
            if found is not None:
                session.delete(found)
            return found is not None

        self.apply(f"delete {symbol}", action)

    def bulk_update(self, book: str | None, delta: int) -> None:
        condition = Position.book.is_(None) if book is None else Position.book == book
        statement = update(Position).where(condition).values(qty=Position.qty + delta)
        self.apply(f"bulk update {book}", lambda s, _: s.execute(statement).rowcount)  # type: ignore[attr-defined]

    def count_book(self, book: str | None) -> None:
        condition = Position.book.is_(None) if book is None else Position.book == book
        statement = select(func.count(), func.sum(Position.qty)).where(condition)
        self.apply(f"count {book}", lambda s, _: tuple(s.execute(statement).one()))

    # --- the state compared after each step ------------------------------------------------

    def check_state(self) -> None:
        def state(session: Session, _: int) -> object:
            loaded = sorted(
                tuple(inspect(obj).dict.get(key) for key in ("symbol", "qty", "price", "book"))
                for obj in session.identity_map.values()
                if isinstance(obj, Position)
            )
            conn = session.connection()
            positions = conn.execute(select(Position.__table__).order_by(Position.id)).all()
            lots = conn.execute(select(Lot.__table__).order_by(Lot.id)).all()
            return [repr(loaded), [tuple(row) for row in positions], [tuple(row) for row in lots]]

        self.apply("the state", state)


MACHINE_KEY = register(case_key(__name__, "SessionMachine"))


class SessionMachine(RuleBasedStateMachine):
    driver: SessionDriver

    @initialize(mode=session_modes)
    def open_sessions(self, mode: str) -> None:
        """Memory sessions with the fast path or without it, drawn like any other input."""
        self.driver = SessionDriver(mode)

    @rule(symbol=symbols, qty=quantities, price=prices, book=books)
    def add(self, symbol: str, qty: int, price: Decimal | None, book: str | None) -> None:
        self.driver.add(symbol, qty, price, book)

    @rule(symbol=symbols, delta=quantities, price=prices, book=books)
    def change(self, symbol: str, delta: int, price: Decimal | None, book: str | None) -> None:
        self.driver.change(symbol, delta, price, book)

    @rule(symbol=symbols, qty=quantities)
    def add_lot(self, symbol: str, qty: int) -> None:
        self.driver.add_lot(symbol, qty)

    @rule(symbol=symbols)
    def drop_lot(self, symbol: str) -> None:
        self.driver.drop_lot(symbol)

    @rule(symbol=symbols)
    def delete(self, symbol: str) -> None:
        self.driver.delete(symbol)

    @rule(book=books, delta=quantities)
    def bulk_update(self, book: str | None, delta: int) -> None:
        self.driver.bulk_update(book, delta)

    @rule(book=books)
    def count_book(self, book: str | None) -> None:
        self.driver.count_book(book)

    @rule()
    def flush(self) -> None:
        self.driver.flush()

    @rule()
    def commit(self) -> None:
        self.driver.commit()

    @rule()
    def rollback(self) -> None:
        self.driver.rollback()

    @rule()
    def begin_nested(self) -> None:
        self.driver.begin_nested()

    @precondition(lambda self: bool(self.driver.savepoints[0]))
    @rule(commit=st.booleans())
    def end_nested(self, commit: bool) -> None:
        self.driver.end_nested(commit)

    @rule()
    def expire_all(self) -> None:
        self.driver.expire_all()

    @invariant()
    def same_state(self) -> None:
        self.driver.check_state()

    def teardown(self) -> None:
        if hasattr(self, "driver"):
            self.driver.close()
        record(MACHINE_KEY)


TestSessionMachine = SessionMachine.TestCase
TestSessionMachine.settings = settings(profile, stateful_step_count=15)

# --- the same vocabulary as generated operation lists ------------------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), symbols, quantities, prices, books),
        st.tuples(st.just("change"), symbols, quantities, prices, books),
        st.tuples(st.just("add_lot"), symbols, quantities),
        st.tuples(st.just("drop_lot"), symbols),
        st.tuples(st.just("delete"), symbols),
        st.tuples(st.just("bulk_update"), books, quantities),
        st.sampled_from(
            [("flush",), ("commit",), ("rollback",), ("begin_nested",), ("expire_all",)]
        ),
        st.tuples(st.just("end_nested"), st.booleans()),
    ),
    min_size=5,
    max_size=40,
)


@settings(profile)
@given(ops=operations, mode=session_modes)
@counted
def test_generated_operation_lists(ops: list[tuple[Any, ...]], mode: str) -> None:
    driver = SessionDriver(mode)
    try:
        for name, *args in ops:
            getattr(driver, name)(*args)
        driver.commit()
        driver.check_state()
    finally:
        driver.close()
