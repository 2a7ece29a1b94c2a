"""Schema migrations of the configured database, through Alembic's commands on an async engine.

The methods are synchronous, like Alembic's commands: each runs its own event loop, so they are
called from command lines and synchronous fixtures, not from a running loop.
"""

import asyncio
from collections.abc import Callable
from typing import TypeVar

from alembic import command
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine

from ...errors import ConfigurationError
from ...settings import redacted
from .engines import with_transactional_sqlite_ddl
from .migration_state import alembic_config, current_revisions, head_revisions

T = TypeVar("T")


class AlembicMigrator:
    """Upgrades, downgrades and reports the revision of the database at one URL."""

    def __init__(self, url: str, needs_migrations: bool) -> None:
        self._url = url
        self._needs_migrations = needs_migrations

    def upgrade(self, revision: str = "head") -> None:
        self._run(lambda connection: command.upgrade(alembic_config(connection), revision))

    def downgrade(self, revision: str) -> None:
        self._run(lambda connection: command.downgrade(alembic_config(connection), revision))

    def current(self) -> set[str]:
        return self._run(current_revisions)

    def heads(self) -> set[str]:
        return head_revisions()

    def _run(self, step: Callable[[Connection], T]) -> T:
        if not self._needs_migrations:
            raise ConfigurationError(
                f"{redacted(self._url)} needs no migrations: "
                "the memory backend creates its schema when it starts"
            )
        return asyncio.run(self._in_transaction(step))

    async def _in_transaction(self, step: Callable[[Connection], T]) -> T:
        engine = with_transactional_sqlite_ddl(
            create_async_engine(self._url, poolclass=pool.NullPool)
        )
        try:
            async with engine.begin() as connection:
                return await connection.run_sync(step)
        finally:
            await engine.dispose()
