"""The backtest engine on hand-made bars with known answers, on every backend."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import cast

import pytest

from {{ cookiecutter.package_name }}.adapters.id_generators import SequentialIdGenerator
from {{ cookiecutter.package_name }}.container import Container
from {{ cookiecutter.package_name }}.domain import (
    Instrument,
    LiquiditySide,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
)
from {{ cookiecutter.package_name }}.domain.bar import Bar
from {{ cookiecutter.package_name }}.services.backtest.engine import (
    BacktestEngine,
    BacktestError,
    BacktestResult,
    BacktestSettings,
)
from {{ cookiecutter.package_name }}.services.backtest.strategy import (
    Action,
    CancelAll,
    StrategyView,
    SubmitBracket,
)
from {{ cookiecutter.package_name }}.services.ports import UnitOfWork

START = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)
COMMISSION = Decimal("2.25")
CASH = Decimal(100_000)


def es_future() -> Instrument:
    return Instrument(symbol="ES", tick_size=Decimal("0.25"), multiplier=Decimal(50))


def bar(minute: int, open_: str, high: str, low: str, close: str) -> Bar:
    return Bar(
        symbol="ES",
        ts=START + timedelta(minutes=minute),
        open=Decimal(open_),
        high=Decimal(high),
        low=Decimal(low),
        close=Decimal(close),
        volume=100,
    )


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


def engine_for(container: Container, strategy: ScriptedStrategy, **settings: int) -> BacktestEngine:
    return BacktestEngine(
        unit_of_work=lambda: unit_of_work(container),
        instrument=es_future(),
        strategy=strategy,
        ids=SequentialIdGenerator(),
        settings=BacktestSettings(
            commission_per_contract=COMMISSION, initial_cash=CASH, **settings
        ),
    )


async def run(
    container: Container, bars: Sequence[Bar], script: dict[int, list[Action]]
) -> tuple[BacktestResult, ScriptedStrategy]:
    strategy = ScriptedStrategy(script)
    return await engine_for(container, strategy).run(bars), strategy


OrderState = tuple[OrderStatus, Decimal | None, str | None]


async def orders_of(
    container: Container, order_list_id: str = "L-000001"
) -> dict[OrderType, OrderState]:
    """Status, average fill price and reason of each order of a bracket, by order type."""
    async with unit_of_work(container) as uow:
        return {
            order.order_type: (order.status, order.avg_px, order.reason)
            for order in await uow.orders.list_in_group(order_list_id)
        }


async def test_a_market_entry_fills_at_the_next_bars_open(container: Container) -> None:
    bars = [flat(0, "100"), bar(1, "101", "102", "100", "101"), flat(2, "101")]

    result, strategy = await run(container, bars, {0: [long_bracket()]})

    async with unit_of_work(container) as uow:
        entry = await uow.orders.get("O-000001")
        (trade,) = await uow.trades.list_for_order("O-000001")
        position = await uow.positions.get_open("ES", "vwap-streak")
        assert (entry.order_type, entry.status, entry.avg_px) == (
            OrderType.MARKET,
            OrderStatus.FILLED,
            Decimal("101"),
        )
        assert (trade.ts_event, trade.price, trade.commission) == (
            bars[1].ts,
            Decimal("101"),
            COMMISSION,
        )
        assert trade.liquidity_side is LiquiditySide.TAKER
        assert position is not None
        assert (position.side, position.signed_qty) == (PositionSide.LONG, Decimal(1))
    assert [(qty, count) for _, qty, count in strategy.seen] == [(0, 0), (1, 2), (1, 2)]
    assert result.round_trips == ()


async def test_a_gap_through_the_stop_fills_at_the_open_and_cancels_the_target(
    container: Container,
) -> None:
    bars = [flat(0, "100"), flat(1, "100"), bar(2, "93", "94", "92", "93")]

    result, _ = await run(container, bars, {0: [long_bracket(stop="95")]})

    (trip,) = result.round_trips
    assert (trip.side, trip.entry_price, trip.exit_price) == (PositionSide.LONG, 100, 93)
    assert trip.pnl == (93 - 100) * 50 - 2 * COMMISSION
    assert (trip.entry_ts, trip.exit_ts) == (bars[1].ts, bars[2].ts)
    orders = await orders_of(container)
    assert orders[OrderType.STOP_MARKET] == (OrderStatus.FILLED, Decimal(93), None)
    target_status, _, target_reason = orders[OrderType.LIMIT]
    assert target_status is OrderStatus.CANCELED
    assert target_reason is not None
    assert "O-000002 filled" in target_reason


@pytest.mark.parametrize(
    ("close", "exit_type", "exit_price"),
    [
        # close nearer the high: the path is open, low, high, close, so the stop comes first
        ("108", OrderType.STOP_MARKET, "95"),
        # close nearer the low: open, high, low, close, so the target comes first
        ("97", OrderType.LIMIT, "110"),
    ],
)
async def test_when_stop_and_target_are_both_inside_one_bar_the_path_decides(
    container: Container, close: str, exit_type: OrderType, exit_price: str
) -> None:
    bars = [flat(0, "100"), flat(1, "100"), bar(2, "100", "111", "94", close)]

    result, _ = await run(container, bars, {0: [long_bracket(stop="95", target="110")]})

    (trip,) = result.round_trips
    assert trip.exit_price == Decimal(exit_price)
    orders = await orders_of(container)
    assert orders[exit_type][0] is OrderStatus.FILLED
    sibling = OrderType.LIMIT if exit_type is OrderType.STOP_MARKET else OrderType.STOP_MARKET
    assert orders[sibling][0] is OrderStatus.CANCELED


async def test_the_children_work_on_the_bar_whose_open_fills_their_entry(
    container: Container,
) -> None:
    bars = [flat(0, "100"), bar(1, "100", "110.25", "99.75", "110")]

    result, strategy = await run(container, bars, {0: [long_bracket(target="110")]})

    (trip,) = result.round_trips
    assert (trip.entry_ts, trip.exit_ts, trip.exit_price) == (bars[1].ts, bars[1].ts, 110)
    assert (await orders_of(container))[OrderType.LIMIT] == (OrderStatus.FILLED, Decimal(110), None)
    assert strategy.seen[-1][1:] == (0, 0)


async def test_orders_do_not_fill_on_the_bar_they_are_submitted_on(container: Container) -> None:
    # Submitted when the last bar closes: its prices are inside that bar, but it is over.
    bars = [flat(0, "100"), bar(1, "100", "120", "90", "100")]

    result, _ = await run(container, bars, {1: [long_bracket(stop="95", target="110")]})

    assert result.fill_count == 0
    assert {status for status, _, _ in (await orders_of(container)).values()} == {
        OrderStatus.ACCEPTED
    }


async def test_a_larger_opposite_entry_flips_the_position(container: Container) -> None:
    sell_two = SubmitBracket(OrderSide.SELL, Decimal(2), Decimal("110"), Decimal("80"))
    bars = [flat(0, "100"), flat(1, "100"), bar(2, "104", "105", "103", "103")]

    result, strategy = await run(
        container, bars, {0: [long_bracket(stop="90", target="120")], 1: [CancelAll(), sell_two]}
    )

    (trip,) = result.round_trips
    assert (trip.side, trip.quantity, trip.entry_price, trip.exit_price) == (
        PositionSide.LONG,
        1,
        100,
        104,
    )
    # closing half of the 4.50 commission of the 2-lot sell, plus the entry's 2.25
    assert trip.pnl == Decimal("195.5")
    async with unit_of_work(container) as uow:
        short = await uow.positions.get_open("ES", "vwap-streak")
        assert short is not None
        assert (short.side, short.signed_qty, short.avg_px_open) == (PositionSide.SHORT, -1, 104)
        assert short.realized_pnl == -COMMISSION
    # 100,000 + 195.50 realized + (-2.25 commission + 1 point * 50 on the short)
    assert result.final_equity == Decimal("100243.25")
    assert strategy.seen[-1][1] == -1


async def test_cancel_all_cancels_every_working_order(container: Container) -> None:
    bars = [flat(0, "100"), flat(1, "100"), flat(2, "100")]

    _, strategy = await run(container, bars, {0: [long_bracket()], 1: [CancelAll()]})

    orders = await orders_of(container)
    assert orders[OrderType.MARKET][0] is OrderStatus.FILLED
    assert orders[OrderType.STOP_MARKET][0] is OrderStatus.CANCELED
    assert orders[OrderType.LIMIT][0] is OrderStatus.CANCELED
    assert strategy.seen[2][1:] == (1, 0)


async def test_equity_marks_the_open_position_at_each_close(container: Container) -> None:
    bars = [flat(0, "100"), flat(1, "100"), flat(2, "102"), bar(3, "102", "111", "101", "110")]

    result, _ = await run(container, bars, {0: [long_bracket(stop="95", target="110")]})

    assert [value for _, value in result.equity] == [
        100_000.0,
        100_000.0 - 2.25,
        100_000.0 - 2.25 + 2 * 50,
        100_000.0 + 10 * 50 - 4.5,
    ]
    assert result.final_equity == CASH + sum(trip.pnl for trip in result.round_trips)
    assert (result.report.trades, result.report.exposure_pct) == (1, 50.0)


async def test_the_replayed_bars_are_the_stored_bars(container: Container) -> None:
    bars = [bar(i, "5900.25", "5901.50", "5899.75", "5900.75") for i in range(5)]

    result, strategy = await run(container, bars, {})

    assert [seen for seen, _, _ in strategy.seen] == bars
    assert result.bar_count == 5
    async with unit_of_work(container) as uow:
        assert await uow.bars.count("ES") == 5


@pytest.mark.parametrize(
    ("bars", "message"),
    [
        ([], "no bars"),
        ([flat(1, "100"), flat(0, "100")], "strictly increasing time"),
        ([flat(0, "100"), flat(0, "100")], "strictly increasing time"),
        ([Bar("NQ", START, Decimal(1), Decimal(1), Decimal(1), Decimal(1), 1)], "is for NQ"),
    ],
)
async def test_bad_bars_are_refused_before_anything_is_stored(
    container: Container, bars: list[Bar], message: str
) -> None:
    with pytest.raises(BacktestError, match=message):
        await run(container, bars, {})

    async with unit_of_work(container) as uow:
        assert await uow.bars.count("ES") == 0


async def test_a_database_that_already_holds_bars_is_refused(container: Container) -> None:
    await run(container, [flat(0, "100")], {})

    with pytest.raises(BacktestError, match="already holds 1 ES bars"):
        await run(container, [flat(5, "100")], {})


async def test_bars_are_read_back_in_chunks_and_progress_goes_from_zero_to_all(
    container: Container,
) -> None:
    bars = [flat(minute, "100") for minute in range(7)]
    strategy = ScriptedStrategy({})
    calls: list[tuple[int, int]] = []

    engine = engine_for(container, strategy, read_chunk=3, progress_every=2)
    result = await engine.run(bars, on_progress=lambda done, total: calls.append((done, total)))

    assert [seen for seen, _, _ in strategy.seen] == bars
    assert calls == [(0, 7), (2, 7), (4, 7), (6, 7), (7, 7)]
    assert result.bar_count == 7


async def test_an_engine_runs_once(container: Container) -> None:
    engine = engine_for(container, ScriptedStrategy({}))
    stored = await engine.store([flat(0, "100")])
    await engine.replay(stored)

    with pytest.raises(BacktestError, match="already run"):
        await engine.replay(stored)
