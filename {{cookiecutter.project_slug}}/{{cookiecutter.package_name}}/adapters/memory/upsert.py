"""SQLite's upsert: `INSERT ... ON CONFLICT (key) DO NOTHING | DO UPDATE SET ... WHERE ...`.

Statements come from `sqlalchemy.dialects.sqlite.insert(...).on_conflict_do_nothing()` or
`.on_conflict_do_update()`. A row to insert is first made what `insert` would store and checked
for NOT NULL and CHECK; then the clauses are tried in order: the first whose key (any PRIMARY
KEY or UNIQUE key when it names none) holds a stored row with the same values decides. DO
NOTHING skips the row; DO UPDATE updates that stored row, reading the row that was to be
inserted as `excluded`, unless its WHERE is not true. A row no clause catches is inserted,
and any other constraint it breaks raises as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects.sqlite.dml import OnConflictClause, OnConflictDoUpdate
from sqlalchemy.sql import elements, selectable

from .errors import NotSupportedError, OperationalError
from .expressions import Env, ExprCompiler, Fn, Scope, Source
from .storage import Row, TableStore, WriteContext

if TYPE_CHECKING:
    from .dml import DMLResult, InsertPlan
    from .queries import Planner


def conflict_clauses(stmt: Any) -> list[OnConflictClause]:
    """The ON CONFLICT clauses of an INSERT (SQLAlchemy 2.1 may hold several)."""
    post = getattr(stmt, "_post_values_clause", None)
    if post is None:
        return []
    clauses = list(getattr(post, "clauses", None) or [post])  # 2.1's ElementList of several
    for clause in clauses:
        if not isinstance(clause, OnConflictClause):
            raise NotSupportedError(
                f"{type(clause).__name__} after INSERT ... VALUES is not supported by the memory "
                "dialect"
            )
    return clauses


class _UpsertScope(Scope):
    """The stored row in conflict (slot 0) and the row that was to be inserted, `excluded`."""

    def __init__(self, target: Source, excluded: Source) -> None:
        super().__init__(None, [target, excluded])
        self._target, self._excluded = target, excluded

    def find(self, column: Any) -> tuple[Source, int] | None:
        table = getattr(column, "table", None)
        if (
            isinstance(table, selectable.Alias)
            and table.name == "excluded"
            # The ORM's bulk upsert names the table annotated.
            and table.element._deannotate() is self._target.from_obj._deannotate()
        ):
            pos = self._excluded.names.get(column.name)
            return None if pos is None else (self._excluded, pos)
        return super().find(column)


class ConflictAction:
    """One ON CONFLICT clause, planned."""

    __slots__ = ("positions", "sets", "where")

    def __init__(
        self,
        positions: tuple[int, ...] | None,
        sets: list[tuple[int, Fn]] | None,
        where: Fn | None,
    ) -> None:
        self.positions = positions  # None: any PRIMARY KEY or UNIQUE key
        self.sets = sets  # None: DO NOTHING
        self.where = where


class UpsertPlan:
    """The ON CONFLICT clauses of one INSERT plan."""

    def __init__(
        self,
        planner: Planner,
        insert: InsertPlan,
        clauses: list[OnConflictClause],
        store: TableStore,
        dialect: Any,
    ) -> None:
        table = insert.table
        target = Source(table, 0, False, dict(insert.src.columns), dict(insert.src.names))
        excluded = Source(None, 1, False, {}, dict(insert.src.names))
        self.scope = _UpsertScope(target, excluded)
        self.compiler = ExprCompiler(planner.binds, self.scope, planner)
        self.table = table
        self.store_names = dict(insert.src.names)
        self.dialect = dialect
        self.actions = [self._action(clause, store) for clause in clauses]

    def _position(self, element: Any) -> int:
        name = element if isinstance(element, str) else getattr(element, "name", None)
        pos = self.store_names.get(name) if isinstance(name, str) else None
        if pos is None:
            raise OperationalError(f"no such column: {element}")
        return pos

    def _action(self, clause: OnConflictClause, store: TableStore) -> ConflictAction:
        positions = None
        if clause.inferred_target_elements is not None:
            if clause.inferred_target_whereclause is not None:
                raise NotSupportedError(
                    "ON CONFLICT with index_where (a partial index) is not supported by the "
                    "memory dialect"
                )
            positions = tuple(self._position(e) for e in clause.inferred_target_elements)
            if not store.unique_key_on(positions):
                raise OperationalError(
                    "ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint"
                )
        if not isinstance(clause, OnConflictDoUpdate):
            return ConflictAction(positions, None, None)
        values = clause.update_values_to_set
        pairs = values.items() if isinstance(values, dict) else values
        sets = [(self._position(key), self._value(key, value)) for key, value in pairs]
        where = clause.update_whereclause
        return ConflictAction(
            positions, sets, None if where is None else self.compiler.predicate(where)
        )

    def _value(self, key: Any, value: Any) -> Fn:
        if isinstance(value, elements.ClauseElement):
            return self.compiler.compile(value)
        column = self.table.c[key] if isinstance(key, str) else key
        process = column.type._cached_bind_processor(self.dialect)
        constant = value if process is None else process(value)
        return lambda row, env: constant

    def write(
        self,
        insert: InsertPlan,
        store: TableStore,
        row: Row,
        wctx: WriteContext,
        env: Env,
        result: DMLResult,
    ) -> None:
        """Insert `row`, or do what the first ON CONFLICT clause it meets says."""
        proposed = store.proposed(row)
        for action in self.actions:
            rowid = store.conflicting_rowid(proposed, action.positions)
            if rowid is None:
                continue
            if action.sets is None:
                return
            frame = (store.rows[rowid], proposed)
            if action.where is not None and not action.where(frame, env):
                return
            new = list(frame[0])
            for pos, fn in action.sets:
                new[pos] = fn(frame, env)
            rowid = store.update(rowid, tuple(new), wctx)
            result.rowcount += 1
            if insert.returning:
                result.returned.append(insert.returned(store.rows[rowid], env))
            return
        insert.after_insert(store, store.insert(row, wctx), env, result)
