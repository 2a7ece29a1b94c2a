"""The bench's scale checks: closed orders loaded on both in-memory backends, none of them open."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.adapters.sqla.repositories import SqlAlchemyOrderRepository
from {{ cookiecutter.package_name }}.container import build_container
from {{ cookiecutter.package_name }}.database_urls import MEMORY_URL, SQLITE_MEMORY_URL

from .test_bench_scale_parts import LOADED, load_and_count


@pytest.mark.parametrize("url", [MEMORY_URL, SQLITE_MEMORY_URL])
async def test_loaded_orders_are_stored_and_none_is_open(url: str) -> None:
    engine = build_container(database_url=url).engine()
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(load_and_count) == LOADED
        async with AsyncSession(engine) as session:
            assert await SqlAlchemyOrderRepository(session).list_open("ES", "history") == []
    finally:
        await engine.dispose()
