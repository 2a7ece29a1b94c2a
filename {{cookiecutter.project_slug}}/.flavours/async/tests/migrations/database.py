"""A database for the migration tests, each step run through the async engine.

Every step opens an `AsyncEngine` in an event loop of its own and hands Alembic the synchronous
side of its connection (`AsyncConnection.run_sync`), as the application's migrator does.
"""

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine

T = TypeVar("T")


class Database:
    """Runs work that takes a `Connection` (Alembic's commands, inspection) on one database."""

    def __init__(self, url: str) -> None:
        self._url = url

    def run(self, work: Callable[[Connection], T]) -> T:
        return asyncio.run(self._run(work))

    async def _run(self, work: Callable[[Connection], T]) -> T:
        engine = create_async_engine(self._url, poolclass=pool.NullPool)
        try:
            async with engine.begin() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    def dispose(self) -> None:
        """Nothing stays open between steps."""
