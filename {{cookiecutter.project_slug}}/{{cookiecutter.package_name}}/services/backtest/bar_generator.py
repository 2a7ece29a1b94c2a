"""Deterministic synthetic 1-minute bars shaped like E-mini S&P 500 regular trading hours.

The stream depends only on the arguments: it uses `random.Random(seed)` and IEEE arithmetic
(+, -, *, /, sqrt), never `math.exp`/`log`/`cos` whose last bits differ between C libraries, so
every platform yields the same bars.

Model: sessions on consecutive weekdays, 390 one-minute bars from 14:30 UTC. Within a bar the
price takes a few Euler steps of geometric Brownian motion (16 % annual volatility, scaled by a
U-shaped intraday profile); open, high, low and close come from that path and are rounded to the
tick grid. Each session opens with a small gap from the previous close. Volume follows a U-shaped
profile with multiplicative noise. Normal draws are sums of twelve uniforms minus six.
"""

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from random import Random

from ...domain.bar import Bar

SESSION_OPEN_UTC = time(14, 30)
MINUTES_PER_SESSION = 390
DEFAULT_BAR_COUNT = 39 * MINUTES_PER_SESSION
FIRST_SESSION = date(2025, 1, 2)

ANNUAL_VOLATILITY = 0.16
TRADING_DAYS_PER_YEAR = 252
SIGMA_PER_MINUTE = ANNUAL_VOLATILITY / math.sqrt(TRADING_DAYS_PER_YEAR * MINUTES_PER_SESSION)
STEPS_PER_BAR = 4
OVERNIGHT_GAP_SIGMA = 0.002
BASE_VOLUME = 1_500


def generate_bars(
    *,
    symbol: str = "ES",
    count: int = DEFAULT_BAR_COUNT,
    seed: int = 7,
    start_price: Decimal = Decimal("5900.00"),
    tick: Decimal = Decimal("0.25"),
    first_session: date = FIRST_SESSION,
) -> Iterator[Bar]:
    """Yield `count` bars; sessions start on `first_session` or the first weekday after it."""
    _check_arguments(count, start_price, tick)
    rng = Random(seed)
    price = float(start_price)
    step_sigma = SIGMA_PER_MINUTE / math.sqrt(STEPS_PER_BAR)
    session_day = _weekday_on_or_after(first_session)
    on_grid = _TickGrid(tick).nearest
    for index in range(count):
        minute = index % MINUTES_PER_SESSION
        if minute == 0 and index > 0:
            session_day = _weekday_on_or_after(session_day + timedelta(days=1))
            price *= 1.0 + OVERNIGHT_GAP_SIGMA * _standard_normal(rng)
        profile = _intraday_u(minute)
        path = [price]
        for _ in range(STEPS_PER_BAR):
            price *= 1.0 + step_sigma * _volatility_factor(profile) * _standard_normal(rng)
            path.append(price)
        volume = int(BASE_VOLUME * _volume_factor(profile) * (0.5 + rng.random()))
        ts = datetime.combine(session_day, SESSION_OPEN_UTC, tzinfo=UTC)
        yield Bar(
            symbol=symbol,
            ts=ts + timedelta(minutes=minute),
            open=on_grid(path[0]),
            high=on_grid(max(path)),
            low=on_grid(min(path)),
            close=on_grid(path[-1]),
            volume=volume,
        )


def _check_arguments(count: int, start_price: Decimal, tick: Decimal) -> None:
    if count < 0:
        raise ValueError(f"bar count must not be negative, got {count}")
    if not tick.is_finite() or tick <= 0:
        raise ValueError(f"tick size must be positive, got {tick}")
    if not start_price.is_finite() or start_price <= 0:
        raise ValueError(f"start price must be positive, got {start_price}")
    if start_price % tick != 0:
        raise ValueError(f"start price {start_price} is not on the {tick} tick grid")


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _standard_normal(rng: Random) -> float:
    """Approximately N(0, 1): Irwin-Hall sum of twelve uniforms, bounded to +-6."""
    total = -6.0
    for _ in range(12):
        total += rng.random()  # a plain loop: `sum` of floats is compensated on Python 3.12+
    return total


def _intraday_u(minute: int) -> float:
    """0 at mid-session, 1 at the open and the close, parabolic in between."""
    centred = 2.0 * minute / (MINUTES_PER_SESSION - 1) - 1.0
    return centred * centred


def _volatility_factor(profile: float) -> float:
    """Averages 1 over a session: 1.8x at the open and close, 0.6x at midday."""
    return 0.6 + 1.2 * profile


def _volume_factor(profile: float) -> float:
    """Averages 1 over a session: 2.4x at the open and close, 0.3x at midday."""
    return 0.3 + 2.1 * profile


class _TickGrid(dict[int, Decimal]):
    """The prices of a tick grid by their number of ticks, each made once and shared by every
    bar that has it: a run's bars hold a few thousand distinct prices, not four per bar."""

    def __init__(self, tick: Decimal) -> None:
        super().__init__()
        self._tick = tick
        self._tick_float = float(tick)

    def __missing__(self, ticks: int) -> Decimal:
        price = self[ticks] = ticks * self._tick
        return price

    def nearest(self, price: float) -> Decimal:
        """The grid price nearest to `price`."""
        return self[round(price / self._tick_float)]
