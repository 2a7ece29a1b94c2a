"""The bench's scale checks: their inputs, the load of closed orders and the ratios they report."""

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.adapters.sqla.repositories import SqlAlchemyOrderRepository
from {{ cookiecutter.package_name }}.adapters.sqla.tables import metadata, orders
from {{ cookiecutter.package_name }}.bench.scale import (
    ScaleResult,
    ScaleSizes,
    closed_order_rows,
    load_closed_orders,
)
from {{ cookiecutter.package_name }}.container import build_container


@pytest.mark.parametrize("field", ["orders", "bars"])
def test_sizes_must_be_positive(field: str) -> None:
    with pytest.raises(ValueError, match=f"scale {field} must be at least 1"):
        ScaleSizes(**{field: 0})


def test_ratios_compare_loaded_with_empty_and_memory_with_sqlite() -> None:
    result = ScaleResult(10, 5, 0.002, 0.003, 600, 200)
    assert result.per_bar_ratio == pytest.approx(1.5)
    assert result.footprint_ratio == pytest.approx(3.0)


def test_historical_orders_are_all_closed() -> None:
    rows = list(closed_order_rows(6, "s"))
    assert {row["status"] for row in rows} == {"FILLED", "CANCELED"}
    assert len({row["order_id"] for row in rows}) == 6
    assert all(row["leaves_qty"] == 0 and row["ts_closed"] is not None for row in rows)


def load_and_count(connection: Connection) -> int:
    metadata.create_all(connection)
    load_closed_orders(connection, 1_234, "history")
    count: int = connection.execute(select(func.count()).select_from(orders)).scalar_one()
    return count


@pytest.mark.parametrize("url", ["memory+asyncio://", "sqlite+aiosqlite:///:memory:"])
async def test_loaded_orders_are_stored_and_none_is_open(url: str) -> None:
    engine = build_container(database_url=url).engine()
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(load_and_count) == 1_234
        async with AsyncSession(engine) as session:
            assert await SqlAlchemyOrderRepository(session).list_open("ES", "history") == []
    finally:
        await engine.dispose()
