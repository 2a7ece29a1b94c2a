"""`MemorySession`: which statements its fast path answers, and that they match the general path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    Engine,
    ForeignKey,
    Integer,
    bindparam,
    create_engine,
    event,
    insert,
    inspect,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.exc import ArgumentError, IntegrityError, PendingRollbackError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
)

from {{ cookiecutter.package_name }}.adapters.memory.session import MemorySession
from {{ cookiecutter.package_name }}.adapters.memory.session_transaction import LazyRecordsTransaction

from .diff_schema import OPENING, Base, Instrument, Order, Side, seed


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = create_engine("memory://")
    Base.metadata.create_all(engine)
    seed(engine)
    yield engine
    engine.dispose()


def _statements_sent(engine: Engine) -> list[str]:
    sent: list[str] = []

    def on_execute(*args: Any) -> None:
        sent.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", on_execute)
    return sent


def _open_orders(session: Session) -> list[tuple[Any, ...]]:
    statement = select(Order).where(Order.qty > 0).order_by(Order.id)
    return [
        (o.id, o.instrument_id, o.qty, o.limit_price, o.status) for o in session.scalars(statement)
    ]


def test_entity_select_is_answered_without_a_statement(engine: Engine) -> None:
    sent = _statements_sent(engine)
    with MemorySession(engine) as fast, Session(engine) as general:
        assert _open_orders(fast) == _open_orders(general)
    assert len(sent) == 1  # only the general session sent its SELECT


def test_fast_path_off_in_the_url_sends_every_statement() -> None:
    engine = create_engine("memory://?fast_path=off")
    Base.metadata.create_all(engine)
    seed(engine)
    sent = _statements_sent(engine)
    with MemorySession(engine) as session:
        assert _open_orders(session)
    assert len(sent) == 1
    engine.dispose()


def test_fast_path_switch_must_be_on_or_off() -> None:
    with pytest.raises(ArgumentError, match="fast_path must be on or off, got 'maybe'"):
        create_engine("memory://?fast_path=maybe")


def test_loader_options_fall_back_to_the_general_path(engine: Engine) -> None:
    sent = _statements_sent(engine)
    with MemorySession(engine) as session:
        orders = session.scalars(select(Order).options(joinedload(Order.fills))).unique().all()
        assert orders
    assert len(sent) == 1


def test_objects_come_from_the_identity_map_and_pending_changes_are_flushed(
    engine: Engine,
) -> None:
    with MemorySession(engine) as session:
        first = session.scalars(select(Order).order_by(Order.id)).first()
        assert first is not None
        first.qty = 12_345
        again = session.scalars(select(Order).where(Order.qty == 12_345)).one()
        assert again is first


def test_expired_objects_are_reloaded(engine: Engine) -> None:
    with MemorySession(engine) as session, Session(engine) as other:
        order = session.scalars(select(Order).order_by(Order.id)).first()
        assert order is not None
        key = order.id
        session.commit()  # expires on commit
        changed = other.get(Order, key)
        assert changed is not None
        changed.qty = 777
        other.commit()
        reloaded = session.scalars(select(Order).where(Order.id == key)).one()
        assert reloaded is order and order.qty == 777


def test_get_reads_through_the_plan_and_then_uses_the_identity_map(engine: Engine) -> None:
    sent = _statements_sent(engine)
    with MemorySession(engine) as session:
        key = session.scalars(select(Instrument.id).order_by(Instrument.id)).first()
        assert key is not None
        instrument = session.get(Instrument, key)
        assert instrument is not None and instrument.id == key
        assert session.get(Instrument, key) is instrument
        assert session.get(Instrument, -1) is None
    assert len(sent) == 1  # the column SELECT; the entity reads were answered in the session


def test_get_of_held_expired_and_deleted_objects_matches_the_general_path() -> None:
    def scenario(session_class: type[Session]) -> list[Any]:
        engine = create_engine("memory://")
        Base.metadata.create_all(engine)
        seed(engine)
        try:
            with session_class(engine) as session:
                return _get_scenario(session)
        finally:
            engine.dispose()

    found = scenario(MemorySession)
    assert found == scenario(Session)
    assert found[:3] == [True, True, True] and found[5] is None


def test_get_as_the_first_use_of_new_mappers_configures_them() -> None:
    """Relationship strategies exist only once the mappers are configured: a `get` before
    any query must configure them, as `Session.get` does, before judging the mapper."""

    class Fresh(DeclarativeBase):
        pass

    class Desk(Fresh):
        __tablename__ = "desks"
        id: Mapped[int] = mapped_column(primary_key=True)
        traders: Mapped[list[Trader]] = relationship(back_populates="desk")

    class Trader(Fresh):
        __tablename__ = "traders"
        id: Mapped[int] = mapped_column(primary_key=True)
        desk_id: Mapped[int] = mapped_column(ForeignKey("desks.id"))
        desk: Mapped[Desk] = relationship(back_populates="traders")

    engine = create_engine("memory://")
    try:
        Fresh.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(insert(Desk), [{"id": 1}])
            conn.execute(insert(Trader), [{"id": 7, "desk_id": 1}])
        with MemorySession(engine) as session:
            trader = session.get(Trader, 7)
            assert trader is not None and trader.desk.id == 1
    finally:
        engine.dispose()


def _get_scenario(session: Session) -> list[Any]:
    seen: list[Any] = []
    order = session.get(Order, 1)
    assert order is not None
    seen.append(session.get(Order, 1) is order)
    session.expire(order, ["qty"])
    seen.append(session.get(Order, 1) is order)
    order.qty += 1
    session.commit()
    again = session.get(Order, 1)
    seen += [again is order, again is not None and again.qty]
    session.delete(order)
    seen.append(session.get(Order, 1) is order)
    session.flush()
    seen.append(session.get(Order, 1))
    session.rollback()
    seen.append(getattr(session.get(Order, 1), "qty", None))
    return seen


def test_results_behave_like_orm_results(engine: Engine) -> None:
    statement = select(Order).order_by(Order.id)
    with MemorySession(engine) as fast, Session(engine) as general:
        fast_result, general_result = fast.execute(statement), general.execute(statement)
        assert list(fast_result.keys()) == list(general_result.keys())
        fast_rows = [(row.Order.id, row[0].qty) for row in fast_result]
        assert fast_rows == [(row.Order.id, row[0].qty) for row in general_result]
        assert fast.scalar(statement).id == general.scalar(statement).id
        assert len(fast.scalars(statement).unique().all()) == len(fast_rows)

        def shapes(session: Session) -> list[Any]:
            return [
                [[row[0].id for row in part] for part in session.execute(statement).partitions(4)],
                [order.id for order in next(session.scalars(statement).partitions(5))],
                session.execute(statement).mappings().first()["Order"].id,
                [row.Order.id for row in session.execute(statement).fetchmany(3)],
            ]

        assert shapes(fast) == shapes(general)


def test_a_failed_flush_leaves_the_session_needing_a_rollback(engine: Engine) -> None:
    with MemorySession(engine) as session:
        order = session.scalars(select(Order).order_by(Order.id)).first()
        assert order is not None
        session.add(Order(instrument_id=-1, side=order.side, qty=1, placed_at=order.placed_at))
        with pytest.raises(IntegrityError):
            session.flush()
        with pytest.raises(PendingRollbackError):
            session.scalars(select(Order)).all()


def test_a_statement_built_from_an_answered_one_is_answered_for_its_own_criteria(
    engine: Engine,
) -> None:
    every = select(Order).order_by(Order.id)
    with MemorySession(engine) as fast, Session(engine) as general:
        all_ids = [order.id for order in fast.scalars(every)]
        narrowed = every.where(Order.qty > 5)
        fast_ids = [order.id for order in fast.scalars(narrowed)]
        assert fast_ids == [order.id for order in general.scalars(narrowed)]
        assert 0 < len(fast_ids) < len(all_ids)
        assert [order.id for order in fast.scalars(every)] == all_ids


def _ids(session: Session, statement: Any, **params: Any) -> list[int]:
    return [order.id for order in session.scalars(statement, params or None)]


def test_repeated_reads_see_what_other_sessions_commit_and_nothing_before(engine: Engine) -> None:
    by_status = select(Order).where(Order.status == bindparam("status")).order_by(Order.id)
    with MemorySession(engine) as reader, MemorySession(engine) as writer:
        before = _ids(reader, by_status, status="open")
        assert before == _ids(reader, by_status, status="open")
        changed = writer.get(Order, before[0])
        assert changed is not None
        changed.status = "cancelled"
        writer.flush()  # written, not committed: the reader still sees the committed rows
        assert _ids(reader, by_status, status="open") == before
        assert _ids(writer, by_status, status="open") == before[1:]
        writer.commit()
        assert _ids(reader, by_status, status="open") == before[1:]
        assert before[0] in _ids(reader, by_status, status="cancelled")


def test_repeated_reads_see_the_sessions_own_writes(engine: Engine) -> None:
    by_status = select(Order).where(Order.status == bindparam("status")).order_by(Order.id)
    with MemorySession(engine) as session:
        before = _ids(session, by_status, status="open")
        session.get_one(Order, before[-1]).status = "filled"
        assert _ids(session, by_status, status="open") == before[:-1]
        session.rollback()
        assert _ids(session, by_status, status="open") == before


def test_repeated_reads_follow_the_table_being_emptied_dropped_or_disposed(engine: Engine) -> None:
    every = select(Order).order_by(Order.id)
    with MemorySession(engine) as session:
        assert _ids(session, every)
    with engine.begin() as connection:
        connection.execute(Order.__table__.delete())
    with MemorySession(engine) as session:
        assert _ids(session, every) == []
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    seed(engine)
    with MemorySession(engine) as session:
        assert _ids(session, every)
    engine.dispose()  # a new, empty database
    Base.metadata.create_all(engine)
    with MemorySession(engine) as session:
        assert _ids(session, every) == []


def test_repeated_reads_tell_parameter_types_apart(engine: Engine) -> None:
    """SQL's own `/` divides integers as integers: dividing by 2 and by 2.0 finds different rows."""
    halves = select(Order).where(Order.qty.op("/")(bindparam("by")) == 1).order_by(Order.id)
    with MemorySession(engine) as fast, Session(engine) as general:
        found = []
        for by in (2, 2.0, True, 2, 2.0):
            found.append(_ids(fast, halves, by=by))
            assert found[-1] == _ids(general, halves, by=by), by
    assert found[0] != found[1]


def test_repeated_reads_tell_equal_instants_in_other_zones_apart(engine: Engine) -> None:
    """A naive DateTime column binds an aware time's wall clock: equal instants differ."""
    at = select(Order).where(Order.placed_at == bindparam("at", type_=Order.placed_at.type))
    opening = OPENING.replace(tzinfo=UTC)
    same_instant = opening.astimezone(timezone(timedelta(minutes=5)))
    assert opening == same_instant
    with MemorySession(engine) as fast, Session(engine) as general:
        found = [_ids(fast, at, at=when) for when in (opening, same_instant, opening)]
        assert found == [_ids(general, at, at=when) for when in (opening, same_instant, opening)]
    assert found[0] and found[1] and found[0] != found[1]


def test_repeated_reads_key_in_list_tuples_by_their_items(engine: Engine) -> None:
    """Tuples made afresh for each call (a freed tuple's id comes back), given again, or equal
    to a list all find their own rows."""
    by_statuses = (
        select(Order)
        .where(Order.status.in_(bindparam("statuses", expanding=True)))
        .order_by(Order.id)
    )
    constant = ("open",)
    statuses = ["filled", "open", "cancelled", "filled", "open"]
    with MemorySession(engine) as fast, Session(engine) as general:
        fresh = [_ids(fast, by_statuses, statuses=tuple([status])) for status in statuses]
        assert fresh == [_ids(general, by_statuses, statuses=(status,)) for status in statuses]
        asked: list[Any] = [constant, ("open", "filled"), ["filled"], constant, ("filled",)]
        found = [_ids(fast, by_statuses, statuses=value) for value in asked]
        assert found == [_ids(general, by_statuses, statuses=value) for value in asked]
    assert fresh[0] and fresh[1] and fresh[0] != fresh[1]
    assert found[1] == sorted(found[0] + found[2])


def test_statements_rebuilt_with_other_literals_find_their_own_rows(engine: Engine) -> None:
    """A shape built afresh per call holds its values itself: each build finds the rows of its
    own values, whether they are text, lists, times in other zones, coerced, computed on use or
    beside a named parameter, and no statement is sent for them."""
    opening = OPENING.replace(tzinfo=UTC)
    same_instant = opening.astimezone(timezone(timedelta(minutes=5)))
    builds: list[tuple[Any, dict[str, Any]]] = []
    for status, sides, when, qty in (
        ("open", [Side.BUY], opening, 5),
        ("filled", [Side.SELL, Side.BUY], same_instant, 1),
        ("open", [Side.SELL], opening, 20),
    ):
        builds += [
            (select(Order).where(Order.status == status, Order.qty.between(qty, qty + 9)), {}),
            (select(Order).where(Order.side.in_(sides)).order_by(Order.id), {}),
            (select(Order).where(Order.placed_at >= literal(when, Order.placed_at.type)), {}),
            (select(Order).where(type_coerce(Order.qty, Integer) > type_coerce(qty, Integer)), {}),
            (select(Order).where(Order.qty > bindparam("q", callable_=lambda q=qty: q)), {}),
            (
                select(Order).where(Order.status == status, Order.qty > bindparam("least")),
                {"least": qty},
            ),
        ]
    sent = _statements_sent(engine)
    with MemorySession(engine) as fast:
        found = [_ids(fast, statement, **params) for statement, params in builds]
    fast_sent = len(sent)
    with Session(engine) as general:
        assert found == [_ids(general, statement, **params) for statement, params in builds]
    assert fast_sent == 0
    for first, second in zip(found[:6], found[6:12], strict=True):
        assert first != second


def test_commit_expires_loaded_objects_and_detaches_deleted_ones(engine: Engine) -> None:
    with MemorySession(engine) as session:
        orders = session.scalars(select(Order).order_by(Order.id)).all()
        kept, deleted = orders[0], orders[-1]
        kept.note = "seen"
        session.delete(deleted)
        session.commit()
        assert not session.in_transaction()
        assert "note" in inspect(kept).expired_attributes
        assert inspect(deleted).detached
        assert kept.note == "seen"  # reloaded
    with Session(engine) as general:
        assert general.get(Order, deleted.id) is None


_RECORDS = {"_new", "_deleted", "_dirty", "_key_switches"}


def test_a_transaction_that_only_reads_makes_no_restoration_records(engine: Engine) -> None:
    with MemorySession(engine) as session:
        session.scalars(select(Order)).all()
        transaction = session.get_transaction()
        assert isinstance(transaction, LazyRecordsTransaction)
        assert not _RECORDS & transaction.__dict__.keys()
        session.commit()
        with session.begin():
            assert isinstance(session.get_transaction(), LazyRecordsTransaction)


def _rolled_back_states(session: Session) -> list[tuple[str, Any]]:
    """Add one order and delete another, flush, roll back: the objects' states afterwards."""
    kept = session.get_one(Order, 1)
    deleted = session.get_one(Order, 2)
    added = Order(instrument_id=kept.instrument_id, side=kept.side, qty=3, placed_at=kept.placed_at)
    session.add(added)
    session.delete(deleted)
    kept.note = "changed"
    with session.begin_nested():
        kept.qty = 99
        session.flush()
    session.flush()
    session.rollback()
    return [
        ("added", (inspect(added).transient, added in session)),
        ("deleted", (inspect(deleted).persistent, deleted in session)),
        ("kept", (inspect(kept).persistent, sorted(inspect(kept).expired_attributes))),
        ("stored", sorted((o.id, o.qty, o.note) for o in session.scalars(select(Order)))),
    ]


def test_a_rollback_restores_what_the_records_made_on_demand_hold(engine: Engine) -> None:
    with MemorySession(engine) as fast:
        seen = _rolled_back_states(fast)
    with Session(engine) as general:
        assert seen == _rolled_back_states(general)
    assert seen[0][1] == (True, False)
    assert seen[1][1] == (True, True)


def _commit_events(session: Session) -> list[str]:
    calls: list[str] = []
    for name in ("before_commit", "after_commit", "after_transaction_end"):
        event.listen(session, name, lambda *_args, name=name: calls.append(name))
    session.get_one(Order, 1).note = "listened"
    session.commit()
    return calls


def test_commit_listeners_take_the_general_path_and_are_called(engine: Engine) -> None:
    with MemorySession(engine) as fast, Session(engine) as general:
        calls = _commit_events(fast)
        assert calls == _commit_events(general)
    assert "after_commit" in calls


def _commit_without_a_transaction(session: Session) -> list[Any]:
    calls: list[str] = []
    for name in ("after_transaction_create", "after_transaction_end"):
        event.listen(session, name, lambda *_args, name=name: calls.append(name))
    session.commit()
    outcome: list[Any] = [calls, session.in_transaction()]
    no_autobegin = type(session)(session.bind, autobegin=False)
    try:
        no_autobegin.commit()
    except Exception as error:
        outcome.append((type(error).__name__, str(error)))
    return outcome


def test_a_commit_before_anything_begins_and_ends_a_transaction(engine: Engine) -> None:
    with MemorySession(engine) as fast, Session(engine) as general:
        found = _commit_without_a_transaction(fast)
        assert found == _commit_without_a_transaction(general)
    assert found[:2] == [["after_transaction_create", "after_transaction_end"], False]
    assert found[2][0] == "InvalidRequestError"
    with MemorySession(engine) as quiet:
        quiet.commit()
        assert not quiet.in_transaction()


def test_a_commit_that_fails_leaves_the_session_needing_a_rollback(engine: Engine) -> None:
    with MemorySession(engine) as session:
        order = session.get_one(Order, 1)
        session.add(Order(instrument_id=-1, side=order.side, qty=1, placed_at=order.placed_at))
        with pytest.raises(IntegrityError):
            session.commit()
        with pytest.raises(PendingRollbackError):
            session.commit()
        session.rollback()
        assert session.get_one(Order, 1) is order


def test_a_class_bound_to_another_engine_is_read_from_that_engine(engine: Engine) -> None:
    other = create_engine("memory://")
    Base.metadata.create_all(other)  # the same tables, no rows
    try:
        with MemorySession(engine, binds={Order: other}) as session:
            assert session.scalars(select(Order)).all() == []
            assert session.get(Order, 1) is None
            assert session.get(Instrument, 1) is not None  # still from the session's engine
    finally:
        other.dispose()
