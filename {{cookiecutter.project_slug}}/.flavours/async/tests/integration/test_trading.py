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


async def place(uow: UnitOfWork, command: SubmitOrder, clock: Clock, ids: IdGenerator) -> str:
    async with uow:
        order = await trading.submit_order(uow, command, clock=clock, ids=ids)
        await trading.accept_order(uow, order.order_id, clock=clock)
        await uow.commit()
        return order.order_id


async def fill(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator, order_id: str, trade_id: str, qty: int, px: str
) -> None:
    async with uow:
        command = fill_command(order_id, trade_id, qty, px)
        await trading.fill_order(uow, command, clock=clock, ids=ids)
        await uow.commit()


async def test_a_submitted_order_is_stored_as_submitted(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    async with uow:
        order = await trading.submit_order(uow, buy(2, "5900.25"), clock=clock, ids=ids)
        await uow.commit()

    async with uow:
        stored = await uow.orders.get(order.order_id)
        assert (stored.status, stored.leaves_qty, stored.price) == (
            OrderStatus.SUBMITTED,
            Decimal(2),
            Decimal("5900.25"),
        )


async def test_an_order_off_the_tick_grid_is_refused_and_nothing_is_stored(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    async with uow:
        with pytest.raises(OffTickPriceError, match=r"5900\.10"):
            await trading.submit_order(uow, buy(1, "5900.10"), clock=clock, ids=ids)
            await uow.commit()

    async with uow:
        assert await uow.orders.count() == 0


async def test_an_order_for_an_unknown_instrument_is_refused(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    command = unknown_instrument_buy()
    async with uow:
        with pytest.raises(NotFoundError, match="instrument 'ZZ'"):
            await trading.submit_order(uow, command, clock=clock, ids=ids)


async def test_partial_then_full_fill_opens_a_position_at_the_average_price(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    order_id = await place(uow, buy(3, "5900.00"), clock, ids)

    await fill(uow, clock, ids, order_id, "T-1", 1, "5900.00")
    async with uow:
        assert (await uow.orders.get(order_id)).status is OrderStatus.PARTIALLY_FILLED
    await fill(uow, clock, ids, order_id, "T-2", 2, "5899.25")

    async with uow:
        order = await uow.orders.get(order_id)
        filled = (OrderStatus.FILLED, Decimal(3), Decimal(0), Decimal("5899.50"), Decimal("7.50"))
        assert order_state(order) == filled
        position = await uow.positions.get_open("ES", "default")
        assert position_state(position) == (PositionSide.LONG, Decimal(3), Decimal("5899.50"))
        assert position is not None and order.position_id == position.position_id


async def test_a_fill_id_seen_twice_is_refused_and_changes_nothing(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    order_id = await place(uow, buy(3, "5900.00"), clock, ids)
    await fill(uow, clock, ids, order_id, "T-1", 1, "5900.00")

    with pytest.raises(DuplicateFillError, match="T-1"):
        await fill(uow, clock, ids, order_id, "T-1", 1, "5900.00")

    async with uow:
        assert (await uow.orders.get(order_id)).filled_qty == Decimal(1)


async def test_a_fill_larger_than_what_is_left_is_refused(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    order_id = await place(uow, buy(1, "5900.00"), clock, ids)

    with pytest.raises(OverfillError):
        await fill(uow, clock, ids, order_id, "T-1", 2, "5900.00")


async def test_a_stop_order_is_filled_only_once_triggered(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    stop = replace(buy(1), order_type=OrderType.STOP_MARKET, trigger_price=Decimal("5910.00"))
    order_id = await place(uow, stop, clock, ids)

    with pytest.raises(InvalidTransitionError, match="fills only once its trigger price"):
        await fill(uow, clock, ids, order_id, "T-1", 1, "5910.25")
    async with uow:
        assert order_state(await uow.orders.get(order_id))[:2] == (
            OrderStatus.ACCEPTED,
            Decimal(0),
        )
        assert not await uow.trades.exists("T-1")
        await trading.trigger_order(uow, order_id, clock=clock)
        await uow.commit()
    await fill(uow, clock, ids, order_id, "T-1", 1, "5910.25")
    async with uow:
        assert order_state(await uow.orders.get(order_id))[:2] == (OrderStatus.FILLED, Decimal(1))


async def test_selling_more_than_the_long_flips_into_a_short(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    await fill(uow, clock, ids, await place(uow, buy(2), clock, ids), "T-1", 2, "5900.00")
    await fill(uow, clock, ids, await place(uow, sell(3), clock, ids), "T-2", 3, "5910.00")

    async with uow:
        [closed] = await uow.positions.list_closed("ES", "default")
        assert closed.side is PositionSide.FLAT
        # 10 points x 2 contracts x 50, less 5.00 to open and 2/3 of the 7.50 to close
        assert closed.realized_pnl == Decimal("990.00")
        short = await uow.positions.get_open("ES", "default")
        assert position_state(short) == (PositionSide.SHORT, Decimal(-1), Decimal("5910.00"))
        assert await trading.mark_to_market(uow, "ES", "default", Decimal("5905.00")) == Decimal(
            "250"
        )


async def test_cancel_and_expire_end_an_order_and_a_filled_order_cannot_be_canceled(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    to_cancel = await place(uow, buy(1, "5890.00"), clock, ids)
    day_order = replace(buy(1, "5890.00"), time_in_force=TimeInForce.DAY)
    to_expire = await place(uow, day_order, clock, ids)
    gtc = await place(uow, buy(1, "5880.00"), clock, ids)
    filled = await place(uow, buy(1), clock, ids)
    await fill(uow, clock, ids, filled, "T-1", 1, "5900.00")

    async with uow:
        await trading.cancel_order(uow, to_cancel, clock=clock, reason="strategy exit")
        await trading.expire_order(uow, to_expire, clock=clock)
        await uow.commit()
    async with uow:
        with pytest.raises(InvalidTransitionError, match="FILLED"):
            await trading.cancel_order(uow, filled, clock=clock)
    async with uow:
        with pytest.raises(InvalidTransitionError, match="GTC order works until it fills"):
            await trading.expire_order(uow, gtc, clock=clock)
        assert (await uow.orders.get(gtc)).status is OrderStatus.ACCEPTED

    async with uow:
        assert (await uow.orders.get(to_cancel)).status is OrderStatus.CANCELED
        assert (await uow.orders.get(to_cancel)).reason == "strategy exit"
        assert (await uow.orders.get(to_expire)).status is OrderStatus.EXPIRED
        assert [o.order_id for o in await uow.orders.list_open("ES", "default")] == [gtc]


async def test_cancelling_an_entry_cancels_its_open_children(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    entry = await place(uow, in_list(buy(1)), clock, ids)
    stop = await place(uow, child(entry, OrderType.STOP_MARKET, "5890.00"), clock, ids)
    target = await place(uow, child(entry, OrderType.LIMIT, "5910.00"), clock, ids)

    async with uow:
        await trading.cancel_order(uow, entry, clock=clock, reason="changed my mind")
        await uow.commit()

    async with uow:
        for child_id in (stop, target):
            order = await uow.orders.get(child_id)
            assert (order.status, order.reason) == (
                OrderStatus.CANCELED,
                f"its parent order {entry} is CANCELED",
            )
        assert await uow.orders.list_open("ES", "default") == []


async def test_a_reduce_only_fill_that_would_flip_the_position_is_refused_and_changes_nothing(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    await fill(uow, clock, ids, await place(uow, buy(1), clock, ids), "T-1", 1, "5900.00")
    exit_ = await place(uow, replace(sell(2), reduce_only=True), clock, ids)

    with pytest.raises(ReduceOnlyError, match=r"SELL fill of 2 .* \(LONG 1\)"):
        await fill(uow, clock, ids, exit_, "T-2", 2, "5905.00")

    async with uow:
        assert order_state(await uow.orders.get(exit_))[:2] == (OrderStatus.ACCEPTED, Decimal(0))
        position = await uow.positions.get_open("ES", "default")
        assert position_state(position) == (PositionSide.LONG, Decimal(1), Decimal("5900.00"))


async def test_a_child_order_needs_a_parent_in_its_list_that_is_no_child_itself(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    entry = await place(uow, in_list(buy(1)), clock, ids)
    stop = await place(uow, child(entry, OrderType.STOP_MARKET, "5890.00"), clock, ids)

    with pytest.raises(NotFoundError, match="O-404"):
        await place(uow, child("O-404", OrderType.LIMIT, "5910.00"), clock, ids)
    with pytest.raises(InvalidOrderError, match="one level deep"):
        await place(uow, child(stop, OrderType.LIMIT, "5910.00"), clock, ids)
    with pytest.raises(InvalidOrderError, match="not in its parent's 'L-1'"):
        await place(
            uow, replace(child(entry, OrderType.LIMIT, "5910.00"), order_list_id="L-2"), clock, ids
        )


async def test_a_refused_exit_leaves_no_order_of_its_bracket_behind(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    exits = [
        replace(child("-", OrderType.LIMIT, "5910.00"), parent_order_id=None),
        replace(child("-", OrderType.STOP_MARKET, "5890.10"), parent_order_id=None),  # off the grid
    ]
    async with uow:
        with pytest.raises(OffTickPriceError):
            await trading.submit_with_children(uow, in_list(buy(1)), exits, clock=clock, ids=ids)
        await uow.commit()  # a caller that carries on stores what the call left behind

    async with uow:
        assert list(await uow.orders.list_in_group(LIST_ID)) == []


async def test_a_fill_the_positions_refuse_leaves_its_order_as_it_was(
    uow: UnitOfWork, clock: Clock, ids: IdGenerator
) -> None:
    order_id = await place(uow, buy(4_000_000), clock, ids)
    command = fill_command(order_id, "T-1", 4_000_000, "5900.00")  # a cost basis of 1.18e12
    async with uow:
        with pytest.raises(InvalidTradeError, match="past the amount limit"):
            await trading.fill_order(uow, command, clock=clock, ids=ids)
        await uow.commit()

    async with uow:
        assert order_state(await uow.orders.get(order_id))[:2] == (OrderStatus.ACCEPTED, Decimal(0))
        assert await uow.positions.get_open("ES", "default") is None
        assert not await uow.trades.exists("T-1")
