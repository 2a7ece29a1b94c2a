"""Enumerations of the trading domain; string values store and sort cleanly."""

from enum import StrEnum


class OrderSide(StrEnum):
    """Whether an order or fill buys or sells."""

    BUY = "BUY"
    SELL = "SELL"

    @property
    def sign(self) -> int:
        """+1 for BUY, -1 for SELL: multiply a quantity by it to sign it."""
        return 1 if self is OrderSide.BUY else -1

    @property
    def opposite(self) -> "OrderSide":
        """The side that offsets this one."""
        return OrderSide.SELL if self is OrderSide.BUY else OrderSide.BUY


class OrderType(StrEnum):
    """How an order is priced."""

    MARKET = "MARKET"
    LIMIT = "LIMIT"
    STOP_MARKET = "STOP_MARKET"
    STOP_LIMIT = "STOP_LIMIT"

    @property
    def requires_price(self) -> bool:
        """True for the types that carry a limit price."""
        return self in (OrderType.LIMIT, OrderType.STOP_LIMIT)

    @property
    def requires_trigger_price(self) -> bool:
        """True for the stop types, which wait for a trigger price."""
        return self in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT)


class TimeInForce(StrEnum):
    """How long an order stays working."""

    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    GTD = "GTD"
    DAY = "DAY"


class OrderStatus(StrEnum):
    """Where an order is in its lifecycle."""

    INITIALIZED = "INITIALIZED"
    DENIED = "DENIED"
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    TRIGGERED = "TRIGGERED"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"

    @property
    def is_terminal(self) -> bool:
        """True once nothing more can happen to the order."""
        return self in TERMINAL_ORDER_STATUSES

    @property
    def is_open(self) -> bool:
        """True while the order is working at the venue and may still fill."""
        return self in OPEN_ORDER_STATUSES


OPEN_ORDER_STATUSES: tuple[OrderStatus, ...] = (
    OrderStatus.SUBMITTED,
    OrderStatus.ACCEPTED,
    OrderStatus.TRIGGERED,
    OrderStatus.PARTIALLY_FILLED,
)

TERMINAL_ORDER_STATUSES: tuple[OrderStatus, ...] = (
    OrderStatus.DENIED,
    OrderStatus.FILLED,
    OrderStatus.CANCELED,
    OrderStatus.REJECTED,
    OrderStatus.EXPIRED,
)


class PositionSide(StrEnum):
    """Direction of a position; FLAT once it is closed."""

    FLAT = "FLAT"
    LONG = "LONG"
    SHORT = "SHORT"

    @classmethod
    def opened_by(cls, side: OrderSide) -> "PositionSide":
        """The side of the position a fill of `side` opens."""
        return cls.LONG if side is OrderSide.BUY else cls.SHORT


class LiquiditySide(StrEnum):
    """Whether a fill added liquidity (maker) or took it (taker)."""

    MAKER = "MAKER"
    TAKER = "TAKER"
