"""ORM behaviour: identity map, autoflush, keys, defaults, loaders, cascades, get/merge/refresh."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Engine,
    MetaData,
    Numeric,
    String,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    joinedload,
    mapped_column,
    selectinload,
    subqueryload,
)

from .diff_schema import Account, AssetClass, Fill, Instrument, Order, Side, accounts, fills, orders
from .diffkit import EnginePair, new_session

PairFactory = Callable[..., EnginePair]
NOON = datetime(2024, 3, 1, 12)


class LabBase(DeclarativeBase):
    metadata = MetaData()


def _revision_from_name(context: Any) -> int:
    """An onupdate that reads the statement's parameters: the new name's length, else -1."""
    name = context.get_current_parameters().get("name")
    return len(name) if name else -1


class Run(LabBase):
    """A backtest run: every kind of default and onupdate."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    seed: Mapped[int] = mapped_column(default=42)
    label: Mapped[str] = mapped_column(
        String(48), default=lambda ctx: "run:" + ctx.get_current_parameters()["name"]
    )
    status: Mapped[str] = mapped_column(String(16), server_default="new")
    mode: Mapped[str] = mapped_column(String(16), server_default=text("'paper'"))
    retries: Mapped[int] = mapped_column(server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    revision: Mapped[int] = mapped_column(default=1, onupdate=_revision_from_name)
    touched: Mapped[str | None] = mapped_column(String(16), onupdate="touched")
    updated_at: Mapped[datetime | None] = mapped_column(onupdate=func.now())


class Quote(LabBase):
    """A row under optimistic concurrency control."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    bid: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    version: Mapped[int] = mapped_column(nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


def order_view(order: Order) -> tuple[Any, ...]:
    return (order.id, order.instrument_id, order.side, order.qty, order.limit_price, order.status)


def test_identity_map(trading: EnginePair) -> None:
    def work(session: Session) -> list[bool]:
        first = session.get(Order, 1)
        again = session.get(Order, 1)
        selected = session.scalars(select(Order).where(Order.id == 1)).one()
        via_relationship = session.scalars(select(Fill).where(Fill.id == 1)).one().order
        assert first is not None
        session.expunge(first)
        after_expunge = session.get(Order, 1)
        return [
            first is again,
            first is selected,
            first is via_relationship,
            first is after_expunge,
        ]

    assert trading.check_session(work) == [True, True, True, False]


def test_autoflush_and_no_autoflush(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        session.add(Account(code="PENDING"))
        with session.no_autoflush:
            hidden = session.scalar(select(func.count()).where(Account.code == "PENDING"))
            pending = len(session.new)
        seen = session.scalar(select(func.count()).where(Account.code == "PENDING"))
        return [hidden, pending, seen, len(session.new)]

    assert trading.check_session(work) == [0, 1, 1, 0]


def test_autoincrement_keys_assigned_at_flush(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        added = [Account(code=f"K{n}") for n in range(3)]
        session.add_all(added)
        before = [account.id for account in added]
        session.flush()
        return [before, [account.id for account in added]]

    assert trading.check_session(work) == [[None, None, None], [4, 5, 6]]


def test_autoincrement_after_explicit_keys_and_deletes(trading: EnginePair) -> None:
    # SQLite: an INTEGER PRIMARY KEY without AUTOINCREMENT takes max(id) + 1, so the top key
    # of a deleted row is handed out again.
    def work(session: Session) -> list[int]:
        session.add(Account(id=10, code="TEN"))
        session.flush()
        eleven = Account(code="AFTER-TEN")
        session.add(eleven)
        session.flush()
        session.delete(eleven)
        session.flush()
        reused = Account(code="REUSED")
        session.add(reused)
        session.commit()
        return [eleven.id, reused.id]

    trading.check_session(work)


def test_python_side_defaults(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        instrument = Instrument(
            symbol="NVDA", asset_class=AssetClass.EQUITY, tick_size=Decimal("0.01")
        )
        order = Order(instrument=instrument, side=Side.BUY, qty=1, placed_at=NOON)
        session.add(order)
        session.flush()
        return [instrument.active, order.status, order.account_id, instrument.listed_on]

    assert trading.check_session(work) == [True, "open", None, None]


def _run_snapshot(run: Run) -> list[Any]:
    now = datetime.now(UTC).replace(tzinfo=None)
    created = run.created_at
    updated = run.updated_at
    return [
        run.id,
        run.seed,
        run.label,
        run.status,
        run.mode,
        run.retries,
        run.revision,
        run.touched,
        (type(created).__name__, created.tzinfo is None, abs(now - created) < timedelta(minutes=1)),
        None
        if updated is None
        else (
            type(updated).__name__,
            updated.tzinfo is None,
            abs(now - updated) < timedelta(minutes=1),
        ),
    ]


def test_server_defaults_and_onupdate(pair_factory: PairFactory) -> None:
    # func.now() is compared by type, naivety and closeness to now (UTC), never by instant.
    pair = pair_factory(LabBase.metadata)

    def work(session: Session) -> list[Any]:
        run = Run(name="momentum")
        session.add(run)
        session.commit()
        created = _run_snapshot(run)
        run.name = "momentum-2"
        session.commit()
        updated = _run_snapshot(run)
        session.execute(update(Run).where(Run.id == run.id).values(retries=Run.retries + 1))
        session.commit()
        return [created, updated, _run_snapshot(run)]

    answer = pair.check_session(work)
    assert answer[0][3:8] == ["new", "paper", 0, 1, None]
    assert answer[1][6:8] == [len("momentum-2"), "touched"]
    assert answer[2][5:8] == [1, -1, "touched"]


def test_server_defaults_seen_through_core(pair_factory: PairFactory) -> None:
    pair = pair_factory(LabBase.metadata)
    runs = LabBase.metadata.tables["runs"]

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(insert(runs), [{"name": "a", "label": "x"}, {"name": "b", "label": "y"}])
            rows = conn.execute(
                select(runs.c.id, runs.c.seed, runs.c.status, runs.c.mode, runs.c.retries)
            ).all()
        return [tuple(row) for row in rows]

    assert pair.check(work) == [(1, 42, "new", "paper", 0), (2, 42, "new", "paper", 0)]


LOADERS = {
    "lazy": None,
    "selectinload": selectinload(Order.fills),
    "joinedload": joinedload(Order.fills),
    "subqueryload": subqueryload(Order.fills),
}


def loaded_orders(session: Session, loader: str) -> list[Any]:
    """Every order loaded with the `LOADERS` option, then its fills, instrument and account."""
    statement = select(Order).order_by(Order.id)
    option = LOADERS[loader]
    if option is not None:
        statement = statement.options(option)
    loaded = session.scalars(statement).unique().all()
    eager = [("fills" not in inspect(order).unloaded) for order in loaded]
    return [
        eager,
        [(order.id, [(fill.id, fill.qty, fill.price) for fill in order.fills]) for order in loaded],
        [(order.id, order.instrument.symbol) for order in loaded],
        [(order.id, order.account.code if order.account else None) for order in loaded],
    ]


@pytest.mark.parametrize("loader", list(LOADERS))
def test_relationship_loading(trading: EnginePair, loader: str) -> None:
    answer = trading.check_session(lambda session: loaded_orders(session, loader))
    assert all(answer[0]) is (loader != "lazy")


def test_nested_eager_loading_and_collections(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        instruments = session.scalars(
            select(Instrument)
            .options(selectinload(Instrument.orders).joinedload(Order.fills))
            .order_by(Instrument.id)
        ).unique()
        accounts_with_orders = session.scalars(
            select(Account).options(selectinload(Account.orders)).order_by(Account.id)
        ).all()
        return [
            [(x.symbol, [(o.id, [f.id for f in o.fills]) for o in x.orders]) for x in instruments],
            [(x.code, [o.id for o in x.orders]) for x in accounts_with_orders],
        ]

    trading.check_session(work)


def test_cascade_save_through_relationships(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        instrument = Instrument(
            symbol="ETH-USD", asset_class=AssetClass.CRYPTO, tick_size=Decimal("0.1")
        )
        order = Order(side=Side.BUY, qty=3, limit_price=Decimal("3100.10"), placed_at=NOON)
        order.fills.append(Fill(qty=2, price=Decimal("3100.00"), filled_at=NOON))
        order.fills.append(Fill(qty=1, price=Decimal("3099.90"), filled_at=NOON))
        instrument.orders.append(order)
        session.add(instrument)
        session.commit()
        return [table_rows(session, orders)[-1:], table_rows(session, fills)[-2:]]

    trading.check_session(work)


def test_cascade_delete_and_delete_orphan(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        order = session.get(Order, 1)
        assert order is not None
        order.fills.remove(order.fills[0])  # delete-orphan
        session.flush()
        after_orphan = table_rows(session, fills)
        moved = session.get(Fill, 3)
        assert moved is not None
        moved.order = order  # moved between parents: not an orphan
        session.flush()
        instrument = session.get(Instrument, 1)
        session.delete(instrument)  # ORM cascade through orders to fills
        session.commit()
        return [after_orphan, table_rows(session, orders), table_rows(session, fills)]

    trading.check_session(work)


def test_get_merge_refresh_expire(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        missing = session.get(Order, 999)
        detached = Order(id=2, instrument_id=1, side=Side.SELL, qty=41, placed_at=NOON)
        merged = session.merge(detached)
        brand_new = session.merge(
            Order(id=50, instrument_id=2, side=Side.BUY, qty=1, placed_at=NOON, status="open")
        )
        session.commit()
        merged_view = order_view(merged)
        session.execute(update(orders).where(orders.c.id == 2).values(qty=7, status="amended"))
        stale = merged.qty
        session.refresh(merged, ["qty"])
        partly = (merged.qty, merged.status)
        session.expire(merged)
        reloaded = (merged.qty, merged.status)
        return [missing, merged_view, order_view(brand_new), stale, partly, reloaded]

    answer = trading.check_session(work)
    assert answer[0] is None and answer[3] == 41 and answer[5] == (7, "amended")


def test_expire_on_commit_and_expire_all(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        order = session.get(Order, 4)
        assert order is not None
        session.commit()
        expired = "qty" in inspect(order).expired_attributes
        session.execute(update(orders).where(orders.c.id == 4).values(qty=99))
        first = order.qty
        session.execute(update(orders).where(orders.c.id == 4).values(qty=98))
        cached = order.qty
        session.expire_all()
        return [expired, first, cached, order.qty]

    assert trading.check_session(work) == [True, 99, 99, 98]


def test_populate_existing_overwrites_loaded_state(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        order = session.get(Order, 6)
        assert order is not None
        session.execute(update(orders).where(orders.c.id == 6).values(note="changed behind"))
        plain = session.scalars(select(Order).where(Order.id == 6)).one().note
        fresh = session.scalars(
            select(Order).where(Order.id == 6).execution_options(populate_existing=True)
        ).one()
        by_get = session.get(Order, 6, populate_existing=True)
        return [plain, fresh.note, fresh is order, by_get is order]

    assert trading.check_session(work) == ["", "changed behind", True, True]


def test_rollback_expires_and_discards_pending(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        order = session.get(Order, 5)
        assert order is not None
        order.qty = 500
        session.add(Account(code="GONE"))
        session.flush()
        session.rollback()
        return [order.qty, session.scalar(select(func.count()).select_from(accounts))]

    assert trading.check_session(work) == [25, 3]


def test_with_for_update_is_accepted(trading: EnginePair) -> None:
    # SQLite renders no FOR UPDATE; the rows come back as from a plain select.
    def work(session: Session) -> list[Any]:
        locked = session.scalars(
            select(Order).where(Order.status == "open").order_by(Order.id).with_for_update()
        ).all()
        return [order_view(order) for order in locked]

    assert trading.check_session(work)


def test_version_counter_detects_a_concurrent_change(pair_factory: PairFactory) -> None:
    pair = pair_factory(LabBase.metadata)
    quotes = LabBase.metadata.tables["quotes"]

    def work(engine: Engine) -> list[Any]:
        with new_session(engine) as session:
            quote = Quote(bid=Decimal("10.00"))
            session.add(quote)
            session.commit()
            quote.bid = Decimal("10.50")
            session.commit()
            seen: list[Any] = [quote.version]
            # a Core statement behind the ORM's back bumps the version
            session.execute(update(quotes).values(version=quotes.c.version + 1))
            quote.bid = Decimal("11.00")
            try:
                session.commit()
            except Exception as error:
                seen.append(type(error).__name__)
                session.rollback()
            session.delete(quote)
            session.commit()
            seen.append(session.scalar(select(func.count()).select_from(quotes)))
        return seen

    assert pair.check(work) == [2, "StaleDataError", 0]


def test_legacy_bulk_mappings(trading: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        session.bulk_insert_mappings(
            Account,
            [{"code": "L1"}, {"code": "L2", "owner": "Lee"}],
        )
        session.bulk_update_mappings(
            Account,
            [{"id": 1, "owner": "Ada B."}, {"id": 5, "owner": None}],
        )
        session.commit()
        return table_rows(session, accounts)

    trading.check_session(work)


def table_rows(session: Session, table: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key))]
