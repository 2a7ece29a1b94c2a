"""Compile SQLAlchemy column expressions into closures `fn(row, env) -> value`.

Expressions are compiled once per cached statement; per row only the closures run.
NULL is Python `None` and predicates use SQL's three-valued logic (`None` = unknown).
"""

from __future__ import annotations

import datetime as dt
import inspect
import operator as op
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from sqlalchemy.sql import elements, functions, operators, selectable, sqltypes

from . import values as V
from .affinities import (
    comparison_affinity,
    held_as_object,
    list_item_affinity,
    object_beside_members,
    object_beside_other,
    subquery_member_affinity,
    unwrapped,
)
from .chains import Operand, Step, sqlite_reading
from .collations import CollationKey, collation_key, comparison_collation, holds_collate
from .date_functions import DATE_FUNCTIONS
from .errors import NotSupportedError, OperationalError
from .functions import (
    AGGREGATES,
    SCALAR_FUNCTIONS,
    STATEMENT_CONSTANTS,
    utc_now,
)
from .json_functions import JSON_MADE, JSON_QUOTE_OF, as_json, json_object_of
from .math_functions import fn_floor
from .ordering import order_term, peel_order
from .range_frames import CURRENT, FOLLOWING, PRECEDING, UNBOUNDED
from .releases import function_missing, iif_takes
from .text_functions import fn_regexp
from .types import (
    STORED_FORMS,
    TEMPORAL,
    TEMPORAL_KINDS,
    affinity,
    as_stored_text,
    collation,
    convert,
    declared_affinity,
    to_numeric,
    to_real,
)
from .windows import (
    EXCLUSIONS,
    WINDOW_FUNCTIONS,
    Bound,
    Frame,
    WindowSpec,
)

Fn = Callable[[Any, "Env"], Any]

_INVALID_FRAMES = {(CURRENT, PRECEDING), (FOLLOWING, CURRENT), (FOLLOWING, PRECEDING)}
"""Frames SQLite rejects as an "unsupported frame specification"."""
_FRAME_KINDS = {
    "UNBOUNDED": UNBOUNDED,
    "CURRENT": CURRENT,
    "PRECEDING": PRECEDING,
    "FOLLOWING": FOLLOWING,
}


@cache
def _takes(impl: Callable[..., Any], count: int) -> bool:
    """Whether a function's implementation takes `count` arguments."""
    try:
        inspect.signature(impl).bind(*([None] * count))
    except TypeError:
        return False
    except ValueError:  # no signature to read: let the call decide
        return True
    return True


def _tuple_bound(value: Any) -> Bound:
    """A frame bound of SQLAlchemy 2.0: RANGE_UNBOUNDED, RANGE_CURRENT or a signed offset."""
    name = getattr(value, "name", None)
    if name == "RANGE_UNBOUNDED":
        return UNBOUNDED, None
    if name == "RANGE_CURRENT" or value == 0:
        return CURRENT, None
    offset = abs(value)
    return (PRECEDING if value < 0 else FOLLOWING), lambda row, env: offset


def _clause_bound(kind: str, bind: Any, compiler: Any) -> Bound:
    """A frame bound of SQLAlchemy 2.1: its kind, and its offset as a bound parameter."""
    return _FRAME_KINDS[kind], None if bind is None else compiler.compile(bind)


class Env:
    """Per-execution state: parameters, outer rows of enclosing queries, caches."""

    __slots__ = ("_now", "cache", "params", "session", "stack")

    def __init__(self, params: dict[str, Any], session: Any = None) -> None:
        self.params = params
        self.session = session
        self.stack: list[Any] = []
        self.cache: dict[Any, Any] = {}
        self._now: dt.datetime | None = None

    def now(self) -> dt.datetime:
        if self._now is None:
            self._now = utc_now()
        return self._now


class SubPlan(Protocol):
    """A planned subquery: its rows for an environment, and whether it is correlated."""

    correlated: bool

    def run(self, env: Env) -> list[tuple[Any, ...]]: ...


class SubPlanner(Protocol):
    def plan_subquery(self, element: Any, scope: Scope | None) -> SubPlan: ...


# binds ---------------------------------------------------------------------------------
class Binds:
    """Maps BindParameter objects of a compiled statement to parameter keys."""

    def __init__(self, compiled: Any | None) -> None:
        self.compiled = compiled
        if compiled is None:
            self.names: dict[Any, str] = {}
            self.escaped: dict[str, str] = {}
        else:
            self.names = compiled.bind_names
            self.escaped = compiled.escaped_bind_names or {}
        self.by_key = {bp.key: name for bp, name in self.names.items()}
        self.expanding: dict[str, Any] = {}
        self.literal_execute: dict[str, Any] = {}

    def name_of(self, bp: elements.BindParameter[Any]) -> str | None:
        name = self.names.get(bp)
        if name is None:
            name = self.by_key.get(bp.key)
        return name

    def getter(self, bp: elements.BindParameter[Any]) -> Fn:
        name = self.name_of(bp)
        if name is None:
            value = bp.effective_value
            if bp.expanding:
                value = list(value or ())
            return lambda row, env: value
        if bp.expanding:
            self.expanding[name] = bp
            return lambda row, env: env.params[name]
        if bp.literal_execute:
            self.literal_execute[name] = bp
            return lambda row, env: env.params[name]
        key = self.escaped.get(name, name)

        def get(row: Any, env: Env) -> Any:
            return env.params[key]

        return get


# scopes --------------------------------------------------------------------------------
@dataclass(eq=False)
class Source:
    """One FROM item (table, alias, derived table) and where its row sits in a frame row."""

    from_obj: Any
    slot: int
    nullable: bool
    columns: dict[Any, int] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)

    def position(self, column: Any) -> int | None:
        pos = self.columns.get(column)
        if pos is None:
            pos = self.names.get(getattr(column, "name", None) or "")
        return pos


class Scope:
    """FROM items visible at one SELECT level; a frame row holds one row per source
    (or is the source row itself when there is a single source)."""

    def __init__(self, parent: Scope | None, sources: list[Source]) -> None:
        self.parent = parent
        self.depth: int = 0 if parent is None else parent.depth + 1
        self.sources = sources
        self.single = len(sources) == 1
        self.uses_outer = False

    def find(self, column: Any) -> tuple[Source, int] | None:
        table = getattr(column, "table", None)
        if table is None:
            # an unqualified name resolves against the FROM items, as in SQL
            name = getattr(column, "name", None)
            if not isinstance(name, str) or getattr(column, "is_literal", False):
                return None
            for src in self.sources:
                pos = src.names.get(name)
                if pos is not None:
                    return src, pos
            return None
        for src in self.sources:
            if src.from_obj is table or _same_from(src.from_obj, table):
                pos = src.position(column)
                if pos is not None:
                    return src, pos
        return None


def _same_from(a: Any, b: Any) -> bool:
    try:
        return hash(a) == hash(b) and (a is b or a._deannotate() is b._deannotate())
    except (AttributeError, TypeError):
        return False


def source_accessor(scope: Scope, src: Source, pos: int, from_depth: int) -> Fn:
    """Read column `pos` of `src` for a row of `scope`, from a scope at `from_depth`."""
    slot = src.slot
    if scope.depth == from_depth:
        if scope.single:
            return lambda row, env: row[pos]
        if src.nullable:

            def nullable_get(row: Any, env: Env) -> Any:
                r = row[slot]
                return None if r is None else r[pos]

            return nullable_get
        return lambda row, env: row[slot][pos]
    depth: int = scope.depth
    if scope.single:
        return lambda row, env: env.stack[depth][pos]
    if src.nullable:

        def outer_nullable_get(row: Any, env: Env) -> Any:
            r = env.stack[depth][slot]
            return None if r is None else r[pos]

        return outer_nullable_get
    return lambda row, env: env.stack[depth][slot][pos]


# aggregates ----------------------------------------------------------------------------
@dataclass(eq=False)
class AggSpec:
    """One aggregate call found in a grouped query."""

    name: str
    arg: Fn | None
    distinct: bool
    filter: Fn | None
    separator: Fn | None = None
    """group_concat's separator, evaluated for each row; a comma when not given."""
    value: Fn | None = None
    """The JSON of json_group_array's argument or json_group_object's value, for each row."""


class AggCollector:
    """Collects the aggregates of a grouped query; group rows are `(rep_row, values)`."""

    def __init__(self) -> None:
        self.specs: list[AggSpec] = []

    def add(self, spec: AggSpec) -> int:
        self.specs.append(spec)
        return len(self.specs) - 1


def is_aggregate_call(el: Any) -> bool:
    if isinstance(el, elements.FunctionFilter):
        return True
    if not isinstance(el, functions.FunctionElement):
        return False
    name = getattr(el, "name", "").lower()
    if name not in AGGREGATES:
        return False
    nargs = len(el.clauses.clauses)
    return not (name in ("min", "max") and nargs > 1)


def contains_aggregate(el: Any) -> bool:
    """True when `el` calls an aggregate outside any nested subquery."""
    stack = [el]
    while stack:
        e = stack.pop()
        if is_aggregate_call(e):
            return True
        if isinstance(e, selectable.SelectBase | selectable.ScalarSelect | selectable.Exists):
            continue
        if isinstance(e, elements.Over):  # the window function is no aggregate of the group
            function = e.element
            stack.extend(getattr(function, "clauses", function).get_children())
            stack.extend(c for c in (e.partition_by, e.order_by) if c is not None)
            continue
        stack.extend(e.get_children())
    return False


def _converted(fn: Fn, convert_value: Callable[[Any], Any] | None) -> Fn:
    if convert_value is None:
        return fn

    def value(row: Any, env: Env) -> Any:
        v = fn(row, env)
        return v if v is None else convert_value(v)

    return value


# the compiler --------------------------------------------------------------------------
_COMPARATORS: dict[Any, Callable[[Any, Any], bool]] = {
    operators.eq: op.eq,
    operators.ne: op.ne,
    operators.lt: V.lt,
    operators.le: V.le,
    operators.gt: V.gt,
    operators.ge: V.ge,
}

_TRUTH_OPERATORS = frozenset(
    {
        operators.in_op,
        operators.not_in_op,
        operators.is_,
        operators.is_not,
        operators.is_distinct_from,
        operators.is_not_distinct_from,
        operators.between_op,
        operators.not_between_op,
        operators.like_op,
        operators.not_like_op,
    }
)
"""Operators besides the comparisons whose values are True, False or NULL only."""

_CHAIN_FUNCTIONS: dict[str, Callable[[Any, Any], Any]] = {
    "||": V.concat,
    "*": V.mul,
    "/": V.intdiv,  # SQLite's own division: whole for two integers
    "%": V.mod,
    "+": V.add,
    "-": V.sub,
    "&": V.bit_and,
    "|": V.bit_or,
    "<<": V.shift_left,
    ">>": V.shift_right,
}


_REGEXP_OPS = (operators.regexp_match_op, operators.not_regexp_match_op)

_EQUALITY_LEVEL = (_TRUTH_OPERATORS - {operators.not_in_op}) | {
    operators.eq,
    operators.ne,
    *_REGEXP_OPS,
}
"""Operators that bind less tightly than BETWEEN's upper bound on SQLite, and that SQLAlchemy
writes there without parentheses (NOT IN it parenthesizes; the LIKE family below too)."""

_EQUALITY_LEVEL_CUSTOM = frozenset({"=", "==", "!=", "<>", "IS", "IS NOT", "LIKE", "NOT LIKE"})


def _binds_below_between(el: Any) -> bool:
    """Whether SQLite reads `x BETWEEN a AND el` as `(x BETWEEN a AND el.left) op el.right`."""
    if not isinstance(el, elements.BinaryExpression):
        return False
    oper = el.operator
    if isinstance(oper, operators.custom_op):
        return oper.opstring.strip().upper() in _EQUALITY_LEVEL_CUSTOM
    return oper in _EQUALITY_LEVEL or oper in _LIKE_OPS


_HELD_TYPES = (*TEMPORAL, uuid.UUID)


_OBJECTS_A_KIND_READS: dict[str, tuple[type[Any], ...]] = {
    "datetime": (dt.datetime,),
    "interval": (dt.datetime,),  # held as the datetime that far from the epoch
    "date": (dt.date,),
    "time": (dt.time,),
    "uuid": (uuid.UUID,),
}
"""The Python objects each kind keeps as they are (a datetime is a date but no date value)."""


def _held_objects_as_text(fn: Fn, type_: Any) -> Fn:
    """`fn` with the dates, times and UUIDs it passes on as the text SQLite holds, unless its
    SQLAlchemy type reads that kind of object: SQLite hands on the stored text (an IFNULL of a
    date column typed as nothing, a CASE typed by an integer branch, a date in a CASE typed by a
    datetime branch), which the type's result processing then reads."""
    kept = _OBJECTS_A_KIND_READS.get(affinity(type_), ())

    def stored(row: Any, env: Env) -> Any:
        value = fn(row, env)
        if isinstance(value, _HELD_TYPES) and type(value) not in kept:
            return as_stored_text(value)
        return value

    return stored


def _truth_as_integer(fn: Fn) -> Fn:
    """`fn` with a truth value as the integer SQLite gives, for an expression SQLAlchemy does
    not read as a boolean."""

    def as_sqlite_returns(row: Any, env: Env) -> Any:
        value = fn(row, env)
        return int(value) if type(value) is bool else value

    return as_sqlite_returns


def _may_give_truth(oper: Any) -> bool:
    """Whether an operator's values may be Python's True and False here."""
    return (
        isinstance(oper, operators.custom_op)
        or oper in _COMPARATORS
        or oper in _TRUTH_OPERATORS
        or oper in _LIKE_OPS
        or oper in _REGEXP_OPS
    )


def _between_as_sqlite_reads_it(el: Any) -> Any:
    """`x BETWEEN a AND b = c` as SQLite reads it: `(x BETWEEN a AND b) = c`. SQLAlchemy
    writes its `x BETWEEN a AND (b = c)` without the parentheses."""
    low_el, high_el = el.right.clauses
    inner = el.left.between(low_el, high_el.left)
    if el.operator is operators.not_between_op:
        inner = ~inner
    return elements.BinaryExpression(
        inner, high_el.right, high_el.operator, type_=high_el.type, modifiers=high_el.modifiers
    )


def _REAL_ZERO(row: Any, env: Any) -> float:
    """The `0.0` of `(x + 0.0)`, which SQLAlchemy writes for a true division's divisor."""
    return 0.0


_COLLATING_FUNCTIONS = frozenset({"min", "max", "nullif"})
"""Scalar functions SQLite runs with a collation (SQLITE_FUNC_NEEDCOLL)."""

_ARITHMETIC: dict[Any, Callable[[Any, Any], Any]] = {
    operators.add: V.add,
    operators.sub: V.sub,
    operators.mul: V.mul,
    operators.truediv: V.truediv,
    operators.mod: V.mod,
    operators.concat_op: V.concat,
    operators.bitwise_and_op: V.bit_and,
    operators.bitwise_or_op: V.bit_or,
    operators.bitwise_lshift_op: V.shift_left,
    operators.bitwise_rshift_op: V.shift_right,
}

_CUSTOM_OPS: dict[str, Any] = {
    "=": operators.eq,
    "==": operators.eq,
    "!=": operators.ne,
    "<>": operators.ne,
    "<": operators.lt,
    "<=": operators.le,
    ">": operators.gt,
    ">=": operators.ge,
    "+": operators.add,
    "-": operators.sub,
    "*": operators.mul,
    "%": operators.mod,
    "||": operators.concat_op,
    "LIKE": operators.like_op,
    "NOT LIKE": operators.not_like_op,
    "IS": operators.is_,
    "IS NOT": operators.is_not,
}

_LIKE_OPS: dict[Any, tuple[str, bool]] = {
    operators.like_op: ("", False),
    operators.not_like_op: ("", True),
    operators.ilike_op: ("", False),
    operators.not_ilike_op: ("", True),
    operators.startswith_op: ("start", False),
    operators.not_startswith_op: ("start", True),
    operators.istartswith_op: ("start", False),
    operators.not_istartswith_op: ("start", True),
    operators.endswith_op: ("end", False),
    operators.not_endswith_op: ("end", True),
    operators.iendswith_op: ("end", False),
    operators.not_iendswith_op: ("end", True),
    operators.contains_op: ("contains", False),
    operators.not_contains_op: ("contains", True),
    operators.icontains_op: ("contains", False),
    operators.not_icontains_op: ("contains", True),
}


_PASSING_ARGUMENTS = frozenset(
    {"coalesce", "ifnull", "nullif", "iif", "if", "likely", "unlikely", "max", "min"}
)
"""Scalar functions that may return an argument as it is: a truth value among them comes out
of SQLite as the integer it stores, unless SQLAlchemy reads the result as a boolean."""


def _not(value: Any) -> Any:
    return None if value is None else not _truth(value)


def _truth(value: Any) -> bool:
    """Whether a WHERE/ON/HAVING/CASE WHEN value holds, as SQLite tests it: NULL does not, and
    any other value by the number it converts to (`'1x'` holds, `'abc'` and `'0.0'` do not)."""
    if value is None or value is False:
        return False
    if value is True:
        return True
    kind = type(value)
    if kind is int or kind is float:
        return bool(value != 0)
    return bool(to_real(as_stored_text(value)) != 0)


def passes_check(value: Any) -> bool:
    """Whether a CHECK constraint's value lets the row in: NULL does, any other value by the
    truth `WHERE` tests it with (`'abc'` fails, `'0.5'` passes)."""
    return value is None or _truth(value)


def _falsy(value: Any) -> bool:
    """Known to be false: not NULL, and not true by `_truth`."""
    return value is not None and not _truth(value)


_YIELDS_TRUTH_VALUES = (
    elements.BooleanClauseList,
    selectable.Exists,
    elements.True_,
    elements.False_,
)


def yields_truth_values(el: Any) -> bool:
    """True for an expression whose values are True, False or NULL only (comparisons, AND, OR,
    NOT, EXISTS): a test reads those as they are, other values through `_truth`."""
    el = unwrapped(el)
    if isinstance(el, _YIELDS_TRUTH_VALUES):
        return True
    if isinstance(el, elements.BinaryExpression):
        return el.operator in _COMPARATORS or el.operator in _TRUTH_OPERATORS
    if isinstance(el, elements.UnaryExpression):
        return el.operator in (
            operators.inv,
            operators.is_true,
            operators.is_false,
            operators.exists,
        )
    return False


def unsupported(what: str) -> NotSupportedError:
    return NotSupportedError(f"{what} is not supported by the memory dialect")


class ExprCompiler:
    """Compiles column expressions against a scope."""

    def __init__(
        self,
        binds: Binds,
        scope: Scope | None,
        planner: SubPlanner | None = None,
        aggregates: AggCollector | None = None,
        labels: dict[str, Any] | None = None,
        windows: list[WindowSpec] | None = None,
    ) -> None:
        self.binds = binds
        self.scope = scope
        self.planner = planner
        self.aggregates = aggregates
        self.labels = labels or {}
        self.windows = windows  # where this SELECT's window functions go; None: none allowed
        #: whether a COLLATE met now is applied by what is being compiled (a comparison, IN,
        #: BETWEEN or ORDER BY); elsewhere it is refused rather than ignored
        self.collations_taken = False

    @contextmanager
    def taking_collations(self, taken: bool = True) -> Iterator[None]:
        was = self.collations_taken
        self.collations_taken = taken
        try:
            yield
        finally:
            self.collations_taken = was

    def collated(self, el: Any, key: CollationKey | None) -> Fn:
        """`el` compiled where a COLLATE in it is applied, its text keyed by `key`."""
        with self.taking_collations():
            fn = self.compile(el)
        return _keyed(fn, key)

    def row_mode(self) -> ExprCompiler:
        """A compiler for aggregate arguments (plain frame rows)."""
        return ExprCompiler(self.binds, self.scope, self.planner, None, self.labels)

    # entry -----------------------------------------------------------------------------
    def compile(self, el: Any) -> Fn:
        if isinstance(el, selectable.ScalarSelect):
            return self._scalar_subquery(el.element)
        if isinstance(el, selectable.Exists):
            return self._exists(el)
        if isinstance(el, selectable.SelectBase):
            return self._scalar_subquery(el)
        if self.aggregates is not None and is_aggregate_call(el):
            return self._aggregate(el)
        visit = getattr(self, "visit_" + el.__visit_name__, None)
        if visit is None:
            raise unsupported(f"SQL construct {type(el).__name__} ({el})")
        fn: Fn = visit(el)
        return fn

    def predicate(self, el: Any) -> Callable[[Any, Env], Any]:
        """A WHERE/HAVING test: a truthy result keeps the row (None, unknown, does not)."""
        test = self.compile(el)
        if yields_truth_values(el):
            return test
        return lambda row, env: _truth(test(row, env))  # `WHERE x` tests x as SQLite does

    # leaves ----------------------------------------------------------------------------
    def visit_column(self, el: Any) -> Fn:
        if getattr(el, "is_literal", False):
            return self._literal_column(el)
        scope = self.scope
        depth = scope.depth if scope is not None else 0
        s = scope
        while s is not None:
            found = s.find(el)
            if found is not None:
                src, pos = found
                fn = source_accessor(s, src, pos, depth)
                if s is not scope:
                    inner = scope
                    while inner is not None and inner is not s:
                        inner.uses_outer = True
                        inner = inner.parent
                if self.aggregates is not None and s is scope:
                    return _on_representative(fn)
                return fn
            s = s.parent
        label = self.labels.get(getattr(el, "name", None) or "")
        if label is not None and getattr(el, "table", None) is None:
            return self.compile(label)
        raise OperationalError(f"no such column: {el}")

    def _literal_column(self, el: Any) -> Fn:
        text = el.name.strip()
        upper = text.upper()
        if text == "*":
            return lambda row, env: 1
        if upper == "NULL":
            return lambda row, env: None
        if upper in ("CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"):
            make = STATEMENT_CONSTANTS[upper.lower()]
            return lambda row, env: make(env.now())
        try:
            value: Any = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                if len(text) >= 2 and text[0] == text[-1] == "'":
                    value = text[1:-1].replace("''", "'")
                else:
                    raise unsupported(f"literal_column({text!r})") from None
        return lambda row, env: value

    def visit_table(self, el: Any) -> Fn:
        raise unsupported(f"table {el} used as a value")

    def compared(self, reference: Any, other: Any) -> Fn:
        """`other` as SQLite compares it with `reference` (see `comparison_affinity`)."""
        return _converted(self.compile(other), comparison_affinity(reference, other))

    def visit_bindparam(self, el: Any) -> Fn:
        return self.binds.getter(el)

    def visit_null(self, el: Any) -> Fn:
        return lambda row, env: None

    def visit_true(self, el: Any) -> Fn:
        return lambda row, env: True

    def visit_false(self, el: Any) -> Fn:
        return lambda row, env: False

    def visit_label(self, el: Any) -> Fn:
        return self.compile(el.element)

    def visit_grouping(self, el: Any) -> Fn:
        return self.compile(el.element)

    def visit_type_coerce(self, el: Any) -> Fn:
        # What SQLAlchemy compiles: for a parameter, a copy typed as coerced, with its own key.
        inner = self.compile(el.typed_expression)
        source = affinity(el.clause.type)
        stored = STORED_FORMS.get(source)
        if stored is None or affinity(el.type) == source:
            return inner
        return _converted(inner, stored)  # SQLite hands what it stores to the other type

    def visit_label_reference(self, el: Any) -> Fn:
        return self.compile(el.element)

    def visit_textual_label_reference(self, el: Any) -> Fn:
        target = self.labels.get(el.element)
        if target is None:
            raise OperationalError(f"no such column: {el.element}")
        return self.compile(target)

    def visit_textclause(self, el: Any) -> Fn:
        raise unsupported(f"text() SQL fragment {el.text!r}")

    def visit_cast(self, el: Any) -> Fn:
        declared = collation(el.type)
        if declared is not None:
            raise unsupported(f"CAST to a type with COLLATE {declared}")
        inner = self.compile(el.clause)
        stored = STORED_FORMS.get(affinity(el.clause.type))
        if stored is not None:
            inner = _converted(inner, stored)  # SQLite casts what it stores
        type_ = el.type
        kind = affinity(type_)
        if kind in TEMPORAL_KINDS or (
            kind in ("real", "boolean") and declared_affinity(type_) == "numeric"
        ):
            # DATE, DATETIME, TIME, NUMERIC and BOOLEAN have NUMERIC affinity on SQLite:
            # '2024-03-01' casts to 2024, 5 stays an integer and '1e3' becomes one
            return _converted(inner, to_numeric)
        return lambda row, env: convert(inner(row, env), type_)

    def visit_tuple(self, el: Any) -> Fn:
        parts = [self.compile(c) for c in el.clauses]
        return lambda row, env: tuple([p(row, env) for p in parts])

    def visit_clauselist(self, el: Any) -> Fn:
        if el.operator is operators.comma_op or el.operator is None:
            return self.visit_tuple(el)
        return self.visit_expression_clauselist(el)

    def visit_expression_clauselist(self, el: Any) -> Fn:
        if el.operator in _ARITHMETIC:
            reading = sqlite_reading(el)
            if reading is not None:  # `||` among arithmetic, written without parentheses
                return self._chain(reading)
        parts = [self.compile(c) for c in el.clauses]
        folded = _ARITHMETIC.get(el.operator)
        if folded is not None:
            fold = folded

            def fold_values(row: Any, env: Env) -> Any:
                value = parts[0](row, env)
                for p in parts[1:]:
                    value = fold(value, p(row, env))
                return value

            return fold_values
        if el.operator is operators.and_:
            return _and(parts)
        if el.operator is operators.or_:
            return _or(parts)
        if el.operator is operators.comma_op:
            return lambda row, env: tuple([p(row, env) for p in parts])
        raise unsupported(f"clause list with operator {el.operator}")

    def visit_case(self, el: Any) -> Fn:
        return _held_objects_as_text(self._case(el), el.type)

    def _case(self, el: Any) -> Fn:
        if el.value is not None:
            with self.taking_collations(False):  # `CASE x WHEN y` compares by a collation
                return self._simple_case(el)
        whens = [(self.compile(c), self.compile(r)) for c, r in el.whens]
        else_ = self.compile(el.else_) if el.else_ is not None else None

        def searched_case(row: Any, env: Env) -> Any:
            for cond, result in whens:
                if _truth(cond(row, env)):
                    return result(row, env)
            return else_(row, env) if else_ is not None else None

        return searched_case

    def _simple_case(self, el: Any) -> Fn:
        whens = [(self.compile(c), self.compile(r)) for c, r in el.whens]
        else_ = self.compile(el.else_) if el.else_ is not None else None
        value = self.compile(el.value)

        def simple_case(row: Any, env: Env) -> Any:
            v = value(row, env)
            if v is not None:
                for cond, result in whens:
                    c = cond(row, env)
                    if c is not None and V.compare(v, c) == 0:
                        return result(row, env)
            return else_(row, env) if else_ is not None else None

        return simple_case

    def visit_extract(self, el: Any) -> Fn:
        inner = self.compile(el.expr)
        field_name = el.field.lower()
        getters: dict[str, Callable[[Any], Any]] = {
            "year": lambda d: d.year,
            "month": lambda d: d.month,
            "day": lambda d: d.day,
            "hour": lambda d: d.hour,
            "minute": lambda d: d.minute,
            "second": lambda d: d.second,
            "dow": lambda d: (d.weekday() + 1) % 7,
            "doy": lambda d: d.timetuple().tm_yday,
        }
        getter = getters.get(field_name)
        if getter is None:
            raise unsupported(f"extract({field_name!r})")
        return lambda row, env: None if (v := inner(row, env)) is None else getter(v)

    # operators -------------------------------------------------------------------------
    def visit_unary(self, el: Any) -> Fn:
        oper = el.operator
        modifier = el.modifier
        if oper is operators.inv:
            inner = self.compile(el.element)
            return lambda row, env: _not(inner(row, env))
        if oper is operators.neg:
            inner = self.compile(el.element)
            return lambda row, env: V.negate(inner(row, env))
        if oper is operators.bitwise_not_op:
            inner = self.compile(el.element)
            return lambda row, env: V.bit_not(inner(row, env))
        if oper is operators.exists:
            return self._exists(el)
        if oper is None and modifier in (
            operators.asc_op,
            operators.desc_op,
            operators.nulls_first_op,
            operators.nulls_last_op,
        ):
            return self.compile(el.element)
        if oper in (operators.is_true, operators.is_false):
            # SQLite has no boolean type: SQLAlchemy renders these as `x = 1` and `x = 0`
            number = elements.literal_column(
                "1" if oper is operators.is_true else "0", sqltypes.Integer()
            )
            return self.compile(elements.BinaryExpression(el.element, number, operators.eq))
        raise unsupported(f"unary operator {getattr(oper or modifier, '__name__', oper)}")

    def visit_binary(self, el: Any) -> Fn:
        fn = self._binary(el)
        if isinstance(el.type, sqltypes.Boolean) or not _may_give_truth(el.operator):
            return fn
        return _truth_as_integer(fn)  # BETWEEN, a custom operator: not read as a boolean

    def _binary(self, el: Any) -> Fn:
        oper = el.operator
        if isinstance(oper, operators.custom_op):
            opstring = oper.opstring.strip().upper()
            if opstring == "/":  # SQL's own division: integral when both operands are integers
                return _binary_value(V.intdiv, self.compile(el.left), self.compile(el.right))
            oper = _CUSTOM_OPS.get(opstring, oper)
        if oper in _COMPARATORS:
            left, right = el.left, el.right
            if isinstance(left, elements.Tuple) or isinstance(right, elements.Tuple):
                return self._tuple_compare(oper, left, right)
            compare = _COMPARATORS[oper]
            if object_beside_other(left, right):
                compare = V.on_stored_text(compare)
            return _comparison(compare, *self._collated_operands(left, right))
        if oper in _ARITHMETIC or oper is operators.floordiv:
            reading = sqlite_reading(el)
            if reading is not None:  # `||` among arithmetic, written without parentheses
                return self._chain(reading)
        if oper in _ARITHMETIC:
            return _binary_value(_ARITHMETIC[oper], self.compile(el.left), self.compile(el.right))
        if oper is operators.floordiv:
            left_int = el.left.type._type_affinity is sqltypes.Integer
            right_int = el.right.type._type_affinity is sqltypes.Integer
            fn = V.intdiv if left_int and right_int else _floor_of_quotient
            return _binary_value(fn, self.compile(el.left), self.compile(el.right))
        if oper in (operators.in_op, operators.not_in_op):
            return self._in(el, negate=oper is operators.not_in_op)
        if oper in _LIKE_OPS:
            return self._like(el, *_LIKE_OPS[oper])
        if oper in (operators.is_, operators.is_not_distinct_from):
            return _is(*self._collated_operands(el.left, el.right), False)
        if oper in (operators.is_not, operators.is_distinct_from):
            return _is(*self._collated_operands(el.left, el.right), True)
        if oper in (operators.between_op, operators.not_between_op):
            return self._between(el, negate=oper is operators.not_between_op)
        if oper in (operators.regexp_match_op, operators.not_regexp_match_op):
            return self._regexp(el, negate=oper is operators.not_regexp_match_op)
        if oper in (operators.json_getitem_op, operators.json_path_getitem_op):
            return self._json_element(el)
        if oper is operators.collate:
            collation_key(el)  # an unknown name is SQLite's error wherever it is
            if not self.collations_taken:
                raise unsupported(
                    f"COLLATE {el.right.collation} outside a comparison, IN, BETWEEN or ORDER BY"
                )
            return self.compile(el.left)
        name = getattr(oper, "opstring", None) or getattr(oper, "__name__", str(oper))
        raise unsupported(f"operator {name!r}")

    def _chain(self, reading: Operand | Step) -> Fn:
        """A chain of `||`, arithmetic and bitwise operators as SQLite reads it (see `chains`)."""
        if isinstance(reading, Operand):
            operand = self.compile(reading.element)
            return _binary_value(V.add, operand, _REAL_ZERO) if reading.as_real else operand
        left, right = self._chain(reading.left), self._chain(reading.right)
        return _binary_value(_CHAIN_FUNCTIONS[reading.symbol], left, right)

    def _json_element(self, el: Any) -> Fn:
        """`doc["key"]` or `doc[("a", 0)]` of the JSON type, as SQLite's compiler writes it:
        JSON_QUOTE(JSON_EXTRACT(doc, path)), or a CAST of JSON_EXTRACT to the type asked for
        (`as_integer()`, `as_string()` ...)."""
        extracted = functions.func.json_extract(el.left, el.right)
        if el.type._type_affinity is sqltypes.JSON:
            return self.compile(functions.func.json_quote(extracted))
        return self.compile(elements.Cast(extracted, el.type))

    def _operands(self, left: Any, right: Any) -> tuple[Fn, Fn]:
        """Both sides of a comparison, each converted as SQLite converts it against the other."""
        return self.compared(right, left), self.compared(left, right)

    def _collated_operands(self, left: Any, right: Any) -> tuple[Fn, Fn]:
        """`_operands`, with text keyed by the comparison's collation."""
        key = _checked_collation(left, right)
        with self.taking_collations():
            fa, fb = self._operands(left, right)
        return _keyed(fa, key), _keyed(fb, key)

    def _tuple_compare(self, oper: Any, left: Any, right: Any) -> Fn:
        if oper not in (operators.eq, operators.ne):
            raise unsupported("ordering comparison of tuples")
        if holds_collate(left) or holds_collate(right):
            raise unsupported("COLLATE in a comparison of tuples")
        fl, fr = self.compile(left), self.compile(right)
        negate = oper is operators.ne

        def compare_tuples(row: Any, env: Env) -> Any:
            a, b = fl(row, env), fr(row, env)
            result: Any = True
            for x, y in zip(a, b, strict=True):
                if x is None or y is None:
                    result = None
                elif x != y:
                    return negate
            return _not(result) if negate else result

        return compare_tuples

    def _between(self, el: Any, negate: bool) -> Fn:
        low_el, high_el = el.right.clauses
        if _binds_below_between(high_el):
            return self.compile(_between_as_sqlite_reads_it(el))
        symmetric = el.modifiers.get("symmetric", False)
        if symmetric:  # SQLAlchemy writes BETWEEN SYMMETRIC, which SQLite does not know
            raise OperationalError('near "SYMMETRIC": syntax error')
        low_key = _checked_collation(el.left, low_el)
        high_key = _checked_collation(el.left, high_el)
        with self.taking_collations():
            value = self.compile(el.left)
            low, high = self.compared(el.left, low_el), self.compared(el.left, high_el)
        # `x BETWEEN y AND z` is `x >= y AND x <= z`, each comparison with its own affinities
        # and collation.
        value_low = _keyed(_converted(value, comparison_affinity(low_el, el.left)), low_key)
        value_high = _keyed(_converted(value, comparison_affinity(high_el, el.left)), high_key)
        low, high = _keyed(low, low_key), _keyed(high, high_key)

        def between(row: Any, env: Env) -> Any:
            v_lo = value_low(row, env)
            v_hi = v_lo if value_high is value_low else value_high(row, env)
            lo, hi = low(row, env), high(row, env)
            if symmetric and lo is not None and hi is not None and V.gt(lo, hi):
                lo, hi, v_lo, v_hi = hi, lo, v_hi, v_lo
            a = None if v_lo is None or lo is None else V.ge(v_lo, lo)
            b = None if v_hi is None or hi is None else V.le(v_hi, hi)
            r = _and_values(a, b)
            return _not(r) if negate else r

        return between

    def _like(self, el: Any, kind: str, negate: bool) -> Fn:
        with self.taking_collations():  # LIKE matches by its own rules, not by a collation
            value = self.compile(el.left)
            pattern = self.compile(el.right)
        escape = el.modifiers.get("escape")
        if kind == "start":
            pat = pattern
            pattern = lambda row, env: V.concat(pat(row, env), "%")  # noqa: E731
        elif kind == "end":
            pat = pattern
            pattern = lambda row, env: V.concat("%", pat(row, env))  # noqa: E731
        elif kind == "contains":
            pat = pattern
            pattern = lambda row, env: V.concat(V.concat("%", pat(row, env)), "%")  # noqa: E731

        def like(row: Any, env: Env) -> Any:
            r = V.like(value(row, env), pattern(row, env), escape)
            return _not(r) if negate else r

        return like

    def _regexp(self, el: Any, negate: bool) -> Fn:
        if el.modifiers.get("flags"):
            # SQLAlchemy's SQLite dialect drops the flags and matches without them.
            raise unsupported(
                f"regexp_match with flags {el.modifiers['flags']!r} (SQLite would ignore them; "
                "write them in the pattern, as (?i)"
            )
        with self.taking_collations():  # as LIKE, by its own rules
            value, pattern = self.compile(el.left), self.compile(el.right)

        def regexp(row: Any, env: Env) -> Any:
            r = fn_regexp(pattern(row, env), value(row, env))
            return r if r is None or not negate else 1 - r

        return regexp

    def in_values(self, el: Any) -> Callable[[Any, Env], Any]:
        """For `x IN (...)`: a function giving (members, has NULL, is empty)."""
        right = el.right
        if isinstance(right, elements.Grouping) and isinstance(
            right.element, selectable.SelectBase | selectable.ScalarSelect
        ):
            right = right.element
        if isinstance(right, selectable.ScalarSelect):
            right = right.element
        stored_text = object_beside_members(el)
        if isinstance(right, selectable.SelectBase):
            shared = subquery_member_affinity(el)
            return self._subquery_values(right, stored_text, None if shared is None else shared[1])
        if isinstance(right, elements.BindParameter) and right.expanding:
            getter = self.binds.getter(right)
            if stored_text:
                given = getter

                def as_text(row: Any, env: Env) -> Any:
                    return [as_stored_text(v) for v in given(row, env)]

                getter = as_text
            arity = _tuple_arity(right)
            convert_item = None if arity else list_item_affinity(el.left)
            if convert_item is not None:
                items, convert = getter, convert_item

                def converted_items(row: Any, env: Env) -> Any:
                    return [v if v is None else convert(v) for v in items(row, env)]

                getter = converted_items
            if arity:
                raw = getter

                def tuple_values(row: Any, env: Env) -> Any:
                    flat = raw(row, env)
                    if flat and not isinstance(flat[0], tuple):
                        return [tuple(flat[i : i + arity]) for i in range(0, len(flat), arity)]
                    return flat

                getter = tuple_values
            return _cached_values(getter, (id(right), stored_text))
        clauses = right.clauses if hasattr(right, "clauses") else [right]
        convert_item = list_item_affinity(el.left)
        parts = [_converted(self.compile(c), convert_item) for c in clauses]
        if stored_text:
            parts = [_converted(part, as_stored_text) for part in parts]

        def list_values(row: Any, env: Env) -> tuple[frozenset[Any] | list[Any], bool, bool]:
            return _value_set([p(row, env) for p in parts])

        return list_values

    def _in(self, el: Any, negate: bool) -> Fn:
        if isinstance(unwrapped(el.left), elements.Tuple) and holds_collate(el.left):
            raise unsupported("COLLATE in a row value")
        key = _checked_collation(el.left, _lone_constant_member(el))
        with self.taking_collations():
            left = self.compile(el.left)
            values_fn = self.in_values(el)
        if object_beside_members(el):
            left = _converted(left, as_stored_text)
        shared = subquery_member_affinity(el)
        if shared is not None:
            left = _converted(left, shared[1])
        if key is not None:
            left = _keyed(left, key)
            values_fn = _keyed_members(values_fn, key, ("collated members", id(el)))

        def in_(row: Any, env: Env) -> Any:
            members, has_null, empty = values_fn(row, env)
            if empty:
                return negate
            v = left(row, env)
            if v is None or (type(v) is tuple and None in v):
                return None
            if v in members:
                return not negate
            if has_null:
                return None
            return negate

        return in_

    def _subquery_values(
        self, select: Any, stored_text: bool, convert: Callable[[Any], Any] | None = None
    ) -> Callable[[Any, Env], Any]:
        if self.planner is None:
            raise unsupported("subquery here")
        sub = self.planner.plan_subquery(select, self.scope)
        key = id(sub)
        agg_mode = self.aggregates is not None

        def members(rows: list[Any]) -> tuple[frozenset[Any] | list[Any], bool, bool]:
            found = [r[0] if len(r) == 1 else r for r in rows]
            if stored_text:
                found = [as_stored_text(v) for v in found]
            if convert is not None:
                found = [v if v is None else convert(v) for v in found]
            return _value_set(found)

        def values(row: Any, env: Env) -> Any:
            if not sub.correlated:
                cached = env.cache.get(key)
                if cached is None:
                    cached = env.cache[key] = members(sub.run(env))
                return cached
            env.stack.append(row[0] if agg_mode else row)
            try:
                rows = sub.run(env)
            finally:
                env.stack.pop()
            return members(rows)

        return values

    def _scalar_subquery(self, select: Any) -> Fn:
        if self.planner is None:
            raise unsupported("scalar subquery here")
        sub = self.planner.plan_subquery(select, self.scope)
        key = id(sub)
        agg_mode = self.aggregates is not None

        def scalar(row: Any, env: Env) -> Any:
            if not sub.correlated:
                if key in env.cache:
                    return env.cache[key]
                rows = sub.run(env)
                value = rows[0][0] if rows else None
                env.cache[key] = value
                return value
            env.stack.append(row[0] if agg_mode else row)
            try:
                rows = sub.run(env)
            finally:
                env.stack.pop()
            return rows[0][0] if rows else None

        return scalar

    def _exists(self, el: Any) -> Fn:
        element = el.element
        while isinstance(element, elements.Grouping | selectable.ScalarSelect):
            element = element.element
        if self.planner is None:
            raise unsupported("EXISTS here")
        sub = self.planner.plan_subquery(element, self.scope)
        key = id(sub)
        agg_mode = self.aggregates is not None

        def exists(row: Any, env: Env) -> Any:
            if not sub.correlated:
                if key not in env.cache:
                    env.cache[key] = bool(sub.run(env))
                return env.cache[key]
            env.stack.append(row[0] if agg_mode else row)
            try:
                return bool(sub.run(env))
            finally:
                env.stack.pop()

        return exists

    # functions -------------------------------------------------------------------------
    def visit_function(self, el: Any) -> Fn:
        compiled = self._function(el)
        if el.name.lower() not in _PASSING_ARGUMENTS:
            return compiled
        compiled = _held_objects_as_text(compiled, el.type)
        if isinstance(el.type, sqltypes.Boolean):
            return compiled
        return _truth_as_integer(compiled)

    def _function(self, el: Any) -> Fn:
        name = el.name.lower()
        args = list(el.clauses.clauses)
        if function_missing(name):
            raise OperationalError(f"no such function: {name}")
        if is_aggregate_call(el):
            raise OperationalError(f"misuse of aggregate function {name}()")
        if name in STATEMENT_CONSTANTS and not args:
            make = STATEMENT_CONSTANTS[name]
            return lambda row, env: make(env.now())
        date_function = DATE_FUNCTIONS.get(name)
        if date_function is not None:
            if name == "timediff" and len(args) != 2:
                raise OperationalError("wrong number of arguments to function timediff()")
            values = [self.compile(a) for a in args]
            return lambda row, env: date_function(env.now, *[v(row, env) for v in values])
        if name in ("iif", "if"):
            return self._iif(name, args)
        if name in ("coalesce", "ifnull"):
            return self._first_not_null(name, args)
        if name in ("json_array", "json_object"):
            return self._json_builder(name, args)
        impl: Callable[..., Any] | None
        if name == "json_quote" and len(args) == 1:
            args, impl = self._json_quote_argument(args[0])
        else:
            impl = SCALAR_FUNCTIONS.get(name)
        if impl is None and name in ("max", "min"):
            from .functions import fn_scalar_max, fn_scalar_min

            impl = fn_scalar_max if name == "max" else fn_scalar_min
        if impl is None:
            raise unsupported(f"SQL function {name}()")
        if not _takes(impl, len(args)):
            raise OperationalError(f"wrong number of arguments to function {name}()")
        # min(), max() and nullif() compare their arguments by a collation
        with self.taking_collations(self.collations_taken and name not in _COLLATING_FUNCTIONS):
            parts = [self.compile(a) for a in args]
        if len(parts) == 1:
            (p0,) = parts
            return lambda row, env: impl(p0(row, env))
        if len(parts) == 2:
            p0, p1 = parts
            return lambda row, env: impl(p0(row, env), p1(row, env))
        return lambda row, env: impl(*[p(row, env) for p in parts])

    @staticmethod
    def _json_quote_argument(argument: Any) -> tuple[list[Any], Callable[..., Any]]:
        """What json_quote() is applied to, and how: SQLite marks the result of json() and
        json_extract() as JSON, which json_quote() passes through instead of quoting it."""
        inner = unwrapped(argument)
        if isinstance(inner, functions.FunctionElement):
            name = getattr(inner, "name", "").lower()
            fused = JSON_QUOTE_OF.get(name)
            if fused is not None and not is_aggregate_call(inner):
                return list(inner.clauses.clauses), fused
            if name in JSON_MADE:
                return [argument], as_json
        return [argument], SCALAR_FUNCTIONS["json_quote"]

    def _json_builder(self, name: str, args: list[Any]) -> Fn:
        """`json_array(...)` and `json_object(label, value, ...)`: each value as `json_quote()`
        writes it, so JSON a JSON function made goes in as it is."""
        if name == "json_object" and len(args) % 2:
            raise OperationalError("json_object() requires an even number of arguments")
        values = args if name == "json_array" else args[1::2]
        texts = [self.compile(functions.func.json_quote(value)) for value in values]
        if name == "json_array":
            return lambda row, env: "[" + ",".join([text(row, env) for text in texts]) + "]"
        labels = [self.compile(label) for label in args[0::2]]
        return lambda row, env: json_object_of(
            [label(row, env) for label in labels], [text(row, env) for text in texts]
        )

    def _first_not_null(self, name: str, args: list[Any]) -> Fn:
        """coalesce() (two arguments or more) and ifnull() (two): the arguments evaluated in
        turn, up to the first that is not NULL, so a later one's error does not count."""
        if len(args) < 2 or (name == "ifnull" and len(args) != 2):
            raise OperationalError(f"wrong number of arguments to function {name}()")
        parts = [self.compile(a) for a in args]

        def first_not_null(row: Any, env: Env) -> Any:
            for part in parts:
                value = part(row, env)
                if value is not None:
                    return value
            return None

        return first_not_null

    def _iif(self, name: str, args: list[Any]) -> Fn:
        """`iif(test, then, otherwise)`: `CASE WHEN test THEN then ELSE otherwise END`, so
        only the branch chosen is evaluated. From SQLite 3.48 `otherwise` may be left out (it
        is NULL then); from 3.49 any number of test/result pairs may come before it."""
        count = len(args)
        if not iif_takes(count):
            raise OperationalError(f"wrong number of arguments to function {name}()")
        parts = [self.compile(a) for a in args]
        pairs = list(zip(parts[0:-1:2], parts[1::2], strict=True))
        otherwise = parts[-1] if count % 2 else None
        if len(pairs) == 1:
            ((test, then),) = pairs
            if otherwise is None:
                return lambda row, env: then(row, env) if _truth(test(row, env)) else None
            other = otherwise
            return lambda row, env: then(row, env) if _truth(test(row, env)) else other(row, env)

        def chosen(row: Any, env: Any) -> Any:
            for test, then in pairs:
                if _truth(test(row, env)):
                    return then(row, env)
            return None if otherwise is None else otherwise(row, env)

        return chosen

    def visit_funcfilter(self, el: Any) -> Fn:
        raise OperationalError(f"misuse of aggregate function {el.func.name}()")

    def visit_over(self, el: Any) -> Fn:
        function = el.element
        if isinstance(function, elements.FunctionFilter):
            raise unsupported("FILTER on a window function")
        name = function.name.lower()
        if self.windows is None:
            raise OperationalError(f"misuse of window function {name}()")
        if name not in WINDOW_FUNCTIONS:
            raise unsupported(f"window function {name}()")
        args = list(function.clauses.clauses)
        first = args[0] if args else None
        if isinstance(first, elements.UnaryExpression) and first.operator is operators.distinct_op:
            raise OperationalError("DISTINCT is not supported for window functions")
        # what the window reads is compiled as the SELECT's other outputs are, without windows
        inner = ExprCompiler(self.binds, self.scope, self.planner, self.aggregates, self.labels)
        star = name == "count" and (not args or _is_star(args[0]))
        partition = [] if el.partition_by is None else list(el.partition_by.clauses)
        order = [] if el.order_by is None else list(el.order_by.clauses)
        spec = WindowSpec(
            name,
            [] if star else [inner.compile(a) for a in args],
            [inner.compile(p) for p in partition],
            [order_term(inner, o) for o in order],
            star,
            self._window_frame(el, inner),
        )
        self.windows.append(spec)
        key = spec.key

        def value(row: Any, env: Env) -> Any:
            return env.cache[key][id(row)]

        return value

    def _window_frame(self, el: Any, inner: ExprCompiler) -> Frame | None:
        """The explicit frame of `el`, from SQLAlchemy 2.1's frame clauses or 2.0's tuples."""
        given = [
            (mode, getattr(el, attribute, None))
            for mode, attribute in (("rows", "rows"), ("range", "range_"), ("groups", "groups"))
        ]
        framed = [(mode, clause) for mode, clause in given if clause is not None]
        if not framed:
            return None
        mode, clause = framed[0]
        exclude = getattr(el, "exclude", None)
        if exclude is not None:
            exclude = " ".join(str(exclude).upper().split())
            if exclude not in EXCLUSIONS:
                raise OperationalError(f'near "{exclude}": syntax error')
        if isinstance(clause, tuple):
            start, end = (_tuple_bound(value) for value in clause)
        else:
            start = _clause_bound(clause.lower_type.name, clause.lower_bind, inner)
            end = _clause_bound(clause.upper_type.name, clause.upper_bind, inner)
        if (start[0], end[0]) in _INVALID_FRAMES:
            raise OperationalError("unsupported frame specification")
        frame = Frame(mode, start, end, exclude)
        if frame.measures_values():
            order = [] if el.order_by is None else list(el.order_by.clauses)
            if len(order) != 1:
                raise OperationalError(
                    "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY term"
                )
            _inner, descending, nulls_first = peel_order(order[0])
            if nulls_first is not None and nulls_first == descending:
                # SQLite's tests then treat NULL as above every value, which is not repeated
                raise unsupported(
                    "a RANGE frame with an offset over NULLS LAST ascending"
                    " or NULLS FIRST descending"
                )
        return frame

    def visit_withingroup(self, el: Any) -> Fn:
        raise unsupported("WITHIN GROUP")

    def _aggregate(self, el: Any) -> Fn:
        assert self.aggregates is not None
        filter_fn = None
        if isinstance(el, elements.FunctionFilter):
            row_compiler = self.row_mode()
            crit = el.criterion
            filter_fn = row_compiler.predicate(crit) if crit is not None else None
            el = el.func
        name = el.name.lower()
        if function_missing(name):
            raise OperationalError(f"no such function: {name}")
        args = list(el.clauses.clauses)
        distinct = False
        arg_fn: Fn | None = None
        separator: Fn | None = None
        if args:
            first = args[0]
            if (
                isinstance(first, elements.UnaryExpression)
                and first.operator is operators.distinct_op
            ):
                distinct = True
                first = first.element
            if distinct and len(args) > 1:
                raise OperationalError("DISTINCT aggregates must have exactly one argument")
            if not (name == "count" and _is_star(first)):
                arg_fn = self.row_mode().compile(first)
            if name in ("group_concat", "string_agg") and len(args) > 1:
                separator = self.row_mode().compile(args[1])
        elif name != "count":
            raise OperationalError(f"wrong number of arguments to function {name}()")
        value: Fn | None = None
        if name.startswith("json_group_"):
            if len(args) != (2 if name.endswith("object") else 1):
                raise OperationalError(f"wrong number of arguments to function {name}()")
            given = first if name == "json_group_array" else args[1]
            value = self.row_mode().compile(functions.func.json_quote(given))  # each as JSON
        spec = AggSpec(name, arg_fn, distinct, filter_fn, separator, value)
        idx = self.aggregates.add(spec)
        return lambda g, env: g[1][idx]


def _tuple_arity(bp: Any) -> int:
    type_ = bp.type
    if isinstance(type_, sqltypes.TupleType):
        return len(type_.types)
    return 0


def _is_star(el: Any) -> bool:
    return isinstance(el, elements.ColumnClause) and el.is_literal and el.name == "*"


def _on_representative(fn: Fn) -> Fn:
    def get(g: Any, env: Env) -> Any:
        rep = g[0]
        return None if rep is None else fn(rep, env)

    return get


def _value_set(vals: Sequence[Any]) -> tuple[frozenset[Any] | list[Any], bool, bool]:
    has_null = any(v is None for v in vals)
    present = [v for v in vals if v is not None]
    try:
        return frozenset(present), has_null, not vals
    except TypeError:
        return present, has_null, not vals


def _floor_of_quotient(a: Any, b: Any) -> Any:
    """`FLOOR(a / b)`, which SQLAlchemy writes for `a // b` unless both are integers: SQLite's
    own division, then the `floor()` SQLAlchemy registers (an error for NULL, as there)."""
    return fn_floor(V.intdiv(a, b))


def _lone_constant_member(el: Any) -> Any:
    """For `x IN (y)` with one constant y, y: SQLite reads that as `x = +y`, compared by y's
    collation too. A list of several, or of one value that is not constant, is compared by
    x's collation only (as is an expanding parameter, which carries none)."""
    right = unwrapped(el.right)
    members = getattr(right, "clauses", None)
    if isinstance(right, selectable.SelectBase | selectable.ScalarSelect) or not members:
        return None
    if len(members) != 1 or not holds_collate(members[0]):
        return None
    if _refers_to_data(members[0]):
        raise unsupported("COLLATE on the one member of an IN list that is not a constant")
    return members[0]


def _refers_to_data(el: Any) -> bool:
    """Whether `el` reads a column, a subquery or a function (SQLite may not hold it constant)."""
    stack = [el]
    while stack:
        node = stack.pop()
        if isinstance(node, elements.ColumnClause | functions.FunctionElement):
            return True
        if isinstance(node, selectable.SelectBase | selectable.ScalarSelect | selectable.Exists):
            return True
        stack.extend(node.get_children())
    return False


def _keyed(fn: Fn, key: CollationKey | None) -> Fn:
    """`fn` with its text keyed by a collation (`key`: None for BINARY, which keeps `fn`)."""
    if key is None:
        return fn
    return lambda row, env: key(fn(row, env))


def _checked_collation(left: Any, right: Any | None) -> CollationKey | None:
    """The key of the collation comparing `left` with `right`, refused where SQLite would
    compare the text it stores for a value held here as an object (a date, a UUID)."""
    key = comparison_collation(left, right)
    if key is not None and (held_as_object(left) or (right is not None and held_as_object(right))):
        raise unsupported("COLLATE on a DATE, DATETIME, TIME or UUID value")
    return key


def _keyed_members(
    values_fn: Callable[[Any, Env], Any], key: CollationKey, cache_key: Any
) -> Callable[[Any, Env], Any]:
    """`in_values`'s members keyed by a collation, keyed once for each set of members."""

    def keyed(row: Any, env: Env) -> Any:
        members, has_null, empty = values_fn(row, env)
        cached = env.cache.get(cache_key)
        if cached is None or cached[0] is not members:
            folded = (
                frozenset(map(key, members))
                if type(members) is frozenset
                else [key(m) for m in members]
            )
            cached = env.cache[cache_key] = (members, (folded, has_null, empty))
        return cached[1]

    return keyed


def _cached_values(getter: Fn, key: Any) -> Callable[[Any, Env], Any]:
    def values(row: Any, env: Env) -> Any:
        cached = env.cache.get(key)
        if cached is None:
            cached = env.cache[key] = _value_set(list(getter(row, env)))
        return cached

    return values


def _comparison(cmp: Callable[[Any, Any], bool], fa: Fn, fb: Fn) -> Fn:
    def compare(row: Any, env: Env) -> Any:
        a = fa(row, env)
        if a is None:
            return None
        b = fb(row, env)
        if b is None:
            return None
        return cmp(a, b)

    return compare


def _binary_value(fn: Callable[[Any, Any], Any], fa: Fn, fb: Fn) -> Fn:
    return lambda row, env: fn(fa(row, env), fb(row, env))


def _is(fa: Fn, fb: Fn, negate: bool) -> Fn:
    def is_(row: Any, env: Env) -> bool:
        a, b = fa(row, env), fb(row, env)
        same = a is b if a is None or b is None else V.compare(a, b) == 0
        return not same if negate else same

    return is_


def _and_values(a: Any, b: Any) -> Any:
    if _falsy(a) or _falsy(b):
        return False
    if a is None or b is None:
        return None
    return True


def _and(parts: list[Fn]) -> Fn:
    if not parts:
        return lambda row, env: True
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        p0, p1 = parts

        def and2(row: Any, env: Env) -> Any:
            a = p0(row, env)
            if _falsy(a):
                return False
            b = p1(row, env)
            if _falsy(b):
                return False
            return None if a is None or b is None else True

        return and2

    def and_n(row: Any, env: Env) -> Any:
        result: Any = True
        for p in parts:
            v = p(row, env)
            if v is None:
                result = None
            elif _falsy(v):
                return False
        return result

    return and_n


def _or(parts: list[Fn]) -> Fn:
    if not parts:
        return lambda row, env: False
    if len(parts) == 1:
        return parts[0]

    def or_n(row: Any, env: Env) -> Any:
        result: Any = False
        for p in parts:
            v = p(row, env)
            if v is None:
                result = None
            elif _truth(v):
                return True
        return result

    return or_n


def constant_function(el: Any) -> Callable[[], Any]:
    """Evaluate an expression that reads no rows (DDL defaults); binds use their values."""
    fn = ExprCompiler(Binds(None), None).compile(el)
    return lambda: fn(None, Env({}))
