"""Plans for INSERT, UPDATE and DELETE, with RETURNING."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sqlalchemy.sql import elements

from .access import StalePlan, conjuncts, plan_access
from .errors import OperationalError
from .expressions import Binds, Env, ExprCompiler, Fn, Scope, Source, unsupported
from .queries import JoinNode, Planner
from .storage import Row, TableStore, WriteContext
from .upsert import UpsertPlan, conflict_clauses

ParamsFn = Callable[[int], dict[str, Any]]


def _key(k: Any) -> str:
    return k if isinstance(k, str) else str(k.key)


class DMLResult:
    """What one DML execution produced."""

    __slots__ = ("lastrowid", "returned", "rowcount")

    def __init__(self) -> None:
        self.rowcount = 0
        self.lastrowid: int | None = None
        self.returned: list[tuple[Any, ...]] = []


class _TargetPlan:
    """Shared set-up: the target table, a scope over it, RETURNING expressions."""

    def __init__(self, planner: Planner, compiled: Any, stmt: Any) -> None:
        table = stmt.table
        if not hasattr(table, "c") or isinstance(table, elements.ColumnElement):
            raise unsupported(f"DML target {table!r}")
        self.table = table
        store = planner.db.tables.get(table.name)
        if store is None:
            raise OperationalError(f"no such table: {table.name}")
        self.name = table.name
        self.layout = store.column_names
        self.src = Source(table, 0, False)
        self.src.names = dict(store.positions)
        for col in table.c:
            pos = store.positions.get(col.name)
            if pos is None:
                raise OperationalError(f"table {table.name} has no column named {col.name}")
            self.src.columns[col] = pos
        self.scope = Scope(None, [self.src])
        self.compiler = ExprCompiler(planner.binds, self.scope, planner)
        self.binds: Binds = planner.binds
        self.bind_names = set(planner.binds.names.values())
        self.param_keys: dict[int, str] = {}
        cols = getattr(compiled, "memory_returning", None) or []
        self.returning = [self.compiler.compile(c) for c in cols]

    def store(self, session: Any) -> TableStore:
        store: TableStore | None = session.db.tables.get(self.name)
        if store is None:
            raise OperationalError(f"no such table: {self.name}")
        if store.column_names != self.layout:
            raise StalePlan(self.name)
        return store

    def param_getter(self, name: str) -> Fn:
        key = self.binds.escaped.get(name, name)

        def param(row: Any, env: Env) -> Any:
            return env.params[key]

        self.param_keys[id(param)] = key
        return param

    def returned(self, row: Row, env: Env) -> tuple[Any, ...]:
        return tuple([f(row, env) for f in self.returning])


class InsertPlan(_TargetPlan):
    """INSERT of one row per parameter set, multi-row VALUES, or FROM SELECT."""

    def __init__(self, planner: Planner, compiled: Any, stmt: Any, dialect: Any) -> None:
        super().__init__(planner, compiled, stmt)
        self.dialect = dialect
        state = compiled.compile_state
        column_keys = set(compiled.column_keys or ())
        # A multi-row VALUES lists a stand-in per later row; each names its column `original`.
        prefetch = {
            column.original if getattr(column, "_is_multiparam_column", False) else column
            for column in compiled.insert_prefetch or ()
        }
        self.from_select = None
        self.fast: list[tuple[int, str]] | None = None
        clauses = conflict_clauses(stmt)
        self.upsert = (
            UpsertPlan(planner, self, clauses, planner.db.tables[self.name], dialect)
            if clauses
            else None
        )
        if getattr(stmt, "select", None) is not None:
            names = [str(n) for n in stmt._select_names]
            self.select_positions = [self.src.names[self.table.c[n].name] for n in names]
            self.from_select = planner.plan_query(stmt.select, None)
            given = {self.table.c[n] for n in names}
            self.rows_fns = [self._row_fns({}, column_keys, prefetch, 0, given)]
            return
        multi = getattr(state, "_multi_parameters", None)
        if multi:
            first = {_key(k) for k in multi[0]}
            self.rows_fns = []
            for i, row in enumerate(multi):
                values = {_key(k): v for k, v in row.items() if _key(k) in first}
                self.rows_fns.append(
                    self._row_fns(values, column_keys if i == 0 else set(), prefetch, i, set())
                )
        else:
            values = {_key(k): v for k, v in (state._dict_parameters or {}).items()}
            self.rows_fns = [self._row_fns(values, column_keys, prefetch, 0, set())]
        self.fast = None if self.upsert is not None else self._fast_path()
        self.fast_positions = frozenset(p for p, _ in self.fast or ())

    def _row_fns(
        self,
        values: dict[str, Any],
        column_keys: set[str],
        prefetch: set[Any],
        index: int,
        given: set[Any],
    ) -> list[tuple[int, Fn]]:
        fns: list[tuple[int, Fn]] = []
        for col in self.table.c:
            pos = self.src.names[col.name]
            if col in given:
                continue
            param_name = col.key if index == 0 else f"{col.key}_m{index}"
            if col.key in values:
                fns.append((pos, self._value(col, values[col.key], param_name)))
            elif (col.key in column_keys or col in prefetch) and param_name in self.bind_names:
                fns.append((pos, self.param_getter(param_name)))
            elif col.default is not None:
                fns.append((pos, self._default(col)))
        return fns

    def _value(self, col: Any, value: Any, param_name: str) -> Fn:
        if isinstance(value, elements.ClauseElement):
            return self.compiler.compile(value)
        if param_name in self.bind_names:
            return self.param_getter(param_name)
        process = col.type._cached_bind_processor(self.dialect)
        if process is not None:
            value = process(value)
        return lambda row, env: value

    def _default(self, col: Any) -> Fn:
        default = col.default
        if default.is_sequence:
            raise unsupported(f"Sequence default of {col}")
        if default.is_clause_element:
            return self.compiler.compile(default.arg)
        process = col.type._cached_bind_processor(self.dialect)
        if default.is_callable:
            fn = default.arg

            def call(row: Any, env: Env) -> Any:
                value = fn(env.session.current_context)
                return process(value) if process else value

            return call
        value = default.arg
        if process:
            value = process(value)
        return lambda row, env: value

    def _fast_path(self) -> list[tuple[int, str]] | None:
        if len(self.rows_fns) != 1:
            return None
        pairs: list[tuple[int, str]] = []
        for pos, fn in self.rows_fns[0]:
            key = self.param_keys.get(id(fn))
            if key is None:
                return None
            pairs.append((pos, key))
        return pairs

    def execute(self, session: Any, env: Env, wctx: WriteContext, result: DMLResult) -> None:
        store = self.store(session)
        width = store.width
        defaults = store.server_defaults
        if self.from_select is not None:
            source_rows = self.from_select.run(env)
            row_fns = self.rows_fns[0]
            for src_row in source_rows:
                row: list[Any] = [None] * width
                filled = set()
                for pos, value in zip(self.select_positions, src_row, strict=False):
                    row[pos] = value
                    filled.add(pos)
                for pos, fn in row_fns:
                    row[pos] = fn(None, env)
                    filled.add(pos)
                self._insert(store, row, filled, defaults, wctx, env, result)
            return
        if self.fast is not None:
            params = env.params
            row = [None] * width
            for pos, key in self.fast:
                row[pos] = params[key]
            have = self.fast_positions
            for pos, d in enumerate(defaults):
                if d is None or pos in have:
                    continue
                row[pos] = d()
            rowid = store.insert(tuple(row), wctx)
            self.after_insert(store, rowid, env, result)
            return
        for fns in self.rows_fns:
            row = [None] * width
            filled = set()
            for pos, fn in fns:
                row[pos] = fn(None, env)
                filled.add(pos)
            self._insert(store, row, filled, defaults, wctx, env, result)

    def can_batch(self) -> bool:
        return self.fast is not None and not self.returning and self.from_select is None

    def execute_many(
        self, session: Any, param_sets: list[dict[str, Any]], wctx: WriteContext, result: DMLResult
    ) -> None:
        """executemany of a plain INSERT: rows straight from the parameter dicts."""
        store = self.store(session)
        width = store.width
        assert self.fast is not None
        pairs = self.fast
        have = self.fast_positions
        defaults = [
            (p, d) for p, d in enumerate(store.server_defaults) if d is not None and p not in have
        ]
        template = [None] * width

        def rows() -> Any:
            for params in param_sets:
                row = template.copy()
                for pos, key in pairs:
                    row[pos] = params[key]
                for pos, d in defaults:
                    row[pos] = d()
                yield tuple(row)

        if not defaults and [p for p, _ in pairs] == list(range(width)) and width > 1:
            # every column comes from the parameters, in table order: one C call a row
            getter = itemgetter(*[key for _, key in pairs])
            last = store.insert_many(map(getter, param_sets), wctx)
        else:
            last = store.insert_many(rows(), wctx)
        result.rowcount += len(param_sets)
        result.lastrowid = last

    def _insert(
        self,
        store: TableStore,
        row: list[Any],
        filled: set[int],
        defaults: tuple[Any, ...],
        wctx: WriteContext,
        env: Env,
        result: DMLResult,
    ) -> None:
        for pos, d in enumerate(defaults):
            if d is not None and pos not in filled:
                row[pos] = d()
        if self.upsert is not None:
            self.upsert.write(self, store, tuple(row), wctx, env, result)
            return
        rowid = store.insert(tuple(row), wctx)
        self.after_insert(store, rowid, env, result)

    def after_insert(self, store: TableStore, rowid: int, env: Env, result: DMLResult) -> None:
        result.rowcount += 1
        result.lastrowid = rowid
        if self.returning:
            result.returned.append(self.returned(store.rows[rowid], env))


class _FilteredPlan(_TargetPlan):
    """UPDATE/DELETE: which rows the WHERE clause selects, through an index if possible."""

    def __init__(self, planner: Planner, compiled: Any, stmt: Any) -> None:
        super().__init__(planner, compiled, stmt)
        state = compiled.compile_state
        self.others: list[Any] = []
        extra = getattr(state, "_extra_froms", None)
        if extra:
            if not isinstance(self, UpdatePlan):
                raise unsupported(f"{type(stmt).__name__.upper()} with extra FROM tables")
            self._join(planner, compiled, stmt, extra)
            return
        where = list(stmt._where_criteria)
        preds = [c for w in where for c in conjuncts(w)]
        store = planner.db.tables[self.name]
        path = plan_access(preds, self.scope, self.src, self.compiler, store)
        self.access = path.rowids if path is not None else None
        covered = path.covered if path is not None else []
        residual = [p for p in preds if not any(p is c for c in covered)]
        self.where = self.compiler.predicate(elements.and_(*residual)) if residual else None
        self.covered = self.compiler.predicate(elements.and_(*covered)) if covered else None

    def _join(self, planner: Planner, compiled: Any, stmt: Any, extra: Any) -> None:
        """UPDATE ... FROM: the target row is slot 0 of a frame, the FROM items' rows follow;
        WHERE and SET read the frame, RETURNING the target row alone (as on SQLite)."""
        sources = [self.src]
        for from_obj in extra:
            leaf = planner.from_tree(from_obj, sources, False)
            if isinstance(leaf, JoinNode):
                raise unsupported("a join among the FROM items of an UPDATE")
            self.others.append(leaf)
        self.scope = Scope(None, sources)
        self.compiler = ExprCompiler(planner.binds, self.scope, planner)
        where = list(stmt._where_criteria)
        self.access = self.covered = None
        self.where = self.compiler.predicate(elements.and_(*where)) if where else None

    def joined_matches(self, store: TableStore, env: Env) -> list[tuple[int, Row, tuple[Any, ...]]]:
        """Each target row the join keeps, with its first matching frame: SQLite uses one of
        the join's rows for a target row, which one is unspecified."""
        combinations = list(itertools.product(*(list(leaf.rows(env)) for leaf in self.others)))
        where = self.where
        found = []
        for rowid, row in list(store.scan_items()):
            for others in combinations:
                frame = (row, *others)
                if where is None or where(frame, env):
                    found.append((rowid, row, frame))
                    break
        return found

    def matches(self, store: TableStore, session: Any, env: Env) -> list[tuple[int, Row]]:
        rows = store.rows
        items: list[tuple[int, Row]] | None = None
        if self.access is not None:
            rowids = self.access(store, env)
            if rowids is not None:
                items = [(r, rows[r]) for r in rowids if r in rows]
        if items is None:
            items = list(store.scan_items())
            covered = self.covered
            if covered is not None:
                items = [(rid, row) for rid, row in items if covered(row, env)]
        where = self.where
        if where is None:
            return items  # a list of its own already
        return [(rid, row) for rid, row in items if where(row, env)]


class UpdatePlan(_FilteredPlan):
    """UPDATE ... SET ... WHERE ... [RETURNING]."""

    def __init__(self, planner: Planner, compiled: Any, stmt: Any, dialect: Any) -> None:
        super().__init__(planner, compiled, stmt)
        state = compiled.compile_state
        column_keys = set(compiled.column_keys or ())
        prefetch = set(compiled.update_prefetch or ())
        values: dict[str, Any] = {}
        if getattr(state, "_ordered_values", None):
            values = {_key(k): v for k, v in state._ordered_values}
        elif state._dict_parameters:
            values = {_key(k): v for k, v in state._dict_parameters.items()}
        self.sets: list[tuple[int, Fn]] = []
        for col in self.table.c:
            pos = self.src.names[col.name]
            if col.key in values:
                self.sets.append((pos, self.compiler.compile(values[col.key])))
            elif (col.key in column_keys or col in prefetch) and col.key in self.bind_names:
                self.sets.append((pos, self.param_getter(col.key)))
            elif col.onupdate is not None and col.onupdate.is_clause_element:
                self.sets.append((pos, self.compiler.compile(col.onupdate.arg)))
        self.set_positions = frozenset(pos for pos, _fn in self.sets)

    def execute(self, session: Any, env: Env, wctx: WriteContext, result: DMLResult) -> None:
        store = self.store(session)
        if self.others:
            self._execute_joined(store, env, wctx, result)
            return
        sets = self.sets
        positions = self.set_positions
        for rowid, row in self.matches(store, session, env):
            new = list(row)
            for pos, fn in sets:
                new[pos] = fn(row, env)
            new_rowid = store.update(rowid, tuple(new), wctx, positions)
            result.rowcount += 1
            if self.returning:
                result.returned.append(self.returned(store.rows[new_rowid], env))

    def _execute_joined(
        self, store: TableStore, env: Env, wctx: WriteContext, result: DMLResult
    ) -> None:
        changes = []
        for rowid, row, frame in self.joined_matches(store, env):
            new = list(row)
            for pos, fn in self.sets:
                new[pos] = fn(frame, env)
            changes.append((rowid, tuple(new)))
        for rowid, new_row in changes:
            new_rowid = store.update(rowid, new_row, wctx)
            result.rowcount += 1
            if self.returning:
                result.returned.append(self.returned(store.rows[new_rowid], env))


class DeletePlan(_FilteredPlan):
    """DELETE ... WHERE ... [RETURNING]."""

    def execute(self, session: Any, env: Env, wctx: WriteContext, result: DMLResult) -> None:
        store = self.store(session)
        for rowid, row in self.matches(store, session, env):
            if rowid not in store.rows:
                continue
            if self.returning:
                result.returned.append(self.returned(row, env))
            store.delete(rowid, wctx)
            result.rowcount += 1
