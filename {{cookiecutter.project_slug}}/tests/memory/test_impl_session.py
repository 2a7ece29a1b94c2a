"""`MemorySession`: which statements its fast path answers, and that they match the general path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import ArgumentError, IntegrityError, PendingRollbackError
from sqlalchemy.orm import Session, joinedload

from {{ cookiecutter.package_name }}.adapters.memory.session import MemorySession

from .diff_schema import Base, Instrument, Order, seed


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


def test_results_behave_like_orm_results(engine: Engine) -> None:
    statement = select(Order).order_by(Order.id)
    with MemorySession(engine) as fast, Session(engine) as general:
        fast_result, general_result = fast.execute(statement), general.execute(statement)
        assert list(fast_result.keys()) == list(general_result.keys())
        fast_rows = [(row.Order.id, row[0].qty) for row in fast_result]
        assert fast_rows == [(row.Order.id, row[0].qty) for row in general_result]
        assert fast.scalar(statement).id == general.scalar(statement).id
        assert len(fast.scalars(statement).unique().all()) == len(fast_rows)


def test_a_failed_flush_leaves_the_session_needing_a_rollback(engine: Engine) -> None:
    with MemorySession(engine) as session:
        order = session.scalars(select(Order).order_by(Order.id)).first()
        assert order is not None
        session.add(Order(instrument_id=-1, side=order.side, qty=1, placed_at=order.placed_at))
        with pytest.raises(IntegrityError):
            session.flush()
        with pytest.raises(PendingRollbackError):
            session.scalars(select(Order)).all()
