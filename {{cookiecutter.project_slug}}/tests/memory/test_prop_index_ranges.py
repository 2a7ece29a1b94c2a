"""Equality on the first columns of a multi-column index and a range on the next one.

Generated rows and look-ups (text and datetime ranges, open and closed bounds, NULL values and
bounds, ascending and descending ORDER BY with LIMIT and OFFSET) answer as on SQLite, before
and after writes that move rows between keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    delete,
    insert,
    select,
    update,
)

from .casecount import PROFILE, counted
from .diffkit import EnginePair, pair_of

profile = settings.get_profile(PROFILE)

metadata = MetaData()
ticks = Table(
    "ticks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sym", String(8), nullable=False),
    Column("ts", DateTime, nullable=False),
    Column("venue", String(8)),
    Column("name", String(8), nullable=False),
    UniqueConstraint("sym", "ts", name="uq_ticks_sym_ts"),
    Index("ix_ticks_venue_name", "venue", "name"),
    Index("ix_ticks_sym_venue_ts", "sym", "venue", "ts"),
    Index("ix_ticks_name_venue", "name", "venue"),  # NULLs after the served column
)
t = ticks.c

SYMS = ("AA", "AB", "B", "b")
VENUES = ("X", "Y", None)
NAMES = ("", "a", "ab", "abc", "b", "B", "é")
T0 = datetime(2025, 3, 7, 9, 30)

times = st.integers(0, 40).map(lambda minute: T0 + timedelta(minutes=minute))
tick_rows = st.lists(
    st.fixed_dictionaries(
        {
            "sym": st.sampled_from(SYMS[:1] * 3 + SYMS),  # one busy symbol: long ranges
            "ts": times,
            "venue": st.sampled_from(VENUES),
            "name": st.sampled_from(NAMES),
        }
    ),
    min_size=12,
    max_size=40,
).map(lambda rows: list({(row["sym"], row["ts"]): row for row in rows}.values()))

OPERATORS = (">", ">=", "<", "<=")


def bounds(values: st.SearchStrategy[Any]) -> st.SearchStrategy[list[tuple[str, Any]]]:
    """Up to two comparisons, or a BETWEEN; a bound may be NULL."""
    bound = st.one_of(values, values, values, st.none())
    single = st.tuples(st.sampled_from(OPERATORS), bound)
    return st.one_of(
        st.lists(single, max_size=2),
        st.tuples(st.just("between"), st.tuples(bound, bound)).map(lambda pair: [pair]),
    )


LOOK_UPS = ("sym, ts", "sym, venue, ts", "venue, name", "sym", "name")
look_ups = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(LOOK_UPS),
        "sym": st.one_of(st.sampled_from(SYMS), st.sampled_from(SYMS), st.none(), st.just("Z")),
        "venue": st.sampled_from(VENUES),
        "ts": bounds(times),
        "name": bounds(st.sampled_from([*NAMES, "aa", "c", "A"])),
        "exact_name": st.sampled_from(NAMES),
        "descending": st.booleans(),
        "limit": st.one_of(st.none(), st.integers(0, 5), st.integers(1, 3)),
        "offset": st.one_of(st.none(), st.integers(0, 3)),
    }
)


def compare(column: Any, operator: str, value: Any, key: str) -> Any:
    if operator == "between":
        low, high = value
        return column.between(bindparam(f"{key}_lo", low), bindparam(f"{key}_hi", high))
    parameter = bindparam(key, value, type_=column.type)
    return {">": column > parameter, ">=": column >= parameter, "<": column < parameter,
            "<=": column <= parameter}[operator]  # fmt: skip


def statement(look_up: dict[str, Any]) -> Any:
    """The look-up as a SELECT: equality through bind parameters (so NULL stays `= NULL`)."""
    kind = look_up["kind"]
    where: list[Any] = []
    if "sym" in kind.split(", "):
        where.append(t.sym == bindparam("sym", look_up["sym"], type_=t.sym.type))
    if kind in ("sym, venue, ts", "venue, name"):
        where.append(t.venue == bindparam("venue", look_up["venue"], type_=t.venue.type))
    if kind == "name":
        where.append(t.name == bindparam("name", look_up["exact_name"], type_=t.name.type))
    ranged = t.name if kind == "venue, name" else t.ts
    if kind not in ("sym", "name"):
        for n, (operator, value) in enumerate(look_up[ranged.key]):
            where.append(compare(ranged, operator, value, f"{ranged.key}{n}"))
    if kind == "sym, ts":
        order = [t.ts.desc() if look_up["descending"] else t.ts]  # one row per key: exact
    else:
        order = [ranged.desc() if look_up["descending"] else ranged, t.id]
    query = select(t.id, t.sym, t.ts, t.venue, t.name).where(*where).order_by(*order)
    if look_up["limit"] is not None:
        query = query.limit(look_up["limit"])
    if look_up["offset"] is not None:
        query = query.offset(look_up["offset"])
    return query


def answers(conn: Connection, look_ups: list[dict[str, Any]]) -> list[list[tuple[Any, ...]]]:
    return [[tuple(row) for row in conn.execute(statement(look_up))] for look_up in look_ups]


moves = st.lists(
    st.one_of(
        st.tuples(st.just("shift"), st.sampled_from(SYMS), st.integers(-3, 3)),
        st.tuples(st.just("rename"), st.sampled_from(VENUES), st.sampled_from(NAMES)),
        st.tuples(st.just("drop"), st.sampled_from(SYMS), times),
    ),
    max_size=3,
)


def move(conn: Connection, change: tuple[Any, ...]) -> Any:
    """A write that moves rows between index keys; a key clash is an answer too."""
    kind = change[0]
    try:
        if kind == "shift":
            shifted = update(ticks).where(t.sym == change[1]).values(ts=t.ts)
            rows = conn.execute(select(t.id, t.ts).where(t.sym == change[1])).all()
            for row_id, ts in sorted(rows, key=lambda row: row[1], reverse=change[2] > 0):
                when = ts + timedelta(minutes=change[2])
                conn.execute(shifted.where(t.id == row_id).values(ts=when))
            return len(rows)
        if kind == "rename":
            venue = t.venue.is_(None) if change[1] is None else t.venue == change[1]
            return conn.execute(update(ticks).where(venue).values(name=change[2])).rowcount
        dropped = delete(ticks).where(t.sym == change[1], t.ts <= change[2])
        return conn.execute(dropped).rowcount
    except Exception as error:
        return type(error).__name__


def work(
    rows: list[dict[str, Any]], look_ups: list[dict[str, Any]], changes: list[tuple[Any, ...]]
) -> Any:
    def run(engine: Engine) -> list[Any]:
        seen: list[Any] = []
        with engine.begin() as conn:
            conn.execute(delete(ticks))
            conn.execute(insert(ticks), rows)
        with engine.connect() as conn:
            seen.append(answers(conn, look_ups))
            conn.commit()
            for change in changes:
                with conn.begin_nested():
                    seen.append(move(conn, change))
                seen.append(answers(conn, look_ups))  # the writer's own view
            conn.rollback()
            seen.append(answers(conn, look_ups))
        return seen

    return run


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with pair_of(metadata) as made:
        yield made


@settings(profile)
@given(rows=tick_rows, look_ups=st.lists(look_ups, min_size=2, max_size=6), changes=moves)
@counted
def test_prefix_and_range_look_ups_answer_as_sqlite(
    pair: EnginePair,
    rows: list[dict[str, Any]],
    look_ups: list[dict[str, Any]],
    changes: list[tuple[Any, ...]],
) -> None:
    pair.check(work(rows, look_ups, changes))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize(("limit", "offset"), [(None, None), (2, None), (2, 1), (0, 1), (9, 4)])
def test_ordered_reads_with_limit_and_offset(
    pair: EnginePair, descending: bool, limit: int | None, offset: int | None
) -> None:
    rows = [
        {"sym": sym, "ts": T0 + timedelta(minutes=minute), "venue": "X", "name": "a"}
        for sym in ("AA", "AB")
        for minute in range(0, 12, 2)
    ]
    look_up = {"kind": "sym, ts", "sym": "AA", "ts": [(">", T0), ("<=", T0 + timedelta(minutes=9))],
               "descending": descending, "limit": limit, "offset": offset}  # fmt: skip
    answer = pair.check(work(rows, [look_up], []))
    expected = [2, 3, 4, 5][::-1] if descending else [2, 3, 4, 5]
    start = offset or 0
    stop = None if limit is None else start + limit
    assert [row[0] for row in answer[0][0]] == expected[start:stop]
