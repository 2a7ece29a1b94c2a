"""OHLCV bars from and to CSV files with the header `timestamp,open,high,low,close,volume`.

Timestamps are ISO-8601: with `Z`, with an offset, or naive (taken as UTC). Column names are
matched without regard to case or surrounding spaces, in any order; other columns are ignored;
blank lines are skipped. A file is checked whole before any bar is returned: the first problem
raises `BarFileError` with the file, the line and what is wrong.
"""

import csv
import io
import os
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..domain.amounts import AMOUNT_LIMIT
from ..domain.bar import Bar, BarDataError

COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")
PRICE_COLUMNS = ("open", "high", "low", "close")
_HEADER = ",".join(COLUMNS)
_WHOLE_NUMBER = re.compile(r"[+-]?\d+(\.0*)?")


class BarFileError(BarDataError):
    """A bar file cannot be used; `path`, `line` and `problem` say where and why."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(f"{path}, line {line}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


class _RowProblem(Exception):
    """A problem with one row, before the file and line are attached."""


def load_bars_csv(path: str | os.PathLike[str], *, symbol: str, tick: Decimal) -> list[Bar]:
    """All bars of the file, in time order, every price on the `tick` grid."""
    if not tick.is_finite() or tick <= 0:
        raise ValueError(f"tick size must be positive, got {tick}")
    source = Path(path)
    bars: list[Bar] = []
    last_line = 0
    rows = _numbered_rows(source, _text_of(source))
    header_line, header = next(rows, (1, []))
    if not header:
        raise BarFileError(source, header_line, f"file is empty; expected the header {_HEADER}")
    positions = _column_positions(source, header_line, header)
    prices = _CheckedPrices(tick)
    for line, row in rows:
        try:
            bar = _parse_row(row, positions, len(header), symbol, prices)
        except _RowProblem as problem:
            raise BarFileError(source, line, str(problem)) from None
        if bars:
            _check_order(source, line, bar, bars[-1], last_line)
        bars.append(bar)
        last_line = line
    if not bars:
        raise BarFileError(source, header_line + 1, "no bars after the header")
    return bars


def write_bars_csv(path: str | os.PathLike[str], bars: Iterable[Bar]) -> int:
    """Write `bars` of one symbol in the format `load_bars_csv` reads; return how many."""
    rows = list(bars)
    symbols = sorted({bar.symbol for bar in rows})
    if len(symbols) > 1:
        raise ValueError(f"bars of several symbols ({', '.join(symbols)}) cannot share one file")
    with Path(path).open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        for bar in rows:
            stamp = bar.ts.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
            writer.writerow((stamp, bar.open, bar.high, bar.low, bar.close, bar.volume))
    return len(rows)


def _text_of(source: Path) -> str:
    data = source.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise BarFileError(source, line, "not UTF-8 text") from None


def _numbered_rows(source: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank CSV rows with the line number each ends on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise BarFileError(source, reader.line_num, f"malformed CSV: {error}") from None
        if any(field.strip() for field in row):
            yield reader.line_num, row


def _column_positions(source: Path, line: int, header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if repeated:
        raise BarFileError(source, line, f"column(s) {', '.join(repeated)} appear more than once")
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise BarFileError(
            source,
            line,
            f"missing column(s) {', '.join(missing)}; expected the header {_HEADER}",
        )
    return {name: names.index(name) for name in COLUMNS}


def _parse_row(
    row: list[str], positions: dict[str, int], width: int, symbol: str, prices: "_CheckedPrices"
) -> Bar:
    if len(row) != width:
        raise _RowProblem(f"expected {width} fields, found {len(row)}")
    fields = {name: row[index].strip() for name, index in positions.items()}
    ts = _timestamp(fields["timestamp"])
    open_, high, low, close = (prices.of(name, fields[name]) for name in PRICE_COLUMNS)
    volume = _volume(fields["volume"])
    try:
        return Bar(symbol, ts, open_, high, low, close, volume)
    except BarDataError as error:
        raise _RowProblem(str(error)) from None


def _timestamp(text: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise _RowProblem(f"timestamp {text!r} is not an ISO-8601 date and time") from None
    if stamp.utcoffset() is None:
        return stamp.replace(tzinfo=UTC)
    try:
        return stamp.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first UTC time
        raise _RowProblem(f"timestamp {text!r} is out of the range of dates in UTC") from None


class _CheckedPrices(dict[str, Decimal]):
    """Each distinct price text of a file parsed and checked once; the bars that have it share
    the `Decimal`. Prices on a tick grid repeat: a file holds far fewer texts than prices."""

    def __init__(self, tick: Decimal) -> None:
        super().__init__()
        self._tick = tick

    def of(self, name: str, text: str) -> Decimal:
        """The price `text` gives in column `name`, or the `_RowProblem` with it."""
        value = self.get(text)
        if value is None:
            value = self[text] = _price(name, text, self._tick)
        return value


def _price(name: str, text: str, tick: Decimal) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _RowProblem(f"{name} {text!r} is not a number") from None
    if not value.is_finite():
        raise _RowProblem(f"{name} {text!r} is not a finite number")
    if value <= 0:
        raise _RowProblem(f"{name} {value} is not positive")
    if value >= AMOUNT_LIMIT:  # before the grid test, which cannot divide numbers this large
        raise _RowProblem(f"{name} {value} is not below {AMOUNT_LIMIT:,}")
    if value % tick != 0:
        raise _RowProblem(f"{name} {value} is not on the {tick} tick grid")
    return value


def _volume(text: str) -> int:
    if not _WHOLE_NUMBER.fullmatch(text):
        raise _RowProblem(f"volume {text!r} is not a whole number")
    return int(Decimal(text))


def _check_order(source: Path, line: int, bar: Bar, previous: Bar, previous_line: int) -> None:
    if bar.ts == previous.ts:
        raise BarFileError(
            source, line, f"duplicate timestamp {bar.ts.isoformat()} (also on line {previous_line})"
        )
    if bar.ts < previous.ts:
        raise BarFileError(
            source,
            line,
            f"timestamp {bar.ts.isoformat()} is earlier than {previous.ts.isoformat()} "
            f"on line {previous_line}; rows must be in time order",
        )
