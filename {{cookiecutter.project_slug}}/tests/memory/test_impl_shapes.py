"""Statement fingerprints: equal only where SQLAlchemy's cache keys are equal, with the bound
parameters in the cache key's order, and none outside their grammar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import (
    Engine,
    Integer,
    and_,
    bindparam,
    create_engine,
    func,
    literal,
    null,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Select

from {{ cookiecutter.package_name }}.adapters.memory import shapes
from {{ cookiecutter.package_name }}.adapters.memory.session import MemorySession

from .diff_schema import Base, Fill, Instrument, Order, Side, seed

Build = Callable[[], Any]

FINGERPRINTED: dict[str, Build] = {
    "eq": lambda: select(Order).where(Order.status == "open"),
    "eq other value": lambda: select(Order).where(Order.status == "filled"),
    "eq other column": lambda: select(Order).where(Order.note == "open"),
    "eq other entity": lambda: select(Instrument).where(Instrument.symbol == "open"),
    "eq table column": lambda: select(Order).where(Base.metadata.tables["orders"].c.status == "x"),
    "ne": lambda: select(Order).where(Order.status != "open"),
    "gt": lambda: select(Order).where(Order.qty > 5),
    "ge": lambda: select(Order).where(Order.qty >= 5),
    "negated gt": lambda: select(Order).where(~(Order.qty > 5)),
    "gt float": lambda: select(Order).where(Order.qty > 5.5),
    "in": lambda: select(Order).where(Order.side.in_([Side.BUY])),
    "in two": lambda: select(Order).where(Order.side.in_([Side.BUY, Side.SELL])),
    "not in": lambda: select(Order).where(Order.side.not_in([Side.BUY])),
    "is null": lambda: select(Order).where(Order.note.is_(None)),
    "is not null": lambda: select(Order).where(Order.note.is_not(None)),
    "eq null": lambda: select(Order).where(Order.note == null()),
    "true": lambda: select(Order).where(true()),
    "named": lambda: select(Order).where(Order.status == bindparam("status")),
    "named other": lambda: select(Order).where(Order.status == bindparam("state")),
    "named literal_execute": lambda: select(Order).where(
        Order.status == bindparam("status", literal_execute=True)
    ),
    "literal typed": lambda: select(Order).where(Order.qty > literal(5, Integer)),
    "two criteria": lambda: select(Order).where(Order.status == "open", Order.qty > 5),
    "two criteria swapped": lambda: select(Order).where(Order.qty > 5, Order.status == "open"),
    "and": lambda: select(Order).where(and_(Order.status == "open", Order.qty > 5)),
    "or": lambda: select(Order).where(or_(Order.status == "open", Order.qty > 5)),
    "or in and": lambda: select(Order).where(
        and_(or_(Order.status == "open", Order.qty > 5), Order.note.is_(None))
    ),
    "and in or": lambda: select(Order).where(
        or_(and_(Order.status == "open", Order.qty > 5), Order.note.is_(None))
    ),
    "where then where": lambda: select(Order).where(Order.status == "open").where(Order.qty > 5),
    "order by": lambda: select(Order).where(Order.qty > 5).order_by(Order.id),
    "order by desc": lambda: select(Order).where(Order.qty > 5).order_by(Order.id.desc()),
    "order by nulls last": lambda: select(Order).order_by(Order.note.asc().nulls_last()),
    "order by two": lambda: select(Order).order_by(Order.qty, Order.id),
    "order by criterion column": lambda: select(Order).where(Order.qty > 5).order_by(Order.qty),
    "limit": lambda: select(Order).where(Order.qty > 5).limit(3),
    "offset": lambda: select(Order).where(Order.qty > 5).offset(3),
    "limit offset": lambda: select(Order).where(Order.qty > 5).limit(3).offset(1),
    "fetch": lambda: select(Order).where(Order.qty > 5).fetch(3),
    "no criteria": lambda: select(Order),
    "one name twice": lambda: _twice(bindparam("least")),  # each comparison makes its own
    "two entities": lambda: select(Order, Fill),
    "two entities swapped": lambda: select(Fill, Order),
    "a column": lambda: select(Order.id).where(Order.qty > 5),
}

DECLINED: dict[str, Build] = {
    "join": lambda: select(Order).join(Order.instrument).where(Instrument.symbol == "ES"),
    "distinct": lambda: select(Order).distinct(),
    "group by": lambda: select(Order).group_by(Order.id),
    "function": lambda: select(Order).where(func.lower(Order.status) == "open"),
    "coerced": lambda: select(Order).where(type_coerce(Order.qty, Integer) > 5),
    "between": lambda: select(Order).where(Order.qty.between(1, 5)),
    "like with escape": lambda: select(Order).where(Order.note.like("a/%", escape="/")),
    "one parameter twice": lambda: _twice(bindparam("least", type_=Integer)),
    "one criterion twice": lambda: _criterion_twice(Order.qty > 5),
    "params": lambda: select(Order).where(Order.qty > bindparam("least")).params(least=1),
    "execution options": lambda: select(Order).execution_options(populate_existing=True),
    "for update": lambda: select(Order).with_for_update(),
}


def _twice(parameter: Any) -> Any:
    return select(Order).where(Order.qty > parameter, Order.id > parameter)


def _criterion_twice(criterion: Any) -> Any:
    return select(Order).where(criterion, or_(criterion, Order.id > 1))


def test_the_installed_sqlalchemy_matches_the_grammar() -> None:
    assert shapes.ENABLED


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_statements_outside_the_grammar_have_no_fingerprint(name: str) -> None:
    assert shapes.fingerprint(DECLINED[name]()) is None


def test_equal_fingerprints_are_equal_cache_keys_with_parameters_in_order() -> None:
    """Every statement built twice has one fingerprint, and two statements share one exactly
    when their cache keys are equal; the parameters come in the cache key's order."""
    seen: dict[Any, tuple[str, Any]] = {}
    for name, build in FINGERPRINTED.items():
        fingerprints = []
        for _ in range(2):
            statement = build()
            found = shapes.fingerprint(statement)
            assert found is not None, name
            key = statement._generate_cache_key()
            assert [id(bind) for bind in found[1]] == [id(bind) for bind in key.bindparams], name
            fingerprints.append(found[0])
            earlier = seen.setdefault(found[0], (name, key.key))
            assert earlier[1] == key.key, (name, earlier[0])
        assert fingerprints[0] == fingerprints[1], name
    assert len(seen) == len({key for _name, key in seen.values()})  # no two prints per key


@pytest.fixture
def engine() -> Engine:
    engine = create_engine("memory://")
    Base.metadata.create_all(engine)
    seed(engine)
    return engine


def test_a_fingerprint_found_again_answers_each_build_with_its_own_values(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Later builds of a shape are found by fingerprint (no cache key is made for them) and
    still find the rows of their own literal values."""
    keys_made: list[Any] = []
    original = Select._generate_cache_key

    def counted(statement: Any) -> Any:
        keys_made.append(statement)
        return original(statement)

    def build(status: str, least: int) -> Any:
        return (
            select(Order)
            .where(Order.status == status, Order.qty > least)
            .order_by(Order.id.desc())
            .limit(5)
        )

    values = [("open", 0), ("filled", 0), ("open", 10), ("cancelled", 0), ("open", 0)]
    monkeypatch.setattr(shapes, "VERIFY", False)
    monkeypatch.setattr(Select, "_generate_cache_key", counted)
    with MemorySession(engine) as fast:
        for _ in range(2):  # the first use may configure the mappers, renewing their columns
            fast.scalars(build("open", 0)).all()
        keys_made.clear()
        found = [[o.id for o in fast.scalars(build(*value))] for value in values]
    assert keys_made == []
    monkeypatch.undo()
    with Session(engine) as general:
        assert found == [[o.id for o in general.scalars(build(*value))] for value in values]
    assert found[0] and found[0] != found[1]
