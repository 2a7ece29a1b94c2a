"""The venue's initial-margin check of a new entry against the equity at the last close."""

from datetime import UTC, datetime
from decimal import Decimal

from {{ cookiecutter.package_name }}.domain import (
    Instrument,
    Order,
    OrderSide,
    OrderType,
)
from {{ cookiecutter.package_name }}.services.backtest.venue_core import (
    margin_call,
    margin_needed,
    margin_rejection,
    reachable_positions,
)

from ..positions import long_position

MADE = datetime(2025, 1, 2, 15, 0, tzinfo=UTC)
ES = Instrument(symbol="ES", tick_size=Decimal("0.25"), multiplier=Decimal(50))
MARGIN = Decimal(12_000)
BUY, SELL = OrderSide.BUY, OrderSide.SELL


def order(order_id: str, side: OrderSide, quantity: int, *, reduce_only: bool = False) -> Order:
    made = Order(
        order_id=order_id,
        instrument=ES,
        side=side,
        order_type=OrderType.MARKET,
        quantity=Decimal(quantity),
        ts_init=MADE,
        reduce_only=reduce_only,
    )
    made.submit(MADE)
    return made


def test_the_largest_reachable_position_counts_reduce_only_orders_first() -> None:
    working = [order("B", BUY, 2), order("S", SELL, 5), order("X", SELL, 9, reduce_only=True)]
    # long 1: all buys filled make long 3; the reduce-only sell may close it first (and no
    # further), then all sells make short 5
    assert reachable_positions(long_position(1), working) == (3, -5)
    assert margin_needed(long_position(1), working, MARGIN) == 5 * MARGIN
    assert margin_needed(long_position(1), working[:2], MARGIN) == 4 * MARGIN
    assert margin_needed(None, [], MARGIN) == 0
    assert reachable_positions(None, [order("X", BUY, 3, reduce_only=True)]) == (0, 0)


def test_an_entry_the_equity_cannot_cover_is_refused() -> None:
    entry = order("E", BUY, 2)
    reason = margin_rejection(long_position(1), [], entry, MARGIN, equity=Decimal(30_000))
    assert reason == "insufficient margin: 36,000.00 needed, equity at the last close 30,000.00"
    assert margin_rejection(long_position(1), [], entry, MARGIN, equity=Decimal(36_000)) is None


def test_an_entry_that_reduces_the_need_passes_whatever_the_equity() -> None:
    # long 3 after losses that left 1,000 of equity: a sell of 2 only lowers the margin needed
    assert (
        margin_rejection(long_position(3), [], order("E", SELL, 2), MARGIN, Decimal(1_000)) is None
    )
    # a sell of 7 flips it to short 4, which needs more than long 3 did
    flip = margin_rejection(long_position(3), [], order("E", SELL, 7), MARGIN, Decimal(1_000))
    assert flip is not None and flip.startswith("insufficient margin: 48,000.00 needed")


def test_an_entry_that_opens_the_other_side_needs_its_margin() -> None:
    # long 3 with 1,000 of equity: a sell of 4 would leave short 1, a position it cannot cover;
    # the margin asked is short 1's, not the long 3 the sell takes away
    reason = margin_rejection(long_position(3), [], order("E", SELL, 4), MARGIN, Decimal(1_000))
    assert reason is not None and reason.startswith("insufficient margin: 12,000.00 needed")
    assert margin_rejection(long_position(3), [], order("E", SELL, 4), MARGIN, MARGIN) is None


def test_an_entry_beside_a_closing_order_is_judged_on_the_position_left_after_it() -> None:
    # long 2 being closed (a margin call's reduce-only sell): a sell of 2 would open short 2
    closing = [order("C", SELL, 2, reduce_only=True)]
    reason = margin_rejection(
        long_position(2), closing, order("E", SELL, 2), MARGIN, Decimal(20_000)
    )
    assert reason == "insufficient margin: 24,000.00 needed, equity at the last close 20,000.00"
    # a sell of 1 would open short 1 only: the equity covers that
    assert (
        margin_rejection(long_position(2), closing, order("E", SELL, 1), MARGIN, Decimal(20_000))
        is None
    )
    # a further reduce-only sell takes the account no further short: it passes
    assert (
        margin_rejection(
            long_position(2), closing, order("E", SELL, 2, reduce_only=True), MARGIN, Decimal(1)
        )
        is None
    )


def test_no_margin_per_contract_checks_nothing() -> None:
    assert margin_rejection(None, [], order("E", BUY, 100), Decimal(0), Decimal(1)) is None


def test_a_margin_call_comes_when_equity_is_below_the_maintenance_margin() -> None:
    maintenance = Decimal(11_000)
    assert margin_call(long_position(2), Decimal("21999.99"), maintenance)
    assert not margin_call(long_position(2), Decimal(22_000), maintenance)
    assert not margin_call(None, Decimal(0), maintenance)
    assert not margin_call(long_position(2), Decimal(1), Decimal(0))
