"""Trading use cases, awaited; each runs in a unit of work its caller opened, and none commits."""

from decimal import Decimal

from ..domain import (
    DuplicateFillError,
    Order,
    Position,
    Trade,
    apply_fill,
)
from .commands import FillOrder, SubmitOrder
from .ports import Clock, IdGenerator, UnitOfWork


async def submit_order(
    uow: UnitOfWork, command: SubmitOrder, *, clock: Clock, ids: IdGenerator
) -> Order:
    """Create an order from the command, validated against its instrument, and submit it."""
    instrument = await uow.instruments.get(command.symbol)
    now = clock.now()
    order = Order(
        order_id=ids.next_id("O"),
        instrument=instrument,
        side=command.side,
        order_type=command.order_type,
        quantity=command.quantity,
        price=command.price,
        trigger_price=command.trigger_price,
        time_in_force=command.time_in_force,
        expire_time=command.expire_time,
        strategy_id=command.strategy_id,
        parent_order_id=command.parent_order_id,
        order_list_id=command.order_list_id,
        reduce_only=command.reduce_only,
        ts_init=now,
    )
    order.submit(now)
    uow.orders.add(order)
    return order


async def accept_order(uow: UnitOfWork, order_id: str, *, clock: Clock) -> Order:
    order = await uow.orders.get(order_id)
    order.accept(clock.now())
    return order


async def reject_order(uow: UnitOfWork, order_id: str, reason: str, *, clock: Clock) -> Order:
    order = await uow.orders.get(order_id)
    order.reject(reason, clock.now())
    return order


async def cancel_order(
    uow: UnitOfWork, order_id: str, *, clock: Clock, reason: str | None = None
) -> Order:
    order = await uow.orders.get(order_id)
    order.cancel(clock.now(), reason=reason)
    return order


async def expire_order(uow: UnitOfWork, order_id: str, *, clock: Clock) -> Order:
    order = await uow.orders.get(order_id)
    order.expire(clock.now())
    return order


async def trigger_order(uow: UnitOfWork, order_id: str, *, clock: Clock) -> Order:
    order = await uow.orders.get(order_id)
    order.trigger(clock.now())
    return order


async def fill_order(
    uow: UnitOfWork, command: FillOrder, *, clock: Clock, ids: IdGenerator
) -> tuple[Trade, list[Position]]:
    """Record a fill, update its order, route it into the positions; refuse a repeated trade id."""
    if await uow.trades.exists(command.trade_id):
        raise DuplicateFillError(command.trade_id)
    order = await uow.orders.get(command.order_id)
    instrument = await uow.instruments.get(order.symbol)
    trade = Trade(
        trade_id=command.trade_id,
        order_id=order.order_id,
        symbol=order.symbol,
        strategy_id=order.strategy_id,
        side=order.side,
        quantity=instrument.check_quantity(command.quantity),
        price=instrument.check_price(command.price),
        commission=command.commission,
        liquidity_side=command.liquidity_side,
        ts_event=clock.now(),
    )
    order.apply_fill(trade)
    open_position = await uow.positions.get_open(order.symbol, order.strategy_id)
    touched = apply_fill(
        open_position,
        trade,
        multiplier=instrument.multiplier,
        new_position_id=lambda: ids.next_id("P"),
    )
    for position in touched:
        if position is not open_position:
            uow.positions.add(position)
    if order.position_id is None:
        order.position_id = trade.position_id
    uow.trades.add(trade)
    return trade, touched


async def mark_to_market(uow: UnitOfWork, symbol: str, strategy_id: str, price: Decimal) -> Decimal:
    """Unrealized PnL of the open position at a price; zero when flat. Never stored."""
    position = await uow.positions.get_open(symbol, strategy_id)
    if position is None:
        return Decimal(0)
    return position.unrealized_pnl(price)
