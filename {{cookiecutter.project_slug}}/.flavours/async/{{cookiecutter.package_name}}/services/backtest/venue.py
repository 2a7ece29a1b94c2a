"""The simulated venue: fills a bar's working orders and carries out a strategy's actions.

Everything goes through the trading services inside the caller's unit of work; the venue keeps
no orders or positions of its own. Its rules (the price rules themselves are `fill_model`'s):

- Orders are accepted as soon as they are submitted and work from the next bar on.
- A bracket child (stop-loss or take-profit) is dormant while its entry is still working. When the
  entry fills at a bar's open (a market entry always does), the children are live for the rest of
  that same bar; when it fills later within a bar, they are live from the next bar.
- Stops are triggered (ACCEPTED -> TRIGGERED) and then filled. A stop-limit that triggers without
  filling stays TRIGGERED and works as a plain limit from the next bar.
- When a bracket child fills, its siblings in the order list are cancelled at once (one cancels
  the other); a fill the model found for a cancelled order on the same bar is dropped.
- Fills are whole, commission is `commission_per_contract` times the quantity; market and stop
  fills take liquidity (TAKER), limit fills add it (MAKER).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ...domain import LiquiditySide, Order, OrderSide, OrderStatus, OrderType, Position
from ...domain.bar import Bar
from .. import trading
from ..commands import FillOrder, SubmitOrder
from ..ports import Clock, IdGenerator, UnitOfWork
from .fill_model import SimulatedFill, simulate_fills, triggered_stop_limits
from .strategy import SubmitBracket

_STOP_TYPES = (OrderType.STOP_MARKET, OrderType.STOP_LIMIT)


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


class SimulatedVenue:
    """Fills and order handling of one strategy on one instrument."""

    def __init__(
        self,
        *,
        symbol: str,
        strategy_id: str,
        commission_per_contract: Decimal,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        if not commission_per_contract.is_finite() or commission_per_contract < 0:
            raise ValueError(
                f"commission per contract must not be negative, got {commission_per_contract}"
            )
        self.symbol = symbol
        self.strategy_id = strategy_id
        self.commission_per_contract = commission_per_contract
        self._clock = clock
        self._ids = ids

    async def fill_bar(
        self, uow: UnitOfWork, bar: Bar, working: Sequence[Order], position: Position | None
    ) -> BarFills:
        """Fill what `bar` reaches among the `working` orders, in path order."""
        live = _live_orders(working)
        triggered = {order.order_id for order in live if order.status is OrderStatus.TRIGGERED}
        fills = simulate_fills(bar, live, triggered_ids=triggered)
        woken = _children_of_opening_fills(fills, working)
        if woken:
            live += woken
            fills = simulate_fills(bar, live, triggered_ids=triggered)

        by_id = {order.order_id: order for order in working}
        done: set[str] = set()
        outcome = BarFills(position=position, working=[])
        for fill in fills:
            if fill.order_id in done:
                continue
            order = by_id[fill.order_id]
            touched = await self._fill(uow, order, fill)
            done.add(order.order_id)
            # Only the fill that closes a position sees it closed, so none is counted twice.
            outcome.closed += [p for p in touched if p.is_closed]
            outcome.fill_count += 1
            outcome.position = touched[-1] if touched[-1].is_open else None
            if order.parent_order_id is not None:
                done |= await self._cancel_siblings(uow, order, working, done)
        await self._trigger_stop_limits(
            uow, bar, [o for o in live if o.order_id not in done], triggered
        )
        outcome.working = [order for order in working if order.order_id not in done]
        return outcome

    async def submit_bracket(self, uow: UnitOfWork, action: SubmitBracket) -> list[Order]:
        """Entry at market, then its stop-loss and take-profit, all in one order list."""
        list_id = self._ids.next_id("L")

        async def submit(
            side: OrderSide,
            order_type: OrderType,
            *,
            parent: str | None = None,
            price: Decimal | None = None,
            trigger_price: Decimal | None = None,
        ) -> Order:
            command = SubmitOrder(
                symbol=self.symbol,
                side=side,
                order_type=order_type,
                quantity=action.quantity,
                price=price,
                trigger_price=trigger_price,
                strategy_id=self.strategy_id,
                parent_order_id=parent,
                order_list_id=list_id,
                reduce_only=parent is not None,
            )
            order = await trading.submit_order(uow, command, clock=self._clock, ids=self._ids)
            await trading.accept_order(uow, order.order_id, clock=self._clock)
            return order

        entry = await submit(action.side, OrderType.MARKET)
        exit_side = action.side.opposite
        stop_loss = await submit(
            exit_side, OrderType.STOP_MARKET, parent=entry.order_id, trigger_price=action.stop_price
        )
        take_profit = await submit(
            exit_side, OrderType.LIMIT, parent=entry.order_id, price=action.target_price
        )
        return [entry, stop_loss, take_profit]

    async def cancel_all(self, uow: UnitOfWork, working: Iterable[Order], reason: str) -> None:
        """Cancel each of the `working` orders."""
        for order in working:
            await trading.cancel_order(uow, order.order_id, clock=self._clock, reason=reason)

    async def _fill(self, uow: UnitOfWork, order: Order, fill: SimulatedFill) -> list[Position]:
        if order.order_type in _STOP_TYPES and order.status is OrderStatus.ACCEPTED:
            await trading.trigger_order(uow, order.order_id, clock=self._clock)
        liquidity = (
            LiquiditySide.MAKER if order.order_type is OrderType.LIMIT else LiquiditySide.TAKER
        )
        command = FillOrder(
            order_id=order.order_id,
            trade_id=self._ids.next_id("T"),
            quantity=fill.quantity,
            price=fill.price,
            commission=self.commission_per_contract * fill.quantity,
            liquidity_side=liquidity,
        )
        _, touched = await trading.fill_order(uow, command, clock=self._clock, ids=self._ids)
        return touched

    async def _cancel_siblings(
        self, uow: UnitOfWork, filled: Order, working: Sequence[Order], done: set[str]
    ) -> set[str]:
        cancelled = set()
        for order in working:
            if (
                order.order_list_id == filled.order_list_id
                and order.parent_order_id is not None
                and order.order_id not in done
            ):
                reason = f"one-cancels-other: {filled.order_id} filled"
                await trading.cancel_order(uow, order.order_id, clock=self._clock, reason=reason)
                cancelled.add(order.order_id)
        return cancelled

    async def _trigger_stop_limits(
        self, uow: UnitOfWork, bar: Bar, live: Sequence[Order], triggered: set[str]
    ) -> None:
        candidates = [o for o in live if o.order_type is OrderType.STOP_LIMIT]
        if not candidates:
            return
        for order_id in triggered_stop_limits(bar, candidates, triggered_ids=triggered):
            await trading.trigger_order(uow, order_id, clock=self._clock)


def _live_orders(working: Sequence[Order]) -> list[Order]:
    """Working orders whose parent, if any, is no longer working (it has filled)."""
    working_ids = {order.order_id for order in working}
    return [order for order in working if order.parent_order_id not in working_ids]


def _children_of_opening_fills(
    fills: Sequence[SimulatedFill], working: Sequence[Order]
) -> list[Order]:
    """Dormant children of the parents that fill at the bar's open, parents' order kept."""
    opened = {fill.order_id for fill in fills if fill.path_index == 0}
    return [order for order in working if order.parent_order_id in opened]
