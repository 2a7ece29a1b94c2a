"""Each repository stores and finds its aggregates the same way on every backend."""

from datetime import timedelta
from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.domain import LiquiditySide, NotFoundError, PositionSide
from {{ cookiecutter.package_name }}.services.ports import UnitOfWork

from .builders import (
    ORDER_FIELDS,
    T0,
    buy_fill,
    limit_order,
    nq_future,
    opened_position,
    position_state,
    rising_bars,
)


async def test_an_order_reads_back_with_every_value_and_type_intact(uow: UnitOfWork) -> None:
    order = limit_order("O-1", order_list_id="L-1")
    order.accept(T0 + timedelta(seconds=2))
    expected = {field: getattr(order, field) for field in ORDER_FIELDS}
    async with uow:
        uow.orders.add(order)
        await uow.commit()

    async with uow:
        stored = await uow.orders.get("O-1")
        assert stored is not order
        assert {field: getattr(stored, field) for field in ORDER_FIELDS} == expected
        assert stored.ts_init.tzinfo is not None
        assert isinstance(stored.price, Decimal)


async def test_an_unknown_order_is_not_found(uow: UnitOfWork) -> None:
    async with uow:
        with pytest.raises(NotFoundError, match="order 'O-404' not found"):
            await uow.orders.get("O-404")


async def test_open_orders_are_those_of_the_strategy_still_working_oldest_first(
    uow: UnitOfWork,
) -> None:
    async with uow:
        newer = limit_order("O-2", minutes=5)
        older = limit_order("O-1", minutes=1)
        canceled = limit_order("O-3", minutes=2)
        canceled.cancel(T0 + timedelta(minutes=3))
        other_strategy = limit_order("O-4", minutes=0, strategy_id="other")
        for order in (newer, older, canceled, other_strategy):
            uow.orders.add(order)
        await uow.commit()

    async with uow:
        assert [o.order_id for o in await uow.orders.list_open("ES", "vwap")] == ["O-1", "O-2"]
        assert [o.order_id for o in await uow.orders.list_open("ES", "other")] == ["O-4"]
        assert await uow.orders.list_open("NQ", "vwap") == []
        assert await uow.orders.count() == 4


async def test_orders_of_a_group_are_listed_together(uow: UnitOfWork) -> None:
    async with uow:
        uow.orders.add(limit_order("O-1", order_list_id="B-1"))
        uow.orders.add(limit_order("O-2", minutes=1, order_list_id="B-1"))
        uow.orders.add(limit_order("O-3", minutes=2, order_list_id="B-2"))
        await uow.commit()

    async with uow:
        assert [o.order_id for o in await uow.orders.list_in_group("B-1")] == ["O-1", "O-2"]


async def test_a_trade_exists_once_added_even_before_it_is_flushed(uow: UnitOfWork) -> None:
    async with uow:
        order = limit_order("O-1")
        uow.orders.add(order)
        uow.trades.add(buy_fill("T-1", order, "1", "5900.25"))
        assert await uow.trades.exists("T-1")
        assert not await uow.trades.exists("T-2")
        await uow.commit()

    async with uow:
        assert await uow.trades.exists("T-1")
        [trade] = await uow.trades.list_for_order("O-1")
        assert (trade.quantity, trade.price, trade.liquidity_side) == (
            Decimal(1),
            Decimal("5900.25"),
            LiquiditySide.MAKER,
        )


async def test_the_open_position_is_found_and_closed_ones_are_listed(uow: UnitOfWork) -> None:
    order = limit_order("O-1")
    first = opened_position(order)
    async with uow:
        uow.orders.add(order)
        uow.positions.add(first)
        await uow.commit()

    async with uow:
        found = await uow.positions.get_open("ES", "vwap")
        assert found is not None and found.position_id == "P-1"
        assert position_state(found) == (PositionSide.LONG, Decimal(2), Decimal("5900.00"))
        assert await uow.positions.list_closed("ES", "vwap") == []
        assert await uow.positions.get_open("ES", "other") is None


async def test_bars_of_an_instrument_added_in_the_same_unit_of_work_are_stored(
    uow: UnitOfWork,
) -> None:
    async with uow:
        uow.instruments.add(nq_future())
        assert await uow.bars.add_many(rising_bars(3, "NQ")) == 3
        await uow.commit()

    async with uow:
        assert await uow.bars.count("NQ") == 3


async def test_bars_are_written_in_bulk_and_read_back_by_time_range(uow: UnitOfWork) -> None:
    bars = rising_bars(25)
    async with uow:
        assert await uow.bars.add_many(bars) == 25
        await uow.commit()

    async with uow:
        assert await uow.bars.count("ES") == 25
        window = await uow.bars.list_range(
            "ES", T0 + timedelta(minutes=10), T0 + timedelta(minutes=13)
        )
        assert window == bars[10:13]
