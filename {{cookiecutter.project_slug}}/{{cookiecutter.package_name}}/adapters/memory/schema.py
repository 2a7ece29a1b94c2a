"""DDL: turn SQLAlchemy `Table`/`Index` objects into table stores, and execute DDL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    Table,
    UniqueConstraint,
)
from sqlalchemy.schema import DefaultClause, PrimaryKeyConstraint
from sqlalchemy.sql import ddl
from sqlalchemy.sql.elements import ClauseElement, TextClause

from .database import Database
from .errors import NotSupportedError, OperationalError
from .expressions import (
    Binds,
    Env,
    ExprCompiler,
    Scope,
    Source,
    constant_function,
    passes_check,
)
from .indexes import HashIndex
from .sql_text import check_condition
from .storage import ColumnSpec, ForeignKeySpec, TableStore
from .transactions import Transaction
from .types import affinity, collation, convert, literal_text_value, storage_affinity

_TIMESTAMP_WORDS = {"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "NOW()"}


def _server_default(column: Column[Any]) -> Callable[[], Any] | None:
    default = column.server_default
    if default is None or not isinstance(default, DefaultClause):
        return None
    arg = default.arg
    type_ = column.type
    if isinstance(arg, str):
        value = literal_text_value(f"'{arg}'", type_) if arg else ""
        return lambda: value
    if isinstance(arg, TextClause):
        word = arg.text.strip().upper()
        if word in _TIMESTAMP_WORDS:
            from sqlalchemy import func

            word_fn = {"CURRENT_DATE": func.current_date(), "CURRENT_TIME": func.current_time()}
            fn = constant_function(word_fn.get(word, func.current_timestamp()))
            return _typed(fn, type_)
        value = literal_text_value(arg.text, type_)
        return lambda: value
    if isinstance(arg, ClauseElement):
        return _typed(constant_function(arg), type_)
    raise NotSupportedError(f"server_default {arg!r} of {column} is not supported")


def _default_text(column: Column[Any]) -> str | None:
    """The server default as SQL text, as an inspector reports it."""
    default = column.server_default
    if not isinstance(default, DefaultClause):
        return None
    arg = default.arg
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"
    if isinstance(arg, TextClause):
        return arg.text
    name = getattr(arg, "name", "")
    if isinstance(name, str) and name.lower() in ("now", "current_timestamp"):
        return "CURRENT_TIMESTAMP"
    return str(arg.compile(compile_kwargs={"literal_binds": True}))


def _typed(fn: Callable[[], Any], type_: Any) -> Callable[[], Any]:
    kind = affinity(type_)
    if kind == "text":

        def text_default() -> Any:
            value = fn()
            if hasattr(value, "strftime") and hasattr(value, "hour"):
                return value.strftime("%Y-%m-%d %H:%M:%S")
            return convert(value, type_)

        return text_default
    return lambda: convert(fn(), type_)


def _reject_unsupported(table: Table) -> None:
    if table.schema is not None:
        raise NotSupportedError(
            f"schema-qualified table {table.schema}.{table.name} is not supported by the "
            "memory dialect"
        )
    for column in table.columns:
        declared = collation(column.type)
        if declared is not None:
            # SQLite compares, sorts and indexes such a column by the collation.
            raise NotSupportedError(
                f"column {table.name}.{column.name} declares COLLATE {declared}; the memory "
                "dialect compares text as SQLite's default BINARY collation only"
            )
        if column.computed is not None:
            raise NotSupportedError(
                f"column {table.name}.{column.name} is a generated column "
                f"(Computed({column.computed.sqltext})), which the memory dialect does not compute"
            )
        _reject_conflict_clause(column, f"column {table.name}.{column.name}")
    for constraint in table.constraints:
        if isinstance(constraint, PrimaryKeyConstraint | UniqueConstraint):
            _reject_conflict_clause(constraint, f"{type(constraint).__name__} on {table.name}")
        if not isinstance(
            constraint,
            CheckConstraint | PrimaryKeyConstraint | UniqueConstraint | ForeignKeyConstraint,
        ):
            raise NotSupportedError(
                f"{type(constraint).__name__} {constraint.name or ''} on table {table.name} "
                "is not supported by the memory dialect"
            )


def _reject_conflict_clause(item: Any, what: str) -> None:
    """Refuse SQLite's `ON CONFLICT` resolution on a constraint (`sqlite_on_conflict...`): the
    memory dialect always aborts, as SQLite does by default."""
    for name, value in item.dialect_kwargs.items():
        if name.startswith("sqlite_on_conflict") and value is not None:
            raise NotSupportedError(
                f"{what} has {name}={value!r}; the memory dialect resolves a conflict only "
                "by SQLite's default ABORT"
            )


def _rowid_alias(table: Table) -> int | None:
    pk = list(table.primary_key.columns)
    if len(pk) == 1 and affinity(pk[0].type) == "integer":
        return list(table.columns).index(pk[0])
    return None


def build_store(
    table: Table, fk_tables: list[ForeignKeyConstraint] | None, catalog: dict[str, TableStore]
) -> TableStore:
    """A new, empty store laid out like `table` (indexes from PK and UNIQUE only)."""
    _reject_unsupported(table)
    cols = list(table.columns)
    positions = {str(c.name): i for i, c in enumerate(cols)}
    specs = [
        ColumnSpec(
            name=str(c.name),
            position=i,
            nullable=bool(c.nullable) and not c.primary_key,
            server_default=_server_default(c),
            type_name=type(c.type).__name__,
            affinity=storage_affinity(c.type),
            type_=c.type.copy(),
            default_text=_default_text(c),
        )
        for i, c in enumerate(cols)
    ]
    alias = _rowid_alias(table)
    indexes: list[HashIndex] = []
    pk_cols = [str(c.name) for c in table.primary_key.columns]
    if pk_cols and alias is None:
        indexes.append(_index("pk", pk_cols, positions, unique=True, origin="pk"))
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and not isinstance(
            constraint, PrimaryKeyConstraint
        ):
            names = [str(c.name) for c in constraint.columns]
            name = constraint.name or f"uq_{table.name}_{'_'.join(names)}"
            indexes.append(_index(str(name), names, positions, unique=True, origin="unique"))
    fks = [
        _foreign_key(table, fk, positions)
        for fk in (table.foreign_key_constraints if fk_tables is None else fk_tables)
    ]
    store = TableStore(str(table.name), specs, alias, indexes, fks, catalog)
    store.checks = _checks(table, positions)
    store.never_reuse_rowids = bool(table.kwargs.get("sqlite_autoincrement", False))
    return store


def _checks(table: Table, positions: dict[str, int]) -> list[tuple[str, Any]]:
    """CHECK constraints as row predicates (NULL passes, as in SQL)."""
    source = Source(table, 0, False)
    source.names = dict(positions)
    for col in table.columns:
        source.columns[col] = positions[str(col.name)]
    compiler = ExprCompiler(Binds(None), Scope(None, [source]))
    env = Env({})
    checks: list[tuple[str, Any]] = []
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint):
            written = constraint.sqltext
            if isinstance(written, TextClause):
                fn = compiler.compile(check_condition(written.text, table))
                text = written.text.strip()
            else:
                fn = compiler.compile(written)
                text = str(written.compile(compile_kwargs={"literal_binds": True}))
            label = str(constraint.name) if constraint.name else text

            def check(row: Any, fn: Any = fn) -> bool:
                return passes_check(fn(row, env))

            checks.append((label, check))
    return checks


def _index(
    name: str, names: list[str], positions: dict[str, int], unique: bool, origin: str = "index"
) -> HashIndex:
    return HashIndex(str(name), tuple(positions[n] for n in names), tuple(names), unique, origin)


def _foreign_key(
    table: Table, fk: ForeignKeyConstraint, positions: dict[str, int]
) -> ForeignKeySpec:
    child_cols = tuple(str(c.name) for c in fk.columns)
    parent_cols = tuple(str(e.column.name) for e in fk.elements)
    parent = fk.elements[0].column.table
    return ForeignKeySpec(
        child=str(table.name),
        child_columns=child_cols,
        child_positions=tuple(positions[c] for c in child_cols),
        parent=str(parent.name),
        parent_columns=parent_cols,
        ondelete=(fk.ondelete or "NO ACTION").upper(),
        onupdate=(fk.onupdate or "NO ACTION").upper(),
    )


def add_index(db: Database, index: Index, txn: Transaction) -> None:
    table = index.table
    if table is None:
        raise NotSupportedError(f"index {index.name} is not bound to a table")
    store = db.table(table.name)
    names: list[str] = []
    for expr in index.expressions:
        if not isinstance(expr, Column):
            raise NotSupportedError(
                f"functional index {index.name} on {table.name} is not supported"
            )
        names.append(str(expr.name))
    if index.unique and index.dialect_kwargs.get("sqlite_where") is not None:
        # SQLite holds such rows unique only where the condition holds; a partial index that
        # is not unique changes no answer, and is kept whole.
        raise NotSupportedError(
            f"unique partial index {index.name} on {table.name} (sqlite_where) is not supported "
            "by the memory dialect"
        )
    if any(i.name == index.name for i in store.indexes):
        raise OperationalError(f"index {index.name} already exists")
    idx = _index(str(index.name), names, store.positions, unique=bool(index.unique))
    for rowid, row in store.scan_items():
        key = idx.key(row)
        if idx.unique and idx.conflicts(key):
            cols = ", ".join(f"{store.name}.{c}" for c in names)
            from .errors import IntegrityError

            raise IntegrityError(f"UNIQUE constraint failed: {cols}")
        idx.add(key, rowid)
    store.indexes.append(idx)
    if idx.unique:
        store.unique_indexes.append(idx)
    txn.record(_remove_index, store, idx)


def _remove_index(store: TableStore, idx: HashIndex) -> None:
    if idx in store.indexes:
        store.indexes.remove(idx)
    if idx in store.unique_indexes:
        store.unique_indexes.remove(idx)


def _restore_index(store: TableStore, idx: HashIndex) -> None:
    idx.clear()
    for rowid, row in store.scan_items():
        idx.add(idx.key(row), rowid)
    store.indexes.append(idx)
    if idx.unique:
        store.unique_indexes.append(idx)


def drop_index(db: Database, index: Index, txn: Transaction, if_exists: bool) -> None:
    for store in db.tables.values():
        for idx in store.indexes:
            if idx.name == index.name:
                _remove_index(store, idx)
                txn.record(_restore_index, store, idx)
                return
    if not if_exists:
        raise OperationalError(f"no such index: {index.name}")


def execute_ddl(db: Database, element: Any, txn: Transaction) -> None:
    """Apply one DDL element (CREATE/DROP TABLE, CREATE/DROP INDEX)."""
    if isinstance(element, ddl.CreateTable):
        table = element.element
        if table.name in db.tables:
            if getattr(element, "if_not_exists", False):
                return
            raise OperationalError(f"table {table.name} already exists")
        include = element.include_foreign_key_constraints
        fks = None if include is None else list(include)
        db.add_table(build_store(table, fks, db.tables), txn)
    elif isinstance(element, ddl.DropTable):
        name = element.element.name
        if name not in db.tables:
            if getattr(element, "if_exists", False):
                return
            raise OperationalError(f"no such table: {name}")
        db.remove_table(name, txn)
    elif isinstance(element, ddl.CreateIndex):
        idx = element.element
        if getattr(element, "if_not_exists", False) and any(
            i.name == idx.name for s in db.tables.values() for i in s.indexes
        ):
            return
        add_index(db, idx, txn)
    elif isinstance(element, ddl.DropIndex):
        drop_index(db, element.element, txn, bool(getattr(element, "if_exists", False)))
    else:
        raise NotSupportedError(
            f"DDL construct {type(element).__name__} is not supported by the memory dialect"
        )
