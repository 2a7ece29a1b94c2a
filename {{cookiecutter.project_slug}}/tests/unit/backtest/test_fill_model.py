"""The bar fill simulator on hand-made bars whose fills are known."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.domain import (
    Instrument,
    Order,
    OrderSide,
    OrderType,
)
from {{ cookiecutter.package_name }}.domain.bar import (
    Bar,
)
from {{ cookiecutter.package_name }}.services.backtest.fill_model import (
    SimulatedFill,
    intrabar_path,
    simulate_fills,
    triggered_stop_limits,
)

BUY, SELL = OrderSide.BUY, OrderSide.SELL
MARKET, LIMIT = OrderType.MARKET, OrderType.LIMIT
STOP, STOP_LIMIT = OrderType.STOP_MARKET, OrderType.STOP_LIMIT


@dataclass(frozen=True)
class FakeOrder:
    order_id: str
    side: OrderSide
    order_type: OrderType
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    leaves_qty: Decimal = Decimal(2)


def d(value: str) -> Decimal:
    return Decimal(value)


def bar(open_: str, high: str, low: str, close: str) -> Bar:
    return Bar(
        symbol="ES",
        ts=datetime(2025, 1, 2, 15, 0, tzinfo=UTC),
        open=d(open_),
        high=d(high),
        low=d(low),
        close=d(close),
        volume=100,
    )


def fills_of(a_bar: Bar, *orders: FakeOrder) -> list[tuple[str, Decimal, int]]:
    return [(f.order_id, f.price, f.path_index) for f in simulate_fills(a_bar, orders)]


# Close (5901) nearer the low (5895) than the high (5910): path O -> H -> L -> C.
DOWN_CLOSE = bar("5900", "5910", "5895", "5901")
# Close (5908) nearer the high: path O -> L -> H -> C.
UP_CLOSE = bar("5900", "5910", "5895", "5908")


class TestIntrabarPath:
    def test_close_nearer_the_low_visits_the_high_first(self) -> None:
        assert intrabar_path(DOWN_CLOSE) == (d("5900"), d("5910"), d("5895"), d("5901"))

    def test_close_nearer_the_high_visits_the_low_first(self) -> None:
        assert intrabar_path(UP_CLOSE) == (d("5900"), d("5895"), d("5910"), d("5908"))

    def test_close_halfway_visits_the_high_first(self) -> None:
        assert intrabar_path(bar("5900", "5910", "5890", "5900"))[1] == d("5910")


class TestMarket:
    def test_fills_whole_quantity_at_the_open(self) -> None:
        order = FakeOrder("m1", BUY, MARKET, leaves_qty=Decimal(3))
        assert simulate_fills(DOWN_CLOSE, [order]) == [
            SimulatedFill("m1", d("5900"), Decimal(3), 0)
        ]

    def test_several_market_orders_keep_their_given_order(self) -> None:
        orders = (FakeOrder("b", SELL, MARKET), FakeOrder("a", BUY, MARKET))
        assert [fill.order_id for fill in simulate_fills(UP_CLOSE, orders)] == ["b", "a"]


class TestLimit:
    def test_buy_limit_fills_at_its_price_when_the_path_reaches_it(self) -> None:
        order = FakeOrder("l1", BUY, LIMIT, price=d("5897"))
        assert fills_of(DOWN_CLOSE, order) == [("l1", d("5897"), 2)]
        assert fills_of(UP_CLOSE, order) == [("l1", d("5897"), 1)]

    def test_buy_limit_fills_at_the_better_open_when_the_bar_opens_below_it(self) -> None:
        order = FakeOrder("l1", BUY, LIMIT, price=d("5903"))
        assert fills_of(DOWN_CLOSE, order) == [("l1", d("5900"), 0)]

    def test_sell_limit_fills_at_its_price_or_at_a_gap_above_it(self) -> None:
        reached = FakeOrder("s1", SELL, LIMIT, price=d("5906"))
        gapped = FakeOrder("s2", SELL, LIMIT, price=d("5898"))
        assert fills_of(DOWN_CLOSE, reached, gapped) == [
            ("s2", d("5900"), 0),
            ("s1", d("5906"), 1),
        ]

    def test_a_limit_touched_exactly_by_the_low_fills(self) -> None:
        order = FakeOrder("l1", BUY, LIMIT, price=d("5895"))
        assert fills_of(DOWN_CLOSE, order) == [("l1", d("5895"), 2)]

    def test_a_limit_the_bar_never_reaches_does_not_fill(self) -> None:
        assert fills_of(DOWN_CLOSE, FakeOrder("l1", BUY, LIMIT, price=d("5894.75"))) == []
        assert fills_of(DOWN_CLOSE, FakeOrder("s1", SELL, LIMIT, price=d("5910.25"))) == []


class TestStopMarket:
    def test_buy_stop_fills_at_its_trigger_when_the_path_reaches_it(self) -> None:
        order = FakeOrder("t1", BUY, STOP, trigger_price=d("5905"))
        assert fills_of(DOWN_CLOSE, order) == [("t1", d("5905"), 1)]
        assert fills_of(UP_CLOSE, order) == [("t1", d("5905"), 2)]

    def test_sell_stop_gapped_through_fills_at_the_worse_open(self) -> None:
        order = FakeOrder("t1", SELL, STOP, trigger_price=d("5902"))
        assert fills_of(DOWN_CLOSE, order) == [("t1", d("5900"), 0)]

    def test_buy_stop_gapped_through_fills_at_the_worse_open(self) -> None:
        order = FakeOrder("t1", BUY, STOP, trigger_price=d("5899"))
        assert fills_of(UP_CLOSE, order) == [("t1", d("5900"), 0)]

    def test_a_stop_the_bar_never_reaches_does_not_fill(self) -> None:
        assert fills_of(DOWN_CLOSE, FakeOrder("t1", BUY, STOP, trigger_price=d("5911"))) == []


class TestBracketInsideOneBar:
    """A long's stop-loss at 5896 and take-profit at 5909 are both inside the bar."""

    stop_loss = FakeOrder("sl", SELL, STOP, trigger_price=d("5896"))
    take_profit = FakeOrder("tp", SELL, LIMIT, price=d("5909"))

    def test_high_first_path_takes_profit_first(self) -> None:
        assert fills_of(DOWN_CLOSE, self.stop_loss, self.take_profit) == [
            ("tp", d("5909"), 1),
            ("sl", d("5896"), 2),
        ]

    def test_low_first_path_stops_out_first(self) -> None:
        assert fills_of(UP_CLOSE, self.take_profit, self.stop_loss) == [
            ("sl", d("5896"), 1),
            ("tp", d("5909"), 2),
        ]

    def test_a_gap_through_the_stop_fills_it_at_the_open_before_anything_else(self) -> None:
        gap_down = bar("5890", "5912", "5888", "5892")
        assert fills_of(gap_down, self.take_profit, self.stop_loss) == [
            ("sl", d("5890"), 0),
            ("tp", d("5909"), 1),
        ]


class TestOrderWithinOneLeg:
    def test_nearer_levels_on_the_same_leg_fill_first(self) -> None:
        far = FakeOrder("far", SELL, LIMIT, price=d("5908"))
        near = FakeOrder("near", BUY, STOP, trigger_price=d("5903"))
        middle = FakeOrder("middle", BUY, STOP, trigger_price=d("5905.5"))
        assert [f[0] for f in fills_of(DOWN_CLOSE, far, middle, near)] == [
            "near",
            "middle",
            "far",
        ]


class TestStopLimit:
    def test_fills_at_the_trigger_when_that_is_within_the_limit(self) -> None:
        order = FakeOrder("sl1", BUY, STOP_LIMIT, price=d("5906"), trigger_price=d("5905"))
        assert fills_of(DOWN_CLOSE, order) == [("sl1", d("5905"), 1)]

    def test_gap_past_the_limit_waits_for_the_path_to_come_back(self) -> None:
        gap_up = bar("5908", "5910", "5904", "5905")
        order = FakeOrder("sl1", BUY, STOP_LIMIT, price=d("5906"), trigger_price=d("5905"))
        assert fills_of(gap_up, order) == [("sl1", d("5906"), 2)]
        assert triggered_stop_limits(gap_up, [order]) == []

    def test_gap_within_the_limit_fills_at_the_open(self) -> None:
        gap_down = bar("5897", "5899", "5893", "5894")
        order = FakeOrder("sl1", SELL, STOP_LIMIT, price=d("5896"), trigger_price=d("5898"))
        assert fills_of(gap_down, order) == [("sl1", d("5897"), 0)]

    def test_limit_below_the_trigger_fills_on_the_pullback_after_the_trigger(self) -> None:
        order = FakeOrder("sl1", BUY, STOP_LIMIT, price=d("5904"), trigger_price=d("5908"))
        assert fills_of(DOWN_CLOSE, order) == [("sl1", d("5904"), 2)]

    def test_a_pullback_before_the_trigger_does_not_fill_it(self) -> None:
        # Low-first path reaches 5904 before the rise triggers at 5908, then never returns.
        order = FakeOrder("sl1", BUY, STOP_LIMIT, price=d("5904"), trigger_price=d("5908"))
        assert fills_of(UP_CLOSE, order) == []
        assert triggered_stop_limits(UP_CLOSE, [order]) == ["sl1"]

    def test_untriggered_stop_limit_is_neither_filled_nor_reported(self) -> None:
        order = FakeOrder("sl1", BUY, STOP_LIMIT, price=d("5912"), trigger_price=d("5911"))
        assert fills_of(DOWN_CLOSE, order) == []
        assert triggered_stop_limits(DOWN_CLOSE, [order]) == []

    def test_once_triggered_it_works_as_a_limit_on_later_bars(self) -> None:
        order = FakeOrder("sl1", BUY, STOP_LIMIT, price=d("5904"), trigger_price=d("5908"))
        below_the_trigger = bar("5903", "5906", "5902", "5905")
        assert simulate_fills(below_the_trigger, [order]) == []
        fills = simulate_fills(below_the_trigger, [order], triggered_ids={"sl1"})
        assert fills == [SimulatedFill("sl1", d("5903"), Decimal(2), 0)]
        assert triggered_stop_limits(below_the_trigger, [order], triggered_ids={"sl1"}) == []


def test_domain_orders_are_working_orders() -> None:
    es = Instrument(symbol="ES", tick_size=Decimal("0.25"), multiplier=Decimal(50))
    placed = datetime(2025, 1, 2, 14, 59, tzinfo=UTC)
    stop_loss = Order(
        order_id="sl",
        instrument=es,
        side=SELL,
        order_type=STOP,
        quantity=Decimal(1),
        trigger_price=d("5896"),
        ts_init=placed,
    )
    take_profit = Order(
        order_id="tp",
        instrument=es,
        side=SELL,
        order_type=LIMIT,
        quantity=Decimal(1),
        price=d("5909"),
        ts_init=placed,
    )
    assert simulate_fills(UP_CLOSE, [take_profit, stop_loss]) == [
        SimulatedFill("sl", d("5896"), Decimal(1), 1),
        SimulatedFill("tp", d("5909"), Decimal(1), 2),
    ]


@pytest.mark.parametrize(
    ("order", "problem"),
    [
        (FakeOrder("x", BUY, LIMIT), "'x' is LIMIT but has no price"),
        (FakeOrder("x", BUY, STOP), "'x' is STOP_MARKET but has no trigger price"),
        (FakeOrder("x", BUY, STOP_LIMIT, price=d("1")), "STOP_LIMIT but has no trigger price"),
        (FakeOrder("x", BUY, MARKET, leaves_qty=Decimal(0)), "nothing left to fill"),
        (FakeOrder("x", "BUY", MARKET), "unknown side 'BUY'"),  # type: ignore[arg-type]
        (FakeOrder("x", BUY, "MARKET"), "unknown order type 'MARKET'"),  # type: ignore[arg-type]
    ],
)
def test_a_malformed_order_is_refused(order: FakeOrder, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        simulate_fills(DOWN_CLOSE, [order])
    with pytest.raises(ValueError, match=problem):
        triggered_stop_limits(DOWN_CLOSE, [order])
