"""Errors raised by the domain when a rule of trading is broken."""

from decimal import Decimal
from enum import StrEnum


class DomainError(Exception):
    """Base class of every error the domain raises."""


class InvalidInstrumentError(DomainError):
    """An instrument is defined with a bad symbol, tick size, multiplier or step."""


class InvalidOrderError(DomainError):
    """An order's parameters break a rule (missing price, bad time in force, ...)."""


class OffTickPriceError(InvalidOrderError):
    """A price is not a multiple of the instrument's tick size."""


class InvalidQuantityError(InvalidOrderError):
    """A quantity is not positive or not a multiple of the instrument's quantity step."""


class InvalidTradeError(DomainError):
    """A fill has bad values, or a position is given a share of a fill it does not have."""


class InvalidTransitionError(DomainError):
    """An order is asked to move to a status its current status does not lead to."""

    def __init__(
        self,
        *,
        order_id: str,
        current: StrEnum,
        target: StrEnum,
        detail: str | None = None,
    ) -> None:
        message = f"order {order_id!r} cannot go from {current} to {target}"
        super().__init__(f"{message}: {detail}" if detail else message)
        self.order_id = order_id
        self.current = current
        self.target = target


class OverfillError(DomainError):
    """A fill is larger than the quantity the order still has open."""

    def __init__(self, *, order_id: str, fill_qty: Decimal, leaves_qty: Decimal) -> None:
        super().__init__(
            f"fill of {fill_qty} exceeds the {leaves_qty} still open on order {order_id!r}"
        )
        self.order_id = order_id
        self.fill_qty = fill_qty
        self.leaves_qty = leaves_qty


class FillMismatchError(DomainError):
    """A fill is applied to an order or position it does not belong to, or breaks its terms."""


class ReduceOnlyError(FillMismatchError):
    """A fill of a reduce-only order would open, add to or flip a position."""

    def __init__(self, *, order_id: str, side: StrEnum, quantity: Decimal, held: str) -> None:
        super().__init__(
            f"order {order_id!r} is reduce-only: a {side} fill of {quantity.normalize():f} "
            f"would not only reduce the position ({held})"
        )
        self.order_id = order_id


class DuplicateFillError(DomainError):
    """A trade id is seen a second time."""

    def __init__(self, trade_id: str) -> None:
        super().__init__(f"fill {trade_id!r} was already applied; trade ids are unique")
        self.trade_id = trade_id


class PositionClosedError(DomainError):
    """A fill is applied to a position that is already flat and closed."""


class OutOfOrderEventError(DomainError):
    """An event is timestamped before the last event its order or position has seen."""


class NotFoundError(DomainError):
    """No entity of the given kind has the given id."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class ConflictError(DomainError):
    """A write breaks a uniqueness or integrity rule of the store."""
