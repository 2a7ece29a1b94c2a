"""Which working orders a bar fills, at what price, and in which order.

Rules of this fill model:

- The intrabar path is Open -> High -> Low -> Close, or Open -> Low -> High -> Close when the
  close is strictly nearer the high than the low. Points are numbered 0 (open) to 3 (close); a
  fill's `path_index` is 0 when it happens at the open, otherwise the number of the path point
  that ends the leg on which the price reached it.
- MARKET fills at the open of the bar it is given. The engine hands a market order to the bar
  after the one it was submitted on, so it fills at that next bar's open.
- LIMIT fills at its price when the path touches it, or at the open if the bar opens through it
  (a better price): a buy when the open is at or below the limit, a sell when at or above.
- STOP_MARKET triggers when the path touches its trigger price and fills there, or at the open
  when the bar gaps through it (a worse price).
- STOP_LIMIT triggers like a stop; from that point of the path on it is a limit order: it fills
  at the trigger price (or the gapped open) if that is within the limit, otherwise where the rest
  of the path comes back to the limit. A stop-limit that triggers without filling is reported by
  `triggered_stop_limits`; the engine passes its id in `triggered_ids` on later bars, where it
  works as a plain limit.
- Full fills only: a filled order fills its whole `leaves_qty`; volume is not consulted.
- Fills come back in path order (then by distance along the leg, then in the order given), so
  the engine applies them one by one and drops those of orders it cancelled on the way, such as
  the OCO sibling of an earlier fill. Give a parent before its children.
"""

from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from ...domain.bar import Bar
from ...domain.enums import OrderSide, OrderType


class WorkingOrder(Protocol):
    """What the fill model reads from a working order; the domain `Order` satisfies it."""

    @property
    def order_id(self) -> str: ...

    @property
    def side(self) -> OrderSide: ...

    @property
    def order_type(self) -> OrderType: ...

    @property
    def price(self) -> Decimal | None: ...

    @property
    def trigger_price(self) -> Decimal | None: ...

    @property
    def leaves_qty(self) -> Decimal: ...


@dataclass(frozen=True)
class SimulatedFill:
    """A whole order filled on a bar at `price`, reached at point `path_index` of the path."""

    order_id: str
    price: Decimal
    quantity: Decimal
    path_index: int


@dataclass(frozen=True)
class _Touch:
    """Where on the path a price level was reached: the leg's end index and the price there."""

    path_index: int
    price: Decimal
    distance: Decimal  # from the start of the leg, to order touches within one leg


def intrabar_path(bar: Bar) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The four points the price is assumed to visit within `bar`."""
    if bar.high - bar.close < bar.close - bar.low:
        return (bar.open, bar.low, bar.high, bar.close)
    return (bar.open, bar.high, bar.low, bar.close)


def simulate_fills(
    bar: Bar,
    orders: Iterable[WorkingOrder],
    *,
    triggered_ids: Set[str] = frozenset(),
) -> list[SimulatedFill]:
    """Fill the working `orders` on `bar`; stop-limits in `triggered_ids` act as limits."""
    points = list(enumerate(intrabar_path(bar)))
    ranked: list[tuple[int, Decimal, int, SimulatedFill]] = []
    for position, order in enumerate(orders):
        touch = _fill_touch(order, points, order.order_id in triggered_ids)
        if touch is not None:
            fill = SimulatedFill(order.order_id, touch.price, order.leaves_qty, touch.path_index)
            ranked.append((touch.path_index, touch.distance, position, fill))
    ranked.sort(key=lambda entry: entry[:3])
    return [fill for *_, fill in ranked]


def triggered_stop_limits(
    bar: Bar,
    orders: Iterable[WorkingOrder],
    *,
    triggered_ids: Set[str] = frozenset(),
) -> list[str]:
    """Ids of the stop-limit orders that trigger on `bar` but do not fill on it."""
    points = list(enumerate(intrabar_path(bar)))
    newly_triggered: list[str] = []
    for order in orders:
        _check_order(order)
        if order.order_type is not OrderType.STOP_LIMIT or order.order_id in triggered_ids:
            continue
        trigger = _stop_touch(order.side, _required(order.trigger_price), points)
        if trigger is not None and _fill_touch(order, points, False) is None:
            newly_triggered.append(order.order_id)
    return newly_triggered


def _fill_touch(
    order: WorkingOrder, points: Sequence[tuple[int, Decimal]], already_triggered: bool
) -> _Touch | None:
    _check_order(order)
    side, kind = order.side, order.order_type
    if kind is OrderType.MARKET:
        return _Touch(0, points[0][1], Decimal(0))
    if kind is OrderType.LIMIT or (kind is OrderType.STOP_LIMIT and already_triggered):
        return _limit_touch(side, _required(order.price), points)
    trigger = _stop_touch(side, _required(order.trigger_price), points)
    if trigger is None or kind is OrderType.STOP_MARKET:
        return trigger
    return _limit_touch_after(side, _required(order.price), points, trigger)


def _limit_touch(
    side: OrderSide, limit: Decimal, points: Sequence[tuple[int, Decimal]]
) -> _Touch | None:
    if side is OrderSide.BUY:
        return _first_touch(points, lambda price: price <= limit, limit)
    return _first_touch(points, lambda price: price >= limit, limit)


def _stop_touch(
    side: OrderSide, trigger: Decimal, points: Sequence[tuple[int, Decimal]]
) -> _Touch | None:
    if side is OrderSide.BUY:
        return _first_touch(points, lambda price: price >= trigger, trigger)
    return _first_touch(points, lambda price: price <= trigger, trigger)


def _limit_touch_after(
    side: OrderSide, limit: Decimal, points: Sequence[tuple[int, Decimal]], trigger: _Touch
) -> _Touch | None:
    """The limit fill on the rest of the path, which starts where the stop triggered."""
    rest = [(trigger.path_index, trigger.price)]
    rest += [point for point in points if point[0] >= max(trigger.path_index, 1)]
    touch = _limit_touch(side, limit, rest)
    if touch is None or touch.path_index != trigger.path_index:
        return touch
    # Filled on the leg where it triggered: measure from that leg's start, not the trigger.
    return _Touch(touch.path_index, touch.price, trigger.distance + touch.distance)


def _first_touch(
    points: Sequence[tuple[int, Decimal]],
    reached: Callable[[Decimal], bool],
    level: Decimal,
) -> _Touch | None:
    """First point of the path where `reached` holds: at the start itself, or within a leg."""
    start_index, start_price = points[0]
    if reached(start_price):
        return _Touch(start_index, start_price, Decimal(0))
    leg_start = start_price
    for index, price in points[1:]:
        if reached(price):
            return _Touch(index, level, abs(level - leg_start))
        leg_start = price
    return None


def _required(value: Decimal | None) -> Decimal:
    assert value is not None  # `_check_order` ran first
    return value


def _check_order(order: WorkingOrder) -> None:
    label = f"order {order.order_id!r}"
    if not isinstance(order.side, OrderSide):
        raise ValueError(f"{label} has an unknown side {order.side!r}")
    if not isinstance(order.order_type, OrderType):
        raise ValueError(f"{label} has an unknown order type {order.order_type!r}")
    if order.order_type.requires_price and order.price is None:
        raise ValueError(f"{label} is {order.order_type} but has no price")
    if order.order_type.requires_trigger_price and order.trigger_price is None:
        raise ValueError(f"{label} is {order.order_type} but has no trigger price")
    if order.leaves_qty <= 0:
        raise ValueError(f"{label} has nothing left to fill (leaves_qty {order.leaves_qty})")
