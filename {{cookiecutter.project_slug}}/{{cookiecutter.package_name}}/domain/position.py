"""A position: one open-to-flat cycle of a strategy in a symbol, built from fills."""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Self

from .amounts import past_limit, round_amount
from .enums import OrderSide, PositionSide
from .errors import (
    FillMismatchError,
    InvalidTradeError,
    OutOfOrderEventError,
    PositionClosedError,
)
from .trade import Trade
from .validation import require_decimal, require_positive, require_text


def _check_share(
    trade: Trade, quantity: Decimal, commission: Decimal, label: str
) -> tuple[Decimal, Decimal]:
    """Check that (quantity, commission) is a part of `trade`; return them as Decimals."""
    if not isinstance(trade, Trade):
        raise InvalidTradeError(f"{label} needs a Trade, got {type(trade).__name__}")
    qty = require_positive(quantity, f"{label} quantity", InvalidTradeError)
    fee = require_decimal(commission, f"{label} commission", InvalidTradeError)
    if qty > trade.quantity:
        raise InvalidTradeError(
            f"{label} takes {qty} of fill {trade.trade_id!r}, which is only {trade.quantity}"
        )
    if not 0 <= fee <= trade.commission:
        raise InvalidTradeError(
            f"{label} commission {fee} is not between 0 and the {trade.commission} "
            f"of fill {trade.trade_id!r}"
        )
    return qty, fee


class Position:
    """Signed quantity, cost basis, average prices, realized PnL and commissions of one position.

    Average-cost accounting: the cost basis is what the open quantity cost (price times
    quantity times multiplier). A partial close takes off its share of it, a full close all
    that is left, so a round trip's realized PnL is exactly its cash flows less commissions.
    """

    position_id: str
    symbol: str
    strategy_id: str
    opening_order_id: str
    closing_order_id: str | None
    side: PositionSide
    signed_qty: Decimal
    quantity: Decimal
    peak_qty: Decimal
    closed_qty: Decimal  # total closed so far: the weight of `avg_px_close`
    cost_basis: Decimal  # what the open quantity cost, in the account's currency
    avg_px_open: Decimal
    avg_px_close: Decimal | None
    realized_pnl: Decimal
    commissions: Decimal
    multiplier: Decimal
    ts_opened: datetime
    ts_closed: datetime | None
    ts_last: datetime

    def __init__(
        self,
        *,
        position_id: str,
        trade: Trade,
        quantity: Decimal,
        commission: Decimal,
        multiplier: Decimal,
    ) -> None:
        """Open from `quantity` of `trade`, paying `commission` of its commission."""
        self.position_id = require_text(position_id, "position_id", InvalidTradeError)
        label = f"position {position_id!r}"
        qty, fee = _check_share(trade, quantity, commission, label)
        self.multiplier = require_positive(multiplier, f"{label} multiplier", InvalidTradeError)
        fee = round_amount(fee)
        self.symbol = trade.symbol
        self.strategy_id = trade.strategy_id
        self.opening_order_id = trade.order_id
        self.closing_order_id = None
        self.side = PositionSide.opened_by(trade.side)
        self.signed_qty = qty * trade.side.sign
        self.quantity = qty
        self.peak_qty = qty
        self.closed_qty = Decimal(0)
        self.cost_basis = _checked_cost(trade, trade.price * qty * self.multiplier, label)
        self.avg_px_open = round_amount(trade.price)
        self.avg_px_close = None
        self.commissions = fee
        self.realized_pnl = Decimal(0) - fee
        self.ts_opened = trade.ts_event
        self.ts_closed = None
        self.ts_last = trade.ts_event

    @classmethod
    def open(
        cls,
        *,
        position_id: str,
        trade: Trade,
        quantity: Decimal,
        commission: Decimal,
        multiplier: Decimal,
    ) -> Self:
        """Open a position from (part of) a fill; realized PnL starts at minus the commission."""
        return cls(
            position_id=position_id,
            trade=trade,
            quantity=quantity,
            commission=commission,
            multiplier=multiplier,
        )

    # -- state ---------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.ts_closed is None

    @property
    def is_closed(self) -> bool:
        return self.ts_closed is not None

    @property
    def is_long(self) -> bool:
        return self.side is PositionSide.LONG

    @property
    def is_short(self) -> bool:
        return self.side is PositionSide.SHORT

    @property
    def direction(self) -> int:
        """+1 long, -1 short, 0 flat."""
        return {PositionSide.LONG: 1, PositionSide.SHORT: -1}.get(self.side, 0)

    def unrealized_pnl(self, last_price: Decimal) -> Decimal:
        """Profit of the open quantity if it were closed at `last_price` (never stored)."""
        label = f"position {self.position_id!r} last price"
        price = require_positive(last_price, label, InvalidTradeError)
        if self.signed_qty == 0:
            return Decimal(0)
        value = price * self.quantity * self.multiplier
        return round_amount((value - self.cost_basis) * self.direction)

    def total_pnl(self, last_price: Decimal) -> Decimal:
        """Realized plus unrealized PnL at `last_price`."""
        return round_amount(self.realized_pnl + self.unrealized_pnl(last_price))

    # -- fills ---------------------------------------------------------------------------

    def add(self, trade: Trade, quantity: Decimal, commission: Decimal) -> None:
        """Grow the position with a same-direction fill; re-weights the average open price."""
        qty, fee = self._check_fill(trade, quantity, commission)
        if trade.side.sign != self.direction:
            raise FillMismatchError(
                f"fill {trade.trade_id!r} is a {trade.side}, which reduces {self.side} "
                f"position {self.position_id!r}; use reduce()"
            )
        new_qty = self.quantity + qty
        label = f"position {self.position_id!r}"
        cost = _checked_cost(trade, self.cost_basis + trade.price * qty * self.multiplier, label)
        realized, commissions = self._totals(trade, self.realized_pnl - fee, fee)
        self.cost_basis = cost
        self.avg_px_open = round_amount(cost / (new_qty * self.multiplier))
        self._set_quantity(self.signed_qty + qty * trade.side.sign)
        self.realized_pnl, self.commissions = realized, commissions
        self.ts_last = trade.ts_event

    def reduce(self, trade: Trade, quantity: Decimal, commission: Decimal) -> None:
        """Shrink the position with an opposite fill, realizing PnL; at zero it closes."""
        qty, fee = self._check_fill(trade, quantity, commission)
        if trade.side.sign == self.direction:
            raise FillMismatchError(
                f"fill {trade.trade_id!r} is a {trade.side}, which adds to {self.side} "
                f"position {self.position_id!r}; use add()"
            )
        if qty > self.quantity:
            raise InvalidTradeError(
                f"closing {qty} exceeds the {self.quantity} open in position "
                f"{self.position_id!r}; apply_fill() flips a position instead"
            )
        # The cost taken off is exact when the position closes, so a round trip's realized
        # PnL adds up to its cash flows less commissions; a partial close takes its share.
        if qty == self.quantity:
            cost = self.cost_basis
        else:
            cost = round_amount(self.cost_basis * qty / self.quantity)
        gross = (trade.price * qty * self.multiplier - cost) * self.direction
        pnl = self.realized_pnl + round_amount(gross - fee)
        self.realized_pnl, self.commissions = self._totals(trade, pnl, fee)
        self.cost_basis -= cost
        close_cost = (self.avg_px_close or Decimal(0)) * self.closed_qty + trade.price * qty
        self.closed_qty += qty
        self.avg_px_close = round_amount(close_cost / self.closed_qty)
        self._set_quantity(self.signed_qty + qty * trade.side.sign)
        self.ts_last = trade.ts_event
        if self.signed_qty == 0:
            self.closing_order_id = trade.order_id
            self.ts_closed = trade.ts_event

    def _check_fill(
        self, trade: Trade, quantity: Decimal, commission: Decimal
    ) -> tuple[Decimal, Decimal]:
        label = f"position {self.position_id!r}"
        qty, fee = _check_share(trade, quantity, commission, label)
        if self.is_closed:
            raise PositionClosedError(
                f"{label} closed at {self.ts_closed}; fill {trade.trade_id!r} needs a new position"
            )
        if (trade.symbol, trade.strategy_id) != (self.symbol, self.strategy_id):
            raise FillMismatchError(
                f"fill {trade.trade_id!r} is for {trade.symbol}/{trade.strategy_id} but {label} "
                f"is {self.symbol}/{self.strategy_id}"
            )
        if trade.ts_event < self.ts_last:
            raise OutOfOrderEventError(
                f"fill {trade.trade_id!r} at {trade.ts_event.isoformat()} is earlier than the "
                f"last event of {label} at {self.ts_last.isoformat()}"
            )
        return qty, round_amount(fee)

    def _set_quantity(self, signed_qty: Decimal) -> None:
        self.signed_qty = signed_qty
        self.quantity = abs(signed_qty)
        self.peak_qty = max(self.peak_qty, self.quantity)
        if signed_qty == 0:
            self.side = PositionSide.FLAT

    def _totals(self, trade: Trade, realized: Decimal, fee: Decimal) -> tuple[Decimal, Decimal]:
        """The realized PnL and commissions after a fill, refused past the amount limit."""
        realized, commissions = round_amount(realized), round_amount(self.commissions + fee)
        for what, value in (("realized PnL", realized), ("commissions", commissions)):
            reason = past_limit(f"the {what} of position {self.position_id!r}", value)
            if reason is not None:
                raise InvalidTradeError(f"fill {trade.trade_id!r}: {reason}")
        return realized, commissions

    def __repr__(self) -> str:
        return (
            f"Position({self.position_id!r}, {self.side} {self.quantity} {self.symbol} "
            f"@ {self.avg_px_open}, realized={self.realized_pnl}, strategy={self.strategy_id!r})"
        )


def _checked_cost(trade: Trade, cost: Decimal, label: str) -> Decimal:
    """`cost` rounded as a stored amount, refused past the amount limit."""
    cost = round_amount(cost)
    reason = past_limit(f"the cost basis of {label}", cost)
    if reason is not None:
        raise InvalidTradeError(f"fill {trade.trade_id!r}: {reason}")
    return cost


def apply_fill(
    position: Position | None,
    trade: Trade,
    *,
    multiplier: Decimal,
    new_position_id: Callable[[], str],
) -> list[Position]:
    """Route a fill to the open position of its symbol and strategy; return what it touched.

    With no open position the fill opens one. An opposite fill reduces or closes the
    position; one larger than the open quantity flips it: the closing part closes it and
    the remainder opens a new position (returned last), the commission split pro rata by
    quantity. `trade.position_id` is set to the first position touched.
    """
    if not isinstance(trade, Trade):
        raise InvalidTradeError(f"apply_fill needs a Trade, got {type(trade).__name__}")
    if position is None or position.is_closed:
        opened = Position.open(
            position_id=_next_id(new_position_id),
            trade=trade,
            quantity=trade.quantity,
            commission=trade.commission,
            multiplier=multiplier,
        )
        trade.position_id = opened.position_id
        return [opened]
    if position.multiplier != multiplier:
        raise FillMismatchError(
            f"fill {trade.trade_id!r} comes with multiplier {multiplier} but position "
            f"{position.position_id!r} has {position.multiplier}"
        )
    if trade.side.sign == position.direction:
        position.add(trade, trade.quantity, trade.commission)
        touched = [position]
    elif trade.quantity <= position.quantity:
        position.reduce(trade, trade.quantity, trade.commission)
        touched = [position]
    else:
        closing_qty = position.quantity
        closing_fee = round_amount(trade.commission * closing_qty / trade.quantity)
        # The new position first: a refusal (a bad id, a cost past the limit) changes nothing.
        opened = Position.open(
            position_id=_next_id(new_position_id),
            trade=trade,
            quantity=trade.quantity - closing_qty,
            commission=trade.commission - closing_fee,
            multiplier=multiplier,
        )
        position.reduce(trade, closing_qty, closing_fee)
        touched = [position, opened]
    trade.position_id = position.position_id
    return touched


def _next_id(new_position_id: Callable[[], str]) -> str:
    return require_text(new_position_id(), "new position id", InvalidTradeError)


def reducible_quantity(position: Position | None, side: OrderSide) -> Decimal:
    """How much a fill on `side` can take off `position` without flipping it: all of an open
    position on the other side, else nothing."""
    if position is None or not position.is_open or position.direction != -side.sign:
        return Decimal(0)
    return position.quantity


def only_reduces(position: Position | None, side: OrderSide, quantity: Decimal) -> bool:
    """Whether a fill of `quantity` on `side` only reduces `position` (the rule of a
    reduce-only order): it never opens, adds to or flips a position."""
    return 0 < quantity <= reducible_quantity(position, side)
