"""Bulk loading: rows straight into a table's store, skipping per-row statement set-up.

`insert_rows(connection, table, rows)` does what `connection.execute(insert(table), rows)`
does on `memory://` (same type processing, constraints, defaults from the server side,
transaction and atomicity per row), but processes parameters column by column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, exc
from sqlalchemy.engine import Connection

from .dbapi import Connection as MemoryConnection
from .errors import Error
from .storage import WriteContext


def _memory_connection(connection: Connection) -> MemoryConnection:
    if connection.dialect.name != "memory":
        raise exc.ArgumentError(
            f"insert_rows needs a memory:// connection, not {connection.dialect.name}"
        )
    conn: MemoryConnection = connection.connection.dbapi_connection.memory_connection  # type: ignore[union-attr]
    return conn


def insert_rows(connection: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert `rows` (mappings of column key to value) into `table`; returns the row count.

    Runs in the connection's transaction (begun if none is); columns missing from every
    row take their server default or NULL. Columns with Python-side defaults must be
    given (use `insert()` to have SQLAlchemy compute them).
    """
    batch = list(rows)
    if not batch:
        return 0
    keys = set(batch[0])
    unknown = keys - set(table.c.keys())
    if unknown:
        raise exc.ArgumentError(f"unknown columns for table {table.name}: {sorted(unknown)}")
    if any(set(row) != keys for row in batch):
        raise exc.ArgumentError("insert_rows needs the same keys in every row")
    dialect = connection.dialect
    columns: list[list[Any]] = []
    for column in table.c:
        if column.key not in keys:
            if column.default is not None:
                raise exc.ArgumentError(
                    f"column {table.name}.{column.key} has a Python-side default; "
                    "give its values or use insert()"
                )
            columns.append([None] * len(batch))
            continue
        values = list(map(itemgetter(column.key), batch))
        process = column.type._cached_bind_processor(dialect)
        if process is not None:
            values = [None if v is None else process(v) for v in values]
        columns.append(values)
    if not connection.in_transaction():
        connection.begin()
    conn = _memory_connection(connection)
    missing = [i for i, column in enumerate(table.c) if column.key not in keys]
    try:
        _load(conn, table, columns, missing, len(batch))
    except Error as error:
        raise exc.DBAPIError.instance(f"insert_rows({table.name})", None, error, Error) from error
    return len(batch)


def _load(
    conn: MemoryConnection,
    table: Table,
    columns: list[list[Any]],
    missing: list[int],
    count: int,
) -> None:
    db = conn.db
    with db.mutex:
        db.begin_write(conn.txn, conn.timeout)
        store = db.table(str(table.name))
        if store.column_names != tuple(str(c.name) for c in table.c):
            raise exc.ArgumentError(f"table {table.name} does not match the stored layout")
        for i in missing:
            default = store.server_defaults[i]
            if default is not None:
                columns[i] = [default() for _ in range(count)]
        prepared = [store.prepare_column(i, values) for i, values in enumerate(columns)]
        store.insert_many(zip(*prepared, strict=True), WriteContext(conn.txn), prepared=True)
        conn.after_statement()
