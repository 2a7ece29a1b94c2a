"""An order: parameters checked against its instrument, and its lifecycle."""

from datetime import datetime
from decimal import Decimal

from .amounts import past_limit, round_amount
from .enums import OrderSide, OrderStatus, OrderType, TimeInForce
from .errors import (
    FillMismatchError,
    InvalidOrderError,
    InvalidTransitionError,
    OutOfOrderEventError,
    OverfillError,
)
from .instrument import Instrument
from .trade import Trade
from .transitions import check_transition
from .validation import (
    optional_text,
    require_bool,
    require_member,
    require_text,
    require_utc,
)

_BEFORE_TRIGGER = frozenset({OrderStatus.SUBMITTED, OrderStatus.ACCEPTED})
"""Where a stop order waits for its trigger price: it cannot fill before it triggers."""


class Order:
    """A client order; `filled_qty + leaves_qty == quantity` holds in every status."""

    order_id: str
    symbol: str
    strategy_id: str
    position_id: str | None
    parent_order_id: str | None
    order_list_id: str | None
    side: OrderSide
    order_type: OrderType
    quantity: Decimal
    price: Decimal | None
    trigger_price: Decimal | None
    time_in_force: TimeInForce
    expire_time: datetime | None
    reduce_only: bool
    status: OrderStatus
    filled_qty: Decimal
    leaves_qty: Decimal
    avg_px: Decimal | None
    commission: Decimal
    reason: str | None
    ts_init: datetime
    ts_submitted: datetime | None
    ts_accepted: datetime | None
    ts_triggered: datetime | None
    ts_closed: datetime | None
    ts_last: datetime

    def __init__(
        self,
        *,
        order_id: str,
        instrument: Instrument,
        side: OrderSide,
        order_type: OrderType,
        quantity: Decimal,
        ts_init: datetime,
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
        time_in_force: TimeInForce = TimeInForce.GTC,
        expire_time: datetime | None = None,
        strategy_id: str = "default",
        position_id: str | None = None,
        parent_order_id: str | None = None,
        order_list_id: str | None = None,
        reduce_only: bool = False,
    ) -> None:
        error = InvalidOrderError
        self.order_id = require_text(order_id, "order_id", error)
        label = f"order {order_id!r}"
        if not isinstance(instrument, Instrument):
            raise error(f"{label} needs an Instrument, got {type(instrument).__name__}")
        self.symbol = instrument.symbol
        self.strategy_id = require_text(strategy_id, f"{label} strategy_id", error)
        self.position_id = optional_text(position_id, f"{label} position_id", error)
        self.parent_order_id = optional_text(parent_order_id, f"{label} parent_order_id", error)
        self.order_list_id = optional_text(order_list_id, f"{label} order_list_id", error)
        if self.parent_order_id is not None and self.order_list_id is None:
            raise error(f"{label} has a parent order, so it needs the parent's order_list_id")
        self.side = require_member(OrderSide, side, f"{label} side", error)
        self.order_type = require_member(OrderType, order_type, f"{label} order_type", error)
        self.quantity = instrument.check_quantity(quantity, label=f"{label} quantity")
        self.price = self._checked_price(instrument, price, label)
        self.trigger_price = self._checked_trigger_price(instrument, trigger_price, label)
        self.ts_init = require_utc(ts_init, f"{label} ts_init", error)
        self.time_in_force = require_member(
            TimeInForce, time_in_force, f"{label} time_in_force", error
        )
        self.expire_time = self._checked_expire_time(expire_time, label)
        self.reduce_only = require_bool(reduce_only, f"{label} reduce_only", error)

        self.status = OrderStatus.INITIALIZED
        self.filled_qty = Decimal(0)
        self.leaves_qty = self.quantity
        self.avg_px = None
        self.commission = Decimal(0)
        self.reason = None
        self.ts_submitted = None
        self.ts_accepted = None
        self.ts_triggered = None
        self.ts_closed = None
        self.ts_last = self.ts_init

    def _checked_price(
        self, instrument: Instrument, price: Decimal | None, label: str
    ) -> Decimal | None:
        if not self.order_type.requires_price:
            if price is not None:
                raise InvalidOrderError(f"{label} is {self.order_type} and takes no price")
            return None
        if price is None:
            raise InvalidOrderError(f"{label} is {self.order_type} and needs a limit price")
        return instrument.check_price(price, label=f"{label} price")

    def _checked_trigger_price(
        self, instrument: Instrument, trigger_price: Decimal | None, label: str
    ) -> Decimal | None:
        if not self.order_type.requires_trigger_price:
            if trigger_price is not None:
                raise InvalidOrderError(f"{label} is {self.order_type} and takes no trigger price")
            return None
        if trigger_price is None:
            raise InvalidOrderError(f"{label} is {self.order_type} and needs a trigger price")
        return instrument.check_price(trigger_price, label=f"{label} trigger price")

    def _checked_expire_time(self, expire_time: datetime | None, label: str) -> datetime | None:
        if self.time_in_force is not TimeInForce.GTD:
            if expire_time is not None:
                raise InvalidOrderError(
                    f"{label} is {self.time_in_force}; only GTD orders take an expire time"
                )
            return None
        if expire_time is None:
            raise InvalidOrderError(f"{label} is GTD and needs an expire time")
        expire = require_utc(expire_time, f"{label} expire_time", InvalidOrderError)
        if expire <= self.ts_init:
            raise InvalidOrderError(
                f"{label} expires at {expire.isoformat()}, not after its creation at "
                f"{self.ts_init.isoformat()}"
            )
        return expire

    # -- lifecycle -----------------------------------------------------------------------

    def submit(self, ts: datetime) -> None:
        """INITIALIZED -> SUBMITTED: sent to the venue."""
        self.ts_submitted = self._move_to(OrderStatus.SUBMITTED, ts)

    def deny(self, reason: str, ts: datetime) -> None:
        """INITIALIZED -> DENIED: refused before it left (risk checks, reduce-only, ...)."""
        self._move_to(OrderStatus.DENIED, ts, reason=self._reason(reason))

    def accept(self, ts: datetime) -> None:
        """SUBMITTED -> ACCEPTED: working at the venue."""
        self.ts_accepted = self._move_to(OrderStatus.ACCEPTED, ts)

    def reject(self, reason: str, ts: datetime) -> None:
        """SUBMITTED or TRIGGERED -> REJECTED: refused by the venue."""
        self._move_to(OrderStatus.REJECTED, ts, reason=self._reason(reason))

    def cancel(self, ts: datetime, reason: str | None = None) -> None:
        """Open -> CANCELED; what was filled stays filled."""
        checked = None if reason is None else self._reason(reason)
        self._move_to(OrderStatus.CANCELED, ts, reason=checked)

    def expire(self, ts: datetime) -> None:
        """ACCEPTED, TRIGGERED or PARTIALLY_FILLED -> EXPIRED: its time in force ran out; a GTC
        order has none to run out."""
        if self.time_in_force is TimeInForce.GTC:
            raise InvalidTransitionError(
                order_id=self.order_id,
                current=self.status,
                target=OrderStatus.EXPIRED,
                detail="a GTC order works until it fills or is cancelled",
            )
        self._move_to(OrderStatus.EXPIRED, ts)

    def trigger(self, ts: datetime) -> None:
        """ACCEPTED -> TRIGGERED: a stop order's trigger price was reached."""
        if not self.order_type.requires_trigger_price:
            raise InvalidTransitionError(
                order_id=self.order_id,
                current=self.status,
                target=OrderStatus.TRIGGERED,
                detail=f"a {self.order_type} order has no trigger",
            )
        self.ts_triggered = self._move_to(OrderStatus.TRIGGERED, ts)

    def check_fill(self, trade: Trade) -> None:
        """Refuse an execution this order cannot take; change nothing."""
        self._checked_fill(trade)

    def apply_fill(self, trade: Trade) -> None:
        """Apply an execution: quantities, average price, commission and status."""
        target, ts, commission = self._checked_fill(trade)
        filled = self.filled_qty + trade.quantity
        previous_cost = (self.avg_px or Decimal(0)) * self.filled_qty
        self.avg_px = round_amount((previous_cost + trade.price * trade.quantity) / filled)
        self.filled_qty = filled
        self.leaves_qty = self.quantity - filled
        self.commission = commission
        self.status = target
        self.ts_last = ts
        if target is OrderStatus.FILLED:
            self.ts_closed = ts

    def _checked_fill(self, trade: Trade) -> tuple[OrderStatus, datetime, Decimal]:
        """The status, event time and commission total after `trade`, which is checked."""
        self._check_fill_matches(trade)
        completes = trade.quantity >= self.leaves_qty  # more than the leaves: an overfill below
        target = OrderStatus.FILLED if completes else OrderStatus.PARTIALLY_FILLED
        check_transition(self.order_id, self.status, target)
        if self.order_type.requires_trigger_price and self.status in _BEFORE_TRIGGER:
            raise InvalidTransitionError(
                order_id=self.order_id,
                current=self.status,
                target=target,
                detail=f"a {self.order_type} order fills only once its trigger price was reached",
            )
        if trade.quantity > self.leaves_qty:
            raise OverfillError(
                order_id=self.order_id, fill_qty=trade.quantity, leaves_qty=self.leaves_qty
            )
        ts = self._check_event_time(trade.ts_event)
        commission = round_amount(self.commission + trade.commission)
        reason = past_limit(f"the commission of order {self.order_id!r}", commission)
        if reason is not None:
            raise FillMismatchError(f"fill {trade.trade_id!r}: {reason}")
        return target, ts, commission

    def _check_fill_matches(self, trade: Trade) -> None:
        if not isinstance(trade, Trade):
            raise FillMismatchError(
                f"order {self.order_id!r} can only apply a Trade, got {type(trade).__name__}"
            )
        for field in ("order_id", "symbol", "side"):
            ours, theirs = getattr(self, field), getattr(trade, field)
            if ours != theirs:
                raise FillMismatchError(
                    f"fill {trade.trade_id!r} has {field} '{theirs}' but order "
                    f"{self.order_id!r} has '{ours}'"
                )
        if self.price is not None and trade.price * self.side.sign > self.price * self.side.sign:
            raise FillMismatchError(
                f"fill {trade.trade_id!r} at {trade.price} is worse than the {self.side} "
                f"limit {self.price} of order {self.order_id!r}"
            )

    def _move_to(self, target: OrderStatus, ts: datetime, *, reason: str | None = None) -> datetime:
        """Check and apply a non-fill transition; return the event time in UTC."""
        check_transition(self.order_id, self.status, target)
        event_time = self._check_event_time(ts)
        self.status = target
        self.ts_last = event_time
        if reason is not None:
            self.reason = reason
        if target.is_terminal:
            self.ts_closed = event_time
        return event_time

    def _check_event_time(self, ts: datetime) -> datetime:
        event_time = require_utc(ts, f"order {self.order_id!r} event time", InvalidOrderError)
        if event_time < self.ts_last:
            raise OutOfOrderEventError(
                f"order {self.order_id!r} event at {event_time.isoformat()} is earlier than "
                f"its last event at {self.ts_last.isoformat()}"
            )
        return event_time

    def _reason(self, reason: str) -> str:
        return require_text(reason, f"order {self.order_id!r} reason", InvalidOrderError)

    # -- conveniences --------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """True while the order works at the venue and may still fill."""
        return self.status.is_open

    @property
    def is_terminal(self) -> bool:
        """True once nothing more can happen to the order."""
        return self.status.is_terminal

    @property
    def is_buy(self) -> bool:
        return self.side is OrderSide.BUY

    @property
    def is_sell(self) -> bool:
        return self.side is OrderSide.SELL

    @property
    def has_price(self) -> bool:
        """True for orders with a limit price (LIMIT, STOP_LIMIT)."""
        return self.price is not None

    @property
    def has_trigger_price(self) -> bool:
        """True for stop orders (STOP_MARKET, STOP_LIMIT)."""
        return self.trigger_price is not None

    @property
    def signed_quantity(self) -> Decimal:
        """Quantity, negative for a SELL."""
        return self.quantity * self.side.sign

    @property
    def signed_leaves(self) -> Decimal:
        """Open quantity, negative for a SELL; zero once the order is terminal."""
        return Decimal(0) if self.is_terminal else self.leaves_qty * self.side.sign

    def is_expired_at(self, ts: datetime) -> bool:
        """True if a GTD order's expire time has been reached at `ts`."""
        return self.expire_time is not None and ts >= self.expire_time

    def __repr__(self) -> str:
        return (
            f"Order({self.order_id!r}, {self.side} {self.quantity} {self.symbol} "
            f"{self.order_type}, price={self.price}, trigger={self.trigger_price}, "
            f"status={self.status}, filled={self.filled_qty})"
        )
