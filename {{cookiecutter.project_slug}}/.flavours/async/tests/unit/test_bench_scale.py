"""The bench's scale checks: closed orders loaded on both in-memory backends, none of them open."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.adapters.sqla.repositories import SqlAlchemyOrderRepository
from {{ cookiecutter.package_name }}.bench.scale import memory_measures
from {{ cookiecutter.package_name }}.bench.scale_parts import ScaleSizes
from {{ cookiecutter.package_name }}.container import build_container
from {{ cookiecutter.package_name }}.database_urls import MEMORY_URL, SQLITE_MEMORY_URL

from .test_bench_scale_parts import LOADED, load_and_count, replay_cleared_counts


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


@pytest.mark.parametrize("url", [MEMORY_URL, SQLITE_MEMORY_URL])
async def test_clearing_a_replay_keeps_the_history_only(url: str) -> None:
    engine = build_container(database_url=url).engine()
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(replay_cleared_counts) == (LOADED, 0)
    finally:
        await engine.dispose()


def test_the_per_bar_rounds_replay_on_the_loaded_database_again() -> None:
    sizes = ScaleSizes(orders=50, bars=40, seed=3, rounds=2)
    empty, loaded, grown = memory_measures(sizes)
    assert empty > 0 and loaded > 0 and grown >= 0
