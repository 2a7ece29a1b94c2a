"""The differential comparison through the async API: ``sqlite+aiosqlite`` and ``memory+asyncio``.

A pair runs all its work in one event loop of its own (`asyncio.Runner`), so that pooled async
connections stay on the loop that opened them. The side under test is ``memory+asyncio://`` in one
of two modes:

- ``bridge``: SQLAlchemy's standard path, `create_async_engine` and `AsyncSession`, which runs every
  call in a greenlet and awaits the dialect's adapted cursor;
- ``inline``: `inline_async_engine` and `InlineAsyncSession`, which the async application uses:
  statements run where they are asked for, and sessions take `MemorySession`'s fast path.

With ``MEMORY_DIFF_BASELINE=sqlite`` both modes put a second ``sqlite+aiosqlite`` engine there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import MetaData, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from {{ cookiecutter.package_name }}.adapters.memory.asyncio import (
    InlineAsyncSession,
    inline_async_engine,
)

from .diff_schema import (
    ACCOUNTS,
    FILLS,
    INSTRUMENTS,
    ORDERS,
    Base,
    accounts,
    fills,
    instruments,
    orders,
)
from .diffkit import (
    MEMORY_ASYNC_URL,
    assert_same,
    assert_same_error,
    baseline_mode,
    multiset,
    sqlite_async_engine,
)

T = TypeVar("T")
Awaited = Coroutine[Any, Any, T]

ASYNC_MODES = ("bridge", "inline")
SEED_ROWS = ((accounts, ACCOUNTS), (instruments, INSTRUMENTS), (orders, ORDERS), (fills, FILLS))


def memory_side(mode: str) -> tuple[AsyncEngine, type[AsyncSession]]:
    """The engine under test and the session class that goes with it."""
    if mode not in ASYNC_MODES:
        raise ValueError(f"async mode must be one of {ASYNC_MODES}, got {mode!r}")
    if baseline_mode():
        return sqlite_async_engine(), AsyncSession
    if mode == "inline":
        return inline_async_engine(), InlineAsyncSession
    return create_async_engine(MEMORY_ASYNC_URL), AsyncSession


async def _raised(work: Awaited[object]) -> BaseException | None:
    try:
        await work
    except Exception as exc:
        return exc
    return None


@dataclass
class AsyncEnginePair:
    """A ``sqlite+aiosqlite`` reference and ``memory+asyncio://`` with the same tables."""

    mode: str
    sqlite: AsyncEngine
    memory: AsyncEngine
    memory_session: type[AsyncSession]
    runner: asyncio.Runner

    def sides(self) -> tuple[tuple[AsyncEngine, type[AsyncSession]], ...]:
        return ((self.sqlite, AsyncSession), (self.memory, self.memory_session))

    def check(self, work: Callable[[AsyncEngine], Awaited[T]], what: str = "") -> T:
        """Await ``work`` on both engines, assert equal answers, return SQLite's."""
        return self.check_sides(lambda engine, _session_class: work(engine), what)

    def check_sides(
        self, work: Callable[[AsyncEngine, type[AsyncSession]], Awaited[T]], what: str = ""
    ) -> T:
        """Like `check`, for work that also opens sessions of its side's class."""
        sqlite_answer = self.runner.run(work(self.sqlite, AsyncSession))
        memory_answer = self.runner.run(work(self.memory, self.memory_session))
        assert_same(sqlite_answer, memory_answer, what)
        return sqlite_answer

    def check_rows(
        self,
        statement: Any,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        what: str = "",
        *,
        ordered: bool = True,
    ) -> list[Any]:
        """Await a statement on a fresh connection of each engine; compare the rows."""

        async def rows(engine: AsyncEngine) -> list[Any]:
            async with engine.connect() as conn:
                result = [tuple(row) for row in await conn.execute(statement, params)]
            return result if ordered else multiset(result)

        return self.check(rows, what or str(statement))

    def check_session(
        self, work: Callable[[AsyncSession], Awaited[T]], what: str = "", **session_kw: Any
    ) -> T:
        """Await ``work`` in a new session of each side's class; compare its answers."""

        async def in_session(engine: AsyncEngine, session_class: type[AsyncSession]) -> T:
            async with session_class(engine, **session_kw) as session:
                return await work(session)

        return self.check_sides(in_session, what)

    def check_connection(
        self, work: Callable[[Connection], T], what: str = "", *, commit: bool = True
    ) -> T:
        """Run synchronous ``work`` through `AsyncConnection.run_sync` in a transaction of each
        engine, committed unless ``commit`` is false; compare its answers."""

        async def through(engine: AsyncEngine) -> T:
            async with engine.connect() as conn:
                transaction = await conn.begin()
                answer = await conn.run_sync(work)
                await (transaction.commit() if commit else transaction.rollback())
            return answer

        return self.check(through, what)

    def check_error(
        self,
        work: Callable[[AsyncEngine, type[AsyncSession]], Awaited[object]],
        *,
        names: Sequence[str],
        sqlite_names_them: bool = True,
    ) -> BaseException:
        """Both sides raise the same exception class; memory's message names ``names``
        (`diffkit.assert_same_error`)."""
        sqlite_error = self.runner.run(_raised(work(self.sqlite, AsyncSession)))
        if sqlite_error is None:
            raise AssertionError("the SQLite reference did not raise: the test is malformed")
        memory_error = self.runner.run(_raised(work(self.memory, self.memory_session)))
        return assert_same_error(sqlite_error, memory_error, names, sqlite_names_them)

    def run(self, work: Callable[[AsyncEngine], Awaited[object]]) -> None:
        """Set-up work on both engines, without comparing."""
        for engine, _ in self.sides():
            self.runner.run(work(engine))

    def dispose(self) -> None:
        for engine, _ in self.sides():
            self.runner.run(engine.dispose())
        self.runner.close()


def make_async_pair(mode: str, metadata: MetaData | None = None) -> AsyncEnginePair:
    """Two fresh async engines; ``metadata``'s tables are created on both."""
    memory, memory_session = memory_side(mode)
    pair = AsyncEnginePair(mode, sqlite_async_engine(), memory, memory_session, asyncio.Runner())
    if metadata is not None:
        pair.run(lambda engine: create_tables(engine, metadata))
    return pair


async def create_tables(engine: AsyncEngine, metadata: MetaData) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


async def seed_trading(engine: AsyncEngine) -> None:
    """The trading schema and its seed rows, inserted with awaited executemany."""
    await create_tables(engine, Base.metadata)
    async with engine.begin() as conn:
        for table, rows in SEED_ROWS:
            await conn.execute(insert(table), rows)


def table_rows(conn: Connection, *tables: Any) -> list[list[tuple[Any, ...]]]:
    """Every row of each table, in primary-key order (run it with ``run_sync``)."""
    return [
        [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))]
        for table in tables
    ]
