"""The `memory://` and `memory+asyncio://` SQLAlchemy dialects."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from sqlalchemy import event, exc, pool
from sqlalchemy.engine import default
from sqlalchemy.engine.interfaces import IsolationLevel
from sqlalchemy.engine.url import URL
from sqlalchemy.util import await_only

from . import dbapi
from .compiler import MemoryCompiler, MemoryDDLCompiler, MemoryTypeCompiler
from .database import Database
from .reflection import (
    column_info,
    foreign_key_info,
    index_info,
    pk_info,
    primary_key_columns,
    unique_info,
)
from .storage import TableStore
from .types import COLSPECS

_CONNECT_ARGS = {"timeout"}


def _parse_switch(key: str, value: Any) -> bool:
    text = value if isinstance(value, str) else str(value)
    switches = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}
    if text.lower() not in switches:
        raise exc.ArgumentError(f"memory:// URL option {key} must be on or off, got {text!r}")
    return switches[text.lower()]


def _memory_connection(connection: Any) -> dbapi.Connection:
    raw = connection.connection.dbapi_connection
    conn: dbapi.Connection = raw.memory_connection
    return conn


class _DiscardsDatabase:
    """Pool mixin: `engine.dispose()` recreates the pool, and so empties the database."""

    _dialect: Any

    def recreate(self) -> Any:
        dialect = self._dialect
        if isinstance(dialect, MemoryDialect):
            dialect.discard_database()
        return super().recreate()  # type: ignore[misc]


class MemoryQueuePool(_DiscardsDatabase, pool.QueuePool):
    """The default pool of `memory://`."""


class MemoryAsyncQueuePool(_DiscardsDatabase, pool.AsyncAdaptedQueuePool):
    """The default pool of `memory+asyncio://`."""


class MemoryExecutionContext(default.DefaultExecutionContext):
    """Execution context; the cursor reads the compiled statement from it."""

    def get_lastrowid(self) -> Any:
        return self.cursor.lastrowid


class MemoryDialect(default.DefaultDialect):
    """SQLAlchemy dialect for the in-memory database (`memory://`).

    Each engine owns one database; `engine.dispose()` replaces it with an empty one.
    URL query / connect argument: `timeout` (seconds to wait for the write lock).
    URL query `fast_path=on|off` (default on): whether `MemorySession` may answer entity
    SELECTs itself (see `session`).
    """

    name = "memory"
    driver = "memory"
    supports_statement_cache = True
    default_paramstyle = "named"
    statement_compiler = MemoryCompiler
    ddl_compiler = MemoryDDLCompiler
    type_compiler_cls = MemoryTypeCompiler
    execution_ctx_cls = MemoryExecutionContext
    colspecs = COLSPECS

    supports_native_boolean = True
    supports_native_decimal = False
    supports_native_uuid = True
    supports_native_enum = False
    supports_sequences = False
    supports_alter = False
    supports_comments = False
    supports_default_values = True
    supports_default_metavalue = False
    supports_empty_insert = False
    supports_multivalues_insert = True
    supports_is_distinct_from = True
    supports_server_side_cursors = False
    supports_sane_rowcount = True
    supports_sane_multi_rowcount = True
    supports_simple_order_by_label = True
    supports_native_interval = True
    use_insertmanyvalues = False
    insert_executemany_returning = True
    insert_executemany_returning_sort_by_parameter_order = True
    insert_returning = True
    update_returning = True
    delete_returning = True
    update_returning_multifrom = True
    delete_returning_multifrom = False
    postfetch_lastrowid = True
    favor_returning_over_lastrowid = False
    insert_null_pk_still_autoincrements = True
    div_is_floordiv = True
    returns_native_bytes = True  # a blob comes back as bytes, and anything else as it is
    tuple_in_values = True
    requires_name_normalize = False
    max_identifier_length = 1024
    fast_path = True

    def __init__(
        self,
        timeout: float | None = None,
        json_serializer: Any = None,
        json_deserializer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if self.paramstyle != "named":
            raise exc.ArgumentError(
                f"the memory dialect uses the 'named' paramstyle; got {self.paramstyle!r}"
            )
        self._database = Database()
        self._default_timeout = timeout
        self._json_serializer = json_serializer
        self._json_deserializer = json_deserializer

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        return dbapi

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        return MemoryQueuePool

    @classmethod
    def engine_created(cls, engine: Any) -> None:
        if isinstance(engine.pool, _DiscardsDatabase):
            return
        # a pool chosen by the caller: fall back to an event (costs a little per statement)
        dialect = engine.dialect

        @event.listens_for(engine, "engine_disposed")
        def _discard_database(_engine: Any) -> None:
            dialect.discard_database()

    def discard_database(self) -> None:
        """Replace this engine's database with an empty one (`engine.dispose()`)."""
        self._database = Database()

    @property
    def database(self) -> Database:
        """The database new connections of this engine attach to."""
        return self._database

    def create_connect_args(self, url: URL) -> tuple[list[Any], dict[str, Any]]:
        if url.host or url.database or url.port or url.username:
            raise exc.ArgumentError(
                f"memory:// URLs take no host, database or credentials; got {url!r}"
            )
        opts: dict[str, Any] = {}
        for key, value in url.query.items():
            if key == "fast_path":
                self.fast_path = _parse_switch(key, value)
                continue
            if key not in _CONNECT_ARGS:
                raise exc.ArgumentError(
                    f"unknown memory:// URL option {key!r}; known: "
                    f"{sorted({*_CONNECT_ARGS, 'fast_path'})}"
                )
            opts[key] = _parse_timeout(value)
        return [], opts

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        unknown = set(cparams) - _CONNECT_ARGS
        if cargs or unknown:
            raise exc.ArgumentError(
                f"unknown memory connect arguments {sorted(unknown) or list(cargs)}; "
                f"known: {sorted(_CONNECT_ARGS)}"
            )
        timeout = cparams.get("timeout", self._default_timeout)
        timeout = dbapi.DEFAULT_TIMEOUT if timeout is None else _parse_timeout(timeout)
        return self._wrap(dbapi.Connection(self._database, timeout))

    def _wrap(self, conn: dbapi.Connection) -> Any:
        return conn

    def initialize(self, connection: Any) -> None:
        self.server_version_info = (1, 0)
        self.default_schema_name = None
        self.default_isolation_level = "SERIALIZABLE"

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        return (1, 0)

    # isolation: SERIALIZABLE (one writer) or AUTOCOMMIT ------------------------------
    def get_isolation_level_values(self, dbapi_conn: Any) -> list[IsolationLevel]:
        return ["SERIALIZABLE", "AUTOCOMMIT"]

    def get_isolation_level(self, dbapi_connection: Any) -> IsolationLevel:
        conn = dbapi_connection.memory_connection
        return "AUTOCOMMIT" if conn.autocommit else "SERIALIZABLE"

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        conn = dbapi_connection.memory_connection
        conn.autocommit = level == "AUTOCOMMIT"
        if conn.autocommit:
            conn.commit()

    def get_default_isolation_level(self, dbapi_conn: Any) -> IsolationLevel:
        return "SERIALIZABLE"

    # execution ------------------------------------------------------------------------
    def do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        cursor.execute_context(context)

    def do_executemany(
        self, cursor: Any, statement: str, parameters: Any, context: Any = None
    ) -> None:
        cursor.execute_context(context)

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any = None) -> None:
        if context is None:
            cursor.execute(statement)
        cursor.execute_context(context)

    def do_begin(self, dbapi_connection: Any) -> None:
        pass

    def do_commit(self, dbapi_connection: Any) -> None:
        dbapi_connection.commit()

    def do_rollback(self, dbapi_connection: Any) -> None:
        dbapi_connection.rollback()

    def do_savepoint(self, connection: Any, name: str) -> None:
        _memory_connection(connection).savepoint(name)

    def do_rollback_to_savepoint(self, connection: Any, name: str) -> None:
        _memory_connection(connection).rollback_to_savepoint(name)

    def do_release_savepoint(self, connection: Any, name: str) -> None:
        _memory_connection(connection).release_savepoint(name)

    def do_ping(self, dbapi_connection: Any) -> bool:
        return not dbapi_connection.memory_connection.closed

    # reflection -----------------------------------------------------------------------
    def _store(self, connection: Any, table_name: str) -> TableStore:
        store = _memory_connection(connection).db.tables.get(table_name)
        if store is None:
            raise exc.NoSuchTableError(table_name)
        return store

    def has_table(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        return table_name in _memory_connection(connection).db.tables

    def has_index(
        self,
        connection: Any,
        table_name: str,
        index_name: str,
        schema: str | None = None,
        **kw: Any,
    ) -> bool:
        store = _memory_connection(connection).db.tables.get(table_name)
        return store is not None and any(i.name == index_name for i in store.indexes)

    def has_sequence(
        self, connection: Any, sequence_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        return False

    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        return ["main"]

    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return sorted(_memory_connection(connection).db.tables)

    def get_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return []

    def get_sequence_names(
        self, connection: Any, schema: str | None = None, **kw: Any
    ) -> list[str]:
        return []

    def get_temp_table_names(
        self, connection: Any, schema: str | None = None, **kw: Any
    ) -> list[str]:
        return []

    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        return column_info(self._store(connection, table_name))

    def get_pk_constraint(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        store = self._store(connection, table_name)
        return pk_info(store, primary_key_columns(store))

    def get_foreign_keys(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        return foreign_key_info(self._store(connection, table_name))

    def get_indexes(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        return index_info(self._store(connection, table_name))

    def get_unique_constraints(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        return unique_info(self._store(connection, table_name))

    def get_check_constraints(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        self._store(connection, table_name)
        return []

    def get_table_comment(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        self._store(connection, table_name)
        return {"text": None}


async def _pass() -> None:
    """An awaitable that completes at once: async execution hands control back once."""


class AsyncAdaptedCursor(dbapi.Cursor):
    """Cursor of the asyncio dialect: yields to the event loop before each statement."""

    __slots__ = ()

    def execute_context(self, context: Any) -> None:
        await_only(_pass())
        super().execute_context(context)

    async def _async_soft_close(self) -> None:
        """Awaited by SQLAlchemy's asyncio results; the rows stay buffered, nothing to release."""


class AsyncAdaptedConnection:
    """The connection seen by the asyncio engine; statements run inline."""

    def __init__(self, conn: dbapi.Connection) -> None:
        self._connection = conn

    @property
    def memory_connection(self) -> dbapi.Connection:
        return self._connection

    def cursor(self) -> dbapi.Cursor:
        self._connection.check_open()
        return AsyncAdaptedCursor(self._connection)

    def commit(self) -> None:
        self._connection.commit()

    def rollback(self) -> None:
        self._connection.rollback()

    def close(self) -> None:
        self._connection.close()

    def terminate(self) -> None:
        self._connection.close()


class AsyncMemoryExecutionContext(MemoryExecutionContext):
    """Execution context of `memory+asyncio://`: streamed results read a buffered cursor."""

    def create_server_side_cursor(self) -> Any:
        # The rows are in memory already; `AsyncConnection.stream` needs the dialect to say
        # it streams, and fetches from this cursor a batch at a time.
        return self._dbapi_connection.cursor()


class AsyncMemoryDialect(MemoryDialect):
    """`memory+asyncio://`: the same database driven by `AsyncEngine`/`AsyncSession`."""

    driver = "asyncio"
    is_async = True
    supports_statement_cache = True
    supports_server_side_cursors = True
    execution_ctx_cls = AsyncMemoryExecutionContext

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        return MemoryAsyncQueuePool

    def _wrap(self, conn: dbapi.Connection) -> Any:
        return AsyncAdaptedConnection(conn)

    def get_driver_connection(self, connection: Any) -> Any:
        return connection._connection

    def do_terminate(self, dbapi_connection: Any) -> None:
        dbapi_connection.terminate()


def _parse_timeout(value: Any) -> float:
    try:
        timeout = float(value)
    except (TypeError, ValueError):
        raise exc.ArgumentError(
            f"memory timeout must be a number of seconds, got {value!r}"
        ) from None
    if timeout < 0:
        raise exc.ArgumentError(f"memory timeout must not be negative, got {value!r}")
    return timeout


dialect = MemoryDialect
