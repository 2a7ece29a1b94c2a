"""Inline `memory+asyncio://`: the answers of `AsyncSession`, without a greenlet per statement."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, select
from sqlalchemy.exc import IntegrityError, MissingGreenlet
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from {{ cookiecutter.package_name }}.adapters.memory.asyncio import (
    InlineAsyncSession,
    inline_async_engine,
)
from {{ cookiecutter.package_name }}.adapters.memory.session import MemorySession

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False, unique=True),
)


def run(scenario: Callable[[AsyncEngine], Awaitable[Any]], engine: AsyncEngine) -> Any:
    async def main() -> Any:
        try:
            async with engine.begin() as connection:
                await connection.run_sync(metadata.create_all)
            return await scenario(engine)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def in_greenlet_per_statement(engine: AsyncEngine) -> list[bool]:
    """Record, per statement, whether it ran inside SQLAlchemy's greenlet bridge."""
    seen: list[bool] = []

    def record(*_args: Any) -> None:
        current = __import__("greenlet").getcurrent()
        seen.append(bool(getattr(current, "__sqlalchemy_greenlet_provider__", False)))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    return seen


async def write_and_read(session: AsyncSession) -> list[str]:
    await session.execute(items.insert(), [{"name": "b"}, {"name": "a"}])
    await session.commit()
    names = await session.scalars(select(items.c.name).order_by(items.c.name))
    return list(names)


@pytest.mark.parametrize("session_class", [AsyncSession, InlineAsyncSession])
def test_both_session_classes_give_the_same_rows(session_class: type[AsyncSession]) -> None:
    async def scenario(engine: AsyncEngine) -> list[str]:
        async with session_class(engine) as session:
            return await write_and_read(session)

    assert run(scenario, inline_async_engine()) == ["a", "b"]


def test_inline_session_runs_statements_outside_any_greenlet() -> None:
    engine = inline_async_engine()
    seen = in_greenlet_per_statement(engine)

    async def scenario(engine: AsyncEngine) -> None:
        seen.clear()
        async with InlineAsyncSession(engine) as session:
            await write_and_read(session)

    run(scenario, engine)
    assert seen
    assert not any(seen)


def test_standard_session_on_the_inline_engine_still_uses_the_bridge() -> None:
    engine = inline_async_engine()
    seen = in_greenlet_per_statement(engine)

    async def scenario(engine: AsyncEngine) -> None:
        seen.clear()
        async with AsyncSession(engine) as session:
            await write_and_read(session)

    run(scenario, engine)
    assert seen
    assert all(seen)


def test_inline_session_rolls_back_and_reports_integrity_errors() -> None:
    async def scenario(engine: AsyncEngine) -> list[str]:
        async with InlineAsyncSession(engine) as session:
            await session.execute(items.insert(), [{"name": "a"}])
            await session.commit()
            with pytest.raises(IntegrityError):
                await session.execute(items.insert(), [{"name": "a"}])
            await session.rollback()
            return list(await session.scalars(select(items.c.name)))

    assert run(scenario, inline_async_engine()) == ["a"]


def test_inline_session_savepoint_inside_an_outer_connection_transaction() -> None:
    async def scenario(engine: AsyncEngine) -> tuple[list[str], list[str]]:
        async with engine.connect() as connection:
            outer = await connection.begin()
            session = InlineAsyncSession(bind=connection, join_transaction_mode="create_savepoint")
            await session.execute(items.insert(), [{"name": "kept"}])
            await session.commit()
            inside = list(await session.scalars(select(items.c.name)))
            await session.close()
            await outer.rollback()
        async with InlineAsyncSession(engine) as fresh:
            after = list(await fresh.scalars(select(items.c.name)))
        return inside, after

    assert run(scenario, inline_async_engine()) == (["kept"], [])


def test_inline_engine_refuses_other_urls() -> None:
    with pytest.raises(ValueError, match=r"needs a memory\+asyncio:// URL, got 'sqlite"):
        inline_async_engine("sqlite+aiosqlite://")


def test_inline_session_on_a_standard_async_engine_fails_clearly() -> None:
    async def scenario(engine: AsyncEngine) -> None:
        async with InlineAsyncSession(engine) as session:
            await session.execute(select(items.c.name))

    with pytest.raises(MissingGreenlet):
        run(scenario, create_async_engine("memory+asyncio://"))


def test_the_inline_session_runs_a_memory_session_with_its_fast_path() -> None:
    async def scenario(engine: AsyncEngine) -> type[object]:
        async with InlineAsyncSession(engine) as session:
            return type(session.sync_session)

    assert run(scenario, inline_async_engine()) is MemorySession
