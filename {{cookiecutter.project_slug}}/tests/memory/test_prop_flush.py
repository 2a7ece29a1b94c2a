"""Generated unit-of-work steps on models without relationships, where the fast flush writes.

Adds (with keys given or left to the database), updates (some set back, some SQL expressions),
Core updates and deletes behind the ORM, session deletes, flushes, commits, rollbacks, savepoints
and queries run on a session per engine; the outcome of every step (errors by class) and then the
session's objects and the rows its transaction sees must agree, and at the end the rows each
database holds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Engine,
    ForeignKey,
    MetaData,
    Numeric,
    String,
    UniqueConstraint,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, SessionTransaction, mapped_column

from .casecount import PROFILE, counted
from .diffkit import (
    SESSION_MODES,
    EnginePair,
    PairedSessionSteps,
    assert_same,
    error_outcome,
    held_objects,
    make_pair,
    new_session,
    set_session_mode,
)

# Random steps touch objects after failed flushes and add keys already loaded; the ORM warns
# the same way on both sides.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Session's state has been changed:sqlalchemy.exc.SAWarning"),
    pytest.mark.filterwarnings("ignore:New instance .* conflicts:sqlalchemy.exc.SAWarning"),
    pytest.mark.filterwarnings("ignore:Identity map already had:sqlalchemy.exc.SAWarning"),
]


class PropBase(DeclarativeBase):
    metadata = MetaData()


class Account(PropBase):
    """Parents: a string key given by the caller, a unique name."""

    __tablename__ = "accounts"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(16), unique=True)
    balance: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    active: Mapped[bool]


class Holding(PropBase):
    """Children: an integer key, a foreign key to accounts and one to another holding."""

    __tablename__ = "holdings"
    __table_args__ = (UniqueConstraint("account_code", "symbol"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_code: Mapped[str] = mapped_column(ForeignKey("accounts.code"))
    symbol: Mapped[str] = mapped_column(String(8))
    qty: Mapped[int]
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    hedge_id: Mapped[int | None] = mapped_column(ForeignKey("holdings.id"))
    opened_at: Mapped[datetime | None]


accounts = PropBase.metadata.tables["accounts"]
holdings = PropBase.metadata.tables["holdings"]
OPEN = datetime(2024, 3, 1, 9, 30)


def seed(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(accounts),
            [
                {"code": "A", "name": "alpha", "balance": Decimal("100.00"), "active": True},
                {"code": "B", "name": "beta", "balance": Decimal("-2.50"), "active": False},
            ],
        )
        conn.execute(
            insert(holdings),
            [
                dict(zip(holdings.c.keys(), row, strict=True))
                for row in [
                    (1, "A", "ES", 10, None, None, None),
                    (2, "A", "NQ", -5, Decimal("12.5"), 1, None),
                    (3, "B", "ES", 7, Decimal("0.0001"), None, OPEN),
                ]
            ],
        )


# Mostly valid writes, so most flushes succeed; the rarer values break a constraint.
codes = st.sampled_from(["A", "B", "A", "B", "C", "D"])
new_codes = st.sampled_from(["C", "D", "E", "F", "A"])
names = st.sampled_from(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
balances = st.decimals(Decimal("-999.99"), Decimal("999.99"), places=2)
keys = st.integers(1, 9)
new_keys = st.integers(4, 30) | st.integers(1, 3)
symbols = st.sampled_from(["ES", "NQ", "CL", "GC", "ZN", "6E", "BTC"])
quantities = st.integers(-20, 20)
prices = st.none() | st.decimals(Decimal("0.0001"), Decimal("9999.9999"), places=4)
hedges = st.none() | st.none() | st.integers(1, 4)
opened = st.none() | st.integers(0, 3).map(lambda days: OPEN + timedelta(days=days, seconds=days))


class FlushDriver(PairedSessionSteps):
    """A session per engine; each step runs on both and its outcome and the state are compared."""

    def __init__(
        self, mode: str, peek: bool = True, expire_on_commit: bool = True, autoflush: bool = True
    ) -> None:
        self.peek = peek
        """Whether the state check reads the rows through each session's transaction, which
        then holds a connection; without, a commit after reads alone takes the memory
        session's direct commit, and the rows are compared once committed."""
        self.pair: EnginePair = make_pair(PropBase.metadata)
        self.pair.run(seed)
        set_session_mode(mode)
        self.sessions = [
            new_session(engine, expire_on_commit=expire_on_commit, autoflush=autoflush)
            for _, engine in self.pair.sides()
        ]
        self.savepoints: list[list[SessionTransaction]] = [[], []]
        self.kept: list[list[object]] = [[], []]
        """Objects the program holds, so the identity map keeps them."""

    def apply(self, what: str, action: Callable[[Session, int], Any]) -> None:
        outcomes: list[Any] = []
        for side, session in enumerate(self.sessions):
            try:
                outcomes.append(action(session, side))
            except Exception as error:
                outcomes.append(error_outcome(error))
        assert_same(outcomes[0], outcomes[1], what)
        self.check_state(what)

    def check_state(self, after: str) -> None:
        states = [self.state(session) for session in self.sessions]
        assert_same(states[0], states[1], f"the state after {after}")

    def state(self, session: Session) -> list[Any]:
        active = session.is_active
        rows: list[Any] = []
        if active and self.peek:
            conn = session.connection()
            for table in (accounts, holdings):
                rows.append(
                    [tuple(row) for row in conn.execute(select(table).order_by(*table.c[:1]))]
                )
        return [active, session.in_nested_transaction(), held_objects(session), rows]

    def check_committed(self) -> None:
        """The rows each database holds once the sessions are closed."""
        for session in self.sessions:
            session.close()

        def committed(engine: Engine) -> list[Any]:
            with engine.connect() as conn:
                return [
                    [tuple(row) for row in conn.execute(select(table).order_by(*table.c[:1]))]
                    for table in (accounts, holdings)
                ]

        found = [committed(engine) for _, engine in self.pair.sides()]
        assert_same(found[0], found[1], "the committed rows")

    def close(self) -> None:
        for session in self.sessions:
            session.close()
        self.pair.dispose()

    def _holding(self, session: Session, side: int, key: int) -> Holding | None:
        found = session.get(Holding, key)
        if found is not None:
            self.kept[side].append(found)
        return found

    # --- steps -------------------------------------------------------------------------------

    def add_account(self, code: str, name: str, balance: Decimal, active: bool) -> None:
        def action(session: Session, side: int) -> None:
            account = Account(code=code, name=name, balance=balance, active=active)
            session.add(account)
            self.kept[side].append(account)

        self.apply(f"add account {code}", action)

    def add_holding(
        self,
        key: int | None,
        code: str,
        symbol: str,
        qty: int,
        price: Decimal | None,
        hedge: int | None,
        at: datetime | None,
    ) -> None:
        def action(session: Session, side: int) -> None:
            holding = Holding(
                id=key,
                account_code=code,
                symbol=symbol,
                qty=qty,
                price=price,
                hedge_id=hedge,
                opened_at=at,
            )
            session.add(holding)
            self.kept[side].append(holding)

        self.apply(f"add holding {key}", action)

    def change_holding(
        self, key: int, delta: int, price: Decimal | None, hedge: int | None
    ) -> None:
        def action(session: Session, side: int) -> object:
            holding = self._holding(session, side, key)
            if holding is None:
                return "absent"
            holding.qty += delta
            holding.price = price
            holding.hedge_id = hedge
            return None

        self.apply(f"change holding {key}", action)

    def set_back(self, key: int, qty: int) -> None:
        def action(session: Session, side: int) -> object:
            holding = self._holding(session, side, key)
            if holding is None:
                return "absent"
            before = holding.qty
            holding.qty = qty
            holding.qty = before
            return session.is_modified(holding)

        self.apply(f"set back holding {key}", action)

    def add_by_expression(self, key: int, delta: int) -> None:
        def action(session: Session, side: int) -> object:
            holding = self._holding(session, side, key)
            if holding is None:
                return "absent"
            holding.qty = Holding.qty + delta
            return None

        self.apply(f"SQL expression for holding {key}", action)

    def change_account(self, code: str, name: str, balance: Decimal, active: bool) -> None:
        def action(session: Session, side: int) -> object:
            account = session.get(Account, code)
            if account is None:
                return "absent"
            self.kept[side].append(account)
            account.name, account.balance, account.active = name, balance, active
            return None

        self.apply(f"change account {code}", action)

    def core_update(self, key: int, qty: int) -> None:
        statement = update(holdings).where(holdings.c.id == key).values(qty=qty)
        self.apply(f"Core update of {key}", lambda s, _: s.execute(statement).rowcount)  # type: ignore[attr-defined]

    def core_delete(self, key: int) -> None:
        statement = delete(holdings).where(holdings.c.id == key)
        self.apply(f"Core delete of {key}", lambda s, _: s.execute(statement).rowcount)  # type: ignore[attr-defined]

    def session_delete(self, key: int) -> None:
        def action(session: Session, side: int) -> object:
            holding = self._holding(session, side, key)
            if holding is not None:
                session.delete(holding)
            return holding is not None

        self.apply(f"session delete of {key}", action)

    def query(self, least: int) -> None:
        statement = select(Holding).where(Holding.qty >= least).order_by(Holding.id)
        self.apply(
            f"query qty >= {least}",
            lambda s, _: [(h.id, h.account_code, h.qty) for h in s.scalars(statement)],
        )

    def totals(self) -> None:
        statement = select(func.count(), func.sum(Holding.qty), func.count(Holding.hedge_id))
        self.apply("totals", lambda s, _: tuple(s.execute(statement).one()))


steps = st.lists(
    st.one_of(
        st.tuples(st.just("add_account"), new_codes, names, balances, st.booleans()),
        st.tuples(
            st.just("add_holding"),
            st.none() | new_keys,
            codes,
            symbols,
            quantities,
            prices,
            hedges,
            opened,
        ),
        st.tuples(
            st.just("add_holding"), new_keys, codes, symbols, quantities, prices, hedges, opened
        ),
        st.tuples(st.just("change_holding"), keys, quantities, prices, hedges),
        st.tuples(st.just("set_back"), keys, quantities),
        st.tuples(st.just("add_by_expression"), keys, quantities),
        st.tuples(st.just("change_account"), codes, names, balances, st.booleans()),
        st.tuples(st.just("core_update"), keys, quantities),
        st.tuples(st.just("core_delete"), keys),
        st.tuples(st.just("session_delete"), keys),
        st.tuples(st.just("query"), quantities),
        st.tuples(st.just("end_nested"), st.booleans()),
        st.sampled_from(
            [
                ("flush",),
                ("commit",),
                ("rollback",),
                ("begin_nested",),
                ("expire_all",),
                ("totals",),
            ]
        ),
    ),
    min_size=4,
    max_size=24,
)


@settings(settings.get_profile(PROFILE), max_examples=150)
@given(
    ops=steps,
    mode=st.sampled_from(SESSION_MODES),
    peek=st.booleans(),
    expire_on_commit=st.booleans(),
)
@example(  # a delete in a transaction that has only read, then its commit
    ops=[("session_delete", 3), ("commit",), ("session_delete", 1)],
    mode="fast",
    peek=False,
    expire_on_commit=True,
)
@counted
def test_generated_flush_steps(
    ops: list[tuple[Any, ...]], mode: str, peek: bool, expire_on_commit: bool
) -> None:
    run_to_the_end(FlushDriver(mode, peek, expire_on_commit), ops)


commit_steps = st.lists(
    st.one_of(
        st.tuples(st.just("add_account"), new_codes, names, balances, st.booleans()),
        st.tuples(
            st.just("add_holding"), new_keys, codes, symbols, quantities, prices, hedges, opened
        ),
        st.tuples(st.just("change_holding"), keys, quantities, prices, hedges),
        st.tuples(st.just("set_back"), keys, quantities),
        st.tuples(st.just("change_account"), codes, names, balances, st.booleans()),
        st.tuples(st.just("session_delete"), keys),
        st.sampled_from([("commit",), ("commit",), ("rollback",), ("expire_all",)]),
    ),
    min_size=2,
    max_size=16,
)


@settings(settings.get_profile(PROFILE), max_examples=100)
@given(ops=commit_steps, expire_on_commit=st.booleans())
@counted
def test_generated_commits_after_reads_alone(
    ops: list[tuple[Any, ...]], expire_on_commit: bool
) -> None:
    """Objects read by primary key, changed, added and deleted, then committed, with no flush,
    query or autoflush between: on `memory://` the transaction holds no connection, so its
    commits are the memory session's direct commits where it can take them."""
    driver = FlushDriver("fast", peek=False, expire_on_commit=expire_on_commit, autoflush=False)
    run_to_the_end(driver, ops)


def run_to_the_end(driver: FlushDriver, ops: list[tuple[Any, ...]]) -> None:
    """Every step, a last commit, then the rows each database holds."""
    try:
        for name, *args in ops:
            getattr(driver, name)(*args)
        driver.commit()
        driver.check_committed()
    finally:
        driver.close()
