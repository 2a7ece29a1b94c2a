"""The SQLite bulk path for bars: converted once, a column at a time, many rows per statement.

The conversion gives exactly what SQLAlchemy's own column types would send for the `bars`
table (timestamps as naive UTC text `YYYY-MM-DD HH:MM:SS.ffffff`, prices as floats since SQLite
keeps `Numeric` as REAL). The rows go through the driver as multi-row
`INSERT ... VALUES (...), (...)` statements, so SQLite runs one statement per hundred rows
instead of one per row.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC
from itertools import chain, islice
from operator import attrgetter, itemgetter, methodcaller
from typing import Any

from sqlalchemy import Connection, Dialect, insert

from ...domain.bar import Bar
from .tables import bars

SQLITE_COLUMNS = ("symbol", "ts", "open", "high", "low", "close", "volume")
ROWS_PER_STATEMENT = 100
"""Rows per multi-row INSERT: 700 parameters, under SQLite's oldest limit of 999."""
CHUNK = 10_000
"""Bars converted at a time."""

_stamp = methodcaller("isoformat", " ", "microseconds")
_without_offset = itemgetter(slice(0, 26))
_column = {name: attrgetter(name) for name in SQLITE_COLUMNS}


def sqlite_rows(chunk: Sequence[Bar]) -> list[tuple[Any, ...]]:
    """The bars as SQLite stores them, one tuple per bar in the order of `SQLITE_COLUMNS`."""
    times = list(map(_column["ts"], chunk))
    if set(map(attrgetter("tzinfo"), times)) - {UTC}:
        raise ValueError("bar timestamps must be in UTC")
    return list(
        zip(
            map(_column["symbol"], chunk),
            map(_without_offset, map(_stamp, times)),
            *(map(float, map(_column[name], chunk)) for name in ("open", "high", "low", "close")),
            map(_column["volume"], chunk),
            strict=True,
        )
    )


def write_sqlite(connection: Connection, items: Iterable[Bar]) -> int:
    """Insert the bars through the SQLite driver; return how many were written."""
    single = _single_row_sql(connection.dialect)
    head, _, group = single.partition(" VALUES ")
    full = f"{head} VALUES {', '.join([group] * ROWS_PER_STATEMENT)}"
    bars_left = iter(items)
    written = 0
    while chunk := list(islice(bars_left, CHUNK)):
        rows = iter(sqlite_rows(chunk))
        statements, rest = divmod(len(chunk), ROWS_PER_STATEMENT)
        if statements:
            connection.exec_driver_sql(
                full,
                [
                    tuple(chain.from_iterable(islice(rows, ROWS_PER_STATEMENT)))
                    for _ in range(statements)
                ],
            )
        if rest:
            tail = f"{head} VALUES {', '.join([group] * rest)}"
            connection.exec_driver_sql(tail, tuple(chain.from_iterable(rows)))
        written += len(chunk)
    return written


def _single_row_sql(dialect: Dialect) -> str:
    compiled = insert(bars).compile(dialect=dialect)
    if tuple(compiled.positiontup or ()) != SQLITE_COLUMNS:
        raise RuntimeError(
            f"the bars table has columns {compiled.positiontup}, but the SQLite bulk path "
            f"writes {SQLITE_COLUMNS}"
        )
    return compiled.string
