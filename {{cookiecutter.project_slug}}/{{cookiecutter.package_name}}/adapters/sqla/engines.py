"""Engine factories, one per backend; the container picks one by the configured backend."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

from .mapping import start_mappers
from .migration_state import require_current_schema
from .tables import metadata
from .url_options import options_checked


def memory_engine(url: str) -> Iterator[Engine]:
    """An in-memory database whose schema is created from the metadata; gone on shutdown."""
    start_mappers()
    engine = create_engine(url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def sqlite_engine(url: str) -> Iterator[Engine]:
    """A SQLite database with foreign keys enforced and real transactions, savepoints included."""
    start_mappers()
    with options_checked(url):
        engine = create_engine(url)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    yield engine
    engine.dispose()


def postgresql_engine(url: str) -> Iterator[Engine]:
    """A PostgreSQL database through psycopg 3."""
    start_mappers()
    with options_checked(url):
        engine = create_engine(url, pool_pre_ping=True)
    yield engine
    engine.dispose()


def migrated(engine: Engine, needs_migrations: bool) -> Engine:
    """The engine, once its schema is known to be at the latest migration."""
    if needs_migrations:
        require_current_schema(engine)
    return engine


def with_transactional_sqlite_ddl(engine: Engine) -> Engine:
    """`engine`, on SQLite with transactions SQLAlchemy begins, so a migration's DDL commits or
    rolls back as one (pysqlite would commit each DDL statement on its own). Foreign keys stay as
    the file has them, as batch migrations that copy a table need."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _driver_transactions_off)
        event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _driver_transactions_off(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; SQLAlchemy emits it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")
