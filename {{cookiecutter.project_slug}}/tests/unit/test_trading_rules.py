"""The trading services' rules that need no I/O: reduce-only fills and contingent orders."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.domain import (
    Instrument,
    InvalidOrderError,
    LiquiditySide,
    Order,
    OrderSide,
    OrderType,
    ReduceOnlyError,
    Trade,
    only_reduces,
    reducible_quantity,
)
from {{ cookiecutter.package_name }}.services.commands import SubmitOrder
from {{ cookiecutter.package_name }}.services.trading_core import (
    check_reduce_only,
    contingent_on,
    orphaned_children,
)

from .positions import long_position

T0 = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)
ES = Instrument(symbol="ES", tick_size=Decimal("0.25"), multiplier=Decimal(50))


def order(order_id: str, side: OrderSide = OrderSide.SELL, **fields: Any) -> Order:
    made = Order(
        order_id=order_id,
        instrument=ES,
        side=side,
        order_type=OrderType.MARKET,
        quantity=Decimal(2),
        ts_init=T0,
        **fields,
    )
    made.submit(T0)
    made.accept(T0)
    return made


@pytest.mark.parametrize(
    ("side", "quantity", "held", "reduces"),
    [
        (OrderSide.SELL, 2, 2, True),  # closes the long
        (OrderSide.SELL, 1, 2, True),  # reduces it
        (OrderSide.SELL, 3, 2, False),  # would flip it short
        (OrderSide.BUY, 1, 2, False),  # would add to it
        (OrderSide.SELL, 1, None, False),  # would open a short
    ],
)
def test_a_reduce_only_fill_must_only_reduce_the_position(
    side: OrderSide, quantity: int, held: int | None, reduces: bool
) -> None:
    position = None if held is None else long_position(held)

    assert only_reduces(position, side, Decimal(quantity)) is reduces


def test_a_fill_of_a_reduce_only_order_that_would_flip_is_refused_with_the_position() -> None:
    exit_ = order("O-2", reduce_only=True)

    with pytest.raises(ReduceOnlyError, match=r"SELL fill of 3 .* \(LONG 2\)"):
        check_reduce_only(exit_, long_position(2), Decimal(3))
    with pytest.raises(ReduceOnlyError, match=r"\(flat\)"):
        check_reduce_only(exit_, None, Decimal(1))
    check_reduce_only(exit_, long_position(2), Decimal(2))
    check_reduce_only(order("O-3"), None, Decimal(5))  # not reduce-only: anything goes


def test_the_open_children_of_an_entry_that_ended_unfilled_are_orphaned() -> None:
    entry = order("E", OrderSide.BUY, order_list_id="L-1")
    stop = order("S", parent_order_id="E", order_list_id="L-1", reduce_only=True)
    target = order("P", parent_order_id="E", order_list_id="L-1", reduce_only=True)
    other = order("X", order_list_id="L-1")
    target.cancel(T0 + timedelta(minutes=1))
    group = [entry, stop, target, other]

    assert orphaned_children(entry, group) == []  # still working
    entry.cancel(T0 + timedelta(minutes=1))
    assert orphaned_children(entry, group) == [stop]


def test_the_children_of_an_entry_that_filled_in_part_keep_working() -> None:
    entry = order("E", OrderSide.BUY, order_list_id="L-1")
    stop = order("S", parent_order_id="E", order_list_id="L-1", reduce_only=True)
    entry.apply_fill(
        Trade(
            trade_id="T-1",
            order_id="E",
            symbol="ES",
            strategy_id="default",
            side=OrderSide.BUY,
            quantity=Decimal(1),
            price=Decimal(100),
            commission=Decimal(0),
            liquidity_side=LiquiditySide.TAKER,
            ts_event=T0 + timedelta(minutes=1),
        )
    )
    entry.cancel(T0 + timedelta(minutes=2))

    assert orphaned_children(entry, [entry, stop]) == []


def test_a_child_command_is_linked_to_its_parent_and_the_parents_list() -> None:
    entry = order("E", OrderSide.BUY, order_list_id="L-1")
    exit_ = SubmitOrder(
        symbol="ES", side=OrderSide.SELL, order_type=OrderType.MARKET, quantity=Decimal(1)
    )

    linked = contingent_on(exit_, entry)

    assert (linked.parent_order_id, linked.order_list_id) == ("E", "L-1")
    with pytest.raises(InvalidOrderError, match="belongs to no order list"):
        contingent_on(exit_, order("F", OrderSide.BUY))
    with pytest.raises(InvalidOrderError, match="not for its parent's ES/default"):
        contingent_on(replace(exit_, strategy_id="other"), entry)
    entry.cancel(T0 + timedelta(minutes=1))
    with pytest.raises(InvalidOrderError, match=r"ended unfilled \(CANCELED\)"):
        contingent_on(exit_, entry)


@pytest.mark.parametrize(
    ("side", "held", "reducible"),
    [(OrderSide.SELL, 2, 2), (OrderSide.BUY, 2, 0), (OrderSide.SELL, None, 0)],
)
def test_what_a_fill_can_take_off_a_position_without_flipping_it(
    side: OrderSide, held: int | None, reducible: int
) -> None:
    position = None if held is None else long_position(held)

    assert reducible_quantity(position, side) == reducible
