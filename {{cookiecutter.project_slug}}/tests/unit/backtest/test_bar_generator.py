"""The synthetic ES bar stream: deterministic, well-formed, shaped like regular trading hours."""

import hashlib
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import islice, pairwise

import pytest

from {{ cookiecutter.package_name }}.domain.bar import (
    Bar,
)
from {{ cookiecutter.package_name }}.services.backtest.bar_generator import (
    generate_bars,
)

FIRST_500_SHA256 = "440cdeae9fc656af1a487e3a79934c3776732bcaeadfb5a9fa46a979f62dd3b7"


def digest(bars: Iterable[Bar]) -> str:
    sha = hashlib.sha256()
    for bar in bars:
        line = f"{bar.symbol},{bar.ts.isoformat()},{bar.open},{bar.high},{bar.low},{bar.close}"
        sha.update(f"{line},{bar.volume}\n".encode())
    return sha.hexdigest()


@pytest.fixture(scope="module")
def default_bars() -> list[Bar]:
    return list(generate_bars())


def test_bars_share_one_decimal_per_grid_price(default_bars: list[Bar]) -> None:
    prices = [
        getattr(bar, name) for bar in default_bars for name in ("open", "high", "low", "close")
    ]

    assert len({id(price) for price in prices}) == len(set(prices)) < len(prices) // 10


def test_two_calls_yield_the_same_stream() -> None:
    assert digest(generate_bars(count=2_000)) == digest(generate_bars(count=2_000))


def test_a_fresh_interpreter_yields_the_same_stream() -> None:
    code = (
        "import hashlib\n"
        f"from {generate_bars.__module__} import generate_bars\n"
        "sha = hashlib.sha256()\n"
        "for b in generate_bars(count=500):\n"
        "    line = f'{b.symbol},{b.ts.isoformat()},{b.open},{b.high},{b.low},{b.close}'\n"
        "    sha.update(f'{line},{b.volume}\\n'.encode())\n"
        "print(sha.hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.strip() == digest(generate_bars(count=500))


def test_the_first_500_default_bars_never_change() -> None:
    assert digest(generate_bars(count=500)) == FIRST_500_SHA256


def test_a_shorter_run_is_a_prefix_of_a_longer_one(default_bars: list[Bar]) -> None:
    assert list(generate_bars(count=1_000)) == default_bars[:1_000]


def test_another_seed_gives_another_stream() -> None:
    assert digest(generate_bars(count=50, seed=8)) != digest(generate_bars(count=50))


def test_default_run_is_39_weekday_sessions_of_390_minutes(default_bars: list[Bar]) -> None:
    assert len(default_bars) == 15_210
    per_day = Counter(bar.ts.date() for bar in default_bars)
    assert len(per_day) == 39
    assert set(per_day.values()) == {390}
    assert all(day.weekday() < 5 for day in per_day)
    assert min(per_day) == date(2025, 1, 2)
    assert max(per_day) == date(2025, 2, 25)


def test_sessions_run_from_14_30_to_20_59_utc_minute_by_minute(default_bars: list[Bar]) -> None:
    assert default_bars[0].ts == datetime(2025, 1, 2, 14, 30, tzinfo=UTC)
    assert default_bars[389].ts == datetime(2025, 1, 2, 20, 59, tzinfo=UTC)
    assert all(time(14, 30) <= bar.ts.time() <= time(20, 59) for bar in default_bars)
    for earlier, later in pairwise(default_bars):
        if earlier.ts.date() == later.ts.date():
            assert later.ts - earlier.ts == timedelta(minutes=1)
        else:
            assert later.ts.time() == time(14, 30)


def test_prices_sit_on_the_quarter_point_grid(default_bars: list[Bar]) -> None:
    tick = Decimal("0.25")
    for bar in default_bars:
        assert all(price % tick == 0 for price in (bar.open, bar.high, bar.low, bar.close))


def test_every_bar_is_well_formed(default_bars: list[Bar]) -> None:
    for bar in default_bars:
        assert bar.symbol == "ES"
        assert bar.low <= min(bar.open, bar.close)
        assert max(bar.open, bar.close) <= bar.high
        assert bar.volume >= 0


def test_the_first_bar_opens_at_the_start_price(default_bars: list[Bar]) -> None:
    assert default_bars[0].open == Decimal("5900.00")


def test_within_a_session_each_bar_opens_at_the_previous_close(default_bars: list[Bar]) -> None:
    for earlier, later in pairwise(default_bars):
        if earlier.ts.date() == later.ts.date():
            assert later.open == earlier.close


def test_sessions_open_with_small_gaps(default_bars: list[Bar]) -> None:
    gaps = [
        abs(later.open - earlier.close) / earlier.close
        for earlier, later in pairwise(default_bars)
        if earlier.ts.date() != later.ts.date()
    ]
    assert len(gaps) == 38
    assert any(gap > 0 for gap in gaps)
    assert max(gaps) < Decimal("0.02")


def test_volume_and_range_are_u_shaped_over_the_session(default_bars: list[Bar]) -> None:
    by_minute: dict[int, list[Bar]] = {}
    for index, bar in enumerate(default_bars):
        by_minute.setdefault(index % 390, []).append(bar)

    def mean_volume(minutes: range) -> float:
        volumes = [bar.volume for minute in minutes for bar in by_minute[minute]]
        return sum(volumes) / len(volumes)

    def mean_range(minutes: range) -> float:
        ranges = [float(bar.high - bar.low) for minute in minutes for bar in by_minute[minute]]
        return sum(ranges) / len(ranges)

    opening, midday, closing = range(0, 30), range(180, 210), range(360, 390)
    assert mean_volume(opening) > 2 * mean_volume(midday)
    assert mean_volume(closing) > 2 * mean_volume(midday)
    assert mean_range(opening) > 1.5 * mean_range(midday)
    assert mean_range(closing) > 1.5 * mean_range(midday)


def test_daily_volatility_is_near_16_percent_a_year(default_bars: list[Bar]) -> None:
    closes = [float(bar.close) for bar in default_bars[389::390]]
    returns = [later / earlier - 1 for earlier, later in pairwise(closes)]
    mean = sum(returns) / len(returns)
    variance = sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)
    annualized = (variance * 252) ** 0.5
    assert 0.08 < annualized < 0.30


def test_a_partial_last_session_and_a_weekend_start() -> None:
    bars = list(generate_bars(count=400, first_session=date(2025, 1, 4)))
    assert len(bars) == 400
    assert bars[0].ts == datetime(2025, 1, 6, 14, 30, tzinfo=UTC)
    assert bars[390].ts == datetime(2025, 1, 7, 14, 30, tzinfo=UTC)
    assert bars[-1].ts == datetime(2025, 1, 7, 14, 39, tzinfo=UTC)


def test_friday_is_followed_by_monday() -> None:
    bars = list(islice(generate_bars(first_session=date(2025, 1, 3)), 391))
    assert bars[389].ts.date() == date(2025, 1, 3)
    assert bars[390].ts.date() == date(2025, 1, 6)


def test_symbol_tick_and_start_price_are_honoured() -> None:
    bars = list(
        generate_bars(symbol="MES", count=300, tick=Decimal("1"), start_price=Decimal("100"))
    )
    assert bars[0].open == Decimal("100")
    assert all(bar.symbol == "MES" for bar in bars)
    assert all(bar.close == bar.close.to_integral_value() for bar in bars)


def test_zero_bars_is_an_empty_stream() -> None:
    assert list(generate_bars(count=0)) == []


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"count": -1}, "bar count must not be negative"),
        ({"tick": Decimal("0")}, "tick size must be positive"),
        ({"tick": Decimal("-0.25")}, "tick size must be positive"),
        ({"start_price": Decimal("0")}, "start price must be positive"),
        ({"start_price": Decimal("5900.10")}, "not on the 0.25 tick grid"),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        next(generate_bars(**arguments))  # type: ignore[arg-type]
