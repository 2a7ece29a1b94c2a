"""Loading a user's OHLCV CSV file, and writing bars out so they load back unchanged."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.adapters.csv_bars import (
    BarFileError,
    load_bars_csv,
    write_bars_csv,
)
from {{ cookiecutter.package_name }}.domain.bar import (
    Bar,
    BarDataError,
)
from {{ cookiecutter.package_name }}.services.backtest.bar_generator import (
    generate_bars,
)

TICK = Decimal("0.25")
HEADER = "timestamp,open,high,low,close,volume\n"
GOOD_ROW = "2025-01-02T14:30:00Z,5900.00,5901.00,5899.50,5900.75,1200\n"
NEXT_ROW = "2025-01-02T14:31:00Z,5900.75,5902.25,5900.50,5902.00,900\n"


def write(tmp_path: Path, text: str | bytes, name: str = "bars.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load(path: Path) -> list[Bar]:
    return load_bars_csv(path, symbol="ES", tick=TICK)


class TestReading:
    def test_rows_share_the_decimal_of_a_price_text_they_repeat(self, tmp_path: Path) -> None:
        first, second = load(write(tmp_path, HEADER + GOOD_ROW + NEXT_ROW))

        assert first.close is second.open  # both 5900.75

    def test_reads_every_row_as_a_utc_bar(self, tmp_path: Path) -> None:
        bars = load(write(tmp_path, HEADER + GOOD_ROW + NEXT_ROW))
        assert bars == [
            Bar(
                "ES",
                datetime(2025, 1, 2, 14, 30, tzinfo=UTC),
                Decimal("5900.00"),
                Decimal("5901.00"),
                Decimal("5899.50"),
                Decimal("5900.75"),
                1200,
            ),
            Bar(
                "ES",
                datetime(2025, 1, 2, 14, 31, tzinfo=UTC),
                Decimal("5900.75"),
                Decimal("5902.25"),
                Decimal("5900.50"),
                Decimal("5902.00"),
                900,
            ),
        ]

    def test_z_offset_and_naive_timestamps_are_all_utc(self, tmp_path: Path) -> None:
        text = (
            HEADER
            + "2025-01-02T14:30:00Z,1,1,1,1,1\n"
            + "2025-01-02T09:31:00-05:00,1,1,1,1,1\n"
            + "2025-01-02 14:32:00,1,1,1,1,1\n"
        )
        stamps = [bar.ts for bar in load(write(tmp_path, text))]
        assert stamps == [datetime(2025, 1, 2, 14, minute, tzinfo=UTC) for minute in (30, 31, 32)]
        assert all(stamp.tzinfo is UTC for stamp in stamps)

    def test_header_is_matched_loosely_and_extra_columns_are_ignored(self, tmp_path: Path) -> None:
        text = (
            "\ufeff Volume ,Close,LOW,high,Open,Timestamp,exchange\n"
            "1200,5900.75,5899.50,5901.00,5900.00,2025-01-02T14:30:00Z,CME\n"
            "\n"
            "900.0,5902.00,5900.50,5902.25,5900.75,2025-01-02T14:31:00Z,CME\n"
        )
        assert load(write(tmp_path, text)) == load(write(tmp_path, HEADER + GOOD_ROW + NEXT_ROW))

    def test_windows_line_endings_are_read(self, tmp_path: Path) -> None:
        text = (HEADER + GOOD_ROW + NEXT_ROW).replace("\n", "\r\n")
        assert len(load(write(tmp_path, text.encode()))) == 2

    def test_a_tick_size_must_be_positive(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="tick size must be positive"):
            load_bars_csv(write(tmp_path, HEADER + GOOD_ROW), symbol="ES", tick=Decimal(0))


class TestRoundTrip:
    def test_generated_bars_load_back_unchanged(self, tmp_path: Path) -> None:
        bars = list(generate_bars(count=800))
        path = tmp_path / "es.csv"
        assert write_bars_csv(path, bars) == 800
        assert load_bars_csv(path, symbol="ES", tick=TICK) == bars

    def test_the_written_file_uses_the_documented_header_and_z_times(self, tmp_path: Path) -> None:
        path = tmp_path / "es.csv"
        write_bars_csv(path, generate_bars(count=2))
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == HEADER.strip()
        assert lines[1].startswith("2025-01-02T14:30:00Z,5900.00,")

    def test_bars_of_two_symbols_are_refused(self, tmp_path: Path) -> None:
        bars = [*generate_bars(count=1), *generate_bars(symbol="NQ", count=1)]
        with pytest.raises(ValueError, match=r"several symbols \(ES, NQ\)"):
            write_bars_csv(tmp_path / "mixed.csv", bars)
        assert not (tmp_path / "mixed.csv").exists()


def bad_row(**fields: str) -> str:
    values = {
        "timestamp": "2025-01-02T14:32:00Z",
        "open": "5902.00",
        "high": "5903.00",
        "low": "5901.00",
        "close": "5902.50",
        "volume": "700",
    }
    values.update(fields)
    return ",".join(values.values()) + "\n"


# (file text, line of the problem, words of the problem); a bad row is the fourth line.
BROKEN_FILES = {
    "empty file": (
        "",
        1,
        "file is empty; expected the header timestamp,open,high,low,close,volume",
    ),
    "header only": (HEADER, 2, "no bars after the header"),
    "blank lines only": ("\n\n", 1, "file is empty"),
    "missing columns": (
        "timestamp,open,high,low\n" + GOOD_ROW,
        1,
        "missing column(s) close, volume",
    ),
    "repeated column": (
        "timestamp,open,high,low,close,volume,Close\n",
        1,
        "column(s) close appear more than once",
    ),
    "too few fields": (
        HEADER + GOOD_ROW + NEXT_ROW + "2025-01-02T14:32:00Z,1,1,1,1\n",
        4,
        "expected 6 fields, found 5",
    ),
    "bad timestamp": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(timestamp="yesterday"),
        4,
        "timestamp 'yesterday' is not an ISO-8601 date and time",
    ),
    "price not a number": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(low="5901,5"),
        4,
        "expected 6 fields, found 7",
    ),
    "price text": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(open="abc"),
        4,
        "open 'abc' is not a number",
    ),
    "empty price": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(close=""),
        4,
        "close '' is not a number",
    ),
    "price not finite": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(high="NaN"),
        4,
        "high 'NaN' is not a finite number",
    ),
    "price too large for the grid test": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(high="1e30"),
        4,
        "high 1E+30 is not below 1,000,000,000,000",
    ),
    "price zero": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(low="0"),
        4,
        "low 0 is not positive",
    ),
    "time out of the range of UTC dates": (
        HEADER + bad_row(timestamp="0001-01-01T00:00:00+01:00"),
        2,
        "timestamp '0001-01-01T00:00:00+01:00' is out of the range of dates in UTC",
    ),
    "price off the grid": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(close="5902.10"),
        4,
        "close 5902.10 is not on the 0.25 tick grid",
    ),
    "high below low": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(high="5900.00", low="5901.00"),
        4,
        "high 5900.00 is below low 5901.00",
    ),
    "open outside the range": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(open="5903.25"),
        4,
        "open 5903.25 is outside low..high [5901.00, 5903.00]",
    ),
    "close outside the range": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(close="5900.75"),
        4,
        "close 5900.75 is outside low..high [5901.00, 5903.00]",
    ),
    "negative volume": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(volume="-5"),
        4,
        "volume -5 is negative",
    ),
    "fractional volume": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(volume="12.5"),
        4,
        "volume '12.5' is not a whole number",
    ),
    "duplicate timestamp": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(timestamp="2025-01-02T09:31:00-05:00"),
        4,
        "duplicate timestamp 2025-01-02T14:31:00+00:00 (also on line 3)",
    ),
    "time goes backwards": (
        HEADER + GOOD_ROW + NEXT_ROW + bad_row(timestamp="2025-01-02T14:29:00"),
        4,
        "earlier than 2025-01-02T14:31:00+00:00 on line 3; rows must be in time order",
    ),
    "unclosed quote": (
        HEADER + GOOD_ROW + NEXT_ROW + '"2025-01-02T14:32:00Z,1,1,1,1,1\n',
        4,
        "malformed CSV: unexpected end of data",
    ),
}


@pytest.mark.parametrize(
    ("text", "line", "problem"), list(BROKEN_FILES.values()), ids=list(BROKEN_FILES)
)
def test_a_broken_file_names_the_file_line_and_problem(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(BarFileError) as caught:
        load(path)
    assert (caught.value.path, caught.value.line) == (path, line)
    assert problem in caught.value.problem
    assert str(caught.value) == f"{path}, line {line}: {caught.value.problem}"
    assert isinstance(caught.value, BarDataError)


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = write(tmp_path, (HEADER + GOOD_ROW).encode() + b"2025-01-02T14:31:00Z,\xff\n")
    with pytest.raises(BarFileError, match=r"bars.csv, line 3: not UTF-8 text"):
        load(path)


def test_a_problem_on_the_last_line_returns_none_of_the_good_rows(tmp_path: Path) -> None:
    bars = list(generate_bars(count=300))
    path = tmp_path / "es.csv"
    write_bars_csv(path, bars)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(bad_row(timestamp="2025-01-02T19:30:00Z", volume="-1"))
    with pytest.raises(BarFileError, match=r"line 302: volume -1 is negative"):
        load(path)


def test_a_missing_file_is_reported_by_the_operating_system(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "absent.csv")
