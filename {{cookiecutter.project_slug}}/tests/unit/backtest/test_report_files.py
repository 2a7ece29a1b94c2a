"""Report files: the PNG, CSV and JSON exist and parse back to what was written; a write that
fails leaves the earlier file."""

import csv
import errno
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

from {{ cookiecutter.package_name }}.adapters.report_files import (
    ROUND_TRIP_COLUMNS,
    write_equity_png,
    write_report_files,
    write_round_trips_csv,
)
from {{ cookiecutter.package_name }}.domain.enums import (
    PositionSide,
)
from {{ cookiecutter.package_name }}.services.backtest.bar_generator import (
    generate_bars,
)
from {{ cookiecutter.package_name }}.services.backtest.report import (
    RoundTrip,
    build_report,
    trade_return_pct,
)

CASH = 100_000.0
MULTIPLIER = 50
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def equity() -> list[tuple[datetime, float]]:
    """Holding one ES contract through two generated sessions."""
    bars = list(generate_bars(count=780))
    first = bars[0].open
    return [(bar.ts, CASH + float(bar.close - first) * MULTIPLIER) for bar in bars]


def round_trip(side: PositionSide, entry: str, exit_: str, start: datetime) -> RoundTrip:
    entry_price, exit_price = Decimal(entry), Decimal(exit_)
    direction = 1 if side is PositionSide.LONG else -1
    commission = Decimal("4.50")
    pnl = (exit_price - entry_price) * direction * MULTIPLIER - commission
    return RoundTrip(
        symbol="ES",
        side=side,
        quantity=Decimal(1),
        entry_ts=start,
        exit_ts=start + timedelta(minutes=17),
        entry_price=entry_price,
        exit_price=exit_price,
        pnl=pnl,
        commission=commission,
        return_pct=trade_return_pct(pnl, entry_price, Decimal(1), Decimal(MULTIPLIER)),
    )


@pytest.fixture(scope="module")
def trips(equity: list[tuple[datetime, float]]) -> list[RoundTrip]:
    start = equity[0][0]
    return [
        round_trip(PositionSide.LONG, "5900.25", "5910.00", start),
        round_trip(PositionSide.SHORT, "5912.50", "5915.75", start + timedelta(hours=2)),
    ]


def test_all_three_files_are_written_and_parse(
    tmp_path: Path, equity: list[tuple[datetime, float]], trips: list[RoundTrip]
) -> None:
    report = build_report(
        equity=equity,
        round_trips=trips,
        initial_cash=CASH,
        bars_in_position=len(equity),
        first_price=Decimal("5900"),
        last_price=Decimal("5950"),
    )
    files = write_report_files(
        tmp_path / "runs" / "first", report=report, round_trips=trips, equity=equity
    )

    assert json.loads(files.report_json.read_text(encoding="utf-8")) == json.loads(
        json.dumps(report.to_dict())
    )
    with files.round_trips_csv.open(newline="", encoding="utf-8") as stream:
        assert len(list(csv.DictReader(stream))) == 2
    assert files.equity_png.read_bytes().startswith(PNG_SIGNATURE)


def test_round_trips_csv_reads_back_exactly(tmp_path: Path, trips: list[RoundTrip]) -> None:
    path = tmp_path / "trips.csv"
    write_round_trips_csv(path, trips)
    with path.open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        assert tuple(reader.fieldnames or ()) == ROUND_TRIP_COLUMNS
        rows = list(reader)
    loaded = [
        RoundTrip(
            symbol=row["symbol"],
            side=PositionSide(row["side"]),
            quantity=Decimal(row["quantity"]),
            entry_ts=datetime.fromisoformat(row["entry_ts"]),
            exit_ts=datetime.fromisoformat(row["exit_ts"]),
            entry_price=Decimal(row["entry_price"]),
            exit_price=Decimal(row["exit_price"]),
            pnl=Decimal(row["pnl"]),
            commission=Decimal(row["commission"]),
            return_pct=float(row["return_pct"]),
        )
        for row in rows
    ]
    assert loaded == trips
    assert rows[1]["side"] == "SHORT"
    assert rows[1]["pnl"] == "-167.00"


def test_no_round_trips_gives_a_header_only_csv(tmp_path: Path) -> None:
    path = tmp_path / "trips.csv"
    write_round_trips_csv(path, [])
    assert path.read_text(encoding="utf-8") == ",".join(ROUND_TRIP_COLUMNS) + "\n"


def test_equity_png_is_an_image_of_the_requested_size(
    tmp_path: Path, equity: list[tuple[datetime, float]]
) -> None:
    path = tmp_path / "equity.png"
    write_equity_png(path, equity, CASH, title="ES, two sessions")
    pixels = imread(path)
    assert pixels.shape[:2] == (650, 1100)
    # Not a blank canvas: the curve and the drawdown area add colour.
    assert pixels[..., :3].std() > 0.05


def test_an_empty_equity_curve_cannot_be_drawn(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="the equity curve is empty"):
        write_equity_png(tmp_path / "equity.png", [], CASH)
    assert not (tmp_path / "equity.png").exists()


def test_a_single_point_curve_still_draws(tmp_path: Path) -> None:
    path = tmp_path / "equity.png"
    write_equity_png(path, [(datetime.fromisoformat("2025-01-02T14:30:00+00:00"), CASH)], CASH)
    assert imread(path).shape[:2] == (650, 1100)


def test_a_csv_write_that_fails_leaves_the_earlier_file(
    tmp_path: Path, trips: list[RoundTrip]
) -> None:
    path = tmp_path / "round_trips.csv"
    path.write_text("an earlier run\n", encoding="utf-8")
    unreadable = [*trips, object()]  # fails after the good rows are written

    with pytest.raises(AttributeError):
        write_round_trips_csv(path, unreadable)  # type: ignore[list-item]

    assert path.read_text(encoding="utf-8") == "an earlier run\n"
    assert list(tmp_path.iterdir()) == [path]


def test_a_chart_that_cannot_be_saved_leaves_the_earlier_file(
    tmp_path: Path, equity: list[tuple[datetime, float]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "equity.png"
    path.write_bytes(PNG_SIGNATURE + b"an earlier run")

    def disk_full(_figure: Figure, target: Path, **_options: object) -> None:
        target.write_bytes(PNG_SIGNATURE)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", disk_full)

    with pytest.raises(OSError, match="No space left"):
        write_equity_png(path, equity, CASH)

    assert path.read_bytes() == PNG_SIGNATURE + b"an earlier run"
    assert list(tmp_path.iterdir()) == [path]
