"""The simulated venue on stored orders, awaited: acknowledgement, time in force, reduce-only
exits and contingent orders, on every backend."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.adapters.id_generators import SequentialIdGenerator
from {{ cookiecutter.package_name }}.domain import Order, OrderSide, OrderStatus, OrderType, TimeInForce
from {{ cookiecutter.package_name }}.domain.bar import Bar
from {{ cookiecutter.package_name }}.services import trading
from {{ cookiecutter.package_name }}.services.backtest.clock import SimulatedClock
from {{ cookiecutter.package_name }}.services.backtest.strategy import SubmitBracket
from {{ cookiecutter.package_name }}.services.backtest.venue import BarFills, SimulatedVenue
from {{ cookiecutter.package_name }}.services.backtest.venue_core import (
    REDUCE_ONLY_FOK_REASON,
    REDUCE_ONLY_REASON,
    REDUCE_ONLY_REST_REASON,
)
from {{ cookiecutter.package_name }}.services.commands import SubmitOrder
from {{ cookiecutter.package_name }}.services.ports import UnitOfWork

from .builders import T0, buy, child, fill_command, in_list, ohlc, sell


class Desk:
    """A venue on the test's unit of work, with its own clock and ids."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.clock = SimulatedClock(T0)
        self.ids = SequentialIdGenerator()
        self.venue = SimulatedVenue(
            symbol="ES",
            strategy_id="default",
            commission_per_contract=Decimal(1),
            clock=self.clock,
            ids=self.ids,
        )

    async def submit(self, command: SubmitOrder) -> str:
        """Submitted as an application would, not through the venue: left SUBMITTED."""
        async with self.uow:
            order = await trading.submit_order(self.uow, command, clock=self.clock, ids=self.ids)
            await self.uow.commit()
            return order.order_id

    async def bar(self, bar: Bar) -> BarFills:
        """One bar as the engine runs it: the working orders and position, then the fills."""
        async with self.uow:
            self.clock.advance_to(bar.ts)
            working = await self.uow.orders.list_open("ES", "default")
            position = await self.uow.positions.get_open("ES", "default")
            fills = await self.venue.fill_bar(self.uow, bar, working, position)
            await self.uow.commit()
            return fills

    async def order(self, order_id: str) -> "OrderView":
        async with self.uow:
            return OrderView.of(await self.uow.orders.get(order_id))


@dataclass(frozen=True)
class OrderView:
    """What the tests check of a stored order, read while its session is open."""

    status: OrderStatus
    reason: str | None
    ts_accepted: datetime | None
    ts_closed: datetime | None
    filled_qty: Decimal

    @classmethod
    def of(cls, order: Order) -> "OrderView":
        return cls(order.status, order.reason, order.ts_accepted, order.ts_closed, order.filled_qty)


@pytest.fixture
def desk(uow: UnitOfWork) -> Desk:
    return Desk(uow)


async def test_an_order_submitted_outside_the_venue_is_accepted_and_works_on_the_next_bar(
    desk: Desk,
) -> None:
    limit = await desk.submit(buy(1, "5899.00"))
    stop_limit = await desk.submit(
        SubmitOrder(
            symbol="ES",
            side=OrderSide.BUY,
            order_type=OrderType.STOP_LIMIT,
            quantity=Decimal(1),
            trigger_price=Decimal("5901.00"),
            price=Decimal("5900.50"),
        )
    )

    # The path reaches the limit and the trigger, never the stop-limit's price after it.
    fills = await desk.bar(ohlc(1, "5900.00", "5902.00", "5898.00", "5901.75"))

    assert fills.fill_count == 1
    assert (await desk.order(limit)).status is OrderStatus.FILLED
    triggered = await desk.order(stop_limit)
    assert (triggered.status, triggered.ts_accepted) == (
        OrderStatus.TRIGGERED,
        T0 + timedelta(minutes=1),
    )


async def test_a_gtd_order_expires_at_the_first_bar_from_its_expire_time_unfilled(
    desk: Desk,
) -> None:
    expiry = T0 + timedelta(minutes=2)
    gtd = await desk.submit(
        replace(buy(1, "5899.00"), time_in_force=TimeInForce.GTD, expire_time=expiry)
    )

    await desk.bar(ohlc(1, "5900.00", "5901.00", "5899.50", "5900.00"))  # above the limit
    fills = await desk.bar(ohlc(2, "5900.00", "5901.00", "5898.00", "5900.00"))  # would fill

    expired = await desk.order(gtd)
    assert (fills.fill_count, expired.status, expired.ts_closed) == (0, OrderStatus.EXPIRED, expiry)


async def test_a_day_order_expires_at_the_first_bar_of_the_next_utc_day(desk: Desk) -> None:
    day = await desk.submit(replace(buy(1, "5899.00"), time_in_force=TimeInForce.DAY))
    next_day = (24 * 60) - (T0.hour * 60 + T0.minute)

    await desk.bar(ohlc(next_day - 1, "5900.00", "5901.00", "5899.50", "5900.00"))
    fills = await desk.bar(ohlc(next_day, "5900.00", "5901.00", "5898.00", "5900.00"))

    assert (fills.fill_count, (await desk.order(day)).status) == (0, OrderStatus.EXPIRED)


@pytest.mark.parametrize("time_in_force", [TimeInForce.IOC, TimeInForce.FOK])
async def test_ioc_and_fok_orders_are_cancelled_when_their_first_bar_does_not_fill_them(
    desk: Desk, time_in_force: TimeInForce
) -> None:
    order_id = await desk.submit(replace(buy(1, "5899.00"), time_in_force=time_in_force))

    fills = await desk.bar(ohlc(1, "5900.00", "5901.00", "5899.50", "5900.00"))

    cancelled = await desk.order(order_id)
    assert fills.working == []
    assert (cancelled.status, cancelled.reason) == (
        OrderStatus.CANCELED,
        f"{time_in_force}: not filled on the bar it worked on",
    )


async def test_a_reduce_only_order_with_nothing_to_reduce_is_cancelled_not_filled(
    desk: Desk,
) -> None:
    order_id = await desk.submit(replace(sell(1), reduce_only=True))

    fills = await desk.bar(ohlc(1, "5900.00", "5901.00", "5899.50", "5900.00"))

    cancelled = await desk.order(order_id)
    assert (fills.fill_count, fills.position) == (0, None)
    assert (cancelled.status, cancelled.reason) == (OrderStatus.CANCELED, REDUCE_ONLY_REASON)


async def test_the_exits_of_an_entry_that_expires_unfilled_end_with_it(desk: Desk) -> None:
    entry = await desk.submit(
        in_list(
            replace(
                buy(1, "5890.00"),
                time_in_force=TimeInForce.GTD,
                expire_time=T0 + timedelta(minutes=1),
            )
        )
    )
    stop = await desk.submit(child(entry, OrderType.STOP_MARKET, "5880.00"))
    target = await desk.submit(child(entry, OrderType.LIMIT, "5900.00"))

    # The target's price is inside the bar, but its entry never filled.
    fills = await desk.bar(ohlc(1, "5899.00", "5901.00", "5895.00", "5900.00"))

    assert (fills.fill_count, fills.position, fills.working) == (0, None, [])
    assert (await desk.order(entry)).status is OrderStatus.EXPIRED
    for order_id in (stop, target):
        assert (await desk.order(order_id)).status is OrderStatus.CANCELED


async def test_cancel_all_with_an_entry_and_its_exits_cancels_each_once(desk: Desk) -> None:
    async with desk.uow:
        bracket = await desk.venue.submit_bracket(
            desk.uow,
            SubmitBracket(OrderSide.BUY, Decimal(1), Decimal("5890.00"), Decimal("5910.00")),
        )
        await desk.venue.cancel_all(desk.uow, bracket, reason="flat for the close")
        await desk.uow.commit()

    statuses = [(await desk.order(order.order_id)).status for order in bracket]
    assert statuses == [OrderStatus.CANCELED] * 3


async def test_the_stop_of_an_entry_that_filled_in_part_closes_what_was_filled(desk: Desk) -> None:
    entry = await desk.submit(in_list(buy(2, "5890.00")))
    stop = await desk.submit(
        replace(child(entry, OrderType.STOP_MARKET, "5880.00"), quantity=Decimal(2))
    )
    async with desk.uow:
        await trading.accept_order(desk.uow, entry, clock=desk.clock)
        command = fill_command(entry, "T-1", 1, "5890.00")
        await trading.fill_order(desk.uow, command, clock=desk.clock, ids=desk.ids)
        await trading.cancel_order(desk.uow, entry, clock=desk.clock)
        await desk.uow.commit()

    fills = await desk.bar(ohlc(1, "5885.00", "5886.00", "5870.00", "5871.00"))

    stopped = await desk.order(stop)
    assert (fills.fill_count, fills.position, len(fills.closed)) == (1, None, 1)
    assert (stopped.status, stopped.reason) == (OrderStatus.CANCELED, REDUCE_ONLY_REST_REASON)


@pytest.mark.parametrize("time_in_force", [TimeInForce.IOC, TimeInForce.FOK])
async def test_a_reduce_only_order_larger_than_the_position_fills_in_part_unless_it_is_fok(
    desk: Desk, time_in_force: TimeInForce
) -> None:
    entry = await desk.submit(buy(1))
    await desk.bar(ohlc(1, "5900.00", "5901.00", "5899.50", "5900.00"))  # long 1 at 5900.00
    order_id = await desk.submit(replace(sell(3), reduce_only=True, time_in_force=time_in_force))

    fills = await desk.bar(ohlc(2, "5902.00", "5903.00", "5901.50", "5902.00"))

    ended = await desk.order(order_id)
    assert ended.status is OrderStatus.CANCELED
    if time_in_force is TimeInForce.IOC:
        assert (fills.fill_count, fills.position, ended.filled_qty) == (1, None, Decimal(1))
        assert ended.reason == REDUCE_ONLY_REST_REASON
    else:  # fill or kill: the whole order or nothing
        assert (fills.fill_count, ended.filled_qty, ended.reason) == (0, 0, REDUCE_ONLY_FOK_REASON)
        assert fills.position is not None and fills.position.signed_qty == 1
    assert (await desk.order(entry)).status is OrderStatus.FILLED
