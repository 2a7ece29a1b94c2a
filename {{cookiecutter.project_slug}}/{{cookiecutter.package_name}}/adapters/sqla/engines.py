"""Engine factories, one per backend; the container picks one by the configured backend."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event

from .mapping import start_mappers
from .migration_state import require_current_schema
from .tables import metadata


def memory_engine(url: str) -> Iterator[Engine]:
    """An in-memory database whose schema is created from the metadata; gone on shutdown."""
    start_mappers()
    engine = create_engine(url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def sqlite_engine(url: str) -> Iterator[Engine]:
    """A SQLite database with foreign keys enforced, as every other backend does."""
    start_mappers()
    engine = create_engine(url)
    event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    yield engine
    engine.dispose()


def postgresql_engine(url: str) -> Iterator[Engine]:
    """A PostgreSQL database through psycopg 3."""
    start_mappers()
    engine = create_engine(url, pool_pre_ping=True)
    yield engine
    engine.dispose()


def migrated(engine: Engine, needs_migrations: bool) -> Engine:
    """The engine, once its schema is known to be at the latest migration."""
    if needs_migrations:
        require_current_schema(engine)
    return engine


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
