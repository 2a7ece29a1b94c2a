"""Async engine factories, one per backend, and the step that readies a database for use.

Creating an `AsyncEngine` does no I/O, so the container builds engines synchronously;
`prepare()` is awaited once before the first unit of work, `dispose()` after the last.
"""

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util import greenlet_spawn

from ..memory.asyncio import inline_async_engine
from .mapping import start_mappers
from .migration_state import require_current_schema
from .tables import metadata
from .url_options import options_checked


def memory_engine(url: str) -> AsyncEngine:
    """An in-memory database; its statements complete without awaiting (`memory.asyncio`)."""
    start_mappers()
    return inline_async_engine(url)


def sqlite_engine(url: str) -> AsyncEngine:
    """A SQLite database through aiosqlite, with foreign keys enforced and real transactions."""
    start_mappers()
    with options_checked(url):
        engine = create_async_engine(url)
    event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    event.listen(engine.sync_engine, "begin", _begin_sqlite_transaction)
    return engine


def postgresql_engine(url: str) -> AsyncEngine:
    """A PostgreSQL database through psycopg 3 in its async mode."""
    start_mappers()
    with options_checked(url):
        return create_async_engine(url, pool_pre_ping=True)


async def prepare(engine: AsyncEngine, needs_migrations: bool) -> None:
    """Create the memory schema, or check that a migrated database is at the latest revision."""
    if needs_migrations:
        await greenlet_spawn(require_current_schema, engine.sync_engine)
        return
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)


def with_transactional_sqlite_ddl(engine: AsyncEngine) -> AsyncEngine:
    """`engine`, on SQLite with transactions SQLAlchemy begins, so a migration's DDL commits or
    rolls back as one (the driver would commit each DDL statement on its own). Foreign keys stay
    as the file has them, as batch migrations that copy a table need."""
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _driver_transactions_off)
        event.listen(engine.sync_engine, "begin", _begin_sqlite_transaction)
    return engine


def _driver_transactions_off(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling defers BEGIN and breaks SAVEPOINT; SQLAlchemy emits it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")
