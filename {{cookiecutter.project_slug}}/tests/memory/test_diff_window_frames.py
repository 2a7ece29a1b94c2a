"""Window functions over explicit frames (ROWS, RANGE, GROUPS), as SQLite answers them.

Moving sums and averages are where a frame matters most to a trading application: a 20-bar
mean of closes is `avg(close) OVER (ORDER BY ts ROWS BETWEEN 19 PRECEDING AND CURRENT ROW)`.
SQLite slides such an aggregate by taking rows out as they leave the frame, so its REAL sums
carry the rounding of every step; the values below (1e16 beside 0.1, NULLs, ties, integers
beside REALs) make any other order of steps show.
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, func, select
from sqlalchemy.sql.elements import Over

from {{ cookiecutter.package_name }}.adapters.memory.releases import SUMS_COMPENSATED

from .diffkit import EnginePair, seeded_pair

metadata = MetaData()
ticks = Table(
    "ticks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("symbol", String(8)),
    Column("minute", Integer),
    Column("price", Float),
    Column("size", Integer),
    Column("mixed", String(20)),  # numbers as text: sums read them as SQLite does
)
t = ticks.c

PRICES = [0.1, 0.2, 0.3, 1e16, -1e16, 1.5, None, 3.0, 0.7, 2.25, -0.1, 5100.25, 5100.5, None, 0.3]
ROWS = [
    {
        "id": number,
        "symbol": "ES" if number % 3 else "NQ",
        "minute": number // 2,  # two ticks a minute: peers for RANGE and GROUPS
        "price": price,
        "size": None if number == 4 else (number * 7) % 5 - 1,
        "mixed": [3, 0.5, None, 10**15, "2", 1.25][number % 6],
    }
    for number, price in enumerate(PRICES)
]

by_id = {"order_by": t.id}
by_symbol = {"partition_by": t.symbol, "order_by": t.id}
by_minute = {"order_by": t.minute}

FRAMED: dict[str, Over[Any]] = {
    "20-row moving average": func.avg(t.price).over(**by_id, rows=(-19, 0)),
    "3-row moving sum": func.sum(t.price).over(**by_id, rows=(-2, 0)),
    "centred sum": func.sum(t.price).over(**by_id, rows=(-1, 1)),
    "sum of the rows before": func.sum(t.price).over(**by_id, rows=(None, -1)),
    "sum of the next rows": func.sum(t.price).over(**by_id, rows=(0, 2)),
    "sum to the end": func.sum(t.price).over(**by_id, rows=(0, None)),
    "whole partition": func.sum(t.price).over(**by_symbol, rows=(None, None)),
    "frame ending before the row": func.total(t.price).over(**by_id, rows=(-3, -1)),
    "frame that ends before it starts": func.sum(t.price).over(**by_id, rows=(-1, -3)),
    "integer sizes, moving": func.sum(t.size).over(**by_symbol, rows=(-2, 0)),
    "integers and REALs, moving": func.sum(t.mixed).over(**by_id, rows=(-1, 0)),
    "average of mixed values": func.avg(t.mixed).over(**by_id, rows=(-2, 1)),
    "total, moving": func.total(t.price).over(**by_id, rows=(-2, 0)),
    "count of a column": func.count(t.size).over(**by_id, rows=(-2, 0)),
    "count(*)": func.count().over(**by_id, rows=(-2, 1)),
    "moving min": func.min(t.price).over(**by_id, rows=(-2, 0)),
    "moving max of mixed values": func.max(t.mixed).over(**by_id, rows=(-1, 1)),
    "first_value": func.first_value(t.price).over(**by_id, rows=(-2, 0)),
    "last_value": func.last_value(t.price).over(**by_id, rows=(-2, -1)),
    "nth_value": func.nth_value(t.id, 2).over(**by_symbol, rows=(-3, 0)),
    "RANGE to the last peer": func.sum(t.price).over(**by_minute, range_=(None, 0)),
    "RANGE from the first peer": func.sum(t.price).over(**by_minute, range_=(0, None)),
    "RANGE over the peers": func.count(t.price).over(**by_minute, range_=(0, 0)),
    "RANGE over everything": func.last_value(t.id).over(**by_minute, range_=(None, None)),
    "GROUPS before and after": func.total(t.price).over(**by_minute, groups=(-1, 1)),
    "GROUPS ending before": func.sum(t.size).over(**by_minute, groups=(-2, -1)),
    "GROUPS without ORDER BY": func.count().over(partition_by=t.symbol, groups=(0, 0)),
    "frame after the row": func.sum(t.price).over(**by_id, rows=(1, 3)),
    "frame after the row to the end": func.total(t.price).over(**by_symbol, rows=(2, None)),
    "the next row alone": func.last_value(t.price).over(**by_id, rows=(1, 1)),
    "frame after the row that ends before it starts": func.sum(t.size).over(**by_id, rows=(3, 2)),
    "GROUPS after the row": func.sum(t.price).over(**by_minute, groups=(1, 2)),
    "GROUPS after the row, averaged": func.avg(t.mixed).over(**by_minute, groups=(1, None)),
    "lag ignores the frame": func.lag(t.price).over(**by_id, rows=(0, 0)),
    "rank ignores the frame": func.rank().over(**by_minute, rows=(0, 0)),
}


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with seeded_pair(metadata, (ticks, ROWS)) as made:
        yield made


@pytest.mark.parametrize("name", list(FRAMED))
def test_framed_window(pair: EnginePair, name: str) -> None:
    pair.check_rows(select(t.id, FRAMED[name]).order_by(t.id), what=name)


def test_random_rows_frames_slide_as_on_sqlite(pair: EnginePair) -> None:
    """Many frames and functions at once: each row's value, to the last bit, as on SQLite."""
    rng = random.Random(20)
    functions = [func.sum, func.total, func.avg, func.count, func.min, func.max]
    columns = [t.price, t.size, t.mixed]
    outputs = []
    for _ in range(80):
        start = rng.choice([None, -4, -2, -1, 0, 1, 2])
        end = rng.choice([None, -2, -1, 0, 1, 3])
        if start is not None and end is not None and (end < 0 <= start or end <= 0 < start):
            continue  # ending before a start at or after the row: an error, checked below
        window = rng.choice(functions)(rng.choice(columns))
        partition = rng.choice([None, t.symbol])
        outputs.append(window.over(partition_by=partition, order_by=t.id, rows=(start, end)))
    pair.check_rows(select(t.id, *outputs).order_by(t.id))


def test_random_groups_frames_slide_as_on_sqlite(pair: EnginePair) -> None:
    """GROUPS frames over peers (two ticks a minute), starting before, at or after the row."""
    rng = random.Random(21)
    functions = [func.sum, func.total, func.avg, func.count, func.min, func.max]
    columns = [t.price, t.size, t.mixed]
    outputs = []
    for _ in range(60):
        start = rng.choice([None, -2, -1, 0, 1, 2])
        end = rng.choice([None, -1, 0, 1, 2])
        if start is not None and end is not None and (end < 0 <= start or end <= 0 < start):
            continue
        window = rng.choice(functions)(rng.choice(columns))
        partition = rng.choice([None, t.symbol])
        outputs.append(window.over(partition_by=partition, order_by=t.minute, groups=(start, end)))
    pair.check_rows(select(t.id, *outputs).order_by(t.id))


RANGE_KEYS: dict[str, Any] = {
    "integer minutes with peers": t.minute,
    "the same, descending": t.minute.desc(),
    "REAL prices with NULLs": t.price,
    "REAL prices descending": t.price.desc(),
    "numbers beside text": t.mixed,
    "numbers beside text, descending": t.mixed.desc(),
}


@pytest.mark.parametrize("key", list(RANGE_KEYS))
def test_random_range_frames_measure_the_order_by_value(pair: EnginePair, key: str) -> None:
    """RANGE frames N PRECEDING / N FOLLOWING: rows whose ORDER BY value lies within N of the
    row's; NULL and text values reach only their peers. REAL sums show SQLite's order of moves."""
    rng = random.Random(22)
    functions = [func.sum, func.total, func.avg, func.count, func.min, func.max]
    columns = [t.price, t.size, t.mixed]
    offsets: list[Any] = [None, -3, -2, -1, 0, 1, 2, 3]
    outputs = []
    for _ in range(40):
        start, end = rng.choice(offsets), rng.choice(offsets)
        if start is not None and end is not None and (end < 0 <= start or end <= 0 < start):
            continue
        window = rng.choice(functions)(rng.choice(columns))
        partition = rng.choice([None, t.symbol])
        order = RANGE_KEYS[key]
        outputs.append(window.over(partition_by=partition, order_by=order, range_=(start, end)))
    pair.check_rows(select(t.id, *outputs).order_by(t.id), what=key)


def test_range_frames_with_real_offsets(pair: EnginePair) -> None:
    """SQLAlchemy 2.1 takes other than whole offsets through FrameClause."""
    frame_clause = pytest.importorskip("sqlalchemy.sql.elements").__dict__.get("FrameClause")
    if frame_clause is None:
        pytest.skip("FrameClause came with SQLAlchemy 2.1")
    from sqlalchemy.sql.elements import FrameClauseType as Kind

    frames = [
        frame_clause(0.5, 0.25, Kind.PRECEDING, Kind.FOLLOWING),
        frame_clause(1.5, None, Kind.PRECEDING, Kind.CURRENT),
        frame_clause(0.1, 2.5, Kind.FOLLOWING, Kind.FOLLOWING),
        frame_clause(None, 0.3, Kind.UNBOUNDED, Kind.PRECEDING),
    ]
    for key in ("REAL prices with NULLs", "numbers beside text, descending"):
        order = RANGE_KEYS[key]
        outputs = [func.total(t.price).over(order_by=order, range_=frame) for frame in frames]
        outputs += [func.count(t.mixed).over(order_by=order, range_=frame) for frame in frames]
        pair.check_rows(select(t.id, *outputs).order_by(t.id), what=key)


def test_a_range_offset_needs_one_order_by_term(pair: EnginePair) -> None:
    statement = select(func.sum(t.price).over(order_by=[t.minute, t.id], range_=(-1, 0)))
    error = pair.check_statement_error(statement)
    assert "exactly one ORDER BY term" in str(error)


@pytest.mark.parametrize("frame", [(0, -1), (1, 0), (2, -1)])
def test_a_frame_ending_before_the_row_it_starts_at_or_after_is_an_error(
    pair: EnginePair, frame: tuple[int, int]
) -> None:
    statement = select(func.sum(t.price).over(order_by=t.id, rows=frame))
    error = pair.check_statement_error(statement)
    assert "unsupported frame specification" in str(error)


EXCLUDES = ["current row", "group", "ties", "no others"]
takes_exclude = pytest.mark.skipif(
    "exclude" not in inspect.signature(Over.__init__).parameters,
    reason="EXCLUDE came with SQLAlchemy 2.1",
)


@takes_exclude
@pytest.mark.parametrize("exclude", EXCLUDES)
def test_exclude_takes_rows_out_of_each_frame(pair: EnginePair, exclude: str) -> None:
    """With EXCLUDE, even NO OTHERS, SQLite sums each frame afresh: REAL sums show it."""
    windows: list[Any] = [
        func.sum(t.price).over(**by_id, rows=(-2, 1), exclude=exclude),
        func.total(t.price).over(**by_minute, range_=(None, 0), exclude=exclude),
        func.avg(t.mixed).over(**by_minute, groups=(-1, 1), exclude=exclude),
        func.count().over(**by_minute, rows=(-1, 1), exclude=exclude),
        func.count(t.size).over(partition_by=t.symbol, rows=(None, None), exclude=exclude),
        func.min(t.price).over(**by_minute, groups=(0, 1), exclude=exclude),
        func.max(t.mixed).over(**by_symbol, rows=(-3, 3), exclude=exclude),
        func.first_value(t.id).over(**by_minute, range_=(0, 0), exclude=exclude),
        func.last_value(t.price).over(**by_id, rows=(-1, 2), exclude=exclude),
        func.nth_value(t.id, 2).over(**by_minute, groups=(-1, 0), exclude=exclude),
        func.sum(t.price).over(**by_id, rows=(1, 3), exclude=exclude),
        func.sum(t.size).over(partition_by=t.symbol, rows=(None, 0), exclude=exclude),
        func.total(t.price).over(order_by=t.minute, range_=(-1, 1), exclude=exclude),
        func.avg(t.price).over(order_by=t.price.desc(), range_=(0, 2), exclude=exclude),
        func.last_value(t.id).over(order_by=t.mixed, range_=(-2, 0), exclude=exclude),
    ]
    pair.check_rows(select(t.id, *windows).order_by(t.id), what=exclude)


@takes_exclude
def test_an_unknown_exclusion_is_a_syntax_error(pair: EnginePair) -> None:
    statement = select(func.sum(t.price).over(order_by=t.id, rows=(-1, 0), exclude="others"))
    pair.check_statement_error(statement)


def test_a_partial_integer_sum_that_overflows_then_meets_a_real(pair: EnginePair) -> None:
    """Before SQLite 3.43 the overflow fails the sum; from 3.43 the REAL that follows clears it."""
    values = (
        select(t.id.label("k"), (t.size * 0 + 2**62).label("n"))
        .where(t.id < 2)
        # `+ 0`: no arm has an affinity, so no SQLite release converts the integers to REAL
        .union_all(select(t.id + 100, t.price + 0).where(t.id == 5))
        .subquery()
    )
    whole = select(func.sum(values.c.n))
    if SUMS_COMPENSATED:
        pair.check_rows(whole)
    else:
        assert "integer overflow" in str(pair.check_statement_error(whole))
    # the running sum is read at the overflowing row itself, before the REAL arrives
    running = select(func.sum(values.c.n).over(order_by=values.c.k))
    assert "integer overflow" in str(pair.check_statement_error(running))


def test_the_same_frame_shape_with_other_offsets_finds_its_own_rows(pair: EnginePair) -> None:
    """SQLAlchemy 2.1 binds frame offsets as parameters: a cached plan takes each one's."""
    answers = [
        pair.check_rows(
            select(t.id, func.sum(t.size).over(order_by=t.id, rows=(-back, 0))).order_by(t.id)
        )
        for back in (1, 4, 1)
    ]
    assert answers[0] == answers[2] != answers[1]
