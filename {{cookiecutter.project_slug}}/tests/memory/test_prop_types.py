"""Generated values of every column type read back, compare and sort exactly as on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Enum,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Time,
    Uuid,
    and_,
    delete,
    insert,
    select,
)

from .casecount import PROFILE, counted
from .diff_schema import Side
from .diffkit import EnginePair, pair_of

profile = settings.get_profile(PROFILE)

metadata = MetaData()
values = Table(
    "typed_values",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("price", Numeric(12, 2)),
    Column("qty8", Numeric(20, 8)),
    Column("real", Float),
    Column("count", BigInteger),
    Column("label", String(40)),
    Column("at", DateTime),
    Column("day", Date),
    Column("clock", Time),
    Column("flag", Boolean),
    Column("side", Enum(Side)),
    Column("doc", JSON),
    Column("ref", Uuid),
    Column("blob", LargeBinary),
)
v = values.c

offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
json_documents = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)
no_surrogates = st.characters(codec="utf-8")

COLUMN_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "price": st.decimals(Decimal("-9999999.9999"), Decimal("9999999.9999"), places=4)
    | st.integers(-(10**6), 10**6),
    "qty8": st.decimals(Decimal("-99999999999"), Decimal("99999999999"), places=10),
    "real": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**9), 10**9),
    "count": st.integers(-(2**63), 2**63 - 1),
    "label": st.text(no_surrogates, max_size=12),
    "at": st.datetimes(timezones=st.none() | st.just(UTC) | offsets),
    "day": st.dates(),
    "clock": st.times(),
    "flag": st.booleans(),
    "side": st.sampled_from(Side),
    "doc": json_documents,
    "ref": st.uuids(),
    "blob": st.binary(max_size=8),
}
SORTABLE = (
    "price",
    "qty8",
    "real",
    "count",
    "label",
    "at",
    "day",
    "clock",
    "flag",
    "side",
    "ref",
    "blob",
)
RANGED = ("price", "qty8", "real", "count", "label", "at", "day", "clock")

typed_rows = st.lists(
    st.fixed_dictionaries(
        {
            name: st.one_of(strategy, strategy, strategy, st.none())
            for name, strategy in COLUMN_VALUES.items()
        }
    ),
    min_size=1,
    max_size=10,
)


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with pair_of(metadata) as made:
        yield made


def load_and_ask(engine: Engine, data: list[dict[str, Any]], statements: list[Any]) -> list[Any]:
    answers: list[Any] = []
    with engine.connect() as conn:
        conn.begin()
        conn.execute(delete(values))
        conn.execute(insert(values), [{"id": n, **item} for n, item in enumerate(data, 1)])
        for statement in statements:
            try:
                answers.append([tuple(row) for row in conn.execute(statement)])
            except Exception as error:
                answers.append(("raised", type(error).__name__))
        conn.rollback()
    return answers


@settings(profile)
@given(data=typed_rows)
@counted
def test_values_read_back_and_sort_alike(pair: EnginePair, data: list[dict[str, Any]]) -> None:
    statements: list[Any] = [select(values).order_by(v.id)]
    statements += [select(v.id).order_by(v[name], v.id) for name in SORTABLE]
    pair.check(lambda engine: load_and_ask(engine, data, statements))


@settings(profile)
@given(data=typed_rows, probes=typed_rows, column=st.sampled_from(RANGED))
@counted
def test_equality_and_range_lookups(
    pair: EnginePair, data: list[dict[str, Any]], probes: list[dict[str, Any]], column: str
) -> None:
    target = v[column]
    known = [item[column] for item in data if item[column] is not None]
    bounds = [probe[column] for probe in probes if probe[column] is not None]
    statements: list[Any] = [
        select(v.id).where(target == value).order_by(v.id) for value in known[:3]
    ]
    for low, high in zip(bounds, [*bounds[1:], *known[:1]], strict=False):
        statements.append(select(v.id).where(and_(target >= low, target < high)).order_by(v.id))
        statements.append(select(v.id).where(target > low).order_by(v.id))
    pair.check(lambda engine: load_and_ask(engine, data, statements))
