"""Rows in and out of the repositories: bar rows for the bulk path, bars from result rows."""

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from ...domain.bar import Bar
from ...domain.enums import OPEN_ORDER_STATUSES

BULK_CHUNK = 10_000
"""Rows per executemany call on the bulk path."""

OPEN_STATUSES = tuple(status.value for status in OPEN_ORDER_STATUSES)
"""The stored values of the statuses of a working order."""


def bar_rows(items: Iterable[Bar]) -> Iterator[dict[str, Any]]:
    """Each bar as the parameters of one row of `bars`."""
    for bar in items:
        yield {
            "symbol": bar.symbol,
            "ts": bar.ts,
            "open": bar.open,
            "high": bar.high,
            "low": bar.low,
            "close": bar.close,
            "volume": bar.volume,
        }


def chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """The rows in lists of at most `size`."""
    while chunk := list(islice(rows, size)):
        yield chunk


BAR_FIELDS = ("symbol", "ts", "open", "high", "low", "close", "volume")
"""The columns of `bars` in the order of `Bar`'s fields, as `bars_from_rows` reads them."""


def bars_from_rows(rows: Iterable[Any]) -> list[Bar]:
    """Bars from result rows holding the `BAR_FIELDS` columns, in that order."""
    # Unpacked by position: a row's attribute lookups cost more than building the bar.
    return [
        Bar(symbol, ts, open_, high, low, close, volume)
        for symbol, ts, open_, high, low, close, volume in rows
    ]
