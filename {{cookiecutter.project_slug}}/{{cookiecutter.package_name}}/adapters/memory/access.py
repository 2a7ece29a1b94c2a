"""Access paths: choose an index for the WHERE conjuncts that touch one table."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import product
from typing import Any

from sqlalchemy.sql import elements, operators, selectable

from .affinities import (
    comparison_affinity,
    object_beside_members,
    object_beside_other,
    subquery_converts_left,
    unwrapped,
)
from .collations import holds_collate
from .expressions import (
    Env,
    ExprCompiler,
    Fn,
    Scope,
    Source,
)
from .indexes import HashIndex
from .storage import TableStore

RowidsFn = Callable[[TableStore, Env], Iterable[int] | None]


class StalePlan(Exception):
    """A table's layout or indexes changed since the plan was built; it must be rebuilt."""


_RANGE_OPS = {operators.lt, operators.le, operators.gt, operators.ge}
_FLIP = {
    operators.lt: operators.gt,
    operators.le: operators.ge,
    operators.gt: operators.lt,
    operators.ge: operators.le,
}


def conjuncts(el: Any) -> list[Any]:
    """Flatten nested ANDs into a list of terms."""
    out: list[Any] = []
    stack = [el]
    while stack:
        e = stack.pop()
        while isinstance(e, elements.Grouping):
            e = e.element
        if isinstance(e, elements.BooleanClauseList) and e.operator is operators.and_:
            stack.extend(reversed(e.clauses))
        else:
            out.append(e)
    return out


def references_scope(el: Any, scope: Scope) -> bool:
    """True when `el` reads a column of `scope`'s own sources (or can't be sure)."""
    stack = [el]
    while stack:
        e = stack.pop()
        if isinstance(e, elements.ColumnClause):
            if getattr(e, "is_literal", False) or e.table is None:
                if not getattr(e, "is_literal", False):
                    return True
                continue
            if scope.find(e) is not None:
                return True
            continue
        if isinstance(e, selectable.SelectBase | selectable.ScalarSelect | selectable.Exists):
            return True
        stack.extend(e.get_children())
    return False


def _column_of(el: Any, scope: Scope, src: Source) -> int | None:
    el = unwrapped(el)
    if not isinstance(el, elements.ColumnClause) or getattr(el, "is_literal", False):
        return None
    found = scope.find(el)
    if found is None or found[0] is not src:
        return None
    return found[1]


@dataclass
class _Term:
    kind: str  # "eq", "in", "null", "range"
    position: int
    source: Any = None
    value: Fn | None = None
    low: Fn | None = None
    low_inclusive: bool = True
    high: Fn | None = None
    high_inclusive: bool = True


def _terms(preds: list[Any], scope: Scope, src: Source, compiler: ExprCompiler) -> list[_Term]:
    terms: list[_Term] = []
    for p in preds:
        if not isinstance(p, elements.BinaryExpression) or holds_collate(p):
            continue  # a COLLATE: compared by a collation the index does not follow
        oper = p.operator
        left, right = p.left, p.right
        if oper is operators.eq or oper in _RANGE_OPS:
            pos = _column_of(left, scope, src)
            other = right
            if pos is None:
                pos = _column_of(right, scope, src)
                other = left
                oper = _FLIP.get(oper, oper)
            column = right if other is left else left
            if pos is None or references_scope(other, scope):
                continue
            if comparison_affinity(other, column) is not None:
                continue  # the column's own values are converted first; no index holds those
            if object_beside_other(column, other):
                continue  # compared as the text SQLite stores; the index holds the values
            fn = compiler.compared(column, other)
            if oper is operators.eq:
                terms.append(_Term("eq", pos, p, value=fn))
            elif oper in (operators.gt, operators.ge):
                terms.append(_Term("range", pos, p, low=fn, low_inclusive=oper is operators.ge))
            else:
                terms.append(_Term("range", pos, p, high=fn, high_inclusive=oper is operators.le))
        elif oper is operators.in_op:
            pos = _column_of(left, scope, src)
            if pos is None or references_scope(right, scope) or object_beside_members(p):
                continue
            if subquery_converts_left(p):
                continue  # the column's own values are converted first; no index holds those
            in_fn = compiler.in_values(p)
            terms.append(_Term("in", pos, p, value=in_fn))
        elif oper is operators.is_ and isinstance(right, elements.Null):
            pos = _column_of(left, scope, src)
            if pos is not None:
                terms.append(_Term("null", pos, p))
        elif oper is operators.between_op and not p.modifiers.get("symmetric"):
            pos = _column_of(left, scope, src)
            if pos is None or references_scope(right, scope):
                continue
            lo, hi = right.clauses
            if comparison_affinity(lo, left) or comparison_affinity(hi, left):
                continue  # the column's own values are converted first; no index holds those
            if object_beside_other(left, lo) or object_beside_other(left, hi):
                continue
            low, high = compiler.compared(left, lo), compiler.compared(left, hi)
            terms.append(_Term("range", pos, p, low=low, high=high))
    return terms


@dataclass
class AccessPath:
    """Candidate row ids from an index, and the WHERE terms the look-up fully decides.

    `rowids` gives the candidates in row id order (a full scan's order). A path that can also
    give them sorted by the columns `sorted_by`, one row per key, has `in_order`: called with
    True for descending order, it returns the function that does.
    """

    rowids: RowidsFn
    covered: list[Any]
    label: str = ""
    sorted_by: tuple[int, ...] = ()
    in_order: Callable[[bool], RowidsFn] | None = None


def plan_access(
    preds: list[Any], scope: Scope, src: Source, compiler: ExprCompiler, store: TableStore
) -> AccessPath | None:
    """An index access path for the terms, or None for a full scan.

    Candidates are a superset of the matching rows; terms not in `covered` must
    still be applied. Chosen once per plan from the indexes the table has.
    """
    terms = _terms(preds, scope, src, compiler)
    if not terms:
        return None
    eq = {t.position: t for t in terms if t.kind == "eq"}
    alias = store.rowid_alias
    if alias is not None and alias in eq:
        return AccessPath(_rowid_eq(eq[alias].value), [eq[alias].source], "row id =")
    idx: HashIndex | None
    for idx in store.indexes:
        if idx.unique and all(p in eq for p in idx.positions):
            return AccessPath(
                _index_eq(idx, [eq[p].value for p in idx.positions]),
                [eq[p].source for p in idx.positions],
                _label(idx, "="),
            )
    composite = _composite_path(store, terms, eq)
    if composite is not None:
        return composite
    prefix_and_range = _prefix_path(store, terms, eq, need_prefix=True, need_range=True)
    if prefix_and_range is not None:
        return prefix_and_range
    paths: list[AccessPath] = []
    for idx in store.indexes:
        if all(p in eq for p in idx.positions):
            paths.append(
                AccessPath(
                    _index_eq(idx, [eq[p].value for p in idx.positions]),
                    [eq[p].source for p in idx.positions],
                    _label(idx, "="),
                )
            )
    for t in terms:
        if t.kind == "in":
            idx = _single_index(store, t.position)
            if idx is not None or t.position == alias:
                label = "row id IN" if idx is None else _label(idx, "IN")
                in_path = _index_in(idx, t.value, t.position == alias)
                paths.append(AccessPath(in_path, [t.source], label))
    if len(paths) == 1:
        return paths[0]
    if paths:
        label = "smallest of " + "; ".join(p.label for p in paths)
        return AccessPath(_smallest([p.rowids for p in paths]), [], label)
    for t in terms:
        if t.kind == "null":
            idx = _single_index(store, t.position)
            if idx is not None:
                return AccessPath(_index_null(idx), [], _label(idx, "IS NULL"))
    ranges = [t for t in terms if t.kind == "range"]
    for t in ranges:
        idx = _single_index(store, t.position)
        if idx is None:
            continue
        lows = [r for r in ranges if r.position == t.position and r.low is not None]
        highs = [r for r in ranges if r.position == t.position and r.high is not None]
        return AccessPath(_index_range(idx, lows[:1], highs[:1]), [], _label(idx, "range"))
    return _prefix_path(store, terms, eq, need_prefix=False, need_range=False)


def _label(idx: HashIndex, how: str, served: int | None = None) -> str:
    """How a path reads `idx`: e.g. `index ix_bars (symbol =, ts range)`."""
    columns = idx.columns if served is None else idx.columns[:served]
    parts = [f"{c} =" for c in columns[:-1]]
    parts.append(f"{columns[-1]} {how}")
    return f"index {idx.name} ({', '.join(parts)})"


def _composite_path(
    store: TableStore, terms: list[_Term], eq: dict[int, _Term]
) -> AccessPath | None:
    """The multi-column index whose every column is pinned by =, IN or IS NULL, preferring
    the one that decides the most terms (it is the most selective)."""
    pinned: dict[int, _Term] = dict(eq)
    for t in terms:
        if t.kind in ("in", "null"):
            pinned.setdefault(t.position, t)
    best: HashIndex | None = None
    for idx in store.indexes:
        if (
            len(idx.positions) > 1
            and all(p in pinned for p in idx.positions)
            and (best is None or len(idx.positions) > len(best.positions))
        ):
            best = idx
    if best is None:
        return None
    parts = [(pinned[p], pinned[p].kind == "in") for p in best.positions]
    if all(t.kind == "eq" for t, _ in parts):
        return AccessPath(
            _index_eq(best, [t.value for t, _ in parts]),
            [t.source for t, _ in parts],
            _label(best, "="),
        )
    label = _label(best, "= / IN / IS NULL")
    return AccessPath(_index_keys(best, parts), [t.source for t, _ in parts], label)


def _prefix_path(
    store: TableStore,
    terms: list[_Term],
    eq: dict[int, _Term],
    *,
    need_prefix: bool,
    need_range: bool,
) -> AccessPath | None:
    """A multi-column index read in key order: `=` on its first columns and a range on the
    next one (either may be missing, not both), choosing the index that serves the most
    columns.

    Sorted keys leave out keys holding a NULL, so an index qualifies only when its columns
    after the served ones are NOT NULL: a matching row can't hide behind a NULL there.
    """
    ranges: dict[int, list[_Term]] = {}
    for t in terms:
        if t.kind == "range":
            ranges.setdefault(t.position, []).append(t)
    best: tuple[HashIndex, int, int] | None = None
    for idx in store.indexes:
        positions = idx.positions
        if idx.single:
            continue
        prefix = 0
        while prefix < len(positions) and positions[prefix] in eq:
            prefix += 1
        if prefix == len(positions):
            continue  # every column pinned: a hash look-up serves it
        served = prefix + (positions[prefix] in ranges)
        if (
            served == 0
            or (need_prefix and prefix == 0)
            or (need_range and served == prefix)
            or any(p not in store.not_null for p in positions[served:])
        ):
            continue
        if best is None or (served, idx.unique) > (best[1], best[0].unique):
            best = (idx, served, prefix)
    if best is None:
        return None
    idx, served, prefix = best
    bounds = ranges.get(idx.positions[prefix], []) if served > prefix else []
    lows = [t for t in bounds if t.low is not None][:1]
    highs = [t for t in bounds if t.high is not None][:1]
    keys = _prefix_keys(idx, [eq[p].value for p in idx.positions[:prefix]], lows, highs)

    def rowids(store: TableStore, env: Env) -> Iterable[int] | None:
        found = keys(store, env)
        if found is None:
            return None
        index, picked = found
        return sorted(index.rowids_for_keys(picked))

    def in_order(descending: bool) -> RowidsFn:
        def ordered(store: TableStore, env: Env) -> Iterable[int] | None:
            found = keys(store, env)
            if found is None:
                return None
            index, picked = found
            return index.rowids_for_keys(reversed(picked) if descending else picked)

        return ordered

    # the keys found are exactly the rows these terms accept (a comparison that Python can't
    # make falls back to a full scan): they need no second look
    covered = [eq[p].source for p in idx.positions[:prefix]]
    for bound in (*lows, *highs):
        if not any(bound.source is c for c in covered):
            covered.append(bound.source)
    how = "range" if served > prefix else "="
    return AccessPath(
        rowids,
        covered,
        _label(idx, how, served),
        idx.positions[prefix:],
        in_order if idx.unique else None,
    )


KeysFn = Callable[[TableStore, Env], tuple[HashIndex, list[Any]] | None]


def _prefix_keys(
    idx: HashIndex, prefix: list[Fn | None], lows: list[_Term], highs: list[_Term]
) -> KeysFn:
    """The keys of `idx` that start with the prefix values and whose next column is within
    the bounds, ascending (None when the keys or the bounds do not sort)."""
    empty: list[Any] = []

    def keys(store: TableStore, env: Env) -> tuple[HashIndex, list[Any]] | None:
        values = tuple(fn(None, env) for fn in prefix if fn is not None)
        found = _current_index(store, idx)
        if any(v is None for v in values):
            return found, empty  # `= NULL` matches nothing
        low = high = None
        low_inclusive = high_inclusive = True
        if lows:
            assert lows[0].low is not None
            low, low_inclusive = lows[0].low(None, env), lows[0].low_inclusive
            if low is None:
                return found, empty
        if highs:
            assert highs[0].high is not None
            high, high_inclusive = highs[0].high(None, env), highs[0].high_inclusive
            if high is None:
                return found, empty
        picked = found.prefix_range_keys(values, low, low_inclusive, high, high_inclusive)
        return None if picked is None else (found, picked)

    return keys


def _single_index(store: TableStore, position: int) -> HashIndex | None:
    for idx in store.indexes:
        if idx.positions == (position,):
            return idx
    return None


_MAX_PROBES = 4096


def _index_keys(idx: HashIndex, parts: list[tuple[_Term, bool]]) -> RowidsFn:
    """Composite index probed with every combination of equality values and IN members."""

    def rowids(store: TableStore, env: Env) -> Iterable[int] | None:
        choices: list[list[Any]] = []
        probes = 1
        for term, is_in in parts:
            if term.kind == "null":
                values: list[Any] = [None]
            elif is_in:
                assert term.value is not None
                values = list(_members(term.value, env))
            else:
                assert term.value is not None
                value = term.value(None, env)
                values = [] if value is None else [value]
            if not values:
                return ()
            probes *= len(values)
            if probes > _MAX_PROBES:
                return None
            choices.append(values)
        found = _current_index(store, idx)
        out: list[int] = []
        try:
            for key in product(*choices):
                out.extend(found.lookup(key))
        except TypeError:
            return None
        return out

    return rowids


def _smallest(options: list[RowidsFn]) -> RowidsFn:
    """Use whichever index gives the fewest candidates for this execution's values."""

    def rowids(store: TableStore, env: Env) -> Iterable[int] | None:
        best: Any = None
        for option in options:
            found: Any = option(store, env)
            if found is None:
                continue
            if not hasattr(found, "__len__"):
                found = list(found)
            if best is None or len(found) < len(best):
                best = found
                if len(best) <= 1:
                    break
        chosen: Iterable[int] | None = best
        return chosen

    return rowids


def _index_null(idx: HashIndex) -> RowidsFn:
    return lambda store, env: _current_index(store, idx).lookup(None)


def _rowid_eq(value: Fn | None) -> RowidsFn:
    assert value is not None

    def rowids(store: TableStore, env: Env) -> Iterable[int]:
        v = value(None, env)
        if v is None:
            return ()
        try:
            return (v,) if v in store.rows else ()
        except TypeError:
            return ()

    return rowids


def _index_eq(idx: HashIndex, fns: list[Fn | None]) -> RowidsFn:
    if len(fns) == 1:
        (fn,) = fns
        assert fn is not None

        def single(store: TableStore, env: Env) -> Iterable[int]:
            v = fn(None, env)
            if v is None:
                return ()
            found = _current_index(store, idx)
            try:
                return found.lookup(v)
            except TypeError:
                return ()

        return single

    def composite(store: TableStore, env: Env) -> Iterable[int]:
        key = tuple(f(None, env) for f in fns if f is not None)
        if None in key:
            return ()
        found = _current_index(store, idx)
        try:
            return found.lookup(key)
        except TypeError:
            return ()

    return composite


def _current_index(store: TableStore, planned: HashIndex) -> HashIndex:
    """The table's index the plan chose, as the store holds it now: a table dropped and made
    again, or an index dropped and made again, holds new index objects."""
    if planned in store.indexes:
        return planned
    for idx in store.indexes:
        if idx.positions == planned.positions:
            return idx
    raise StalePlan(planned.name)


def _index_in(idx: HashIndex | None, fn: Fn | None, is_rowid: bool) -> RowidsFn:
    assert fn is not None
    in_fn: Any = fn

    def rowids(store: TableStore, env: Env) -> Iterable[int] | None:
        members = _members(in_fn, env)
        if members is None:
            return None
        if is_rowid:
            rows = store.rows
            return sorted(v for v in members if v in rows)
        assert idx is not None
        found = _current_index(store, idx)
        out: list[int] = []
        for v in members:
            out.extend(found.lookup(v))
        return out

    return rowids


def _members(in_fn: Any, env: Env) -> Any:
    members, _has_null, _empty = in_fn(None, env)
    return members


def _index_range(idx: HashIndex, lows: list[_Term], highs: list[_Term]) -> RowidsFn:
    def rowids(store: TableStore, env: Env) -> Iterable[int] | None:
        low = high = None
        low_inc = high_inc = True
        if lows:
            t = lows[0]
            assert t.low is not None
            low, low_inc = t.low(None, env), t.low_inclusive
            if low is None:
                return ()
        if highs:
            t = highs[0]
            assert t.high is not None
            high, high_inc = t.high(None, env), t.high_inclusive
            if high is None:
                return ()
        found = _current_index(store, idx)
        keys = found.range_keys(low, low_inc, high, high_inc)
        if keys is None:
            return None
        return sorted(found.rowids_for_keys(keys))

    return rowids
