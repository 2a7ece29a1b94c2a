"""The bench's scale checks: closed orders loaded on both in-memory backends, none of them open."""

import pytest
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.adapters.sqla.repositories import SqlAlchemyOrderRepository
from {{ cookiecutter.package_name }}.bench.scale import memory_measures
from {{ cookiecutter.package_name }}.bench.scale_parts import ScaleSizes
from {{ cookiecutter.package_name }}.container import build_container
from {{ cookiecutter.package_name }}.database_urls import MEMORY_URL, SQLITE_MEMORY_URL

from .test_bench_scale_parts import LOADED, load_and_count, replay_cleared_counts


@pytest.mark.parametrize("url", [MEMORY_URL, SQLITE_MEMORY_URL])
def test_loaded_orders_are_stored_and_none_is_open(url: str) -> None:
    container = build_container(database_url=url)
    try:
        engine = container.engine()
        with engine.connect() as connection:
            assert load_and_count(connection) == LOADED
        with Session(engine) as session:
            assert SqlAlchemyOrderRepository(session).list_open("ES", "history") == []
    finally:
        container.shutdown_resources()


@pytest.mark.parametrize("url", [MEMORY_URL, SQLITE_MEMORY_URL])
def test_clearing_a_replay_keeps_the_history_only(url: str) -> None:
    container = build_container(database_url=url)
    try:
        with container.engine().connect() as connection:
            assert replay_cleared_counts(connection) == (LOADED, 0)
    finally:
        container.shutdown_resources()


def test_the_per_bar_rounds_replay_on_the_loaded_database_again() -> None:
    sizes = ScaleSizes(orders=50, bars=40, seed=3, rounds=2)
    empty, loaded, grown = memory_measures(sizes)
    assert empty > 0 and loaded > 0 and grown >= 0
