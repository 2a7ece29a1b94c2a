"""The SQLite bulk path for bars: converted once, a column at a time, many rows per statement.

The conversion gives exactly what SQLAlchemy's own column types would send for the `bars`
table (timestamps as naive UTC text `YYYY-MM-DD HH:MM:SS.ffffff`, prices as floats since SQLite
keeps `Numeric` as REAL). The rows go through the driver as multi-row
`INSERT ... VALUES (...), (...)` statements, so SQLite runs one statement per hundred rows
instead of one per row.

On `memory://` the same idea: the columns are converted to what the column types bind there
(`memory_columns`) and handed to the dialect's column-wise loader.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import chain, islice, repeat
from operator import attrgetter, sub
from typing import Any

from sqlalchemy import Connection, Dialect, insert

from ...domain.bar import Bar
from ..memory.bulk import ColumnStorer, collector_paused, column_storers, insert_columns
from .tables import bars

SQLITE_COLUMNS = ("symbol", "ts", "open", "high", "low", "close", "volume")
ROWS_PER_STATEMENT = 100
"""Rows per multi-row INSERT: 700 parameters, under SQLite's oldest limit of 999."""
CHUNK = 10_000
"""Bars converted at a time."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_column = {name: attrgetter(name) for name in SQLITE_COLUMNS}
PRICE_COLUMNS = ("open", "high", "low", "close")


class _OncePerPrice(dict[Decimal, Any]):
    """`convert(price)` of each `Decimal` looked up, computed once per distinct value.

    Prices on a tick grid repeat, and converting a `Decimal` costs twice a dict look-up.
    """

    def __init__(self, convert: Callable[[Decimal], Any]) -> None:
        super().__init__()
        self._convert = convert
        self.gave_null = False
        """Whether a look-up gave None, which only a missing price does."""

    def __missing__(self, price: Decimal) -> Any:
        converted = self[price] = self._convert(price)
        if converted is None:
            self.gave_null = True
        return converted


def _price_columns(chunk: Sequence[Bar]) -> list[list[float]]:
    """The four price columns of `chunk` as floats."""
    floats = _OncePerPrice(float)
    return [list(map(floats.__getitem__, map(_column[name], chunk))) for name in PRICE_COLUMNS]


def sqlite_rows(chunk: Sequence[Bar]) -> list[tuple[Any, ...]]:
    """The bars as SQLite stores them, one tuple per bar in the order of `SQLITE_COLUMNS`."""
    times = list(map(_column["ts"], chunk))
    if set(map(attrgetter("tzinfo"), times)) - {UTC}:
        raise ValueError("bar timestamps must be in UTC")
    return list(
        zip(
            map(_column["symbol"], chunk),
            _sqlite_timestamps(times),
            *_price_columns(chunk),
            map(_column["volume"], chunk),
            strict=True,
        )
    )


def _sqlite_timestamps(times: Iterable[datetime]) -> list[str]:
    """`YYYY-MM-DD HH:MM:SS.ffffff` of each UTC time, from cached day and time-of-day texts.

    Formatting each datetime whole costs four times as much; bars share days and minutes.
    """
    days: dict[int, str] = {}
    clock: dict[int, str] = {}
    texts = []
    for ts in times:
        since = ts - _EPOCH
        day = days.get(since.days)
        if day is None:
            date = (_EPOCH + timedelta(days=since.days)).date()
            day = days[since.days] = f"{date.year:04d}-{date.month:02d}-{date.day:02d} "
        second = since.seconds
        time_of_day = clock.get(second)
        if time_of_day is None:
            hours, rest = divmod(second, 3600)
            time_of_day = clock[second] = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}."
        texts.append(f"{day}{time_of_day}{since.microseconds:06d}")
    return texts


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


def memory_columns(
    chunk: Sequence[Bar], prices: Sequence[Mapping[Decimal, Any]]
) -> dict[str, list[Any]]:
    """The bars as `memory://` takes them, one list per column.

    `UTCDateTime` binds an aware time as the naive datetime of the same UTC wall-clock time;
    the prices are looked up in `prices` (see `stored_prices`). Symbols and volumes are taken
    as they are.
    """
    columns = {name: list(map(_column[name], chunk)) for name in ("symbol", "volume")}
    try:
        since_epoch = list(map(sub, map(_column["ts"], chunk), repeat(_EPOCH)))
    except TypeError:  # a naive time, which `Bar` itself never allows
        raise ValueError("bar timestamps must be timezone-aware") from None
    columns["ts"] = list(map(_NAIVE_EPOCH.__add__, since_epoch))
    for name, stored in zip(PRICE_COLUMNS, prices, strict=True):
        columns[name] = list(map(stored.__getitem__, map(_column[name], chunk)))
    return columns


def stored_prices(connection: Connection) -> list["_OncePerPrice"]:
    """One look-up per price column, in the order of `PRICE_COLUMNS`, of what the `bars` table
    on `memory://` stores for a `Decimal`; columns that store alike share one."""
    shared: dict[ColumnStorer, _OncePerPrice] = {}
    storers = column_storers(connection, bars, PRICE_COLUMNS)
    return [shared.setdefault(storer, _OncePerPrice(storer)) for storer in storers.values()]


def write_memory(connection: Connection, items: Iterable[Bar]) -> int:
    """The `memory://` bulk path: bars converted a column at a time, each distinct price once,
    loaded all or nothing per chunk with the dialect's own checks; returns how many were
    written."""
    prices = stored_prices(connection)
    bars_left = iter(items)
    written = 0
    while chunk := list(islice(bars_left, CHUNK)):
        with collector_paused():
            written += _write_memory_chunk(connection, chunk, prices)
    return written


def _write_memory_chunk(
    connection: Connection, chunk: Sequence[Bar], prices: Sequence["_OncePerPrice"]
) -> int:
    columns = memory_columns(chunk, prices)
    null_free = () if any(stored.gave_null for stored in prices) else PRICE_COLUMNS
    return insert_columns(
        connection, bars, columns, processed=True, stored=PRICE_COLUMNS, null_free=null_free
    )
