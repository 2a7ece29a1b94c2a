"""The simulated venue's decisions that do no I/O: which orders fill, trigger or get cancelled.

`venue.py` is the shell that sends the commands these functions build: the venue fills a bar's
working orders and carries out a strategy's actions. Everything goes through the trading
services inside the caller's unit of work; the venue keeps no orders or positions of its own.
Its rules (the price rules themselves are `fill_model`'s):

- Orders are accepted as soon as they are submitted and work from the next bar on. An order
  submitted outside the venue, still SUBMITTED when a bar starts, is accepted then and works on
  that bar.
- Time in force: GTC works until it fills or is cancelled. GTD expires at the first bar that
  starts at or after its expire time, DAY at the first bar of a later trading day than the one
  it was made on (a UTC day unless the run starts its days at another time, see `sessions`);
  neither works on that bar. IOC and FOK get one bar: the first bar they work on cancels them if
  it does not fill them. Fills are whole, so the two are alike, except for a reduce-only order
  larger than the position: an IOC one fills what reduces it, a FOK one is cancelled.
- An order that ends unfilled (cancelled, expired, rejected) ends its bracket children with it.
- A bracket child (stop-loss or take-profit) is dormant while its entry is still working. When the
  entry fills at a bar's open (a market entry always does), the children are live for the rest of
  that same bar; when it fills later within a bar, they are live from the next bar.
- Stops are triggered (ACCEPTED -> TRIGGERED) and then filled. A stop-limit that triggers without
  filling stays TRIGGERED and works as a plain limit from the next bar.
- When a bracket child fills, its siblings in the order list are cancelled at once (one cancels
  the other); a fill the model found for a cancelled order on the same bar is dropped.
- A reduce-only order (a bracket's exits are) only reduces the position. With nothing on the
  other side to reduce it is cancelled instead of filled; larger than the position (an entry
  that filled in part, then ended), it fills the position's quantity and the rest is cancelled.
- With a margin per contract, an entry is rejected when the largest position the account could
  reach with it (the position, plus every working order that may open or add to one, filled)
  needs more margin than the equity at the last close, unless it needs no more than without it;
  the bracket's exits are cancelled with it.
- A margin call: when the equity at a bar's close is below the maintenance margin of the open
  position, the venue cancels the working orders and closes the position with a market order,
  which fills at the next bar's open. The strategy still sees that bar, with the position and the
  closing order; its entries pass the initial-margin check or are rejected.
- When equity at a bar's close is zero or less, the account is wiped out: the engine stops
  asking the strategy, the venue cancels the working orders and closes the position with a
  market order, which fills at the next bar's open.
- Fills are whole, commission is `commission_per_contract` times the quantity; market and stop
  fills take liquidity (TAKER), limit fills add it (MAKER).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from decimal import Decimal

from ...domain import (
    LiquiditySide,
    Order,
    OrderSide,
    OrderStatus,
    OrderType,
    Position,
    TimeInForce,
)
from ...domain.bar import Bar
from ..commands import FillOrder, SubmitOrder
from .fill_model import SimulatedFill, simulate_fills, triggered_stop_limits
from .sessions import MIDNIGHT, trading_day
from .strategy import SubmitBracket

_STOP_TYPES = (OrderType.STOP_MARKET, OrderType.STOP_LIMIT)
_ONE_BAR = (TimeInForce.IOC, TimeInForce.FOK)
REDUCE_ONLY_REASON = "reduce-only: its fill would open, add to or flip the position"
REDUCE_ONLY_REST_REASON = "reduce-only: the rest would flip the position"
REDUCE_ONLY_FOK_REASON = (
    "reduce-only FOK: only part of it would reduce the position, and it fills whole or not at all"
)
WIPED_OUT_REASON = "the account is wiped out"
MARGIN_CALL_REASON = "margin call: equity below the position's maintenance margin"


@dataclass
class BarFills:
    """What one bar's fills left behind."""

    position: Position | None
    """The open position after the fills, or None when flat."""
    working: list[Order]
    """Orders still working after the fills and cancellations."""
    closed: list[Position] = field(default_factory=list)
    """The positions the fills closed, in the order they closed."""
    fill_count: int = 0


@dataclass(frozen=True)
class FillPlan:
    """The fills a bar reaches, in path order, and what they were computed from."""

    fills: list[SimulatedFill]
    live: list[Order]
    """Working orders able to fill on this bar (dormant bracket children excluded)."""
    triggered: set[str]
    """Ids of the stop orders already triggered before the bar."""


def plan_fills(bar: Bar, working: Sequence[Order]) -> FillPlan:
    """What `bar` fills among the `working` orders, children woken by an entry at the open."""
    live = live_orders(working)
    triggered = {order.order_id for order in live if order.status is OrderStatus.TRIGGERED}
    fills = simulate_fills(bar, live, triggered_ids=triggered)
    woken = children_of_opening_fills(fills, working)
    if woken:
        live += woken
        fills = simulate_fills(bar, live, triggered_ids=triggered)
    return FillPlan(fills, live, triggered)


def needs_trigger(order: Order) -> bool:
    """A stop order filling now must be triggered first."""
    return order.order_type in _STOP_TYPES and order.status is OrderStatus.ACCEPTED


def fill_command(
    order: Order, fill: SimulatedFill, trade_id: str, commission_per_contract: Decimal
) -> FillOrder:
    """The fill as a command: limit fills add liquidity, the others take it."""
    liquidity = LiquiditySide.MAKER if order.order_type is OrderType.LIMIT else LiquiditySide.TAKER
    return FillOrder(
        order_id=order.order_id,
        trade_id=trade_id,
        quantity=fill.quantity,
        price=fill.price,
        commission=commission_per_contract * fill.quantity,
        liquidity_side=liquidity,
    )


def bracket_entry(
    action: SubmitBracket, symbol: str, strategy_id: str, list_id: str
) -> SubmitOrder:
    """The market entry of a bracket."""
    return _bracket_order(action, symbol, strategy_id, list_id, action.side, OrderType.MARKET)


def bracket_exits(
    action: SubmitBracket, symbol: str, strategy_id: str, list_id: str
) -> list[SubmitOrder]:
    """The stop-loss and the take-profit of a bracket, reduce-only; submitted with the entry
    (`trading.submit_with_children`), they become its children."""
    exit_side = action.side.opposite
    return [
        _bracket_order(
            action,
            symbol,
            strategy_id,
            list_id,
            exit_side,
            OrderType.STOP_MARKET,
            reduce_only=True,
            trigger_price=action.stop_price,
        ),
        _bracket_order(
            action,
            symbol,
            strategy_id,
            list_id,
            exit_side,
            OrderType.LIMIT,
            reduce_only=True,
            price=action.target_price,
        ),
    ]


def siblings_to_cancel(filled: Order, working: Sequence[Order], done: set[str]) -> list[Order]:
    """The other children of a filled child's order list, still working: one cancels the other."""
    return [
        order
        for order in working
        if order.order_list_id == filled.order_list_id
        and order.parent_order_id is not None
        and order.order_id not in done
        and order.is_open
    ]


def stop_limits_to_trigger(bar: Bar, live: Sequence[Order], triggered: set[str]) -> list[str]:
    """Ids of the stop-limit orders the bar triggers without filling them."""
    candidates = [order for order in live if order.order_type is OrderType.STOP_LIMIT]
    if not candidates:
        return []
    return list(triggered_stop_limits(bar, candidates, triggered_ids=triggered))


def _bracket_order(
    action: SubmitBracket,
    symbol: str,
    strategy_id: str,
    list_id: str,
    side: OrderSide,
    order_type: OrderType,
    *,
    reduce_only: bool = False,
    price: Decimal | None = None,
    trigger_price: Decimal | None = None,
) -> SubmitOrder:
    return SubmitOrder(
        symbol=symbol,
        side=side,
        order_type=order_type,
        quantity=action.quantity,
        price=price,
        trigger_price=trigger_price,
        strategy_id=strategy_id,
        order_list_id=list_id,
        reduce_only=reduce_only,
    )


def live_orders(working: Sequence[Order]) -> list[Order]:
    """Working orders whose parent, if any, is no longer working: it has filled, since children
    end with a parent that ends unfilled."""
    working_ids = {order.order_id for order in working}
    return [order for order in working if order.parent_order_id not in working_ids]


def children_of_opening_fills(
    fills: Sequence[SimulatedFill], working: Sequence[Order]
) -> list[Order]:
    """Dormant children of the parents that fill at the bar's open, parents' order kept."""
    opened = {fill.order_id for fill in fills if fill.path_index == 0}
    return [order for order in working if order.parent_order_id in opened]


def needs_start_of_bar(working: Sequence[Order]) -> bool:
    """Whether an order is not acknowledged yet or has a time in force other than GTC: the
    bar's start has something to do (most bars' orders are GTC and accepted)."""
    return any(
        order.status is OrderStatus.SUBMITTED or order.time_in_force is not TimeInForce.GTC
        for order in working
    )


def orders_to_accept(working: Sequence[Order]) -> list[Order]:
    """Orders submitted outside the venue and not acknowledged yet: accepted as a bar starts."""
    return [order for order in working if order.status is OrderStatus.SUBMITTED]


def orders_out_of_time(
    bar: Bar, working: Sequence[Order], session_start: time = MIDNIGHT
) -> list[Order]:
    """Orders whose time in force has run out when `bar` starts (GTD and DAY)."""
    return [order for order in working if _out_of_time(order, bar.ts, session_start)]


def _out_of_time(order: Order, ts: datetime, session_start: time) -> bool:
    if order.time_in_force is TimeInForce.GTD:
        return order.is_expired_at(ts)
    if order.time_in_force is TimeInForce.DAY:
        return trading_day(ts, session_start) > trading_day(order.ts_init, session_start)
    return False


def one_bar_orders(live: Sequence[Order]) -> list[Order]:
    """The IOC and FOK orders among those that worked on a bar and did not fill on it."""
    return [order for order in live if order.time_in_force in _ONE_BAR]


def one_bar_reason(order: Order) -> str:
    return f"{order.time_in_force}: not filled on the bar it worked on"


def reduce_only_fill(order: Order, fill: SimulatedFill, reducible: Decimal) -> SimulatedFill | str:
    """A reduce-only order's fill cut to what the position holds on the other side, or why it
    does not fill: nothing to reduce, or a FOK order that would fill in part only."""
    if reducible <= 0:
        return REDUCE_ONLY_REASON
    if fill.quantity <= reducible:
        return fill
    if order.time_in_force is TimeInForce.FOK:
        return REDUCE_ONLY_FOK_REASON
    return replace(fill, quantity=reducible)


@dataclass(frozen=True)
class _Reach:
    """Where the working orders could take the position: reduce-only orders first, as far as
    flat (`highest`, `lowest`), then all buys or all sells of the other orders."""

    highest: Decimal
    lowest: Decimal
    buys: Decimal
    sells: Decimal


def _reach(position: Position | None, working: Sequence[Order]) -> _Reach:
    held = position.signed_qty if position is not None and position.is_open else Decimal(0)
    buys = sells = reducing_buys = reducing_sells = Decimal(0)
    for order in working:
        if not order.is_open:
            continue
        if order.side is OrderSide.BUY:
            if order.reduce_only:
                reducing_buys += order.leaves_qty
            else:
                buys += order.leaves_qty
        elif order.reduce_only:
            reducing_sells += order.leaves_qty
        else:
            sells += order.leaves_qty
    if held > 0:
        return _Reach(held, held - min(reducing_sells, held), buys, sells)
    return _Reach(held + min(reducing_buys, -held), held, buys, sells)


def reachable_positions(
    position: Position | None, working: Sequence[Order]
) -> tuple[Decimal, Decimal]:
    """The longest and the shortest signed position the account could reach: reduce-only orders
    may fill first and bring the position as far as flat, then every order that may open or add
    to one."""
    reach = _reach(position, working)
    return reach.highest + reach.buys, reach.lowest - reach.sells


def margin_needed(
    position: Position | None, working: Sequence[Order], margin_per_contract: Decimal
) -> Decimal:
    """Initial margin of the largest position the account could reach (`reachable_positions`)."""
    longest, shortest = reachable_positions(position, working)
    return margin_per_contract * max(abs(longest), abs(shortest))


def margin_rejection(
    position: Position | None,
    working: Sequence[Order],
    entry: Order,
    margin_per_contract: Decimal,
    equity: Decimal,
) -> str | None:
    """Why `entry` is refused for margin, or None. An entry that takes the account no further
    long or short than it could go without it passes whatever the equity (it only reduces);
    another is refused when the equity at the last close cannot cover the largest position the
    account could reach with the entry filled."""
    if margin_per_contract == 0:
        return None
    longest, shortest = reachable_positions(position, working)
    longest_with, shortest_with = reachable_positions(position, [*working, entry])
    flat = Decimal(0)
    no_further_long = max(longest_with, flat) <= max(longest, flat)
    no_further_short = min(shortest_with, flat) >= min(shortest, flat)
    if no_further_long and no_further_short:
        return None
    reach = _reach(position, working)
    filled = entry.leaves_qty * entry.side.sign
    # With the entry filled: all the other buys, or all the other sells, filled too.
    ends = (reach.highest + reach.buys + filled, reach.lowest - reach.sells + filled)
    needed = margin_per_contract * max(abs(end) for end in ends)
    if needed <= equity:
        return None
    return f"insufficient margin: {needed:,.2f} needed, equity at the last close {equity:,.2f}"


def margin_call(
    position: Position | None, equity: Decimal, maintenance_per_contract: Decimal
) -> bool:
    """Whether `equity` at a close is below the maintenance margin of the open `position`."""
    if maintenance_per_contract == 0 or position is None or not position.is_open:
        return False
    return equity < maintenance_per_contract * position.quantity


def liquidation(position: Position, symbol: str, strategy_id: str) -> SubmitOrder:
    """The market order that closes `position` on a margin call or once the account is wiped
    out."""
    return SubmitOrder(
        symbol=symbol,
        side=OrderSide.SELL if position.is_long else OrderSide.BUY,
        order_type=OrderType.MARKET,
        quantity=position.quantity,
        strategy_id=strategy_id,
        reduce_only=True,
    )
