"""Bulk loading: rows straight into a table's store, skipping per-row statement set-up.

`insert_rows(connection, table, rows)` does what `connection.execute(insert(table), rows)`
does on `memory://` (same type processing, constraints, defaults from the server side,
transaction and atomicity per row), but processes parameters column by column.

`insert_columns(connection, table, columns)` takes the values column by column and is all
or nothing: a batch that breaks a constraint leaves the table as it was. With
`processed=True` the values are taken as the columns' types bind them (their bind
processors' output), which lets a caller that knows its column types convert whole columns
at once. The columns named in `stored` hold what `column_storers` gives for each value, so
a caller whose values repeat can convert each distinct value once.

Both check a batch as a whole (NOT NULL from the column's value types, uniqueness with one
dict merge per index, one parent look-up per distinct foreign key) and record one undo
entry for it; a batch the whole-batch checks cannot clear goes row by row, with the same
outcome and errors as executemany.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, exc
from sqlalchemy.engine import Connection

from .dbapi import Connection as MemoryConnection
from .errors import Error
from .storage import STORABLE, TableStore, WriteContext


def _memory_connection(connection: Connection, caller: str) -> MemoryConnection:
    if connection.dialect.name != "memory":
        raise exc.ArgumentError(
            f"{caller} needs a memory:// connection, not {connection.dialect.name}"
        )
    conn: MemoryConnection = connection.connection.dbapi_connection.memory_connection  # type: ignore[union-attr]
    return conn


def insert_rows(connection: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert `rows` (mappings of column key to value) into `table`; returns the row count.

    Runs in the connection's transaction (begun if none is); columns missing from every
    row take their server default or NULL. Columns with Python-side defaults must be
    given (use `insert()` to have SQLAlchemy compute them). As with executemany, the rows
    before a failing one stay inserted.
    """
    _memory_connection(connection, "insert_rows")
    batch = list(rows)
    if not batch:
        return 0
    keys = set(batch[0])
    _check_keys(table, keys)
    if any(set(row) != keys for row in batch):
        raise exc.ArgumentError("insert_rows needs the same keys in every row")
    columns = {key: list(map(itemgetter(key), batch)) for key in keys}
    return _insert(connection, table, columns, len(batch), processed=False, atomic=False)


@dataclass(frozen=True)
class ColumnStorer:
    """What a column stores for one value given as its type takes it: the type's bind
    processing, the driver's plain value, then the column's affinity.

    Storers that compare equal store every value alike, so one cache can serve their columns.
    """

    process: Callable[[Any], Any] | None
    convert: Callable[[Any], Any] | None
    column_store: Callable[[Any], Any] = field(compare=False)
    """The store's own conversion of one processed value, for values not already plain."""

    def __call__(self, value: Any) -> Any:
        if value is None:
            return None
        if self.process is not None:
            value = self.process(value)
        if type(value) not in STORABLE:
            return self.column_store(value)
        return value if self.convert is None else self.convert(value)


def column_storers(
    connection: Connection, table: Table, keys: Collection[str]
) -> dict[str, ColumnStorer]:
    """The storer of each column key, for `insert_columns(..., stored=keys)`."""
    conn = _memory_connection(connection, "column_storers")
    _check_known(table, set(keys))
    with conn.db.mutex:
        store = conn.db.table(str(table.name))
    dialect = connection.dialect
    storers = {}
    for key in keys:
        position = store.positions[str(table.c[key].name)]
        storers[key] = ColumnStorer(
            table.c[key].type._cached_bind_processor(dialect),
            store.affinity_converter(position),
            partial(_prepared_value, store, position),
        )
    return storers


def _prepared_value(store: TableStore, position: int, value: Any) -> Any:
    return store.prepare_column(position, [value])[0]


def insert_columns(
    connection: Connection,
    table: Table,
    columns: Mapping[str, Sequence[Any]],
    *,
    processed: bool = False,
    stored: Collection[str] = (),
    null_free: Collection[str] = (),
) -> int:
    """Insert rows given as one sequence of values per column key; returns the row count.

    All rows or none: a row that breaks a constraint raises and leaves the table as it
    was. Runs in the connection's transaction (begun if none is); columns not given take
    their server default or NULL, and columns with Python-side defaults must be given.
    `processed`: the values are already what the columns' types bind (for example naive
    UTC datetimes and floats where SQLAlchemy would convert aware datetimes and Decimals),
    so the types' bind processors are not run again.
    `stored`: the keys whose values are what `column_storers` gives for them; those are
    neither processed nor converted again.
    `null_free`: keys of `stored` whose values the caller knows hold no NULL, so they are not
    searched for one.
    """
    _memory_connection(connection, "insert_columns")
    if not columns:
        return 0
    _check_keys(table, set(columns))
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise exc.ArgumentError(
            f"insert_columns needs as many values in every column, got {sorted(lengths)}"
        )
    count = lengths.pop() if lengths else 0
    if not count:
        return 0
    given = {key: list(values) for key, values in columns.items()}
    unknown = set(stored) - set(given)
    if unknown:
        raise exc.ArgumentError(f"stored columns not given: {sorted(unknown)}")
    loose = set(null_free) - set(stored)
    if loose:
        raise exc.ArgumentError(f"null_free names columns not in stored: {sorted(loose)}")
    return _insert(
        connection,
        table,
        given,
        count,
        processed=processed,
        atomic=True,
        stored=frozenset(stored),
        null_free=frozenset(null_free),
    )


def _check_known(table: Table, keys: set[str]) -> None:
    unknown = keys - set(table.c.keys())
    if unknown:
        raise exc.ArgumentError(f"unknown columns for table {table.name}: {sorted(unknown)}")


def _check_keys(table: Table, keys: set[str]) -> None:
    _check_known(table, keys)
    for column in table.c:
        if column.key not in keys and column.default is not None:
            raise exc.ArgumentError(
                f"column {table.name}.{column.key} has a Python-side default; "
                "give its values or use insert()"
            )


def _insert(
    connection: Connection,
    table: Table,
    given: dict[str, list[Any]],
    count: int,
    *,
    processed: bool,
    atomic: bool,
    stored: frozenset[str] = frozenset(),
    null_free: frozenset[str] = frozenset(),
) -> int:
    dialect = connection.dialect
    columns: list[list[Any] | None] = []
    for column in table.c:
        values = given.get(column.key)
        if values is not None and not processed and column.key not in stored:
            process = column.type._cached_bind_processor(dialect)
            if process is not None:
                values = [None if v is None else process(v) for v in values]
        columns.append(values)
    if not connection.in_transaction():
        connection.begin()
    conn = _memory_connection(connection, "bulk insert")
    try:
        stored_positions = frozenset(i for i, c in enumerate(table.c) if c.key in stored)
        null_free_positions = frozenset(i for i, c in enumerate(table.c) if c.key in null_free)
        _load(conn, table, columns, count, atomic, stored_positions, null_free_positions)
    except Error as error:
        statement = f"bulk insert into {table.name}"
        raise exc.DBAPIError.instance(statement, None, error, Error) from error
    return count


def _load(
    conn: MemoryConnection,
    table: Table,
    columns: list[list[Any] | None],
    count: int,
    atomic: bool,
    stored_positions: frozenset[int] = frozenset(),
    null_free_positions: frozenset[int] = frozenset(),
) -> None:
    db = conn.db
    with db.mutex:
        db.begin_write(conn.txn, conn.timeout)
        store = db.table(str(table.name))
        if store.column_names != tuple(str(c.name) for c in table.c):
            raise exc.ArgumentError(f"table {table.name} does not match the stored layout")
        full: list[list[Any]] = []
        for values, default in zip(columns, store.server_defaults, strict=True):
            if values is not None:
                full.append(values)
            elif default is not None:
                full.append([default() for _ in range(count)])
            else:
                full.append([None] * count)
        with collector_paused():
            store.insert_columns(
                full, WriteContext(conn.txn), atomic, stored_positions, null_free_positions
            )
        conn.after_statement()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a batch's tuples are built.

    A batch makes tuples of plain values, which hold no reference cycles; left running,
    the collector would walk every object of the process many times over a large batch.
    A caller that pauses it around its own conversion too spares the collector's one walk
    over the batch's column lists, when it drops them before the collector runs again.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
