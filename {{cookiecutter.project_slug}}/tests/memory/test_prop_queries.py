"""Generated rows and generated queries give the same answers on SQLite and on the memory engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, and_, delete, exists, func, insert, select, union, union_all

from .casecount import PROFILE, counted
from .diffkit import EnginePair, multiset, pair_of
from .prop_queries_model import (
    ALL_COLUMNS,
    aggregate,
    aggregates,
    expression,
    group_key,
    group_keys,
    having,
    havings,
    num_exprs,
    order_keys,
    ordering,
    predicate,
    predicates,
    rows,
    samples,
    str_exprs,
)
from .prop_queries_model import metadata as samples_metadata

c = samples.c
profile = settings.get_profile(PROFILE)


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with pair_of(samples_metadata) as made:
        yield made


def outcome(engine: Engine, data: list[dict[str, Any]], statements: list[Any]) -> list[Any]:
    """Load ``data``, run each statement, roll everything back; an error is an answer too."""
    answers: list[Any] = []
    with engine.connect() as conn:
        conn.begin()
        conn.execute(delete(samples))
        if data:
            conn.execute(insert(samples), [{"id": n, **item} for n, item in enumerate(data, 1)])
        for statement in statements:
            try:
                answers.append([tuple(row) for row in conn.execute(statement)])
            except Exception as error:
                answers.append(("raised", type(error).__name__))
        conn.rollback()
    return answers


def compare(pair: EnginePair, data: list[dict[str, Any]], *statements: Any) -> list[Any]:
    return pair.check(lambda engine: outcome(engine, data, list(statements)))


def unordered(answer: Any) -> Any:
    return multiset(answer) if isinstance(answer, list) else answer


@settings(profile)
@given(
    data=rows,
    where=predicates,
    keys=order_keys,
    limit=st.none() | st.integers(0, 8),
    offset=st.none() | st.integers(0, 8),
)
@counted
def test_filtered_ordered_paged_selects(
    pair: EnginePair,
    data: list[dict[str, Any]],
    where: Any,
    keys: Any,
    limit: int | None,
    offset: int | None,
) -> None:
    statement = (
        select(c.id, *(c[name] for name in ALL_COLUMNS))
        .where(predicate(where))
        .order_by(*ordering(keys))
        .limit(limit)
        .offset(offset)
    )
    count = select(func.count()).select_from(samples).where(predicate(where))
    compare(pair, data, statement, count)


@settings(profile)
@given(data=rows, where=st.none() | predicates, keys=group_keys, aggs=aggregates, cond=havings)
@counted
def test_grouped_aggregates(
    pair: EnginePair,
    data: list[dict[str, Any]],
    where: Any,
    keys: list[str],
    aggs: list[Any],
    cond: Any,
) -> None:
    grouping = [group_key(name) for name in keys]
    statement = select(*grouping, *(aggregate(spec) for spec in aggs)).group_by(*grouping)
    if where is not None:
        statement = statement.where(predicate(where))
    condition = having(cond)
    if condition is not None:
        statement = statement.having(condition)

    def work(engine: Engine) -> list[Any]:
        return [unordered(answer) for answer in outcome(engine, data, [statement])]

    pair.check(work)


@settings(profile)
@given(data=rows, exprs=st.lists(num_exprs | str_exprs, min_size=1, max_size=4))
@counted
def test_computed_columns(pair: EnginePair, data: list[dict[str, Any]], exprs: list[Any]) -> None:
    statement = select(c.id, *(expression(tree) for tree in exprs)).order_by(c.id)
    compare(pair, data, statement)


@settings(profile)
@given(data=rows, inner=predicates, outer=st.none() | predicates, kind=st.integers(0, 4))
@counted
def test_subqueries(
    pair: EnginePair, data: list[dict[str, Any]], inner: Any, outer: Any, kind: int
) -> None:
    other = samples.alias("other")
    inner_where = predicate(inner)
    members = select(c.b).where(inner_where)
    statement = select(c.id)
    if kind == 0:
        statement = statement.where(c.a.in_(members))
    elif kind == 1:
        statement = statement.where(c.a.not_in(members))
    elif kind == 2:
        correlated = select(other.c.id).where(other.c.grp == c.grp, other.c.id != c.id)
        statement = statement.where(exists(correlated.where(other.c.a > c.a)))
    elif kind == 3:
        statement = select(c.id, select(func.max(c.amount)).where(inner_where).scalar_subquery())
    else:
        derived = select(c.grp, func.count().label("n")).where(inner_where).group_by(c.grp)
        subquery = derived.subquery()
        statement = select(c.id, subquery.c.n).join(subquery, subquery.c.grp == c.grp)
    if outer is not None:
        statement = statement.where(predicate(outer))
    compare(pair, data, statement.order_by(c.id))


@settings(profile)
@given(data=rows, first=predicates, second=predicates, column=st.sampled_from(ALL_COLUMNS))
@counted
def test_distinct_and_compound_selects(
    pair: EnginePair, data: list[dict[str, Any]], first: Any, second: Any, column: str
) -> None:
    target = c[column]
    left = select(target).where(predicate(first))
    right = select(target).where(predicate(second))

    def work(engine: Engine) -> list[Any]:
        answers = outcome(
            engine,
            data,
            [
                union(left, right),
                union_all(left, right),
                left.distinct(),
                select(func.count(target.distinct())),
            ],
        )
        return [unordered(answer) for answer in answers]

    pair.check(work)


@settings(profile)
@given(
    data=rows,
    on=st.lists(st.sampled_from(["grp", "a=b", "s", "a<a"]), min_size=1, max_size=2, unique=True),
    outer=st.booleans(),
    where=st.none() | predicates,
)
@counted
def test_self_joins(
    pair: EnginePair, data: list[dict[str, Any]], on: list[str], outer: bool, where: Any
) -> None:
    right = samples.alias("right_side")
    conditions = {
        "grp": right.c.grp == c.grp,
        "a=b": right.c.a == c.b,
        "s": right.c.s == c.s,
        "a<a": right.c.a < c.a,
    }
    statement = select(c.id, right.c.id, right.c.a, right.c.s).join(
        right, and_(*(conditions[name] for name in on)), isouter=outer
    )
    if where is not None:
        statement = statement.where(predicate(where))
    counts = select(c.grp, func.count(right.c.id)).join(
        right, and_(*(conditions[name] for name in on)), isouter=outer
    )
    compare(
        pair, data, statement.order_by(c.id, right.c.id), counts.group_by(c.grp).order_by(c.grp)
    )
