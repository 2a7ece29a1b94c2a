"""Trading use cases, awaited; each runs in a unit of work its caller opened, and none commits."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from ..domain import DuplicateFillError, Order, Position, Trade
from .commands import FillOrder, SubmitOrder
from .ports import Clock, IdGenerator, UnitOfWork
from .trading_core import (
    book_fill,
    check_reduce_only,
    contingent_on,
    fill_trade,
    new_order,
    orphaned_children,
)


async def submit_order(
    uow: UnitOfWork, command: SubmitOrder, *, clock: Clock, ids: IdGenerator
) -> Order:
    """Create an order from the command, validated against its instrument, and submit it. A
    child order's parent must exist, in the child's order list, and not be a child itself."""
    if command.parent_order_id is not None:
        command = contingent_on(command, await uow.orders.get(command.parent_order_id))
    return await _create(uow, command, clock, ids)


async def submit_with_children(
    uow: UnitOfWork,
    parent: SubmitOrder,
    children: Sequence[SubmitOrder],
    *,
    clock: Clock,
    ids: IdGenerator,
) -> list[Order]:
    """Submit an order and the orders contingent on it (a bracket's entry and its exits)
    together, the children linked to the parent here: the parent first, then the children.
    Every order is checked before any is added, so a refused one leaves none behind."""
    if parent.parent_order_id is not None:
        parent = contingent_on(parent, await uow.orders.get(parent.parent_order_id))
    first = await _built(uow, parent, clock, ids)
    orders = [first]
    for command in children:
        orders.append(await _built(uow, contingent_on(command, first), clock, ids))
    for order in orders:
        uow.orders.add(order)
    return orders


async def _create(uow: UnitOfWork, command: SubmitOrder, clock: Clock, ids: IdGenerator) -> Order:
    order = await _built(uow, command, clock, ids)
    uow.orders.add(order)
    return order


async def _built(uow: UnitOfWork, command: SubmitOrder, clock: Clock, ids: IdGenerator) -> Order:
    """The order of the command, validated against its instrument, not added yet."""
    instrument = await uow.instruments.get(command.symbol)
    return new_order(command, instrument, ids.next_id("O"), clock.now())


async def accept_order(uow: UnitOfWork, order_id: str, *, clock: Clock) -> Order:
    order = await uow.orders.get(order_id)
    order.accept(clock.now())
    return order


async def reject_order(uow: UnitOfWork, order_id: str, reason: str, *, clock: Clock) -> Order:
    order = await uow.orders.get(order_id)
    order.reject(reason, clock.now())
    await _end_orphans(uow, order, clock.now())
    return order


async def cancel_order(
    uow: UnitOfWork, order_id: str, *, clock: Clock, reason: str | None = None
) -> Order:
    order = await uow.orders.get(order_id)
    order.cancel(clock.now(), reason=reason)
    await _end_orphans(uow, order, clock.now())
    return order


async def expire_order(uow: UnitOfWork, order_id: str, *, clock: Clock) -> Order:
    order = await uow.orders.get(order_id)
    order.expire(clock.now())
    await _end_orphans(uow, order, clock.now())
    return order


async def trigger_order(uow: UnitOfWork, order_id: str, *, clock: Clock) -> Order:
    order = await uow.orders.get(order_id)
    order.trigger(clock.now())
    return order


async def fill_order(
    uow: UnitOfWork, command: FillOrder, *, clock: Clock, ids: IdGenerator
) -> tuple[Trade, list[Position]]:
    """Record a fill, update its order, route it into the positions; refuse a repeated trade id,
    and a fill of a reduce-only order that would open, add to or flip the position."""
    if await uow.trades.exists(command.trade_id):
        raise DuplicateFillError(command.trade_id)
    order = await uow.orders.get(command.order_id)
    instrument = await uow.instruments.get(order.symbol)
    # Read before the order changes, so the query has nothing to flush first.
    open_position = await uow.positions.get_open(order.symbol, order.strategy_id)
    check_reduce_only(order, open_position, command.quantity)
    trade = fill_trade(command, order, instrument, clock.now())
    touched, opened = book_fill(order, trade, open_position, instrument, lambda: ids.next_id("P"))
    for position in opened:
        uow.positions.add(position)
    uow.trades.add(trade)
    return trade, touched


async def _end_orphans(uow: UnitOfWork, parent: Order, now: datetime) -> None:
    """Cancel the open children of an order that ended unfilled."""
    if parent.order_list_id is None or parent.parent_order_id is not None:
        return  # children are in their parent's order list, and have none of their own
    group = await uow.orders.list_in_group(parent.order_list_id)
    for child in orphaned_children(parent, group):
        child.cancel(now, reason=f"its parent order {parent.order_id} is {parent.status}")


async def mark_to_market(uow: UnitOfWork, symbol: str, strategy_id: str, price: Decimal) -> Decimal:
    """Unrealized PnL of the open position at a price; zero when flat. Never stored."""
    position = await uow.positions.get_open(symbol, strategy_id)
    if position is None:
        return Decimal(0)
    return position.unrealized_pnl(price)
