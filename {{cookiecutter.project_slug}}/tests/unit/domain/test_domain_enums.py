"""Enumerations: signs of sides, which statuses are open or final, what each order type needs."""

import pytest

from {{ cookiecutter.package_name }}.domain import (
    OPEN_ORDER_STATUSES,
    TERMINAL_ORDER_STATUSES,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
)


def test_a_buy_counts_up_and_a_sell_counts_down() -> None:
    assert (OrderSide.BUY.sign, OrderSide.SELL.sign) == (1, -1)


def test_each_side_is_offset_by_the_other() -> None:
    assert OrderSide.BUY.opposite is OrderSide.SELL
    assert OrderSide.SELL.opposite is OrderSide.BUY


def test_enum_values_are_their_names_so_they_store_as_readable_text() -> None:
    assert OrderStatus.PARTIALLY_FILLED == "PARTIALLY_FILLED"
    assert OrderType("STOP_LIMIT") is OrderType.STOP_LIMIT


@pytest.mark.parametrize(
    "status",
    [
        OrderStatus.SUBMITTED,
        OrderStatus.ACCEPTED,
        OrderStatus.TRIGGERED,
        OrderStatus.PARTIALLY_FILLED,
    ],
)
def test_working_statuses_are_open_and_not_final(status: OrderStatus) -> None:
    assert status.is_open
    assert not status.is_terminal


@pytest.mark.parametrize(
    "status",
    [
        OrderStatus.DENIED,
        OrderStatus.FILLED,
        OrderStatus.CANCELED,
        OrderStatus.REJECTED,
        OrderStatus.EXPIRED,
    ],
)
def test_final_statuses_are_terminal_and_not_open(status: OrderStatus) -> None:
    assert status.is_terminal
    assert not status.is_open


def test_a_fresh_order_is_neither_open_nor_terminal() -> None:
    assert not OrderStatus.INITIALIZED.is_open
    assert not OrderStatus.INITIALIZED.is_terminal


def test_open_and_terminal_constants_split_every_status_but_initialized() -> None:
    assert not set(OPEN_ORDER_STATUSES) & set(TERMINAL_ORDER_STATUSES)
    assert set(OrderStatus) - set(OPEN_ORDER_STATUSES) - set(TERMINAL_ORDER_STATUSES) == {
        OrderStatus.INITIALIZED
    }


@pytest.mark.parametrize(
    ("order_type", "needs_price", "needs_trigger"),
    [
        (OrderType.MARKET, False, False),
        (OrderType.LIMIT, True, False),
        (OrderType.STOP_MARKET, False, True),
        (OrderType.STOP_LIMIT, True, True),
    ],
)
def test_each_order_type_knows_which_prices_it_needs(
    order_type: OrderType, needs_price: bool, needs_trigger: bool
) -> None:
    assert order_type.requires_price is needs_price
    assert order_type.requires_trigger_price is needs_trigger


def test_a_buy_opens_a_long_and_a_sell_opens_a_short() -> None:
    assert PositionSide.opened_by(OrderSide.BUY) is PositionSide.LONG
    assert PositionSide.opened_by(OrderSide.SELL) is PositionSide.SHORT
