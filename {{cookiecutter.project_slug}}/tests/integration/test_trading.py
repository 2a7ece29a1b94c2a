"""The trading use cases through the unit of work, on every backend."""

from dataclasses import replace
from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.domain import (
    DuplicateFillError,
    InvalidOrderError,
    InvalidTradeError,
    InvalidTransitionError,
    NotFoundError,
    OffTickPriceError,
    OrderStatus,
    OrderType,
    OverfillError,
    PositionSide,
    ReduceOnlyError,
    TimeInForce,
)
from {{ cookiecutter.package_name }}.services import trading
from {{ cookiecutter.package_name }}.services.commands import SubmitOrder
from {{ cookiecutter.package_name }}.services.ports import Clock, IdGenerator, UnitOfWork

from .builders import (
    LIST_ID,
    buy,
    child,
    fill_command,
    in_list,
    order_state,
    position_state,
    sell,
    unknown_instrument_buy,
)


def place(uow: UnitOfWork, command: SubmitOrder, clock: Clock, ids: IdGenerator) -> str:
    with uow:
        order = trading.submit_order(uow, command, clock=clock, ids=ids)
        trading.accept_order(uow, order.order_id, clock=clock)
        uow.commit()
        return order.order_id


def fill(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator, order_id: str, trade_id: str, qty: int, px: str
) -> None:
    with uow:
        command = fill_command(order_id, trade_id, qty, px)
        trading.fill_order(uow, command, clock=clock, ids=ids)
        uow.commit()


def test_a_submitted_order_is_stored_as_submitted(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    with uow:
        order = trading.submit_order(uow, buy(2, "5900.25"), clock=clock, ids=ids)
        uow.commit()

    with uow:
        stored = uow.orders.get(order.order_id)
        assert (stored.status, stored.leaves_qty, stored.price) == (
            OrderStatus.SUBMITTED,
            Decimal(2),
            Decimal("5900.25"),
        )


def test_an_order_off_the_tick_grid_is_refused_and_nothing_is_stored(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    with uow, pytest.raises(OffTickPriceError, match=r"5900\.10"):
        trading.submit_order(uow, buy(1, "5900.10"), clock=clock, ids=ids)
        uow.commit()

    with uow:
        assert uow.orders.count() == 0


def test_an_order_for_an_unknown_instrument_is_refused(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    command = unknown_instrument_buy()
    with uow, pytest.raises(NotFoundError, match="instrument 'ZZ'"):
        trading.submit_order(uow, command, clock=clock, ids=ids)


def test_partial_then_full_fill_opens_a_position_at_the_average_price(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    order_id = place(uow, buy(3, "5900.00"), clock, ids)

    fill(uow, clock, ids, order_id, "T-1", 1, "5900.00")
    with uow:
        assert uow.orders.get(order_id).status is OrderStatus.PARTIALLY_FILLED
    fill(uow, clock, ids, order_id, "T-2", 2, "5899.25")

    with uow:
        order = uow.orders.get(order_id)
        filled = (OrderStatus.FILLED, Decimal(3), Decimal(0), Decimal("5899.50"), Decimal("7.50"))
        assert order_state(order) == filled
        position = uow.positions.get_open("ES", "default")
        assert position_state(position) == (PositionSide.LONG, Decimal(3), Decimal("5899.50"))
        assert position is not None and order.position_id == position.position_id


def test_a_fill_id_seen_twice_is_refused_and_changes_nothing(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    order_id = place(uow, buy(3, "5900.00"), clock, ids)
    fill(uow, clock, ids, order_id, "T-1", 1, "5900.00")

    with pytest.raises(DuplicateFillError, match="T-1"):
        fill(uow, clock, ids, order_id, "T-1", 1, "5900.00")

    with uow:
        assert uow.orders.get(order_id).filled_qty == Decimal(1)


def test_a_fill_larger_than_what_is_left_is_refused(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    order_id = place(uow, buy(1, "5900.00"), clock, ids)

    with pytest.raises(OverfillError):
        fill(uow, clock, ids, order_id, "T-1", 2, "5900.00")


def test_a_stop_order_is_filled_only_once_triggered(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    stop = replace(buy(1), order_type=OrderType.STOP_MARKET, trigger_price=Decimal("5910.00"))
    order_id = place(uow, stop, clock, ids)

    with pytest.raises(InvalidTransitionError, match="fills only once its trigger price"):
        fill(uow, clock, ids, order_id, "T-1", 1, "5910.25")
    with uow:
        assert order_state(uow.orders.get(order_id))[:2] == (OrderStatus.ACCEPTED, Decimal(0))
        assert not uow.trades.exists("T-1")
        trading.trigger_order(uow, order_id, clock=clock)
        uow.commit()
    fill(uow, clock, ids, order_id, "T-1", 1, "5910.25")
    with uow:
        assert order_state(uow.orders.get(order_id))[:2] == (OrderStatus.FILLED, Decimal(1))


def test_selling_more_than_the_long_flips_into_a_short(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    fill(uow, clock, ids, place(uow, buy(2), clock, ids), "T-1", 2, "5900.00")
    fill(uow, clock, ids, place(uow, sell(3), clock, ids), "T-2", 3, "5910.00")

    with uow:
        [closed] = uow.positions.list_closed("ES", "default")
        assert closed.side is PositionSide.FLAT
        # 10 points x 2 contracts x 50, less 5.00 to open and 2/3 of the 7.50 to close
        assert closed.realized_pnl == Decimal("990.00")
        short = uow.positions.get_open("ES", "default")
        assert position_state(short) == (PositionSide.SHORT, Decimal(-1), Decimal("5910.00"))
        assert trading.mark_to_market(uow, "ES", "default", Decimal("5905.00")) == Decimal("250")


def test_cancel_and_expire_end_an_order_and_a_filled_order_cannot_be_canceled(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    to_cancel = place(uow, buy(1, "5890.00"), clock, ids)
    day_order = replace(buy(1, "5890.00"), time_in_force=TimeInForce.DAY)
    to_expire = place(uow, day_order, clock, ids)
    gtc = place(uow, buy(1, "5880.00"), clock, ids)
    filled = place(uow, buy(1), clock, ids)
    fill(uow, clock, ids, filled, "T-1", 1, "5900.00")

    with uow:
        trading.cancel_order(uow, to_cancel, clock=clock, reason="strategy exit")
        trading.expire_order(uow, to_expire, clock=clock)
        uow.commit()
    with uow, pytest.raises(InvalidTransitionError, match="FILLED"):
        trading.cancel_order(uow, filled, clock=clock)
    with uow:
        with pytest.raises(InvalidTransitionError, match="GTC order works until it fills"):
            trading.expire_order(uow, gtc, clock=clock)
        assert uow.orders.get(gtc).status is OrderStatus.ACCEPTED

    with uow:
        assert uow.orders.get(to_cancel).status is OrderStatus.CANCELED
        assert uow.orders.get(to_cancel).reason == "strategy exit"
        assert uow.orders.get(to_expire).status is OrderStatus.EXPIRED
        assert [o.order_id for o in uow.orders.list_open("ES", "default")] == [gtc]


def test_cancelling_an_entry_cancels_its_open_children(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    entry = place(uow, in_list(buy(1)), clock, ids)
    stop = place(uow, child(entry, OrderType.STOP_MARKET, "5890.00"), clock, ids)
    target = place(uow, child(entry, OrderType.LIMIT, "5910.00"), clock, ids)

    with uow:
        trading.cancel_order(uow, entry, clock=clock, reason="changed my mind")
        uow.commit()

    with uow:
        for child_id in (stop, target):
            order = uow.orders.get(child_id)
            assert (order.status, order.reason) == (
                OrderStatus.CANCELED,
                f"its parent order {entry} is CANCELED",
            )
        assert uow.orders.list_open("ES", "default") == []


def test_a_reduce_only_fill_that_would_flip_the_position_is_refused_and_changes_nothing(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    fill(uow, clock, ids, place(uow, buy(1), clock, ids), "T-1", 1, "5900.00")
    exit_ = place(uow, replace(sell(2), reduce_only=True), clock, ids)

    with pytest.raises(ReduceOnlyError, match=r"SELL fill of 2 .* \(LONG 1\)"):
        fill(uow, clock, ids, exit_, "T-2", 2, "5905.00")

    with uow:
        assert order_state(uow.orders.get(exit_))[:2] == (OrderStatus.ACCEPTED, Decimal(0))
        position = uow.positions.get_open("ES", "default")
        assert position_state(position) == (PositionSide.LONG, Decimal(1), Decimal("5900.00"))


def test_a_child_order_needs_a_parent_in_its_list_that_is_no_child_itself(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    entry = place(uow, in_list(buy(1)), clock, ids)
    stop = place(uow, child(entry, OrderType.STOP_MARKET, "5890.00"), clock, ids)

    with pytest.raises(NotFoundError, match="O-404"):
        place(uow, child("O-404", OrderType.LIMIT, "5910.00"), clock, ids)
    with pytest.raises(InvalidOrderError, match="one level deep"):
        place(uow, child(stop, OrderType.LIMIT, "5910.00"), clock, ids)
    with pytest.raises(InvalidOrderError, match="not in its parent's 'L-1'"):
        place(
            uow, replace(child(entry, OrderType.LIMIT, "5910.00"), order_list_id="L-2"), clock, ids
        )


def test_a_refused_exit_leaves_no_order_of_its_bracket_behind(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    exits = [
        replace(child("-", OrderType.LIMIT, "5910.00"), parent_order_id=None),
        replace(child("-", OrderType.STOP_MARKET, "5890.10"), parent_order_id=None),  # off the grid
    ]
    with uow:
        with pytest.raises(OffTickPriceError):
            trading.submit_with_children(uow, in_list(buy(1)), exits, clock=clock, ids=ids)
        uow.commit()  # a caller that carries on stores what the call left behind

    with uow:
        assert list(uow.orders.list_in_group(LIST_ID)) == []


def test_a_fill_the_positions_refuse_leaves_its_order_as_it_was(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    order_id = place(uow, buy(4_000_000), clock, ids)
    command = fill_command(order_id, "T-1", 4_000_000, "5900.00")  # a cost basis of 1.18e12
    with uow:
        with pytest.raises(InvalidTradeError, match="past the amount limit"):
            trading.fill_order(uow, command, clock=clock, ids=ids)
        uow.commit()

    with uow:
        assert order_state(uow.orders.get(order_id))[:2] == (OrderStatus.ACCEPTED, Decimal(0))
        assert uow.positions.get_open("ES", "default") is None
        assert not uow.trades.exists("T-1")
