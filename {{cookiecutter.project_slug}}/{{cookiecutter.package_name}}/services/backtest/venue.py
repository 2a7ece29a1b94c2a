"""The simulated venue: it sends the commands that fill, trigger and cancel orders.

Its rules are told in `venue_core`, the part both flavours share.
"""

from collections.abc import Iterable, Sequence
from datetime import time
from decimal import Decimal

from ...domain import Order, Position, reducible_quantity
from ...domain.bar import Bar
from .. import trading
from ..ports import Clock, IdGenerator, UnitOfWork
from .fill_model import SimulatedFill
from .sessions import MIDNIGHT
from .strategy import SubmitBracket
from .venue_core import (
    REDUCE_ONLY_REST_REASON,
    WIPED_OUT_REASON,
    BarFills,
    bracket_entry,
    bracket_exits,
    fill_command,
    liquidation,
    margin_rejection,
    needs_start_of_bar,
    needs_trigger,
    one_bar_orders,
    one_bar_reason,
    orders_out_of_time,
    orders_to_accept,
    plan_fills,
    reduce_only_fill,
    siblings_to_cancel,
    stop_limits_to_trigger,
)

__all__ = ["BarFills", "SimulatedVenue"]


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
        session_start: time = MIDNIGHT,
        margin_per_contract: Decimal = Decimal(0),
        maintenance_margin_per_contract: Decimal = Decimal(0),
    ) -> None:
        if not commission_per_contract.is_finite() or commission_per_contract < 0:
            raise ValueError(
                f"commission per contract must not be negative, got {commission_per_contract}"
            )
        for name, margin in (
            ("margin", margin_per_contract),
            ("maintenance margin", maintenance_margin_per_contract),
        ):
            if not margin.is_finite() or margin < 0:
                raise ValueError(f"{name} per contract must not be negative, got {margin}")
        self.symbol = symbol
        self.strategy_id = strategy_id
        self.commission_per_contract = commission_per_contract
        self._clock = clock
        self._ids = ids
        self._session_start = session_start
        self.margin_per_contract = margin_per_contract
        self.maintenance_margin_per_contract = maintenance_margin_per_contract

    def fill_bar(
        self, uow: UnitOfWork, bar: Bar, working: Sequence[Order], position: Position | None
    ) -> BarFills:
        """Fill what `bar` reaches among the `working` orders, in path order."""
        if not working:
            return BarFills(position=position, working=[])  # most bars: nothing to fill
        if needs_start_of_bar(working):
            working = self._start_bar(uow, bar, working)
        plan = plan_fills(bar, working)
        by_id = {order.order_id: order for order in working}
        done: set[str] = set()
        outcome = BarFills(position=position, working=[])
        for fill in plan.fills:
            order = by_id[fill.order_id]
            if order.order_id in done or not order.is_open:
                continue  # cancelled by an earlier fill of the bar
            done.add(order.order_id)
            wanted = fill.quantity
            if order.reduce_only:
                cut = reduce_only_fill(
                    order, fill, reducible_quantity(outcome.position, order.side)
                )
                if isinstance(cut, str):
                    self._cancel(uow, order, cut)
                    continue
                fill = cut
            touched = self._fill(uow, order, fill)
            if fill.quantity < wanted:
                self._cancel(uow, order, REDUCE_ONLY_REST_REASON)
            # Only the fill that closes a position sees it closed, so none is counted twice.
            outcome.closed += [p for p in touched if p.is_closed]
            outcome.fill_count += 1
            outcome.position = touched[-1] if touched[-1].is_open else None
            if order.parent_order_id is not None:
                for sibling in siblings_to_cancel(order, working, done):
                    reason = f"one-cancels-other: {order.order_id} filled"
                    trading.cancel_order(uow, sibling.order_id, clock=self._clock, reason=reason)
                    done.add(sibling.order_id)
        live = [order for order in plan.live if order.is_open]
        for order_id in stop_limits_to_trigger(bar, live, plan.triggered):
            trading.trigger_order(uow, order_id, clock=self._clock)
        for order in one_bar_orders(live):
            self._cancel(uow, order, one_bar_reason(order))
        # Open: a cancellation may have ended children too.
        outcome.working = [order for order in working if order.is_open]
        return outcome

    def submit_bracket(
        self,
        uow: UnitOfWork,
        action: SubmitBracket,
        *,
        working: Sequence[Order] = (),
        position: Position | None = None,
        equity: Decimal | None = None,
    ) -> list[Order]:
        """Entry at market, then its stop-loss and take-profit, all in one order list; with a
        margin per contract and the account's `equity`, an entry it cannot cover is rejected."""
        list_id = self._ids.next_id("L")
        entry = bracket_entry(action, self.symbol, self.strategy_id, list_id)
        exits = bracket_exits(action, self.symbol, self.strategy_id, list_id)
        orders = trading.submit_with_children(uow, entry, exits, clock=self._clock, ids=self._ids)
        if equity is not None:
            reason = margin_rejection(
                position, working, orders[0], self.margin_per_contract, equity
            )
            if reason is not None:  # the exits end with their entry
                trading.reject_order(uow, orders[0].order_id, reason, clock=self._clock)
                return orders
        now = self._clock.now()
        for order in orders:
            order.accept(now)  # the simulated venue acknowledges at once
        return orders

    def cancel_all(self, uow: UnitOfWork, working: Iterable[Order], reason: str) -> None:
        """Cancel each of the `working` orders still open (children end with their entry)."""
        for order in working:
            if not order.is_open:
                continue
            trading.cancel_order(uow, order.order_id, clock=self._clock, reason=reason)

    def liquidate(
        self,
        uow: UnitOfWork,
        working: Iterable[Order],
        position: Position | None,
        reason: str = WIPED_OUT_REASON,
    ) -> list[Order]:
        """Cancel the working orders and close the open position at market (it fills at the next
        bar's open): the account is wiped out, or a margin call; return the closing order."""
        self.cancel_all(uow, working, reason=reason)
        if position is None or not position.is_open:
            return []
        command = liquidation(position, self.symbol, self.strategy_id)
        order = trading.submit_order(uow, command, clock=self._clock, ids=self._ids)
        order.accept(self._clock.now())  # the simulated venue acknowledges at once
        return [order]

    def _start_bar(self, uow: UnitOfWork, bar: Bar, working: Sequence[Order]) -> list[Order]:
        """Acknowledge orders submitted outside the venue, expire those out of time; return the
        orders left working."""
        for order in orders_to_accept(working):
            trading.accept_order(uow, order.order_id, clock=self._clock)
        for order in orders_out_of_time(bar, working, self._session_start):
            if order.is_open:  # an expired parent may have ended it already
                trading.expire_order(uow, order.order_id, clock=self._clock)
        return [order for order in working if order.is_open]

    def _cancel(self, uow: UnitOfWork, order: Order, reason: str) -> None:
        trading.cancel_order(uow, order.order_id, clock=self._clock, reason=reason)

    def _fill(self, uow: UnitOfWork, order: Order, fill: SimulatedFill) -> list[Position]:
        if needs_trigger(order):
            trading.trigger_order(uow, order.order_id, clock=self._clock)
        command = fill_command(order, fill, self._ids.next_id("T"), self.commission_per_contract)
        _, touched = trading.fill_order(uow, command, clock=self._clock, ids=self._ids)
        return touched
