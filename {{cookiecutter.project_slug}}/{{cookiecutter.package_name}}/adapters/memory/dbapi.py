"""A PEP 249 shaped module: connections and cursors over an in-memory `Database`.

The cursor executes SQLAlchemy execution contexts (the statement objects), never SQL text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .database import Database
from .errors import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
)
from .execution import execute
from .transactions import Transaction

__all__ = [
    "Binary",
    "Connection",
    "Cursor",
    "DataError",
    "DatabaseError",
    "Error",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
    "Warning",
    "apilevel",
    "connect",
    "paramstyle",
    "threadsafety",
]

apilevel = "2.0"
threadsafety = 1
paramstyle = "named"


def Binary(value: Any) -> bytes:
    """A blob parameter: bytes-like values only, as `sqlite3` takes them (an integer is refused,
    not made into that many zero bytes)."""
    return value if type(value) is bytes else bytes(memoryview(value))


DEFAULT_TIMEOUT = 5.0


class Cursor:
    """Holds the result of the last statement run through it."""

    __slots__ = ("_pos", "_rows", "arraysize", "connection", "description", "lastrowid", "rowcount")

    def __init__(self, connection: Connection) -> None:
        self.arraysize = 1
        self.connection = connection
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[tuple[Any, ...]] = []
        self._pos = 0

    def set_result(
        self,
        names: Sequence[str] | None,
        rows: list[tuple[Any, ...]],
        rowcount: int,
        lastrowid: int | None,
    ) -> None:
        if names is None:
            self.description = None
        else:
            self.description = [(n, None, None, None, None, None, None) for n in names]
        self._rows = rows
        self._pos = 0
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    def set_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Rows of a query whose description the caller has set."""
        self._rows = rows
        self._pos = 0
        self.rowcount = -1
        self.lastrowid = None

    def execute_context(self, context: Any) -> None:
        connection = self.connection
        if connection.closed:
            raise InterfaceError("connection is closed")
        execute(connection, self, context)

    def execute(self, operation: Any, parameters: Any = None) -> None:
        raise NotSupportedError(
            "the memory DBAPI executes SQLAlchemy statements, not SQL text: "
            f"{str(operation)[:80]!r}"
        )

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self.execute(operation)

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._pos >= len(self._rows):
            return None
        row = self._rows[self._pos]
        self._pos += 1
        return row

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        n = self.arraysize if size is None else size
        rows = self._rows[self._pos : self._pos + n]
        self._pos += len(rows)
        return rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._rows
        if self._pos:
            rows = rows[self._pos :]
        self._pos = len(self._rows)
        return rows

    def close(self) -> None:
        self._rows = []

    def setinputsizes(self, sizes: Any) -> None:
        pass

    def setoutputsize(self, size: Any, column: Any = None) -> None:
        pass


class Connection:
    """One connection to a `Database`, with its own transaction."""

    def __init__(self, db: Database, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.db = db
        self.timeout = timeout
        self.txn = Transaction()
        self.autocommit = False
        self.closed = False
        self.current_context: Any = None

    @property
    def memory_connection(self) -> Connection:
        return self

    def check_open(self) -> None:
        if self.closed:
            raise InterfaceError("connection is closed")

    def cursor(self) -> Cursor:
        self.check_open()
        return Cursor(self)

    def commit(self) -> None:
        self.check_open()
        if self.txn.undo or self.db.write_lock.owner is self.txn:
            self.db.commit(self.txn)

    def rollback(self) -> None:
        self.check_open()
        if self.txn.undo or self.txn.savepoints or self.db.write_lock.owner is self.txn:
            self.db.rollback(self.txn)

    def after_statement(self) -> None:
        if self.autocommit:
            self.db.commit(self.txn)

    def savepoint(self, name: str) -> None:
        with self.db.mutex:
            self.txn.savepoint(name)

    def rollback_to_savepoint(self, name: str) -> None:
        with self.db.mutex:
            self.txn.rollback_to_savepoint(name)

    def release_savepoint(self, name: str) -> None:
        with self.db.mutex:
            self.txn.release_savepoint(name)

    def close(self) -> None:
        if not self.closed:
            self.db.rollback(self.txn)
            self.closed = True


def connect(database: Database | None = None, timeout: float = DEFAULT_TIMEOUT) -> Connection:
    """Connect to `database` (a new, private one when omitted)."""
    return Connection(database if database is not None else Database(), timeout)
