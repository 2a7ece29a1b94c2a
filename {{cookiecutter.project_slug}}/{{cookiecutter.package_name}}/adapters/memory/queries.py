"""Plans for SELECT and compound SELECT: FROM/joins, WHERE, grouping, ordering, limits."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from itertools import islice
from operator import itemgetter
from typing import Any

from sqlalchemy.sql import elements, operators, schema, selectable, visitors

from .access import AccessPath, StalePlan, conjuncts, plan_access, references_scope
from .affinities import (
    comparison_affinity,
    object_beside_other,
)
from .collations import holds_collate
from .errors import OperationalError
from .expressions import (
    AggCollector,
    AggSpec,
    Binds,
    Env,
    ExprCompiler,
    Fn,
    Scope,
    Source,
    contains_aggregate,
    unsupported,
)
from .functions import AGGREGATE_FUNCTIONS, agg_group_concat
from .json_functions import json_group_object_of
from .ordering import order_term, peel_order, sort_pairs
from .recursive import RecursivePlan, WorkingLeaf, WorkingTable
from .storage import TableStore
from .types import OBJECT_VALUED_KINDS, affinity, as_stored_text
from .values import SortKey
from .windows import WindowSpec


# FROM leaves -----------------------------------------------------------------------------
class TableLeaf:
    """Rows of one stored table, through an index when the WHERE clause allows."""

    def __init__(self, src: Source, name: str, layout: tuple[str, ...]) -> None:
        self.src = src
        self.name = name
        self.layout = layout
        self.access: Callable[[TableStore, Env], Iterable[int] | None] | None = None
        self.covered: Fn | None = None
        #: how `access` reads the table (empty: a full scan)
        self.access_label = ""

    def store(self, env: Env) -> TableStore:
        store: TableStore | None = env.session.db.tables.get(self.name)
        if store is None:
            raise OperationalError(f"no such table: {self.name}")
        if store.column_names != self.layout:
            raise StalePlan(self.name)
        return store

    def rows(self, env: Env) -> Iterable[tuple[Any, ...]]:
        store = self.store(env)
        session = env.session
        rows: Iterable[tuple[Any, ...]]
        if session.db.reads_committed_only(store, session.txn):
            writer = session.db.write_lock.owner
            found = self.access(store, env) if self.access is not None else None
            if found is not None:
                rows = store.committed_rows_among(writer, found)
            else:
                rows = list(store.committed_rows(writer).values())
        else:
            if self.access is not None:
                rowids = self.access(store, env)
                if rowids is not None:
                    stored = store.rows
                    return [stored[r] for r in rowids if r in stored]
            rows = store.scan()
        covered = self.covered
        if covered is not None:
            return [r for r in rows if covered(r, env)]
        return rows

    def rows_in_order(
        self, env: Env, rowids: Callable[[TableStore, Env], Iterable[int] | None]
    ) -> Iterable[tuple[Any, ...]] | None:
        """The candidate rows in the order `rowids` gives them, or None when this execution
        must read otherwise (the last committed state, or keys that do not sort)."""
        store = self.store(env)
        session = env.session
        if session.db.reads_committed_only(store, session.txn):
            return None
        found = rowids(store, env)
        if found is None:
            return None
        stored = store.rows
        return (stored[r] for r in found if r in stored)


def _ungrouped(el: Any) -> Any:
    while isinstance(el, elements.Grouping):
        el = el.element
    return el


def _names_cte(select: Any, name: str) -> bool:
    """Whether `select` reads the CTE called `name` (the recursive part of that CTE does)."""
    return any(
        isinstance(el, selectable.CTE) and el.name == name for el in visitors.iterate(select)
    )


class DerivedLeaf:
    """Rows of a derived table or CTE, computed once per execution."""

    def __init__(self, src: Source, plan: QueryPlan | RecursivePlan) -> None:
        self.src = src
        self.plan = plan

    def rows(self, env: Env) -> Iterable[tuple[Any, ...]]:
        key = id(self.plan)
        cached = env.cache.get(key)
        if cached is None:
            cached = env.cache[key] = self.plan.run(env)
        rows: list[tuple[Any, ...]] = cached
        return rows


Leaf = TableLeaf | DerivedLeaf | WorkingLeaf


class JoinNode:
    """A join of two FROM subtrees (slots of `right` follow those of `left`)."""

    def __init__(self, left: Any, right: Any, on: Any, outer: bool, full: bool) -> None:
        self.left = left
        self.right = right
        self.on_el = on
        self.outer = outer
        self.full = full
        self.on: Fn | None = None
        self.hash_key: tuple[Fn, int] | None = None
        self.start = 0
        self.width = 0


def _leaves(node: Any) -> list[Leaf]:
    if isinstance(node, JoinNode):
        return _leaves(node.left) + _leaves(node.right)
    return [node]


# query plans ----------------------------------------------------------------------------
class QueryPlan:
    """Common interface of SELECT and compound plans."""

    correlated: bool = False
    names: list[str]

    def run(self, env: Env) -> list[tuple[Any, ...]]:
        raise NotImplementedError


class SelectPlan(QueryPlan):
    """One SELECT: frames from FROM, then WHERE, GROUP BY/HAVING, projection, ORDER BY."""

    def __init__(self, planner: Planner, select: Any, parent: Scope | None) -> None:
        core, compile_state, froms = planner.select_info(select)
        self.core = core
        _reject_select_features(core)
        self.tree: Any = None
        sources: list[Source] = []
        trees = [planner.from_tree(f, sources, False) for f in froms]
        if trees:
            tree = trees[0]
            for t in trees[1:]:
                tree = JoinNode(tree, t, None, False, False)
            self.tree = tree
        scope = Scope(parent, sources)
        self.scope = scope
        columns = [c for (_n, _p, _f, c, _r) in compile_state.columns_plus_names]
        self.names = [
            n or f"column{i}" for i, (n, *_rest) in enumerate(compile_state.columns_plus_names)
        ]
        labels: dict[str, Any] = {}
        for name, _p, _f, col, _r in compile_state.columns_plus_names:
            if name:
                labels.setdefault(name, col)
            if isinstance(col, elements.Label):
                labels.setdefault(col.name, col.element)
            for attr in ("key", "name"):
                value = getattr(col, attr, None)
                if isinstance(value, str):
                    labels.setdefault(value, col)
        compiler = ExprCompiler(planner.binds, scope, planner, None, labels)
        self._setup_joins(compiler)
        where = list(core._where_criteria)
        preds = [c for w in where for c in conjuncts(w)]
        covered = self._setup_access(planner, compiler, preds)
        residual = [p for p in preds if not any(p is c for c in covered)]
        self.where = compiler.predicate(elements.and_(*residual)) if residual else None
        group_by = list(core._group_by_clauses)
        having = list(core._having_criteria)
        order_by = list(core._order_by_clauses)
        self.grouped = bool(group_by) or any(
            contains_aggregate(c) for c in [*columns, *having, *order_by]
        )
        self.windows: list[WindowSpec] = []
        if self.grouped:
            self.aggs = AggCollector()
            having_compiler = ExprCompiler(planner.binds, scope, planner, self.aggs, labels)
            self.group_keys = [compiler.compile(g) for g in group_by]
            self.having = having_compiler.predicate(elements.and_(*having)) if having else None
            out_compiler = ExprCompiler(
                planner.binds, scope, planner, self.aggs, labels, self.windows
            )
        else:
            out_compiler = ExprCompiler(planner.binds, scope, planner, None, labels, self.windows)
            self.group_keys = []
            self.having = None
        self.outputs = [out_compiler.compile(c) for c in columns]
        self.project = self._projection(columns)
        self.order = [order_term(out_compiler, o, collations=True) for o in order_by]
        self.limit = _limit_fn(compiler, core._limit_clause)
        self.offset = _limit_fn(compiler, core._offset_clause)
        self.distinct = bool(core._distinct)
        self.correlated = scope.uses_outer
        self.index_order = None if self.windows else self._index_order(planner, order_by)
        self.access_order = None if self.windows else self._access_order(order_by)

    def _index_order(self, planner: Planner, order_by: list[Any]) -> IndexOrder | None:
        """ORDER BY <indexed column> [, <integer primary key>] LIMIT n, read in index order."""
        if (
            self.grouped
            or self.distinct
            or self.limit is None
            or not self.scope.single
            or not order_by
            or len(order_by) > 2
            or not isinstance(self.tree, TableLeaf)
            or self.tree.access is not None
        ):
            return None
        store = planner.db.tables.get(self.tree.name)
        if store is None:
            return None
        terms = [_order_column(o) for o in order_by]
        if any(t is None for t in terms):
            return None
        positions: list[tuple[int, bool]] = []
        for term in terms:
            assert term is not None
            col, desc, nulls_first = term
            found = self.scope.find(col)
            if found is None or (nulls_first is not None and nulls_first != (not desc)):
                return None
            positions.append((found[1], desc))
        position, desc = positions[0]
        alias = store.rowid_alias
        tie_desc = False
        if len(positions) == 2:
            if positions[1][0] != alias:
                return None
            tie_desc = positions[1][1]
        if position != alias and not any(i.positions == (position,) for i in store.indexes):
            return None
        return IndexOrder(self.tree.name, position, desc, tie_desc)

    def _access_order(
        self, order_by: list[Any]
    ) -> Callable[[TableStore, Env], Iterable[int] | None] | None:
        """The candidate rows of the index access path already in ORDER BY order, when the
        ORDER BY is exactly the columns the path sorts by, all one way (one row per key)."""
        path = self.access_path
        if (
            path is None
            or path.in_order is None
            or self.grouped
            or self.distinct
            or not order_by
            or not self.scope.single
            or not isinstance(self.tree, TableLeaf)
        ):
            return None
        positions: list[int] = []
        directions: set[bool] = set()
        for term in map(_order_column, order_by):
            if term is None:
                return None
            found = self.scope.find(term[0])
            if found is None:
                return None
            positions.append(found[1])
            directions.add(term[1])
        if tuple(positions) != path.sorted_by or len(directions) != 1:
            return None
        return path.in_order(directions.pop())

    def _index_ordered_rows(self, env: Env, need: int) -> list[Any] | None:
        """Up to `need` matching rows in ORDER BY order, read from an index."""
        order = self.index_order
        assert order is not None and isinstance(self.tree, TableLeaf)
        store = self.tree.store(env)
        session = env.session
        if session.db.reads_committed_only(store, session.txn):
            return None
        where = self.where
        stored = store.rows
        out: list[Any] = []
        if order.position == store.rowid_alias:
            if not store.ordered:
                return None
            rowids: Iterable[int] = reversed(stored) if order.desc else iter(stored)
            for rid in rowids:
                row = stored[rid]
                if where is None or where(row, env):
                    out.append(row)
                    if len(out) >= need:
                        break
            return out
        idx = store.index_on((order.position,))
        if idx is None:
            return None
        keys = idx.sorted_keys()
        if keys is None:
            return None
        nulls = idx.lookup(None)
        sequence: Iterable[Any] = [*reversed(keys), None] if order.desc else [None, *keys]
        for key in sequence:
            bucket = nulls if key is None else idx.lookup(key)
            for rid in sorted(bucket, reverse=order.tie_desc):
                row = stored[rid]
                if where is None or where(row, env):
                    out.append(row)
            if len(out) >= need:
                break
        return out

    # setup ---------------------------------------------------------------------------
    def _setup_joins(self, compiler: ExprCompiler) -> None:
        def walk(node: Any, start: int) -> int:
            if isinstance(node, JoinNode):
                node.start = start
                mid = walk(node.left, start)
                end = walk(node.right, mid)
                node.width = end - start
                if node.on_el is not None:
                    node.on = compiler.predicate(node.on_el)  # ON tests as WHERE does
                    node.hash_key = self._hash_key(compiler, node, mid)
                return end
            return start + 1

        if self.tree is not None:
            walk(self.tree, 0)

    def _hash_key(self, compiler: ExprCompiler, node: JoinNode, mid: int) -> tuple[Fn, int] | None:
        if isinstance(node.right, JoinNode) or node.full:
            return None
        right_src = node.right.src
        for term in conjuncts(node.on_el):
            if not isinstance(term, elements.BinaryExpression) or term.operator is not operators.eq:
                continue
            if holds_collate(term):
                continue  # compared by a collation the hash does not follow
            for col, other in ((term.left, term.right), (term.right, term.left)):
                found = self.scope.find(col) if isinstance(col, elements.ColumnClause) else None
                if found is None or found[0] is not right_src:
                    continue
                if (
                    _slots(other, self.scope, mid)
                    and comparison_affinity(other, col) is None
                    and not object_beside_other(other, col)
                ):
                    return compiler.compared(col, other), found[1]
        return None

    def _setup_access(
        self, planner: Planner, compiler: ExprCompiler, preds: list[Any]
    ) -> list[Any]:
        """Pick an index for the first table; returns the WHERE terms it decides."""
        self.access_path: AccessPath | None = None
        if self.tree is None or not preds:
            return []
        first = _leaves(self.tree)[0]
        if not isinstance(first, TableLeaf) or first.src.nullable:
            return []
        store = planner.db.tables.get(first.name)
        if store is None:
            return []
        mine = [p for p in preds if _slots(p, self.scope, 1)]
        path = plan_access(mine, self.scope, first.src, compiler, store)
        if path is None:
            return []
        self.access_path = path
        first.access = path.rowids
        first.access_label = path.label
        if path.covered:
            single = Scope(
                self.scope.parent,
                [Source(first.src.from_obj, 0, False, first.src.columns, first.src.names)],
            )
            leaf_compiler = ExprCompiler(planner.binds, single, planner)
            first.covered = leaf_compiler.predicate(elements.and_(*path.covered))
        return path.covered

    def _projection(self, columns: list[Any]) -> Callable[[Any, Env], tuple[Any, ...]]:
        outputs = self.outputs
        if not self.grouped and self.scope.single and columns:
            positions: list[int] = []
            src = self.scope.sources[0]
            for c in columns:
                inner = c.element if isinstance(c, elements.Label) else c
                found = self.scope.find(inner) if isinstance(inner, elements.ColumnClause) else None
                if found is None or found[0] is not src or getattr(inner, "is_literal", False):
                    break
                positions.append(found[1])
            else:
                table = src.from_obj
                if (
                    isinstance(table, schema.Table)
                    and positions == list(range(len(table.c)))
                    and len(src.names) == len(table.c)
                ):
                    return lambda row, env: row  # every column in table order: the stored tuple
                if len(positions) == 1:
                    p0 = positions[0]
                    return lambda row, env: (row[p0],)
                getter = itemgetter(*positions)
                return lambda row, env: getter(row)
        return lambda row, env: tuple([f(row, env) for f in outputs])

    # execution ----------------------------------------------------------------------------
    def frames(self, env: Env) -> Iterable[Any]:
        tree = self.tree
        if tree is None:
            return [()]
        if self.scope.single:
            return tree.rows(env)  # type: ignore[no-any-return]
        return self._run_node(tree, env)

    def _run_node(self, node: Any, env: Env, before: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The frames of `node`; `before` fills the slots ahead of it (a nested join's own ON
        reads its rows at their slots in the whole frame)."""
        if not isinstance(node, JoinNode):
            return [(*before, r) for r in node.rows(env)]
        left = self._run_node(node.left, env, before)
        on = node.on
        right = node.right
        if isinstance(right, JoinNode):
            k = right.start
            right_frames = [f[k:] for f in self._run_node(right, env, (None,) * k)]
            width = right.width
        else:
            right_frames = None
            width = 1
        out: list[tuple[Any, ...]] = []
        matched_right: set[int] = set()
        if right_frames is None and node.hash_key is not None:
            key_fn, pos = node.hash_key
            table: dict[Any, list[int]] = {}
            right_rows = list(right.rows(env))
            for i, r in enumerate(right_rows):
                v = r[pos]
                if v is not None:
                    table.setdefault(v, []).append(i)
            for lf in left:
                hit = False
                k = key_fn(lf, env)
                for i in table.get(k, ()) if k is not None else ():
                    frame = (*lf, right_rows[i])
                    if on is None or on(frame, env):
                        out.append(frame)
                        hit = True
                if not hit and node.outer:
                    out.append((*lf, None))
            return out
        if right_frames is None:
            right_frames = [(r,) for r in right.rows(env)]
        for lf in left:
            hit = False
            for i, rf in enumerate(right_frames):
                frame = lf + rf
                if on is None or on(frame, env):
                    out.append(frame)
                    hit = True
                    if node.full:
                        matched_right.add(i)
            if not hit and (node.outer or node.full):
                out.append(lf + (None,) * width)
        if node.full:
            left_width = node.left.width if isinstance(node.left, JoinNode) else 1
            pad = (None,) * (node.start + left_width)  # the slots up to the right side's
            for i, rf in enumerate(right_frames):
                if i not in matched_right:
                    out.append(pad + rf)
        return out

    def run(self, env: Env) -> list[tuple[Any, ...]]:
        if self.index_order is not None:
            ordered = self._run_index_ordered(env)
            if ordered is not None:
                return ordered
        if self.access_order is not None:
            ordered = self._run_access_ordered(env)
            if ordered is not None:
                return ordered
        rows: Iterable[Any] = self.frames(env)
        where = self.where
        if where is not None:
            rows = [r for r in rows if where(r, env)]
        if self.grouped:
            rows = self._group(rows, env)
            if self.having is not None:
                having = self.having
                rows = [g for g in rows if having(g, env)]
        if self.windows:
            rows = list(rows)
            for window in reversed(self.windows):
                env.cache[window.key], rows = window.compute(rows, env)
        project = self.project
        if not self.order:
            out = [project(r, env) for r in rows]
            if self.distinct:
                out = list(dict.fromkeys(out))
        else:
            pairs = [(project(r, env), tuple(k(r, env) for k, _d, _n in self.order)) for r in rows]
            if self.distinct:
                seen: dict[Any, Any] = {}
                for o, k in pairs:
                    seen.setdefault(o, k)
                pairs = list(seen.items())
            pairs = sort_pairs(pairs, [(d, n) for _k, d, n in self.order])
            out = [p[0] for p in pairs]
        return apply_limits(out, self.limit, self.offset, env)

    def _run_access_ordered(self, env: Env) -> list[tuple[Any, ...]] | None:
        """Rows read in ORDER BY order from the access path: no sort, and with a LIMIT,
        no more rows than it keeps."""
        assert self.access_order is not None and isinstance(self.tree, TableLeaf)
        rows = self.tree.rows_in_order(env, self.access_order)
        if rows is None:
            return None
        where = self.where
        if where is not None:
            rows = (r for r in rows if where(r, env))
        if self.limit is not None:
            limit = self.limit(None, env)
            if limit is not None and int(limit) >= 0:
                offset = self.offset(None, env) if self.offset is not None else 0
                rows = islice(rows, int(limit) + max(int(offset or 0), 0))
        project = self.project
        out = [project(r, env) for r in rows]
        return apply_limits(out, self.limit, self.offset, env)

    def _run_index_ordered(self, env: Env) -> list[tuple[Any, ...]] | None:
        assert self.limit is not None
        limit = self.limit(None, env)
        offset = self.offset(None, env) if self.offset is not None else 0
        if limit is None or int(limit) < 0:
            return None
        need = int(limit) + max(int(offset or 0), 0)
        rows = self._index_ordered_rows(env, need)
        if rows is None:
            return None
        project = self.project
        out = [project(r, env) for r in rows]
        return apply_limits(out, self.limit, self.offset, env)

    def _group(self, frames: Iterable[Any], env: Env) -> list[tuple[Any, list[Any]]]:
        keys = self.group_keys
        groups: dict[Any, list[Any]] = {}
        if not keys:
            all_rows = list(frames)
            groups[()] = all_rows
        elif len(keys) == 1:
            k0 = keys[0]
            for f in frames:
                groups.setdefault(k0(f, env), []).append(f)
        else:
            for f in frames:
                groups.setdefault(tuple(k(f, env) for k in keys), []).append(f)
        items = list(groups.items())
        if keys:
            with contextlib.suppress(TypeError):
                items.sort(
                    key=lambda kv: (
                        SortKey(kv[0]) if len(keys) == 1 else tuple(SortKey(v) for v in kv[0])
                    )
                )
        specs = self.aggs.specs
        extreme = [s for s in specs if s.name in ("min", "max") and not s.distinct]
        out: list[tuple[Any, list[Any]]] = []
        for _key, rows in items:
            values = [_aggregate(s, rows, env) for s in specs]
            rep = rows[0] if rows else None  # a bare column reads the group's first row
            arg = extreme[0].arg if len(extreme) == 1 else None
            if arg is not None and rows:
                target = values[specs.index(extreme[0])]
                if target is not None:
                    for r in rows:
                        if arg(r, env) == target:
                            rep = r
                            break
            out.append((rep, values))
        return out


def _aggregate(spec: AggSpec, rows: list[Any], env: Env) -> Any:
    if spec.filter is not None:
        flt = spec.filter
        rows = [r for r in rows if flt(r, env)]
    if spec.arg is None:
        return len(rows)
    arg = spec.arg
    if spec.name == "json_group_array":
        assert spec.value is not None
        if spec.distinct:  # the first row of each value, NULL too
            firsts: dict[Any, Any] = {}
            for r in rows:
                firsts.setdefault(arg(r, env), r)
            rows = list(firsts.values())
        return "[" + ",".join([spec.value(r, env) for r in rows]) + "]"
    values = [arg(r, env) for r in rows]
    if spec.distinct:
        values = list(dict.fromkeys(v for v in values if v is not None))
    if spec.name == "json_group_object":
        value = spec.value
        assert value is not None
        return json_group_object_of(values, [value(r, env) for r in rows])
    if spec.name in ("group_concat", "string_agg"):
        separator = spec.separator
        if separator is None:
            return agg_group_concat(values, [","] * len(values))
        return agg_group_concat(values, [separator(r, env) for r in rows])
    fn = AGGREGATE_FUNCTIONS.get(spec.name)
    if fn is None:
        raise unsupported(f"aggregate {spec.name}()")
    return fn(values)


def _slots(el: Any, scope: Scope, limit: int) -> bool:
    """True when every column of `el` from `scope` lives in a slot below `limit`."""
    stack = [el]
    while stack:
        e = stack.pop()
        if isinstance(e, elements.ColumnClause):
            if getattr(e, "is_literal", False):
                continue
            found = scope.find(e)
            if found is not None and found[0].slot >= limit:
                return False
            if found is None and e.table is None:
                return False
            continue
        if isinstance(e, selectable.SelectBase | selectable.ScalarSelect | selectable.Exists):
            if references_scope(e, scope):
                return False
            continue
        stack.extend(e.get_children())
    return True


def _reject_select_features(core: Any) -> None:
    if getattr(core, "_distinct_on", None):
        raise unsupported("DISTINCT ON")
    if getattr(core, "_fetch_clause", None) is not None:
        raise unsupported("FETCH FIRST")
    if getattr(core, "_prefixes", None):
        raise unsupported("SELECT prefixes")
    if getattr(core, "_suffixes", None):
        raise unsupported("SELECT suffixes")
    if getattr(core, "_hints", None) or getattr(core, "_statement_hints", None):
        raise unsupported("query hints")


class IndexOrder:
    """How to read a table in ORDER BY order from an index or the row id order."""

    __slots__ = ("desc", "position", "table", "tie_desc")

    def __init__(self, table: str, position: int, desc: bool, tie_desc: bool) -> None:
        self.table = table
        self.position = position
        self.desc = desc
        self.tie_desc = tie_desc


def _order_column(el: Any) -> tuple[Any, bool, bool | None] | None:
    """(column, descending, nulls first) of a plain-column ORDER BY term, else None."""
    el, desc, nulls_first = peel_order(el)
    if isinstance(el, elements.Label):
        el = el.element
    if not isinstance(el, elements.ColumnClause) or getattr(el, "is_literal", False):
        return None
    return el, desc, nulls_first


def _limit_fn(compiler: ExprCompiler, clause: Any) -> Fn | None:
    if clause is None:
        return None
    return compiler.compile(clause)


def apply_limits(rows: list[Any], limit: Fn | None, offset: Fn | None, env: Env) -> list[Any]:
    start = 0
    if offset is not None:
        v = offset(None, env)
        start = max(int(v), 0) if v is not None else 0
    if limit is not None:
        v = limit(None, env)
        if v is not None and int(v) >= 0:
            return rows[start : start + int(v)]
    return rows[start:] if start else rows


def _mixed_held_columns(selects: Iterable[Any]) -> frozenset[int]:
    """The columns of a compound SELECT where a date, time or UUID column of one part meets a
    column of another kind in another: SQLite compares and returns them as their stored text."""
    kinds: dict[int, set[str]] = {}
    for part in selects:
        while isinstance(part, elements.Grouping):
            part = part.element
        for index, column in enumerate(part.selected_columns):
            kinds.setdefault(index, set()).add(affinity(column.type))
    return frozenset(
        index for index, found in kinds.items() if len(found) > 1 and found & OBJECT_VALUED_KINDS
    )


def _with_text(row: tuple[Any, ...], columns: frozenset[int]) -> tuple[Any, ...]:
    return tuple(as_stored_text(v) if i in columns else v for i, v in enumerate(row))


class CompoundPlan(QueryPlan):
    """UNION / UNION ALL / INTERSECT / EXCEPT of several SELECTs."""

    def __init__(self, planner: Planner, compound: Any, parent: Scope | None) -> None:
        self.keyword = (
            compound.keyword.name if hasattr(compound.keyword, "name") else str(compound.keyword)
        )
        self.parts = [planner.plan_query(s, parent) for s in compound.selects]
        self.correlated = any(p.correlated for p in self.parts)
        self.names = self.parts[0].names
        self.text_columns = _mixed_held_columns(compound.selects)
        positions: dict[Any, int] = {}
        for i, col in enumerate(compound.selected_columns):
            positions.setdefault(col.key, i)
            positions.setdefault(getattr(col, "name", col.key), i)
        first = compound.selects[0]
        while isinstance(first, elements.Grouping):
            first = first.element
        for i, col in enumerate(getattr(first, "selected_columns", [])):
            positions.setdefault(col.key, i)
        self.order = [self._order_term(o, positions) for o in compound._order_by_clauses]
        binds = planner.binds
        const = ExprCompiler(binds, parent, planner)
        self.limit = _limit_fn(const, compound._limit_clause)
        self.offset = _limit_fn(const, compound._offset_clause)

    def _order_term(self, el: Any, positions: dict[Any, int]) -> tuple[Fn, bool, bool | None]:
        el, desc, nulls_first = peel_order(el)
        while isinstance(el, elements.Label | elements._label_reference):
            el = el.element
        name = el if isinstance(el, str) else getattr(el, "element", None)
        if isinstance(el, elements._textual_label_reference):
            name = el.element
        key = name if isinstance(name, str) else getattr(el, "key", None)
        pos = positions.get(key)
        if pos is None:
            pos = positions.get(getattr(el, "name", None))
        if pos is None:
            raise unsupported(f"ORDER BY {el} on a compound SELECT")
        return (lambda row, env, p=pos: row[p]), desc, nulls_first

    def run(self, env: Env) -> list[tuple[Any, ...]]:
        results = [p.run(env) for p in self.parts]
        if self.text_columns:
            results = [[_with_text(row, self.text_columns) for row in part] for part in results]
        kw = self.keyword.upper()
        if kw == "UNION_ALL" or kw == "UNION ALL":
            rows = [r for part in results for r in part]
        elif kw == "UNION":
            rows = _sorted_rows(list(dict.fromkeys(r for part in results for r in part)))
        elif kw.startswith("INTERSECT"):
            common = set(results[0])
            for part in results[1:]:
                common &= set(part)
            rows = _sorted_rows([r for r in dict.fromkeys(results[0]) if r in common])
        elif kw.startswith("EXCEPT"):
            removed: set[Any] = set()
            for part in results[1:]:
                removed |= set(part)
            rows = _sorted_rows([r for r in dict.fromkeys(results[0]) if r not in removed])
        else:
            raise unsupported(f"compound SELECT {kw}")
        if self.order:
            pairs = [(r, tuple(k(r, env) for k, _d, _n in self.order)) for r in rows]
            rows = [p[0] for p in sort_pairs(pairs, [(d, n) for _k, d, n in self.order])]
        return apply_limits(rows, self.limit, self.offset, env)


def _sorted_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    try:
        return sorted(rows, key=lambda r: tuple(SortKey(v) for v in r))
    except TypeError:
        return rows


# the planner -----------------------------------------------------------------------------
class Planner:
    """Builds plans for the queries of one compiled statement."""

    def __init__(self, db: Any, compiled: Any, binds: Binds) -> None:
        self.db = db
        self.compiled = compiled
        self.binds = binds
        self.info: dict[Any, Any] = getattr(compiled, "memory_select_info", {}) or {}
        self.working: dict[str, WorkingTable] = {}  # recursive CTEs whose parts are planned

    def select_info(self, select: Any) -> tuple[Any, Any, list[Any]]:
        info = self.info.get(select)
        if info is None:
            for value in self.info.values():
                if value[0] is select:
                    return value  # type: ignore[no-any-return]
            raise unsupported(f"SELECT that was not compiled ({select})")
        return info  # type: ignore[no-any-return]

    def plan_query(self, el: Any, parent: Scope | None) -> QueryPlan:
        # A subquery selected from as a whole is its SELECT (`Query.count()` nests two).
        while isinstance(el, elements.Grouping | selectable.Subquery):
            el = el.element
        if isinstance(el, selectable.CompoundSelect):
            return CompoundPlan(self, el, parent)
        if isinstance(el, selectable.Select):
            return SelectPlan(self, el, parent)
        if isinstance(el, selectable.TextualSelect):
            raise unsupported("text() SELECT")
        raise unsupported(f"query {type(el).__name__}")

    def plan_subquery(self, element: Any, scope: Scope | None) -> QueryPlan:
        return self.plan_query(element, scope)

    def from_tree(self, from_obj: Any, sources: list[Source], nullable: bool) -> Any:
        if isinstance(from_obj, selectable.FromGrouping):  # `a LEFT JOIN (b JOIN c ON ...) ON`
            return self.from_tree(from_obj.element, sources, nullable)
        if isinstance(from_obj, selectable.Join):
            left = self.from_tree(from_obj.left, sources, nullable or from_obj.full)
            right = self.from_tree(
                from_obj.right, sources, nullable or from_obj.isouter or from_obj.full
            )
            return JoinNode(left, right, from_obj.onclause, from_obj.isouter, from_obj.full)
        slot = len(sources)
        if isinstance(from_obj, selectable.Lateral):
            raise unsupported("LATERAL")
        if isinstance(from_obj, selectable.TableValuedAlias | selectable.Values):
            raise unsupported(f"FROM {type(from_obj).__name__}")
        base = from_obj
        while isinstance(base, selectable.Alias) and not isinstance(
            base, selectable.Subquery | selectable.CTE
        ):
            base = base.element
        if isinstance(base, selectable.TableClause):
            store = self.db.tables.get(base.name)
            if store is None:
                raise OperationalError(f"no such table: {base.name}")
            src = Source(from_obj, slot, nullable)
            src.names = dict(store.positions)
            for col in from_obj.c:
                pos = store.positions.get(col.name)
                if pos is not None:
                    src.columns[col] = pos
            sources.append(src)
            return TableLeaf(src, base.name, store.column_names)
        if isinstance(from_obj, selectable.Subquery | selectable.CTE | selectable.Alias):
            inner = from_obj.element
            src = Source(from_obj, slot, nullable)
            sources.append(src)
            for i, col in enumerate(from_obj.c):
                src.columns[col] = i
                src.names.setdefault(col.key, i)
            if isinstance(from_obj, selectable.CTE) and from_obj.recursive:
                aliased = getattr(from_obj, "_cte_alias", None)  # an alias names its CTE
                name = from_obj.name if aliased is None else aliased.name
                working = self.working.get(name)
                if working is not None:
                    return WorkingLeaf(src, working)
                if isinstance(inner, selectable.CompoundSelect):
                    return DerivedLeaf(src, self._recursive_plan(name, inner))
            plan = self.plan_query(inner, None)
            return DerivedLeaf(src, plan)
        raise unsupported(f"FROM item {type(from_obj).__name__}")

    def _recursive_plan(self, name: str, compound: Any) -> RecursivePlan:
        keyword = getattr(compound.keyword, "name", str(compound.keyword))
        if keyword not in ("UNION", "UNION_ALL"):
            raise unsupported(f"{keyword.replace('_', ' ')} in a recursive CTE")
        if compound._order_by_clauses or compound._limit_clause or compound._offset_clause:
            raise unsupported("ORDER BY or LIMIT in a recursive CTE")
        selects = [_ungrouped(s) for s in compound.selects]
        first_recursive = next(
            (i for i, s in enumerate(selects) if _names_cte(s, name)), len(selects)
        )
        if first_recursive in (0, len(selects)):
            raise OperationalError(f"recursive CTE {name} needs an anchor and a recursive part")
        anchors = [self.plan_query(s, None) for s in selects[:first_recursive]]
        working = self.working[name] = WorkingTable()
        try:
            parts = [self.plan_query(s, None) for s in selects[first_recursive:]]
        finally:
            del self.working[name]
        return RecursivePlan(anchors, parts, working, keyword == "UNION", anchors[0].names)
