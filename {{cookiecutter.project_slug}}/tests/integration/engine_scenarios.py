"""The backtest engine's scenarios on hand-made bars with known answers, shared by both flavours.

Each scenario is bars, a script of strategy actions per bar index, and a check of the `Outcome`:
the run's result, what the strategy was shown, and what the database holds afterwards. The
flavours' `test_engine.py` only run the engine and read the database (awaiting, or not).
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import cast

from {{ cookiecutter.package_name }}.adapters.id_generators import SequentialIdGenerator
from {{ cookiecutter.package_name }}.container import Container
from {{ cookiecutter.package_name }}.domain import (
    LiquiditySide,
    Order,
    OrderSide,
    OrderStatus,
    OrderType,
    Position,
    PositionSide,
    Trade,
)
from {{ cookiecutter.package_name }}.domain.bar import Bar
from {{ cookiecutter.package_name }}.services.backtest.engine import (
    BacktestEngine,
    BacktestResult,
    BacktestSettings,
)
from {{ cookiecutter.package_name }}.services.backtest.strategy import (
    Action,
    CancelAll,
    StrategyView,
    SubmitBracket,
)
from {{ cookiecutter.package_name }}.services.backtest.venue_core import MARGIN_CALL_REASON
from {{ cookiecutter.package_name }}.services.ports import UnitOfWork

from .builders import T0, es_future
from .builders import ohlc as bar

START = T0
COMMISSION = Decimal("2.25")
CASH = Decimal(100_000)
SETTINGS = BacktestSettings(commission_per_contract=COMMISSION, initial_cash=CASH)
SYMBOL, STRATEGY, FIRST_BRACKET, ENTRY = "ES", SETTINGS.strategy_id, "L-000001", "O-000001"


def flat(minute: int, price: str) -> Bar:
    """A bar that does not move: open, high, low and close at one price."""
    return bar(minute, price, price, price, price)


def long_bracket(quantity: int = 1, stop: str = "95", target: str = "110") -> SubmitBracket:
    return SubmitBracket(OrderSide.BUY, Decimal(quantity), Decimal(stop), Decimal(target))


@dataclass
class ScriptedStrategy:
    """Takes the actions written down for each bar index; remembers what it was shown."""

    script: dict[int, list[Action]]
    seen: list[tuple[Bar, Decimal, int]] = field(default_factory=list)

    def on_bar(self, bar: Bar, view: StrategyView) -> list[Action]:
        self.seen.append((bar, view.position_quantity, view.open_order_count))
        return self.script.get(len(self.seen) - 1, [])


def unit_of_work(container: Container) -> UnitOfWork:
    return cast(UnitOfWork, container.unit_of_work())


def engine_for(
    container: Container, strategy: ScriptedStrategy, settings: BacktestSettings = SETTINGS
) -> BacktestEngine:
    return BacktestEngine(
        unit_of_work=lambda: unit_of_work(container),
        instrument=es_future(),
        strategy=strategy,
        ids=SequentialIdGenerator(),
        settings=settings,
    )


@dataclass(frozen=True)
class OrderState:
    order_id: str
    status: OrderStatus
    avg_px: Decimal | None
    reason: str | None


@dataclass(frozen=True)
class TradeState:
    ts_event: datetime
    price: Decimal
    commission: Decimal
    liquidity_side: LiquiditySide


@dataclass(frozen=True)
class PositionState:
    side: PositionSide
    signed_qty: Decimal
    avg_px_open: Decimal
    realized_pnl: Decimal


@dataclass(frozen=True)
class Outcome:
    """A scenario's run, and what the database holds after it (read inside a unit of work)."""

    result: BacktestResult
    strategy: ScriptedStrategy
    bracket: dict[OrderType, OrderState]
    """The orders of the first bracket, by type."""
    entry_trades: list[TradeState]
    position: PositionState | None
    """The open position of the strategy, if any."""
    stored_bars: int

    @classmethod
    def read(
        cls,
        run: tuple[BacktestResult, ScriptedStrategy],
        bracket: Sequence[Order],
        entry_trades: Sequence[Trade],
        position: Position | None,
        stored_bars: int,
    ) -> "Outcome":
        """The outcome from what the repositories returned, while their session is open."""
        return cls(
            *run,
            bracket={
                o.order_type: OrderState(o.order_id, o.status, o.avg_px, o.reason) for o in bracket
            },
            entry_trades=[
                TradeState(t.ts_event, t.price, t.commission, t.liquidity_side)
                for t in entry_trades
            ],
            position=None
            if position is None
            else PositionState(
                position.side, position.signed_qty, position.avg_px_open, position.realized_pnl
            ),
            stored_bars=stored_bars,
        )

    def state(self, order_type: OrderType) -> tuple[OrderStatus, Decimal | None, str | None]:
        order = self.bracket[order_type]
        return order.status, order.avg_px, order.reason


@dataclass(frozen=True)
class Scenario:
    bars: list[Bar]
    script: dict[int, list[Action]]
    check: Callable[[Outcome], None]
    settings: BacktestSettings = SETTINGS


SCENARIOS: dict[str, Scenario] = {}


def scenario(
    bars: list[Bar],
    script: dict[int, list[Action]],
    name: str | None = None,
    settings: BacktestSettings = SETTINGS,
) -> Callable[[Callable[[Outcome], None]], Callable[[Outcome], None]]:
    """Register the decorated check as a scenario, under its name unless one is given."""

    def register(check: Callable[[Outcome], None]) -> Callable[[Outcome], None]:
        SCENARIOS[name or check.__name__] = Scenario(bars, script, check, settings)
        return check

    return register


MARKET_ENTRY_BARS = [flat(0, "100"), bar(1, "101", "102", "100", "101"), flat(2, "101")]


@scenario(MARKET_ENTRY_BARS, {0: [long_bracket()]})
def a_market_entry_fills_at_the_next_bars_open(outcome: Outcome) -> None:
    entry = outcome.bracket[OrderType.MARKET]
    (trade,) = outcome.entry_trades
    assert (entry.order_id, entry.status, entry.avg_px) == (
        ENTRY,
        OrderStatus.FILLED,
        Decimal("101"),
    )
    assert (trade.ts_event, trade.price, trade.commission) == (
        MARKET_ENTRY_BARS[1].ts,
        Decimal("101"),
        COMMISSION,
    )
    assert trade.liquidity_side is LiquiditySide.TAKER
    assert outcome.position is not None
    assert (outcome.position.side, outcome.position.signed_qty) == (PositionSide.LONG, Decimal(1))
    one, none = Decimal(1), Decimal(0)
    assert [(qty, count) for _, qty, count in outcome.strategy.seen] == [
        (none, 0),
        (one, 2),
        (one, 2),
    ]
    assert outcome.result.round_trips == ()


GAP_BARS = [flat(0, "100"), flat(1, "100"), bar(2, "93", "94", "92", "93")]


@scenario(GAP_BARS, {0: [long_bracket(stop="95")]})
def a_gap_through_the_stop_fills_at_the_open_and_cancels_the_target(outcome: Outcome) -> None:
    (trip,) = outcome.result.round_trips
    assert (trip.side, trip.entry_price, trip.exit_price) == (
        PositionSide.LONG,
        Decimal(100),
        Decimal(93),
    )
    assert trip.pnl == (93 - 100) * 50 - 2 * COMMISSION
    # net of the 4.50 commission, on the 5,000 the entry bought: -354.50 is -7.09 %
    assert math.isclose(trip.return_pct, -7.09)
    assert (trip.entry_ts, trip.exit_ts) == (GAP_BARS[1].ts, GAP_BARS[2].ts)
    assert outcome.state(OrderType.STOP_MARKET) == (OrderStatus.FILLED, Decimal(93), None)
    target_status, _, target_reason = outcome.state(OrderType.LIMIT)
    assert target_status is OrderStatus.CANCELED
    assert target_reason is not None
    assert "O-000002 filled" in target_reason


def the_path_decides(exit_type: OrderType, exit_price: str) -> Callable[[Outcome], None]:
    """Stop and target both inside one bar: the bar's path decides which one fills."""

    def check(outcome: Outcome) -> None:
        (trip,) = outcome.result.round_trips
        assert trip.exit_price == Decimal(exit_price)
        assert outcome.state(exit_type)[0] is OrderStatus.FILLED
        sibling = OrderType.LIMIT if exit_type is OrderType.STOP_MARKET else OrderType.STOP_MARKET
        assert outcome.state(sibling)[0] is OrderStatus.CANCELED

    return check


for close, exit_type, exit_price, path in (
    # close nearer the high: the path is open, low, high, close, so the stop comes first
    ("108", OrderType.STOP_MARKET, "95", "open_low_high_close"),
    # close nearer the low: open, high, low, close, so the target comes first
    ("97", OrderType.LIMIT, "110", "open_high_low_close"),
):
    scenario(
        [flat(0, "100"), flat(1, "100"), bar(2, "100", "111", "94", close)],
        {0: [long_bracket(stop="95", target="110")]},
        name=f"stop_and_target_in_one_bar_{path}",
    )(the_path_decides(exit_type, exit_price))


CHILDREN_BARS = [flat(0, "100"), bar(1, "100", "110.25", "99.75", "110")]


@scenario(CHILDREN_BARS, {0: [long_bracket(target="110")]})
def the_children_work_on_the_bar_whose_open_fills_their_entry(outcome: Outcome) -> None:
    (trip,) = outcome.result.round_trips
    assert (trip.entry_ts, trip.exit_ts, trip.exit_price) == (
        CHILDREN_BARS[1].ts,
        CHILDREN_BARS[1].ts,
        Decimal(110),
    )
    assert outcome.state(OrderType.LIMIT) == (OrderStatus.FILLED, Decimal(110), None)
    assert outcome.strategy.seen[-1][1:] == (Decimal(0), 0)


# Submitted when the last bar closes: its prices are inside that bar, but it is over.
@scenario(
    [flat(0, "100"), bar(1, "100", "120", "90", "100")],
    {1: [long_bracket(stop="95", target="110")]},
)
def orders_do_not_fill_on_the_bar_they_are_submitted_on(outcome: Outcome) -> None:
    assert outcome.result.fill_count == 0
    assert {order.status for order in outcome.bracket.values()} == {OrderStatus.ACCEPTED}


@scenario(
    [flat(0, "100"), flat(1, "100"), bar(2, "104", "105", "103", "103")],
    {
        0: [long_bracket(stop="90", target="120")],
        1: [CancelAll(), SubmitBracket(OrderSide.SELL, Decimal(2), Decimal(110), Decimal(80))],
    },
)
def a_larger_opposite_entry_flips_the_position(outcome: Outcome) -> None:
    (trip,) = outcome.result.round_trips
    assert (trip.side, trip.quantity, trip.entry_price, trip.exit_price) == (
        PositionSide.LONG,
        Decimal(1),
        Decimal(100),
        Decimal(104),
    )
    # closing half of the 4.50 commission of the 2-lot sell, plus the entry's 2.25
    assert trip.pnl == Decimal("195.5")
    short = outcome.position
    assert short is not None
    assert (short.side, short.signed_qty, short.avg_px_open) == (
        PositionSide.SHORT,
        Decimal(-1),
        Decimal(104),
    )
    assert short.realized_pnl == -COMMISSION
    # 100,000 + 195.50 realized + (-2.25 commission + 1 point * 50 on the short)
    assert outcome.result.final_equity == Decimal("100243.25")
    assert outcome.strategy.seen[-1][1] == -1


@scenario([flat(0, "100"), flat(1, "100"), flat(2, "100")], {0: [long_bracket()], 1: [CancelAll()]})
def cancel_all_cancels_every_working_order(outcome: Outcome) -> None:
    assert outcome.state(OrderType.MARKET)[0] is OrderStatus.FILLED
    assert outcome.state(OrderType.STOP_MARKET)[0] is OrderStatus.CANCELED
    assert outcome.state(OrderType.LIMIT)[0] is OrderStatus.CANCELED
    assert outcome.strategy.seen[2][1:] == (Decimal(1), 0)


@scenario(
    [flat(0, "100"), flat(1, "100"), flat(2, "102"), bar(3, "102", "111", "101", "110")],
    {0: [long_bracket(stop="95", target="110")]},
)
def equity_marks_the_open_position_at_each_close(outcome: Outcome) -> None:
    result = outcome.result
    assert [value for _, value in result.equity] == [
        100_000.0,
        100_000.0 - 2.25,
        100_000.0 - 2.25 + 2 * 50,
        100_000.0 + 10 * 50 - 4.5,
    ]
    assert result.final_equity == CASH + sum(trip.pnl for trip in result.round_trips)
    # in the market on the entry's bar, the next one, and the exit's bar
    assert (result.report.trades, result.report.exposure_pct) == (1, 75.0)


@scenario(
    [flat(0, "100"), flat(1, "100"), flat(2, "102")],
    {0: [long_bracket(stop="95", target="110")]},
)
def a_position_open_at_the_end_is_reported(outcome: Outcome) -> None:
    result, report = outcome.result, outcome.result.report
    assert (result.round_trips, report.trades) == ((), 0)
    # long 1 from 100, marked at 102: 2 points on 50 a point, less the entry's commission
    assert (report.open_quantity, report.open_pnl) == (1.0, 2 * 50 - 2.25)
    assert report.commissions == 2.25
    assert result.final_equity == CASH + Decimal("97.75")


@scenario(
    [flat(0, "100"), flat(1, "100"), flat(2, "100")],
    {0: [long_bracket()], 1: [long_bracket()]},
    settings=replace(SETTINGS, initial_cash=Decimal(10_000), margin_per_contract=Decimal(12_000)),
)
def an_entry_without_the_margin_for_it_is_rejected_with_its_exits(outcome: Outcome) -> None:
    reason = "insufficient margin: 12,000.00 needed, equity at the last close 10,000.00"
    assert outcome.state(OrderType.MARKET) == (OrderStatus.REJECTED, None, reason)
    for exit_type in (OrderType.STOP_MARKET, OrderType.LIMIT):
        status, _, why = outcome.state(exit_type)
        assert status is OrderStatus.CANCELED
        assert why is not None and "is REJECTED" in why
    result = outcome.result
    assert (result.order_count, result.fill_count, result.round_trips) == (6, 0, ())
    assert result.final_equity == Decimal(10_000)


MARGIN_CALL_BARS = [
    flat(0, "100"),
    flat(1, "100"),
    bar(2, "99", "99", "97", "97"),  # 150 lost: equity 11,947.75, under 12,000 for one contract
    bar(3, "96", "96", "95", "95"),  # the position is closed at this open
    flat(4, "95"),
]


@scenario(
    MARGIN_CALL_BARS,
    {0: [long_bracket(stop="90", target="110")], 2: [long_bracket(), CancelAll()]},
    settings=replace(SETTINGS, initial_cash=Decimal(12_100), margin_per_contract=Decimal(12_000)),
)
def a_margin_call_closes_the_position_and_the_strategy_still_sees_the_bar(outcome: Outcome) -> None:
    result = outcome.result
    assert result.report.margin_calls == 1
    (trip,) = result.round_trips
    assert (trip.exit_ts, trip.exit_price) == (MARGIN_CALL_BARS[3].ts, Decimal(96))
    for exit_type in (OrderType.STOP_MARKET, OrderType.LIMIT):
        status, _, reason = outcome.state(exit_type)
        assert (status, reason) == (OrderStatus.CANCELED, MARGIN_CALL_REASON)
    # asked on every bar: on the call's, it sees the position and the closing order; the entry
    # it submits then lacks the margin (it would make two contracts), and its CancelAll leaves
    # the closing order, which fills at the next open (the round trip above)
    assert [seen[0] for seen in outcome.strategy.seen] == MARGIN_CALL_BARS
    assert outcome.strategy.seen[2][1:] == (Decimal(1), 1)
    assert result.order_count == 7  # two brackets and the closing order
    assert result.report.wiped_out_at is None
    final = 12_100 - 2 * float(COMMISSION) - 4 * 50
    assert [value for _, value in result.equity][-2:] == [final, final]


def short_bracket(quantity: int = 1, stop: str = "110", target: str = "90") -> SubmitBracket:
    return SubmitBracket(OrderSide.SELL, Decimal(quantity), Decimal(stop), Decimal(target))


@scenario(
    MARGIN_CALL_BARS,
    {0: [long_bracket(stop="90", target="110")], 2: [short_bracket()]},
    settings=replace(SETTINGS, initial_cash=Decimal(12_100), margin_per_contract=Decimal(12_000)),
)
def an_opposite_entry_on_a_margin_call_needs_the_margin_of_the_position_it_opens(
    outcome: Outcome,
) -> None:
    # Long 1 with its closing order working: the short entry would open short 1 once the
    # closing order has filled, and the account cannot cover that.
    result = outcome.result
    assert result.report.margin_calls == 1
    assert result.fill_count == 2  # the entry of long 1 and its close; the short never fills
    assert outcome.position is None
    (trip,) = result.round_trips
    assert trip.exit_price == Decimal(96)


@scenario(
    MARGIN_CALL_BARS,
    {0: [long_bracket(quantity=2, stop="90", target="110")], 2: [short_bracket()]},
    settings=replace(SETTINGS, initial_cash=Decimal(24_200), margin_per_contract=Decimal(12_000)),
)
def a_small_opposite_entry_on_a_margin_call_needs_the_margin_of_what_it_opens(
    outcome: Outcome,
) -> None:
    # Long 2 called (equity 23,895.50 under 24,000); the short entry of 1 needs 12,000 once the
    # closing order has filled, which the equity covers: both fill at the next open.
    result = outcome.result
    assert result.report.margin_calls == 1
    (trip,) = result.round_trips
    assert (trip.quantity, trip.exit_price) == (Decimal(2), Decimal(96))
    assert outcome.position is not None
    assert (outcome.position.signed_qty, outcome.position.avg_px_open) == (-1, Decimal(96))


WIPED_OUT_BARS = [
    flat(0, "100"),
    flat(1, "100"),
    bar(2, "99", "99", "97", "97"),  # 3 points on 50 a point: 150 lost of 150 cash
    bar(3, "96", "96", "94", "95"),  # the position is closed at this open
    flat(4, "95"),
]


@scenario(
    WIPED_OUT_BARS,
    {0: [long_bracket(stop="90", target="110")], 3: [long_bracket()], 4: [long_bracket()]},
    settings=replace(SETTINGS, initial_cash=Decimal(150)),
)
def a_wiped_out_account_is_closed_out_and_trades_no_more(outcome: Outcome) -> None:
    result = outcome.result
    assert result.report.wiped_out_at == WIPED_OUT_BARS[2].ts
    (trip,) = result.round_trips
    assert (trip.exit_ts, trip.exit_price) == (WIPED_OUT_BARS[3].ts, Decimal(96))
    assert outcome.state(OrderType.STOP_MARKET)[0] is OrderStatus.CANCELED
    assert outcome.state(OrderType.LIMIT)[0] is OrderStatus.CANCELED
    assert outcome.position is None
    # asked on bars 0 and 1 only: the brackets it would submit later are never seen
    assert len(outcome.strategy.seen) == 2
    assert result.order_count == 4  # the bracket, then the closing order
    final = 150 - 2 * float(COMMISSION) - 4 * 50
    assert [value for _, value in result.equity][-2:] == [final, final]


REPLAYED_BARS = [bar(i, "5900.25", "5901.50", "5899.75", "5900.75") for i in range(5)]


@scenario(REPLAYED_BARS, {})
def the_replayed_bars_are_the_stored_bars(outcome: Outcome) -> None:
    assert [seen for seen, _, _ in outcome.strategy.seen] == REPLAYED_BARS
    assert outcome.result.bar_count == 5
    assert outcome.stored_bars == 5


BAD_BARS = {
    "none": ([], "no bars"),
    "back in time": ([flat(1, "100"), flat(0, "100")], "strictly increasing time"),
    "same time twice": ([flat(0, "100"), flat(0, "100")], "strictly increasing time"),
    "another symbol": (
        [Bar("NQ", START, Decimal(1), Decimal(1), Decimal(1), Decimal(1), 1)],
        "is for NQ",
    ),
    "a close off the tick grid": (
        [flat(0, "100"), bar(1, "100", "100.25", "99.75", "100.10")],
        r"bar 1 at .*: its close 100\.10 is not a multiple of the ES tick size 0\.25",
    ),
}
"""Bars the engine refuses before storing anything, and the words of its error."""

CHUNKED_BARS = [flat(minute, "100") for minute in range(7)]
CHUNKED = replace(SETTINGS, read_chunk=3, progress_every=2)
"""Seven bars read back three at a time, progress every two: the progress calls expected."""
CHUNKED_PROGRESS = [(0, 7), (2, 7), (4, 7), (6, 7), (7, 7)]


class UnknownAction:
    """An action no engine carries out: the bar that returns it fails."""


FAILING_BARS = [flat(minute, "100") for minute in range(5)]
FAILING_SCRIPT: dict[int, list[Action]] = {
    0: [long_bracket()],
    3: [CancelAll()],
    4: [long_bracket(), cast(Action, UnknownAction())],
}
"""Replayed three bars a chunk (`CHUNKED`): the first bracket's entry fills at bar 1, its exits are
cancelled at bar 3 in the second chunk, and bar 4 submits a second bracket, then fails."""
FAILING_FIRST_BRACKET = {
    OrderType.MARKET: OrderStatus.FILLED,
    OrderType.STOP_MARKET: OrderStatus.CANCELED,
    OrderType.LIMIT: OrderStatus.CANCELED,
}
SECOND_BRACKET = "L-000002"
