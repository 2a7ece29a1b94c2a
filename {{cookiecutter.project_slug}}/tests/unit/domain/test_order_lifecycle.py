"""Order lifecycle: every transition of the status table, and the ones it refuses."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest

from {{ cookiecutter.package_name }}.domain import (
    FILLABLE_ORDER_STATUSES,
    ORDER_TRANSITIONS,
    InvalidOrderError,
    InvalidTransitionError,
    LiquiditySide,
    Order,
    OrderStatus,
    OrderType,
    OutOfOrderEventError,
    TimeInForce,
    Trade,
    can_transition,
)

S = OrderStatus
NewOrder = Callable[..., Order]
START = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)

# The lifecycle as the trading venues define it; a fill may leave any fillable order partly filled.
EXPECTED_TRANSITIONS = {
    S.INITIALIZED: {S.SUBMITTED, S.DENIED},
    S.SUBMITTED: {S.ACCEPTED, S.REJECTED, S.CANCELED, S.PARTIALLY_FILLED, S.FILLED},
    S.ACCEPTED: {S.TRIGGERED, S.PARTIALLY_FILLED, S.FILLED, S.CANCELED, S.EXPIRED},
    S.TRIGGERED: {S.PARTIALLY_FILLED, S.FILLED, S.CANCELED, S.EXPIRED, S.REJECTED},
    S.PARTIALLY_FILLED: {S.PARTIALLY_FILLED, S.FILLED, S.CANCELED, S.EXPIRED},
    S.DENIED: set(),
    S.FILLED: set(),
    S.CANCELED: set(),
    S.REJECTED: set(),
    S.EXPIRED: set(),
}

# How to bring a 4-lot BUY STOP_LIMIT DAY order (trigger 5001, limit 5002) to each status.
PATHS: dict[OrderStatus, list[OrderStatus]] = {
    S.INITIALIZED: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.DENIED: [S.DENIED],
    S.ACCEPTED: [S.SUBMITTED, S.ACCEPTED],
    S.REJECTED: [S.SUBMITTED, S.REJECTED],
    S.TRIGGERED: [S.SUBMITTED, S.ACCEPTED, S.TRIGGERED],
    S.PARTIALLY_FILLED: [S.SUBMITTED, S.ACCEPTED, S.TRIGGERED, S.PARTIALLY_FILLED],
    S.FILLED: [S.SUBMITTED, S.ACCEPTED, S.TRIGGERED, S.FILLED],
    S.CANCELED: [S.SUBMITTED, S.CANCELED],
    S.EXPIRED: [S.SUBMITTED, S.ACCEPTED, S.EXPIRED],
}


def stop_limit(new_order: NewOrder) -> Order:
    """A DAY order: a GTC order works until it fills or is cancelled, it never expires."""
    return new_order(
        order_type=OrderType.STOP_LIMIT,
        quantity=Decimal(4),
        price=Decimal("5002.00"),
        trigger_price=Decimal("5001.00"),
        time_in_force=TimeInForce.DAY,
    )


def limit(new_order: NewOrder) -> Order:
    """A 4-lot BUY LIMIT DAY at 5002: it has no trigger to wait for before a fill."""
    return new_order(
        order_type=OrderType.LIMIT,
        quantity=Decimal(4),
        price=Decimal("5002.00"),
        time_in_force=TimeInForce.DAY,
    )


FILLS = frozenset({S.PARTIALLY_FILLED, S.FILLED})
BEFORE_TRIGGER = frozenset({S.SUBMITTED, S.ACCEPTED})


def fill(order: Order, quantity: Decimal, ts: datetime) -> Trade:
    return Trade(
        trade_id=f"T-{ts.minute}",
        order_id=order.order_id,
        symbol=order.symbol,
        strategy_id=order.strategy_id,
        side=order.side,
        quantity=quantity,
        price=Decimal("5001.00"),
        commission=Decimal("1.05"),
        liquidity_side=LiquiditySide.TAKER,
        ts_event=ts,
    )


def move(order: Order, target: OrderStatus, ts: datetime) -> None:
    """Drive `order` to `target` through the public method that does it."""
    actions: dict[OrderStatus, Callable[[], None]] = {
        S.SUBMITTED: lambda: order.submit(ts),
        S.DENIED: lambda: order.deny("exceeds the position limit", ts),
        S.ACCEPTED: lambda: order.accept(ts),
        S.REJECTED: lambda: order.reject("market closed", ts),
        S.CANCELED: lambda: order.cancel(ts, reason="strategy stopped"),
        S.EXPIRED: lambda: order.expire(ts),
        S.TRIGGERED: lambda: order.trigger(ts),
        S.PARTIALLY_FILLED: lambda: order.apply_fill(fill(order, Decimal(1), ts)),
        S.FILLED: lambda: order.apply_fill(fill(order, max(order.leaves_qty, Decimal(1)), ts)),
    }
    actions[target]()


def order_in(status: OrderStatus, new_order: NewOrder, *, stop: bool = True) -> Order:
    order = stop_limit(new_order) if stop else limit(new_order)
    for minute, step in enumerate(PATHS[status], start=1):
        move(order, step, START + timedelta(minutes=minute))
    assert order.status is status
    return order


def snapshot(order: Order) -> dict[str, object]:
    return dict(vars(order))


VALID = [(a, b) for a, targets in EXPECTED_TRANSITIONS.items() for b in sorted(targets)]
# Nothing leads back to INITIALIZED; a FILLED order has no quantity left to fill partly.
INVALID = [
    (a, b)
    for a, b in product(OrderStatus, OrderStatus)
    if b not in EXPECTED_TRANSITIONS[a]
    and b is not S.INITIALIZED
    and (a, b) != (S.FILLED, S.PARTIALLY_FILLED)
]


def test_the_status_table_is_the_venue_lifecycle() -> None:
    assert {status: set(targets) for status, targets in ORDER_TRANSITIONS.items()} == (
        EXPECTED_TRANSITIONS
    )


def test_fills_are_accepted_only_while_submitted_accepted_triggered_or_partly_filled() -> None:
    assert set(FILLABLE_ORDER_STATUSES) == {
        S.SUBMITTED,
        S.ACCEPTED,
        S.TRIGGERED,
        S.PARTIALLY_FILLED,
    }


@pytest.mark.parametrize(("current", "target"), VALID, ids=[f"{a}->{b}" for a, b in VALID])
def test_every_valid_transition_moves_the_order(
    new_order: NewOrder, current: OrderStatus, target: OrderStatus
) -> None:
    # A stop order fills only once triggered; the table's fills before that are other orders'.
    stop = not (current in BEFORE_TRIGGER and target in FILLS)
    order = order_in(current, new_order, stop=stop)
    ts = START + timedelta(hours=1)
    move(order, target, ts)
    assert order.status is target
    assert order.ts_last == ts
    assert order.ts_closed == (ts if target.is_terminal else None)
    assert can_transition(current, target)


@pytest.mark.parametrize(("current", "target"), INVALID, ids=[f"{a}->{b}" for a, b in INVALID])
def test_every_other_transition_is_refused_and_changes_nothing(
    new_order: NewOrder, current: OrderStatus, target: OrderStatus
) -> None:
    order = order_in(current, new_order)
    before = snapshot(order)
    with pytest.raises(InvalidTransitionError) as refused:
        move(order, target, START + timedelta(hours=1))
    assert snapshot(order) == before
    assert (refused.value.order_id, refused.value.current, refused.value.target) == (
        "O-1",
        current,
        target,
    )
    assert f"order 'O-1' cannot go from {current} to {target}" in str(refused.value)


class TestTimestampsAndReasons:
    def test_submit_and_accept_record_their_times(self, new_order: NewOrder) -> None:
        order = new_order()
        order.submit(START + timedelta(seconds=1))
        order.accept(START + timedelta(seconds=2))
        assert order.ts_submitted == START + timedelta(seconds=1)
        assert order.ts_accepted == order.ts_last == START + timedelta(seconds=2)
        assert order.is_open
        assert not order.is_terminal

    def test_trigger_records_its_time(self, new_order: NewOrder) -> None:
        order = order_in(S.TRIGGERED, new_order)
        assert order.ts_triggered == START + timedelta(minutes=3)

    def test_a_denied_order_keeps_the_reason_and_is_closed(self, new_order: NewOrder) -> None:
        order = new_order()
        order.deny("reduce-only order would open a position", START)
        assert order.reason == "reduce-only order would open a position"
        assert order.ts_closed == START
        assert order.is_terminal
        assert not order.is_open
        assert order.signed_leaves == 0

    def test_a_reject_needs_a_reason(self, new_order: NewOrder) -> None:
        order = order_in(S.SUBMITTED, new_order)
        with pytest.raises(InvalidOrderError, match="order 'O-1' reason must be a non-empty"):
            order.reject("", START + timedelta(hours=1))
        assert order.status is S.SUBMITTED

    def test_a_gtc_order_does_not_expire(self, new_order: NewOrder) -> None:
        order = new_order(time_in_force=TimeInForce.GTC)
        order.submit(START)
        order.accept(START)
        before = snapshot(order)
        with pytest.raises(InvalidTransitionError, match="GTC order works until it fills"):
            order.expire(START + timedelta(days=30))
        assert snapshot(order) == before

    def test_a_cancel_may_give_a_reason_or_not(self, new_order: NewOrder) -> None:
        quiet, explained = order_in(S.ACCEPTED, new_order), order_in(S.ACCEPTED, new_order)
        quiet.cancel(START + timedelta(hours=1))
        explained.cancel(START + timedelta(hours=1), reason="OCO sibling filled")
        assert (quiet.reason, explained.reason) == (None, "OCO sibling filled")

    def test_a_canceled_partial_fill_keeps_what_was_filled(self, new_order: NewOrder) -> None:
        order = order_in(S.PARTIALLY_FILLED, new_order)
        order.cancel(START + timedelta(hours=1))
        assert (order.filled_qty, order.leaves_qty) == (Decimal(1), Decimal(3))
        assert order.filled_qty + order.leaves_qty == order.quantity

    def test_an_event_earlier_than_the_last_one_is_refused(self, new_order: NewOrder) -> None:
        order = order_in(S.ACCEPTED, new_order)
        before = snapshot(order)
        with pytest.raises(OutOfOrderEventError, match=r"order 'O-1' event at .* is earlier"):
            order.cancel(START)
        assert snapshot(order) == before

    def test_an_event_at_the_same_time_as_the_last_one_is_fine(self, new_order: NewOrder) -> None:
        order = new_order()
        order.submit(START)
        order.accept(START)
        assert order.status is S.ACCEPTED

    def test_a_naive_event_time_is_refused(self, new_order: NewOrder) -> None:
        with pytest.raises(InvalidOrderError, match="event time must be timezone-aware"):
            new_order().submit(datetime(2025, 1, 2, 14, 31))


class TestTrigger:
    @pytest.mark.parametrize("order_type", [OrderType.LIMIT, OrderType.MARKET])
    def test_an_order_without_a_trigger_price_cannot_trigger(
        self, new_order: NewOrder, order_type: OrderType
    ) -> None:
        price = Decimal(5000) if order_type is OrderType.LIMIT else None
        order = new_order(order_type=order_type, price=price)
        order.submit(START)
        order.accept(START)
        with pytest.raises(InvalidTransitionError, match=f"a {order_type} order has no trigger"):
            order.trigger(START)
        assert order.status is S.ACCEPTED

    def test_a_stop_market_order_triggers(self, new_order: NewOrder) -> None:
        order = new_order(
            order_type=OrderType.STOP_MARKET, price=None, trigger_price=Decimal("4990.00")
        )
        order.submit(START)
        order.accept(START)
        order.trigger(START + timedelta(minutes=5))
        assert order.status is S.TRIGGERED
        assert order.is_open
