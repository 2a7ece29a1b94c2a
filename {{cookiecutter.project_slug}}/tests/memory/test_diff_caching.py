"""Statement caching: ordinary statements are compiled once and reused ("cached since")."""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Engine,
    Integer,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import joinedload, selectinload

from .diff_schema import Account, Instrument, Order, Side, accounts, orders
from .diffkit import EnginePair, new_session

STATS = re.compile(
    r"^\[(generated in|cached since|no key|dialect \S+ does not support caching|raw sql)"
)
NEVER = ("no key", "does not support caching")


def workload(engine: Engine, round_: int) -> None:
    """Core and ORM statements of the kinds an application issues, built afresh each round."""
    o = orders.c
    with engine.begin() as conn:
        conn.execute(select(o.id).where(o.status == "open", o.qty > 5).order_by(o.id)).all()
        conn.execute(
            select(o.id).where(o.status.in_(bindparam("statuses", expanding=True))),
            {"statuses": ["open", "filled"][: round_ + 1]},
        ).all()
        conn.execute(select(func.count()).select_from(orders).where(o.side == Side.BUY)).scalar()
        conn.execute(insert(accounts).values(code=f"C{round_}"))
        conn.execute(insert(accounts), [{"code": f"M{round_}-{n}"} for n in range(3)])
        conn.execute(update(orders).where(o.id == 2).values(qty=o.qty + 1))
        conn.execute(delete(accounts).where(accounts.c.code == f"C{round_}"))
    with new_session(engine) as session:
        session.scalars(
            select(Order).options(selectinload(Order.fills)).where(Order.status == "open")
        ).all()
        session.scalars(select(Order).options(joinedload(Order.instrument))).all()
        session.get(Instrument, 1 + round_)
        session.add(Account(code=f"S{round_}"))
        session.flush()
        order = session.get(Order, 3)
        assert order is not None
        order.limit_price = Decimal(round_)
        session.commit()


def cache_tags(engine: Engine, caplog: pytest.LogCaptureFixture) -> list[list[str]]:
    """The statistics tag of every statement, per round, without the BEGIN of the reference."""
    rounds: list[list[str]] = []
    for round_ in range(2):
        caplog.clear()
        workload(engine, round_)
        messages = [record.getMessage() for record in caplog.records]
        tags = [
            f"{match.group(1)}: {messages[n - 1].splitlines()[0][:60]}"
            for n, message in enumerate(messages)
            if (match := STATS.match(message)) and match.group(1) != "raw sql"
        ]
        rounds.append(tags)
    return rounds


def test_ordinary_statements_are_cached(
    trading: EnginePair, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    for side, engine in trading.sides():
        first, second = cache_tags(engine, caplog)
        assert len(second) >= 10, f"{side}: too few statements were logged: {second}"
        forbidden = [tag for tag in first + second if any(bad in tag for bad in NEVER)]
        assert not forbidden, f"{side}: statements not cached: {forbidden}"
        uncached = [tag for tag in second if not tag.startswith("cached since")]
        assert not uncached, f"{side}: compiled again on reuse: {uncached}"


def test_the_dialect_declares_statement_caching(trading: EnginePair) -> None:
    assert trading.check(lambda engine: engine.dialect.supports_statement_cache) is True


def test_a_cached_statement_takes_each_executions_literal_values(trading: EnginePair) -> None:
    """Rebuilt with other literals, a statement reuses its compiled form with the new values;
    a `type_coerce`d literal too, though SQLAlchemy compiles a typed copy of its parameter."""

    def run(engine: Engine) -> list[Any]:
        answers: list[Any] = []
        with engine.connect() as conn:
            for value in (5, -3, 7):
                statement = select(
                    type_coerce(literal(value), Integer) + 1,
                    func.abs(type_coerce(literal(value), Integer)),
                    literal(value) * 2,
                )
                answers.append(conn.execute(statement).one())
        return answers

    assert [row[0] for row in trading.check(run)] == [6, -2, 8]
