"""The reference VWAP streak strategy on hand-made bar sequences."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.domain.bar import (
    Bar,
)
from {{ cookiecutter.package_name }}.domain.enums import (
    OrderSide,
)
from {{ cookiecutter.package_name }}.domain.errors import InvalidQuantityError
from {{ cookiecutter.package_name }}.runner.reference import reference_instrument
from {{ cookiecutter.package_name }}.services.backtest.bar_generator import (
    generate_bars,
)
from {{ cookiecutter.package_name }}.services.backtest.engine_core import BacktestError
from {{ cookiecutter.package_name }}.services.backtest.strategy import (
    Action,
    CancelAll,
    Strategy,
    SubmitBracket,
)
from {{ cookiecutter.package_name }}.services.backtest.vwap_strategy import (
    SessionVwap,
    VwapStreakStrategy,
)

TICK = Decimal("0.25")
DAY_ONE = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)
DAY_TWO = datetime(2025, 1, 3, 14, 30, tzinfo=UTC)


@dataclass
class FakeView:
    position_quantity: Decimal = Decimal(0)
    open_order_count: int = 0
    tick_size: Decimal = TICK


def flat_bar(ts: datetime, price: str, volume: int = 10) -> Bar:
    value = Decimal(price)
    return Bar("ES", ts, value, value, value, value, volume)


def anchored_session(start: datetime, anchor: str, closes: list[str]) -> list[Bar]:
    """A heavy first bar pins VWAP near `anchor`; light bars then close at `closes`."""
    first = flat_bar(start, anchor, volume=1_000_000)
    rest = [flat_bar(start + timedelta(minutes=i + 1), c) for i, c in enumerate(closes)]
    return [first, *rest]


def run(strategy: Strategy, bars: list[Bar], view: FakeView | None = None) -> list[list[Action]]:
    shown = view or FakeView()
    return [strategy.on_bar(bar, shown) for bar in bars]


def entries(results: list[list[Action]]) -> list[tuple[int, SubmitBracket]]:
    """Every action with the index of its bar; the VWAP strategy only submits brackets."""
    found = []
    for index, actions in enumerate(results):
        for action in actions:
            assert isinstance(action, SubmitBracket)
            found.append((index, action))
    return found


class TestSessionVwap:
    def test_vwap_weights_the_typical_price_by_volume(self) -> None:
        vwap = SessionVwap()
        vwap.add(Bar("ES", DAY_ONE, Decimal(10), Decimal(11), Decimal(9), Decimal(10), 100))
        vwap.add(Bar("ES", DAY_ONE, Decimal(12), Decimal(13), Decimal(11), Decimal(12), 300))
        # typical prices 10 and 12, weights 100 and 300: (1000 + 3600) / 400
        assert vwap.value == Decimal("11.5")
        assert vwap.side_of(Decimal("11.75")) == 1
        assert vwap.side_of(Decimal("11.5")) == 0
        assert vwap.side_of(Decimal("11.25")) == -1

    def test_vwap_is_undefined_before_any_volume(self) -> None:
        vwap = SessionVwap()
        vwap.add(flat_bar(DAY_ONE, "100", volume=0))
        assert vwap.value is None
        assert vwap.side_of(Decimal(1)) == 0


class TestEntries:
    def test_the_30th_close_above_vwap_goes_long_with_a_bracket(self) -> None:
        results = run(VwapStreakStrategy(), anchored_session(DAY_ONE, "100", ["101"] * 30))
        assert entries(results) == [
            (30, SubmitBracket(OrderSide.BUY, Decimal(1), Decimal("96.00"), Decimal("111.00")))
        ]

    def test_the_30th_close_below_vwap_goes_short_with_a_bracket(self) -> None:
        strategy = VwapStreakStrategy(quantity=Decimal(2), stop_ticks=8, target_ticks=12)
        results = run(strategy, anchored_session(DAY_ONE, "100", ["99"] * 30))
        assert entries(results) == [
            (30, SubmitBracket(OrderSide.SELL, Decimal(2), Decimal("101.00"), Decimal("96.00")))
        ]

    def test_29_closes_are_not_enough(self) -> None:
        results = run(VwapStreakStrategy(), anchored_session(DAY_ONE, "100", ["101"] * 29))
        assert entries(results) == []

    def test_a_close_at_or_across_vwap_restarts_the_count(self) -> None:
        for breaker in ("100", "99"):
            closes = ["101"] * 29 + [breaker] + ["101"] * 30
            results = run(VwapStreakStrategy(), anchored_session(DAY_ONE, "100", closes))
            assert [index for index, _ in entries(results)] == [60]

    def test_a_shorter_streak_length_enters_sooner(self) -> None:
        results = run(
            VwapStreakStrategy(streak_length=3), anchored_session(DAY_ONE, "100", ["101"] * 3)
        )
        assert [index for index, _ in entries(results)] == [3]

    def test_a_new_entry_needs_a_fresh_streak(self) -> None:
        results = run(VwapStreakStrategy(), anchored_session(DAY_ONE, "100", ["101"] * 90))
        assert [index for index, _ in entries(results)] == [30, 60, 90]

    def test_prices_are_put_on_the_grid_from_an_off_grid_close(self) -> None:
        strategy = VwapStreakStrategy(streak_length=1, stop_ticks=2, target_ticks=3)
        view = FakeView(tick_size=Decimal("0.5"))
        results = run(strategy, anchored_session(DAY_ONE, "100", ["101.30"]), view)
        # 101.30 rounds to 101.5 on the 0.5 grid: stop 2 ticks below, target 3 above
        assert entries(results) == [
            (1, SubmitBracket(OrderSide.BUY, Decimal(1), Decimal("100.5"), Decimal("103.0")))
        ]


class TestBusy:
    def test_no_entry_while_in_position_then_entry_once_flat(self) -> None:
        strategy = VwapStreakStrategy()
        bars = anchored_session(DAY_ONE, "100", ["101"] * 31)
        in_position = run(strategy, bars[:31], FakeView(position_quantity=Decimal(-1)))
        assert entries(in_position) == []
        assert strategy.on_bar(bars[31], FakeView()) != []

    def test_no_entry_while_orders_are_working(self) -> None:
        bars = anchored_session(DAY_ONE, "100", ["101"] * 35)
        results = run(VwapStreakStrategy(), bars, FakeView(open_order_count=1))
        assert entries(results) == []


class TestSessions:
    def test_the_streak_restarts_at_a_new_session(self) -> None:
        day_one = anchored_session(DAY_ONE, "100", ["101"] * 20)
        day_two = anchored_session(DAY_TWO, "100", ["101"] * 29)
        results = run(VwapStreakStrategy(), day_one + day_two)
        assert entries(results) == []

    def test_vwap_restarts_at_a_new_session(self) -> None:
        strategy = VwapStreakStrategy()
        run(strategy, anchored_session(DAY_ONE, "100", ["101"] * 5))
        strategy.on_bar(flat_bar(DAY_TWO, "90", volume=4), FakeView())
        assert strategy.vwap.value == Decimal(90)

    def test_closes_are_judged_against_todays_vwap_only(self) -> None:
        # Yesterday's heavy volume at 100 would put 95 below VWAP; today's VWAP is near 90.
        day_one = anchored_session(DAY_ONE, "100", [])
        day_two = anchored_session(DAY_TWO, "90", ["95"] * 30)
        results = run(VwapStreakStrategy(), day_one + day_two)
        assert [(index, a.side) for index, a in entries(results)] == [(31, OrderSide.BUY)]

    def test_a_session_boundary_can_be_set_for_round_the_clock_data(self) -> None:
        strategy = VwapStreakStrategy(session_boundary=time(22, 0))
        evening = datetime(2025, 1, 2, 21, 59, tzinfo=UTC)
        strategy.on_bar(flat_bar(evening, "100"), FakeView())
        strategy.on_bar(flat_bar(evening + timedelta(minutes=1), "80"), FakeView())
        assert strategy.vwap.value == Decimal(80)
        strategy.on_bar(flat_bar(evening + timedelta(hours=3), "90"), FakeView())
        assert strategy.vwap.value == Decimal(85)


def test_on_generated_data_every_bracket_is_on_the_grid_and_well_placed() -> None:
    results = run(VwapStreakStrategy(), list(generate_bars(count=3_900)))
    brackets = [action for _, action in entries(results)]
    assert brackets
    for action in brackets:
        assert action.stop_price % TICK == 0
        assert action.target_price % TICK == 0
        direction = 1 if action.side is OrderSide.BUY else -1
        assert direction * (action.target_price - action.stop_price) == 60 * TICK


class TestValidation:
    @pytest.mark.parametrize(
        ("arguments", "problem"),
        [
            ({"streak_length": 0}, "streak_length must be a positive whole number"),
            ({"stop_ticks": -2}, "stop_ticks must be a positive whole number"),
            ({"target_ticks": 1.5}, "target_ticks must be a positive whole number"),
            ({"quantity": Decimal(0)}, "quantity must be positive"),
        ],
    )
    def test_bad_parameters_are_refused(self, arguments: dict[str, object], problem: str) -> None:
        with pytest.raises(ValueError, match=problem):
            VwapStreakStrategy(**arguments)  # type: ignore[arg-type]

    def test_a_non_positive_tick_size_is_refused(self) -> None:
        strategy = VwapStreakStrategy(streak_length=1)
        with pytest.raises(ValueError, match="tick size must be positive"):
            run(strategy, anchored_session(DAY_ONE, "100", ["101"]), FakeView(tick_size=Decimal(0)))

    @pytest.mark.parametrize(
        ("side", "quantity", "stop", "target", "problem"),
        [
            (OrderSide.BUY, "1", "105", "95", "BUY bracket needs its stop 105 on the losing side"),
            (OrderSide.SELL, "1", "95", "105", "SELL bracket needs its stop 95 on the losing side"),
            (OrderSide.BUY, "1", "100", "100", "on the losing side"),
            (OrderSide.BUY, "0", "95", "105", "quantity must be positive"),
            (OrderSide.BUY, "1", "0", "105", "stop_price must be positive"),
            (OrderSide.SELL, "1", "105", "-1", "target_price must be positive"),
            ("BUY", "1", "95", "105", "side must be an OrderSide"),
        ],
    )
    def test_a_malformed_bracket_is_refused(
        self, side: OrderSide, quantity: str, stop: str, target: str, problem: str
    ) -> None:
        with pytest.raises(ValueError, match=problem):
            SubmitBracket(side, Decimal(quantity), Decimal(stop), Decimal(target))

    def test_cancel_all_is_a_plain_value(self) -> None:
        assert CancelAll() == CancelAll()


class TestFit:
    def bars(self) -> list[Bar]:
        return anchored_session(datetime(2025, 1, 2, 14, 30, tzinfo=UTC), "10.00", ["10.00"] * 3)

    def test_settings_that_fit_the_bars_pass(self) -> None:
        VwapStreakStrategy(stop_ticks=39, target_ticks=39).check_fit(
            reference_instrument(), self.bars()
        )

    @pytest.mark.parametrize("name", ["stop_ticks", "target_ticks"])
    def test_ticks_reaching_zero_are_refused_with_the_room_left(self, name: str) -> None:
        strategy = VwapStreakStrategy(**{name: 40})  # 40 ticks of 0.25 from 10.00 is 0
        with pytest.raises(BacktestError, match=f"{name} 40 .* at most 39 ticks of 0.25 fit"):
            strategy.check_fit(reference_instrument(), self.bars())

    def test_a_position_worth_more_than_the_amount_limit_is_refused(self) -> None:
        def strategy(quantity: int) -> VwapStreakStrategy:
            return VwapStreakStrategy(quantity=Decimal(quantity), stop_ticks=20, target_ticks=20)

        with pytest.raises(BacktestError, match="past the amount limit"):  # 2e9 x 15.00 x 50
            strategy(2 * 10**9).check_fit(reference_instrument(), self.bars())
        strategy(10**8).check_fit(reference_instrument(), self.bars())

    def test_a_round_trip_paying_more_commission_than_the_amount_limit_is_refused(self) -> None:
        strategy = VwapStreakStrategy(quantity=Decimal(2), stop_ticks=20, target_ticks=20)
        with pytest.raises(BacktestError, match="pays 1,000,000,000,000 in commission"):
            strategy.check_fit(reference_instrument(), self.bars(), Decimal(250_000_000_000))
        strategy.check_fit(reference_instrument(), self.bars(), Decimal(249_999_999_999))

    def test_a_quantity_off_the_step_is_refused(self) -> None:
        strategy = VwapStreakStrategy(quantity=Decimal("1.5"))
        with pytest.raises(InvalidQuantityError, match="not a multiple of the quantity step"):
            strategy.check_fit(reference_instrument(), self.bars())
