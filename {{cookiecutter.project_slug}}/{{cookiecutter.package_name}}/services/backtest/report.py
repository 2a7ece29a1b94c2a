"""The backtest report: performance and trade statistics from an equity curve and round trips.

Conventions:

- The equity curve is one `(ts, equity)` point per bar, timestamps aware and non-decreasing.
  The initial cash stands before the first point: it is the base of the first daily return and
  the first peak of the drawdowns.
- Daily figures use the last equity of each trading day (a UTC calendar day unless the run
  starts its days at another UTC time, see `sessions`); annualisation uses 252 trading days a
  year (returns, volatility, Sharpe, Sortino) or calendar time (CAGR).
- Percentages are in percent (12.5 means 12.5 %); drawdowns are zero or negative.
- A figure that is undefined (no trades, no losing trade, fewer than two daily returns, no
  variance, no drawdown) or too large for a float is None, never nan or infinity. Annualized
  return, CAGR and Calmar need two daily returns too, and all the daily figures need a run of a
  day at least: one day, or a few minutes across a session start, raised to a year's power says
  nothing.
- Commissions are every fill's, the open position's included. A position still open when the
  bars end is not a round trip: `open_quantity` (signed) and `open_pnl` (its PnL at the last
  close, realized and unrealized, net of its commissions) report it, so the initial cash plus
  the round trips' PnL plus `open_pnl` is the final equity.
- `RoundTrip.pnl` is net of its commission; a winning trade has a positive pnl. Its
  `return_pct` is that pnl over the entry's notional value, so it has the same sign.
- Exposure is the share of bars on which a position was open at some time: open at the close,
  or touched by a fill (a trade opened and closed within one bar counts).
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from ...domain.enums import PositionSide
from .sessions import MIDNIGHT, trading_day

TRADING_DAYS_PER_YEAR = 252
MIN_DAILY_SPAN = timedelta(days=1)
SECONDS_PER_YEAR = 365.25 * 24 * 3600


@dataclass(frozen=True)
class RoundTrip:
    """A position from open to flat, as the report sees it."""

    symbol: str
    side: PositionSide
    quantity: Decimal
    entry_ts: datetime
    exit_ts: datetime
    entry_price: Decimal
    exit_price: Decimal
    pnl: Decimal
    commission: Decimal
    return_pct: float

    def __post_init__(self) -> None:
        if not isinstance(self.side, PositionSide) or self.side is PositionSide.FLAT:
            raise ValueError(f"a round trip is LONG or SHORT, got {self.side!r}")
        if self.quantity <= 0:
            raise ValueError(f"round trip quantity must be positive, got {self.quantity}")
        if self.exit_ts < self.entry_ts:
            raise ValueError(
                f"round trip exits at {self.exit_ts.isoformat()} "
                f"before it enters at {self.entry_ts.isoformat()}"
            )
        if self.commission < 0:
            raise ValueError(f"round trip commission must not be negative, got {self.commission}")

    @property
    def duration(self) -> timedelta:
        return self.exit_ts - self.entry_ts


@dataclass(frozen=True)
class OpenPosition:
    """The position still open when the bars end, marked at the last close."""

    signed_quantity: Decimal
    pnl: Decimal
    """Realized on its partial closes plus unrealized at the last close, net of commissions."""
    commission: Decimal


def trade_return_pct(
    pnl: Decimal, entry_price: Decimal, quantity: Decimal, multiplier: Decimal
) -> float:
    """Return of a trade in percent: its net PnL over what it bought or sold at entry (entry
    price x quantity x multiplier). It has the PnL's sign: commission included, a trade that
    lost money has a negative return."""
    return float(pnl / (entry_price * quantity * multiplier)) * 100.0


@dataclass(frozen=True)
class BacktestReport:
    """Every figure of a backtest; see the module docstring for the conventions."""

    start: datetime
    end: datetime
    duration: timedelta
    exposure_pct: float
    initial_cash: float
    final_equity: float
    peak_equity: float
    commissions: float
    open_quantity: float
    open_pnl: float
    return_pct: float
    buy_and_hold_return_pct: float
    annualized_return_pct: float | None
    annualized_volatility_pct: float | None
    cagr_pct: float | None
    sharpe_ratio: float | None
    sortino_ratio: float | None
    calmar_ratio: float | None
    max_drawdown_pct: float
    max_drawdown_peak_at: datetime | None
    max_drawdown_trough_at: datetime | None
    max_drawdown_recovered_at: datetime | None
    """When the deepest drawdown began (its peak), bottomed and recovered; None without one,
    and `recovered_at` None while it lasts at the end."""
    avg_drawdown_pct: float
    max_drawdown_duration: timedelta
    """The longest drawdown's duration, which need not be the deepest one's."""
    avg_drawdown_duration: timedelta
    trades: int
    win_rate_pct: float | None
    best_trade_pct: float | None
    worst_trade_pct: float | None
    avg_trade_pct: float | None
    max_trade_duration: timedelta | None
    avg_trade_duration: timedelta | None
    profit_factor: float | None
    expectancy: float | None
    sqn: float | None
    wiped_out_at: datetime | None = None
    """The close at which equity reached zero or less, and trading stopped; None if it never did."""
    margin_calls: int = 0
    """Closes at which equity fell below the maintenance margin and the position was closed."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO-8601 text, durations as `<name>_seconds` numbers."""
        result: dict[str, Any] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, datetime):
                result[field.name] = value.isoformat()
            elif field.type in (timedelta, timedelta | None):
                result[f"{field.name}_seconds"] = None if value is None else value.total_seconds()
            else:
                result[field.name] = value
        return result


@dataclass(frozen=True)
class Drawdown:
    """One fall below a previous peak, until equity is back at the peak (or the curve ends)."""

    depth_pct: float
    duration: timedelta
    peak_at: datetime
    """The last point at the peak; the initial cash counts as a peak at the first point."""
    trough_at: datetime
    recovered_at: datetime | None
    """The first point back at the peak; None when the curve ends below it."""


def build_report(
    *,
    equity: Sequence[tuple[datetime, float]],
    round_trips: Sequence[RoundTrip],
    initial_cash: float | Decimal,
    bars_in_position: int,
    first_price: float | Decimal,
    last_price: float | Decimal,
    risk_free_rate: float = 0.0,
    wiped_out_at: datetime | None = None,
    open_position: OpenPosition | None = None,
    session_start: time = MIDNIGHT,
    margin_calls: int = 0,
) -> BacktestReport:
    """The report of one run; `first_price`/`last_price` are for buy-and-hold."""
    cash = float(initial_cash)
    _check_inputs(equity, cash, bars_in_position, float(first_price))
    values = [value for _, value in equity]
    start, end = equity[0][0], equity[-1][0]
    final = values[-1]
    growth = final / cash
    # Minutes across a session start are two days only in name: no daily figures from them.
    daily = daily_returns(equity, cash, session_start) if end - start >= MIN_DAILY_SPAN else []
    drawdowns = drawdown_periods(equity, cash)
    deepest = min(drawdowns, key=lambda d: d.depth_pct, default=None)
    max_drawdown = 0.0 if deepest is None else deepest.depth_pct
    annual_return: float | None = None
    cagr: float | None = None
    if len(daily) >= 2:
        annual_return = _power(growth, TRADING_DAYS_PER_YEAR / len(daily))
        years = (end - start).total_seconds() / SECONDS_PER_YEAR
        cagr = _power(growth, 1 / years)
    commissions = sum((trip.commission for trip in round_trips), Decimal(0))
    if open_position is not None:
        commissions += open_position.commission
    return BacktestReport(
        start=start,
        end=end,
        duration=end - start,
        exposure_pct=100.0 * bars_in_position / len(equity),
        initial_cash=cash,
        final_equity=final,
        peak_equity=max(cash, *values),
        commissions=float(commissions),
        open_quantity=0.0 if open_position is None else float(open_position.signed_quantity),
        open_pnl=0.0 if open_position is None else float(open_position.pnl),
        return_pct=(growth - 1.0) * 100.0,
        buy_and_hold_return_pct=(float(last_price) / float(first_price) - 1.0) * 100.0,
        annualized_return_pct=_percent(annual_return),
        annualized_volatility_pct=_annual_volatility_pct(daily),
        cagr_pct=_percent(cagr),
        sharpe_ratio=sharpe_ratio(daily, risk_free_rate),
        sortino_ratio=sortino_ratio(daily, risk_free_rate),
        calmar_ratio=(
            annual_return / (-max_drawdown / 100.0)
            if annual_return is not None and max_drawdown < 0
            else None
        ),
        max_drawdown_pct=max_drawdown,
        max_drawdown_peak_at=None if deepest is None else deepest.peak_at,
        max_drawdown_trough_at=None if deepest is None else deepest.trough_at,
        max_drawdown_recovered_at=None if deepest is None else deepest.recovered_at,
        avg_drawdown_pct=statistics.fmean(d.depth_pct for d in drawdowns) if drawdowns else 0.0,
        max_drawdown_duration=max((d.duration for d in drawdowns), default=timedelta(0)),
        avg_drawdown_duration=_mean_duration([d.duration for d in drawdowns]) or timedelta(0),
        **_trade_statistics(round_trips),
        wiped_out_at=wiped_out_at,
        margin_calls=margin_calls,
    )


def daily_returns(
    equity: Sequence[tuple[datetime, float]], initial_cash: float, session_start: time = MIDNIGHT
) -> list[float]:
    """Return of each trading day's closing equity on the previous one (the first on the cash).

    A return after a closing equity of zero or less is nan.
    """
    closes: dict[date, float] = {}
    for ts, value in equity:
        closes[trading_day(ts, session_start)] = value
    returns = []
    previous = initial_cash
    for value in closes.values():
        returns.append(value / previous - 1.0 if previous > 0 else math.nan)
        previous = value
    return returns


def drawdown_series(equity: Sequence[tuple[datetime, float]], initial_cash: float) -> list[float]:
    """Drawdown in percent (zero or negative) at each point of the curve."""
    peak = initial_cash
    series = []
    for _, value in equity:
        peak = max(peak, value)
        series.append((value / peak - 1.0) * 100.0 if peak > 0 else 0.0)
    return series


def drawdown_periods(
    equity: Sequence[tuple[datetime, float]], initial_cash: float
) -> list[Drawdown]:
    """Each drawdown: its deepest point and the time from its peak to recovery (or the end)."""
    periods = []
    peak, peak_ts = initial_cash, equity[0][0]
    depth: float | None = None  # deepest fall of the current drawdown, None when at a peak
    trough_ts = peak_ts
    for (ts, value), drawdown in zip(equity, drawdown_series(equity, initial_cash), strict=True):
        if value >= peak:
            if depth is not None:
                periods.append(Drawdown(depth, ts - peak_ts, peak_ts, trough_ts, ts))
                depth = None
            peak, peak_ts = value, ts
        elif depth is None or drawdown < depth:
            depth, trough_ts = drawdown, ts
    if depth is not None:
        periods.append(Drawdown(depth, equity[-1][0] - peak_ts, peak_ts, trough_ts, None))
    return periods


def sharpe_ratio(daily: Sequence[float], risk_free_rate: float = 0.0) -> float | None:
    """Annualised mean excess daily return over its standard deviation."""
    excess = _excess(daily, risk_free_rate)
    if excess is None:
        return None
    spread, mean = statistics.stdev(excess), statistics.fmean(excess)
    if spread <= abs(mean) * 1e-9:
        return None  # no variance, or only float noise: the ratio would be 1e15 of nothing
    return mean / spread * math.sqrt(TRADING_DAYS_PER_YEAR)


def sortino_ratio(daily: Sequence[float], risk_free_rate: float = 0.0) -> float | None:
    """Like Sharpe, over the downside deviation (root mean square of the losing excess days)."""
    excess = _excess(daily, risk_free_rate)
    if excess is None:
        return None
    downside = math.sqrt(statistics.fmean(min(r, 0.0) ** 2 for r in excess))
    if downside == 0:
        return None
    return statistics.fmean(excess) / downside * math.sqrt(TRADING_DAYS_PER_YEAR)


def _trade_statistics(trips: Sequence[RoundTrip]) -> dict[str, Any]:
    if not trips:
        return {
            "trades": 0,
            "win_rate_pct": None,
            "best_trade_pct": None,
            "worst_trade_pct": None,
            "avg_trade_pct": None,
            "max_trade_duration": None,
            "avg_trade_duration": None,
            "profit_factor": None,
            "expectancy": None,
            "sqn": None,
        }
    pnls = [float(trip.pnl) for trip in trips]
    returns = [trip.return_pct for trip in trips]
    gross_loss = -sum(p for p in pnls if p < 0)
    spread = statistics.stdev(pnls) if len(pnls) > 1 else 0.0
    return {
        "trades": len(trips),
        "win_rate_pct": 100.0 * sum(1 for p in pnls if p > 0) / len(pnls),
        "best_trade_pct": max(returns),
        "worst_trade_pct": min(returns),
        "avg_trade_pct": statistics.fmean(returns),
        "max_trade_duration": max(trip.duration for trip in trips),
        "avg_trade_duration": _mean_duration([trip.duration for trip in trips]),
        "profit_factor": sum(p for p in pnls if p > 0) / gross_loss if gross_loss else None,
        "expectancy": statistics.fmean(pnls),
        "sqn": math.sqrt(len(pnls)) * statistics.fmean(pnls) / spread if spread else None,
    }


def _check_inputs(
    equity: Sequence[tuple[datetime, float]],
    initial_cash: float,
    bars_in_position: int,
    first_price: float,
) -> None:
    if not equity:
        raise ValueError("the equity curve is empty; a report needs at least one point")
    if not math.isfinite(initial_cash) or initial_cash <= 0:
        raise ValueError(f"initial cash must be positive, got {initial_cash}")
    if not 0 <= bars_in_position <= len(equity):
        raise ValueError(
            f"bars in position must be between 0 and the {len(equity)} bars, got {bars_in_position}"
        )
    if not math.isfinite(first_price) or first_price <= 0:
        raise ValueError(f"buy-and-hold first price must be positive, got {first_price}")
    previous: datetime | None = None
    for index, (ts, value) in enumerate(equity):
        if ts.utcoffset() is None:
            raise ValueError(f"equity point {index} has a naive timestamp {ts.isoformat()}")
        if previous is not None and ts < previous:
            raise ValueError(f"equity point {index} at {ts.isoformat()} goes back in time")
        if not math.isfinite(value):
            raise ValueError(f"equity point {index} is not a finite number: {value}")
        previous = ts


def _excess(daily: Sequence[float], risk_free_rate: float) -> list[float] | None:
    """Daily returns over the risk-free rate; None when fewer than two or any is undefined."""
    if len(daily) < 2 or any(math.isnan(r) for r in daily):
        return None
    daily_rate = risk_free_rate / TRADING_DAYS_PER_YEAR
    return [r - daily_rate for r in daily]


def _annual_volatility_pct(daily: Sequence[float]) -> float | None:
    if len(daily) < 2 or any(math.isnan(r) for r in daily):
        return None
    return statistics.stdev(daily) * math.sqrt(TRADING_DAYS_PER_YEAR) * 100.0


def _power(growth: float, exponent: float) -> float | None:
    """`growth ** exponent - 1`, or None when growth is not positive or the result overflows."""
    if growth <= 0:
        return None
    try:
        return math.exp(math.log(growth) * exponent) - 1.0
    except OverflowError:
        return None


def _percent(fraction: float | None) -> float | None:
    return None if fraction is None else fraction * 100.0


def _mean_duration(durations: Sequence[timedelta]) -> timedelta | None:
    if not durations:
        return None
    return sum(durations, timedelta(0)) / len(durations)
