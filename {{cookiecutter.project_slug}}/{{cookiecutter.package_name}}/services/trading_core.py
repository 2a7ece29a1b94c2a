"""The trading use cases' decisions that do no I/O: building orders and trades, booking fills.

`trading.py` is the shell around it: it reads and writes through the unit of work.
"""

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from ..domain import (
    Instrument,
    InvalidOrderError,
    Order,
    Position,
    ReduceOnlyError,
    Trade,
    apply_fill,
    only_reduces,
)
from .commands import FillOrder, SubmitOrder


def new_order(command: SubmitOrder, instrument: Instrument, order_id: str, now: datetime) -> Order:
    """An order from the command, validated against its instrument, already submitted."""
    order = Order(
        order_id=order_id,
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
    return order


def fill_trade(command: FillOrder, order: Order, instrument: Instrument, now: datetime) -> Trade:
    """The fill of the command as a trade on the instrument's grids, checked against its order
    (`book_fill` applies it)."""
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
        ts_event=now,
    )
    order.check_fill(trade)
    return trade


def book_fill(
    order: Order,
    trade: Trade,
    open_position: Position | None,
    instrument: Instrument,
    new_position_id: Callable[[], str],
) -> tuple[list[Position], list[Position]]:
    """Route a trade checked against its order into the positions, then apply it to the order:
    a fill the positions refuse leaves the order as it was.

    Returns (every position the fill touched, the new ones among them, to be added).
    """
    touched = apply_fill(
        open_position, trade, multiplier=instrument.multiplier, new_position_id=new_position_id
    )
    order.apply_fill(trade)
    if order.position_id is None:
        order.position_id = trade.position_id
    return touched, [position for position in touched if position is not open_position]


def check_reduce_only(order: Order, position: Position | None, quantity: Decimal) -> None:
    """Refuse a fill of a reduce-only order that would open, add to or flip the position."""
    if order.reduce_only and not only_reduces(position, order.side, quantity):
        held = "flat"
        if position is not None and position.is_open:
            held = f"{position.side} {position.quantity.normalize():f}"
        raise ReduceOnlyError(
            order_id=order.order_id, side=order.side, quantity=quantity, held=held
        )


def orphaned_children(parent: Order, group: Sequence[Order]) -> list[Order]:
    """The open children of an order that ended without any fill: they were contingent on
    its fill, so they end with it (a bracket's exits when its entry is cancelled)."""
    if parent.is_open or parent.filled_qty > 0:
        return []
    return [order for order in group if order.parent_order_id == parent.order_id and order.is_open]


def contingent_on(command: SubmitOrder, parent: Order) -> SubmitOrder:
    """`command` as a child of `parent`, in the parent's order list, for its symbol and
    strategy, while the parent can still fill. Contingency is one level deep: a child has no
    children, so an order that ends unfilled has only its own to end."""
    label = f"an order contingent on {parent.order_id!r}"
    if parent.parent_order_id is not None:
        raise InvalidOrderError(
            f"{label} is refused: that order is contingent on {parent.parent_order_id!r} "
            "itself, and contingent orders are one level deep"
        )
    if parent.order_list_id is None:
        raise InvalidOrderError(f"{label} is refused: that order belongs to no order list")
    if not parent.is_open and parent.filled_qty == 0:
        raise InvalidOrderError(f"{label} is refused: that order ended unfilled ({parent.status})")
    if (command.symbol, command.strategy_id) != (parent.symbol, parent.strategy_id):
        raise InvalidOrderError(
            f"{label} is for {command.symbol}/{command.strategy_id}, not for its parent's "
            f"{parent.symbol}/{parent.strategy_id}"
        )
    if command.parent_order_id not in (None, parent.order_id):
        raise InvalidOrderError(f"{label} names another parent, {command.parent_order_id!r}")
    if command.order_list_id not in (None, parent.order_list_id):
        raise InvalidOrderError(
            f"{label} is in order list {command.order_list_id!r}, not in its parent's "
            f"{parent.order_list_id!r}"
        )
    return replace(command, parent_order_id=parent.order_id, order_list_id=parent.order_list_id)
