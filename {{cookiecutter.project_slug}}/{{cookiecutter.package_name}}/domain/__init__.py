"""The trading domain in plain Python: instruments, orders, fills and positions."""

from .amounts import AMOUNT_PLACES, round_amount
from .enums import (
    OPEN_ORDER_STATUSES,
    TERMINAL_ORDER_STATUSES,
    LiquiditySide,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    TimeInForce,
)
from .errors import (
    ConflictError,
    DomainError,
    DuplicateFillError,
    FillMismatchError,
    InvalidInstrumentError,
    InvalidOrderError,
    InvalidQuantityError,
    InvalidTradeError,
    InvalidTransitionError,
    NotFoundError,
    OffTickPriceError,
    OutOfOrderEventError,
    OverfillError,
    PositionClosedError,
    ReduceOnlyError,
)
from .instrument import Instrument
from .order import Order
from .position import Position, apply_fill, only_reduces, reducible_quantity
from .trade import Trade
from .transitions import (
    FILLABLE_ORDER_STATUSES,
    ORDER_TRANSITIONS,
    can_transition,
    check_transition,
)

__all__ = [
    "AMOUNT_PLACES",
    "FILLABLE_ORDER_STATUSES",
    "OPEN_ORDER_STATUSES",
    "ORDER_TRANSITIONS",
    "TERMINAL_ORDER_STATUSES",
    "ConflictError",
    "DomainError",
    "DuplicateFillError",
    "FillMismatchError",
    "Instrument",
    "InvalidInstrumentError",
    "InvalidOrderError",
    "InvalidQuantityError",
    "InvalidTradeError",
    "InvalidTransitionError",
    "LiquiditySide",
    "NotFoundError",
    "OffTickPriceError",
    "Order",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "OutOfOrderEventError",
    "OverfillError",
    "Position",
    "PositionClosedError",
    "PositionSide",
    "ReduceOnlyError",
    "TimeInForce",
    "Trade",
    "apply_fill",
    "can_transition",
    "check_transition",
    "only_reduces",
    "reducible_quantity",
    "round_amount",
]
