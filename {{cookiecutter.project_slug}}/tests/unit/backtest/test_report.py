"""Report metrics on small series whose answers are worked out by hand."""

import json
import math
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.domain.enums import (
    PositionSide,
)
from {{ cookiecutter.package_name }}.services.backtest.report import (
    BacktestReport,
    OpenPosition,
    RoundTrip,
    build_report,
    daily_returns,
    drawdown_periods,
    drawdown_series,
    sharpe_ratio,
    sortino_ratio,
    trade_return_pct,
)

DAY_ONE = datetime(2025, 1, 2, 15, 0, tzinfo=UTC)
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)

# Cash 100. Day closes 110, 104.5, 114.95: daily returns +10 %, -5 %, +10 %.
# A drawdown of -10 % from the 110 peak (t1) recovers at 121 (t4); a second of -5 % is open.
T = [DAY_ONE, DAY_ONE + HOUR, DAY_ONE + DAY, DAY_ONE + DAY + HOUR, DAY_ONE + 2 * DAY]
T.append(T[-1] + HOUR)
CURVE = list(zip(T, [100.0, 110.0, 99.0, 104.5, 121.0, 114.95], strict=True))


def trip(pnl: str, return_pct: float, minutes: int, commission: str = "5") -> RoundTrip:
    return RoundTrip(
        symbol="ES",
        side=PositionSide.LONG,
        quantity=Decimal(1),
        entry_ts=DAY_ONE,
        exit_ts=DAY_ONE + timedelta(minutes=minutes),
        entry_price=Decimal("5900"),
        exit_price=Decimal("5906"),
        pnl=Decimal(pnl),
        commission=Decimal(commission),
        return_pct=return_pct,
    )


TRIPS = [trip("300", 1.0, 10), trip("-100", -0.5, 20), trip("200", 0.8, 30), trip("-100", -0.4, 60)]


def report(**changes: Any) -> BacktestReport:
    arguments: dict[str, Any] = {
        "equity": CURVE,
        "round_trips": TRIPS,
        "initial_cash": 100,
        "bars_in_position": 3,
        "first_price": Decimal("5900"),
        "last_price": Decimal("6195"),
    }
    arguments.update(changes)
    return build_report(**arguments)


class TestEquityFigures:
    def test_period_exposure_and_equity(self) -> None:
        result = report()
        assert (result.start, result.end, result.duration) == (T[0], T[-1], 2 * DAY + HOUR)
        assert result.exposure_pct == 50.0
        assert result.initial_cash == 100.0
        assert result.final_equity == 114.95
        assert result.peak_equity == 121.0

    def test_returns(self) -> None:
        result = report()
        assert result.return_pct == pytest.approx(14.95)
        assert result.buy_and_hold_return_pct == pytest.approx(5.0)
        assert result.annualized_return_pct == pytest.approx((1.1495 ** (252 / 3) - 1) * 100)
        years = (2 * DAY + HOUR).total_seconds() / (365.25 * 86400)
        assert result.cagr_pct == pytest.approx((1.1495 ** (1 / years) - 1) * 100)

    def test_daily_returns_start_from_the_cash(self) -> None:
        assert daily_returns(CURVE, 100.0) == pytest.approx([0.10, -0.05, 0.10])

    def test_daily_returns_follow_a_session_start_other_than_midnight(self) -> None:
        # by UTC date: Sunday 101, Monday 104; from 22:00: Sunday 23:00 to Monday 20:00 is one
        # day closing at 103, and Monday 23:00 starts the next
        sunday_evening = datetime(2025, 1, 5, 23, 0, tzinfo=UTC)
        monday = datetime(2025, 1, 6, 20, 0, tzinfo=UTC)
        curve = [(sunday_evening, 101.0), (monday, 103.0), (monday + 3 * HOUR, 104.0)]
        assert daily_returns(curve, 100.0) == pytest.approx([0.01, 104 / 101 - 1])
        assert daily_returns(curve, 100.0, time(22, 0)) == pytest.approx([0.03, 104 / 103 - 1])

    def test_volatility_sharpe_and_sortino_from_daily_returns(self) -> None:
        result = report()
        # mean 0.05; sample variance (0.05² + 0.1² + 0.05²) / 2 = 0.0075
        assert result.annualized_volatility_pct == pytest.approx(
            math.sqrt(0.0075) * math.sqrt(252) * 100
        )
        assert result.sharpe_ratio == pytest.approx(0.05 / math.sqrt(0.0075) * math.sqrt(252))
        # downside deviation: sqrt((0 + 0.05² + 0) / 3)
        assert result.sortino_ratio == pytest.approx(0.05 / math.sqrt(0.0025 / 3) * math.sqrt(252))

    def test_a_risk_free_rate_lowers_sharpe(self) -> None:
        daily = [0.01, 0.03]
        excess = [0.01 - 0.0252 / 252, 0.03 - 0.0252 / 252]
        expected = (sum(excess) / 2) / math.sqrt(2 * 0.01**2 / 1) * math.sqrt(252)
        with_rate, without_rate = sharpe_ratio(daily, 0.0252), sharpe_ratio(daily)
        assert with_rate == pytest.approx(expected)
        assert with_rate is not None and without_rate is not None
        assert with_rate < without_rate

    def test_drawdowns(self) -> None:
        result = report()
        assert result.max_drawdown_pct == pytest.approx(-10.0)
        assert result.avg_drawdown_pct == pytest.approx(-7.5)
        assert result.max_drawdown_duration == T[4] - T[1]
        assert result.avg_drawdown_duration == ((T[4] - T[1]) + (T[5] - T[4])) / 2
        assert result.calmar_ratio == pytest.approx((1.1495 ** (252 / 3) - 1) / 0.10)
        deepest = (
            result.max_drawdown_peak_at,
            result.max_drawdown_trough_at,
            result.max_drawdown_recovered_at,
        )
        assert deepest == (T[1], T[2], T[4])

    def test_drawdown_series_and_periods(self) -> None:
        assert drawdown_series(CURVE, 100.0) == pytest.approx([0, 0, -10, -5, 0, -5])
        periods = drawdown_periods(CURVE, 100.0)
        assert [p.duration for p in periods] == [T[4] - T[1], T[5] - T[4]]
        assert [p.depth_pct for p in periods] == pytest.approx([-10.0, -5.0])
        assert [(p.peak_at, p.trough_at, p.recovered_at) for p in periods] == [
            (T[1], T[2], T[4]),
            (T[4], T[5], None),  # still below its peak when the curve ends
        ]

    def test_a_first_bar_below_the_cash_is_a_drawdown_from_the_start(self) -> None:
        curve = [(T[0], 90.0), (T[1], 95.0), (T[2], 100.0)]
        [period] = drawdown_periods(curve, 100.0)
        assert period.depth_pct == pytest.approx(-10.0)
        assert period.duration == T[2] - T[0]


class TestTradeFigures:
    def test_counts_rates_and_extremes(self) -> None:
        result = report()
        assert result.trades == 4
        assert result.win_rate_pct == 50.0
        assert (result.best_trade_pct, result.worst_trade_pct) == (1.0, -0.5)
        assert result.avg_trade_pct == pytest.approx(0.225)
        assert result.commissions == 20.0
        assert (result.open_quantity, result.open_pnl) == (0.0, 0.0)

    def test_a_position_open_at_the_end_is_reported_with_its_commission(self) -> None:
        # short 2, 6.50 paid to open it and 1.00 realized so far, 40.00 unrealized at the close
        still_open = OpenPosition(Decimal(-2), Decimal("33.50"), Decimal("6.50"))
        result = report(open_position=still_open)
        assert (result.open_quantity, result.open_pnl) == (-2.0, 33.5)
        assert result.commissions == 26.5  # 20.00 of the round trips and 6.50
        assert result.trades == 4

    def test_durations(self) -> None:
        result = report()
        assert result.max_trade_duration == timedelta(minutes=60)
        assert result.avg_trade_duration == timedelta(minutes=30)

    def test_profit_factor_expectancy_and_sqn(self) -> None:
        result = report()
        assert result.profit_factor == pytest.approx(500 / 200)
        assert result.expectancy == pytest.approx(75.0)
        # pnl deviations from 75: 225, -175, 125, -175 -> sample variance 127500 / 3
        assert result.sqn == pytest.approx(2 * 75 / math.sqrt(127_500 / 3))

    def test_trade_return_is_the_net_pnl_over_the_entry_notional(self) -> None:
        # long 2 at 100 with multiplier 50, out at 110: 1,000 gross, 990 after 10 commission
        assert trade_return_pct(Decimal(990), Decimal(100), Decimal(2), Decimal(50)) == (
            pytest.approx(9.9)
        )
        # a quarter point won on one contract, 7.50 paid: the trade lost, its return is negative
        assert trade_return_pct(Decimal("-7.50"), Decimal(100), Decimal(1), Decimal(50)) == (
            pytest.approx(-0.15)
        )


class TestUndefinedFigures:
    def test_no_trades(self) -> None:
        result = report(round_trips=[])
        assert result.trades == 0
        assert result.commissions == 0.0
        undefined = (
            result.win_rate_pct,
            result.best_trade_pct,
            result.worst_trade_pct,
            result.avg_trade_pct,
            result.max_trade_duration,
            result.avg_trade_duration,
            result.profit_factor,
            result.expectancy,
            result.sqn,
        )
        assert undefined == (None,) * 9

    def test_no_losing_trade_leaves_profit_factor_undefined(self) -> None:
        result = report(round_trips=[trip("10", 0.1, 5), trip("20", 0.2, 5)])
        assert result.profit_factor is None
        assert result.win_rate_pct == 100.0

    def test_one_trade_leaves_sqn_undefined(self) -> None:
        assert report(round_trips=[trip("10", 0.1, 5)]).sqn is None

    def test_a_flat_curve_has_no_variance_and_no_drawdown(self) -> None:
        flat = [(T[0], 100.0), (T[2], 100.0), (T[4], 100.0)]
        result = report(equity=flat, bars_in_position=0)
        assert result.annualized_volatility_pct == 0.0
        assert (result.sharpe_ratio, result.sortino_ratio, result.calmar_ratio) == (None,) * 3
        assert (result.max_drawdown_pct, result.avg_drawdown_pct) == (0.0, 0.0)
        assert result.max_drawdown_peak_at is None
        assert result.max_drawdown_recovered_at is None
        assert result.max_drawdown_duration == timedelta(0)
        assert result.return_pct == 0.0

    def test_returns_equal_but_for_float_noise_leave_sharpe_undefined(self) -> None:
        # equity growing by exactly 1 % a day gives returns that differ in the 17th digit
        assert sharpe_ratio([0.01, 0.010000000000000009, 0.009999999999999787]) is None
        assert sharpe_ratio([0.01, 0.0101, 0.0099]) is not None

    def test_no_losing_day_leaves_sortino_undefined(self) -> None:
        assert sortino_ratio([0.01, 0.02]) is None

    def test_one_day_leaves_the_daily_ratios_undefined(self) -> None:
        result = report(equity=CURVE[:2], bars_in_position=1)
        assert result.sharpe_ratio is None
        assert result.annualized_volatility_pct is None

    def test_a_single_instant_has_no_cagr(self) -> None:
        assert report(equity=[(T[0], 101.0)], bars_in_position=0).cagr_pct is None

    def test_an_overflowing_annualisation_is_undefined(self) -> None:
        curve = [(T[0], 100.0), (T[2], 100_000_000.0)]
        result = report(equity=curve, bars_in_position=0)
        assert (result.annualized_return_pct, result.cagr_pct) == (None, None)
        assert result.return_pct == pytest.approx(99_999_900.0)

    def test_minutes_across_a_session_start_are_not_annualized(self) -> None:
        # nine minutes across midnight: two UTC days in name, 0.2 % that would read as 1e100 %
        midnight = datetime(2025, 1, 3, tzinfo=UTC)
        curve = [(midnight - 5 * MINUTE, 100.1), (midnight + 4 * MINUTE, 100.2)]
        result = report(equity=curve, bars_in_position=0)
        assert (result.annualized_return_pct, result.cagr_pct, result.sharpe_ratio) == (None,) * 3
        assert result.annualized_volatility_pct is None

    def test_one_day_leaves_the_annualized_figures_undefined(self) -> None:
        # 3 % in one session would read as 170,000 % a year
        curve = [(T[0], 101.0), (T[0] + 6 * HOUR, 103.0)]
        result = report(equity=curve, bars_in_position=0)
        assert (result.annualized_return_pct, result.cagr_pct) == (None, None)
        assert result.calmar_ratio is None
        assert result.return_pct == pytest.approx(3.0)

    def test_a_wiped_out_account_has_no_ratios(self) -> None:
        curve = [(T[0], 50.0), (T[2], -10.0), (T[4], 5.0)]
        result = report(equity=curve, bars_in_position=0)
        assert result.return_pct == pytest.approx(-95.0)
        assert result.max_drawdown_pct == pytest.approx(-110.0)
        assert (result.sharpe_ratio, result.annualized_volatility_pct) == (None, None)


def test_to_dict_is_strict_json_with_durations_in_seconds() -> None:
    data = json.loads(json.dumps(report().to_dict(), allow_nan=False))
    assert data["start"] == "2025-01-02T15:00:00+00:00"
    assert data["duration_seconds"] == (2 * DAY + HOUR).total_seconds()
    assert data["max_trade_duration_seconds"] == 3600.0
    assert data["trades"] == 4
    assert "duration" not in data
    empty = json.loads(json.dumps(report(round_trips=[]).to_dict(), allow_nan=False))
    assert empty["avg_trade_duration_seconds"] is None
    assert empty["profit_factor"] is None


class TestBadInput:
    @pytest.mark.parametrize(
        ("changes", "problem"),
        [
            ({"equity": []}, "the equity curve is empty"),
            ({"initial_cash": 0}, "initial cash must be positive"),
            ({"bars_in_position": 7}, "between 0 and the 6 bars, got 7"),
            ({"bars_in_position": -1}, "between 0 and the 6 bars, got -1"),
            ({"first_price": 0}, "buy-and-hold first price must be positive"),
            ({"equity": [(T[1], 100.0), (T[0], 100.0)]}, "point 1 at .* goes back in time"),
            ({"equity": [(datetime(2025, 1, 2), 100.0)]}, "point 0 has a naive timestamp"),
            ({"equity": [(T[0], math.nan)]}, "point 0 is not a finite number"),
        ],
    )
    def test_bad_report_input_is_refused(self, changes: dict[str, Any], problem: str) -> None:
        if "equity" in changes:
            changes.setdefault("bars_in_position", 0)
        with pytest.raises(ValueError, match=problem):
            report(**changes)

    @pytest.mark.parametrize(
        ("changes", "problem"),
        [
            ({"side": PositionSide.FLAT}, "LONG or SHORT"),
            ({"side": "LONG"}, "LONG or SHORT"),
            ({"quantity": Decimal(0)}, "quantity must be positive"),
            ({"exit_ts": DAY_ONE - HOUR}, "exits at .* before it enters"),
            ({"commission": Decimal(-1)}, "commission must not be negative"),
        ],
    )
    def test_a_malformed_round_trip_is_refused(self, changes: dict[str, Any], problem: str) -> None:
        fields: dict[str, Any] = {**trip("1", 0.1, 5).__dict__, **changes}
        with pytest.raises(ValueError, match=problem):
            RoundTrip(**fields)
