"""Which order status may follow which: the order lifecycle as a table."""

from collections.abc import Mapping
from types import MappingProxyType

from .enums import OrderStatus
from .errors import InvalidTransitionError

_S = OrderStatus

# A fill leads to PARTIALLY_FILLED or FILLED depending on the quantities, so every status
# that may become FILLED may also become PARTIALLY_FILLED.
ORDER_TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = MappingProxyType(
    {
        _S.INITIALIZED: frozenset({_S.SUBMITTED, _S.DENIED}),
        _S.SUBMITTED: frozenset(
            {_S.ACCEPTED, _S.REJECTED, _S.CANCELED, _S.PARTIALLY_FILLED, _S.FILLED}
        ),
        _S.ACCEPTED: frozenset(
            {_S.TRIGGERED, _S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELED, _S.EXPIRED}
        ),
        _S.TRIGGERED: frozenset(
            {_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELED, _S.EXPIRED, _S.REJECTED}
        ),
        _S.PARTIALLY_FILLED: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELED, _S.EXPIRED}),
        _S.DENIED: frozenset(),
        _S.FILLED: frozenset(),
        _S.CANCELED: frozenset(),
        _S.REJECTED: frozenset(),
        _S.EXPIRED: frozenset(),
    }
)

FILLABLE_ORDER_STATUSES: tuple[OrderStatus, ...] = tuple(
    status for status in OrderStatus if _S.FILLED in ORDER_TRANSITIONS[status]
)


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    """True if an order in `current` may move to `target`."""
    return target in ORDER_TRANSITIONS[current]


def check_transition(order_id: str, current: OrderStatus, target: OrderStatus) -> None:
    """Raise `InvalidTransitionError` unless an order in `current` may move to `target`."""
    if not can_transition(current, target):
        allowed = ", ".join(sorted(ORDER_TRANSITIONS[current])) or "nothing (terminal)"
        raise InvalidTransitionError(
            order_id=order_id,
            current=current,
            target=target,
            detail=f"from {current} it may go to {allowed}",
        )
