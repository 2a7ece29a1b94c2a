"""Generated rows and queries for the property tests, as small readable trees compiled to SQL.

Hypothesis prints the trees when a case fails, e.g. ``('cmp', '>', ('col', 'a'), ('int', 3))``.
The strings mix ASCII letters of both cases with one non-ASCII letter: SQLite folds case for
ASCII only (in LIKE, lower() and upper()), and that is the answer expected.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import (
    Column,
    ColumnElement,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    and_,
    case,
    false,
    func,
    literal,
    not_,
    or_,
    true,
)

metadata = MetaData()
samples = Table(
    "samples",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("grp", Integer, nullable=False),
    Column("a", Integer),
    Column("b", Integer),
    Column("s", String(8)),
    Column("amount", Numeric(10, 2)),
    Index("ix_samples_a", "a"),
    Index("ix_samples_grp_s", "grp", "s"),
)
c = samples.c

INT_COLUMNS = ("a", "b")
ALL_COLUMNS = ("grp", "a", "b", "s", "amount")
# ASCII letters in both cases (SQLite's LIKE folds ASCII case only), LIKE wildcards, the escape
# character used below, a space and one non-ASCII letter without a case partner in the set.
ALPHABET = "abAB_%!é "

small_ints = st.integers(-20, 20)
amounts = st.decimals(Decimal("-999.99"), Decimal("999.99"), places=2)
strings = st.text(ALPHABET, max_size=4)
# LIKE patterns built from pieces, so that they match often enough to be interesting.
patterns = st.lists(
    st.sampled_from(["%", "_", "a", "b", "A", "B", "é", " ", "!%", "!_", "ab"]), max_size=4
).map("".join)


def mostly(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually a value, sometimes NULL."""
    return st.one_of(values, values, values, st.none())


row = st.fixed_dictionaries(
    {
        "grp": st.integers(0, 3),
        "a": mostly(small_ints),
        "b": mostly(small_ints),
        "s": mostly(strings),
        "amount": mostly(amounts),
    }
)
_many_rows = st.integers(5, 25).flatmap(lambda n: st.lists(row, min_size=n, max_size=n))
rows = st.one_of(_many_rows, _many_rows, _many_rows, st.lists(row, max_size=4))

# --- expressions -------------------------------------------------------------------------------

int_leaves = st.one_of(
    st.tuples(st.just("col"), st.sampled_from(INT_COLUMNS)),
    st.tuples(st.just("int"), small_ints),
)


def _int_branches(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.tuples(st.just("bin"), st.sampled_from(["+", "-", "*", "//", "%"]), inner, inner),
        st.tuples(st.just("neg"), inner),
        st.tuples(st.just("fn"), st.sampled_from(["abs", "coalesce", "nullif"]), inner, small_ints),
    )


int_exprs = st.recursive(int_leaves, _int_branches, max_leaves=4)

dec_leaves = st.one_of(
    st.tuples(st.just("col"), st.just("amount")),
    st.tuples(st.just("dec"), amounts),
)
dec_exprs = st.one_of(
    dec_leaves,
    st.tuples(st.just("bin"), st.sampled_from(["+", "-", "*"]), dec_leaves, int_exprs | dec_leaves),
    st.tuples(st.just("bin"), st.just("/"), int_exprs | dec_leaves, int_exprs | dec_leaves),
    st.tuples(st.just("fn"), st.sampled_from(["abs", "coalesce"]), dec_leaves, small_ints),
)
num_exprs = int_exprs | dec_exprs

str_exprs = st.one_of(
    st.just(("col", "s")),
    st.tuples(st.just("str"), strings),
    st.tuples(st.just("sfn"), st.sampled_from(["lower", "upper"]), st.just(("col", "s"))),
    st.tuples(st.just("concat"), st.just(("col", "s")), st.tuples(st.just("str"), strings)),
)

# --- predicates --------------------------------------------------------------------------------

COMPARISONS = ["==", "!=", "<", "<=", ">", ">="]
LIKE_KINDS = ["like", "ilike", "like_escape", "startswith", "endswith", "contains", "contains_esc"]

predicate_leaves = st.one_of(
    st.tuples(st.just("cmp"), st.sampled_from(COMPARISONS), num_exprs, num_exprs),
    st.tuples(st.just("cmp"), st.sampled_from(COMPARISONS), str_exprs, str_exprs),
    st.tuples(st.just("isnull"), num_exprs | str_exprs, st.booleans()),
    st.tuples(
        st.just("in"),
        st.sampled_from(INT_COLUMNS),
        st.lists(st.none() | small_ints, max_size=4),
        st.booleans(),
    ),
    st.tuples(st.just("between"), num_exprs, small_ints, small_ints, st.booleans()),
    st.tuples(st.just("like"), st.sampled_from(LIKE_KINDS), patterns, st.booleans()),
    st.tuples(st.just("const"), st.booleans()),
)


def _predicate_branches(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.tuples(st.just("and"), st.lists(inner, min_size=1, max_size=3)),
        st.tuples(st.just("or"), st.lists(inner, min_size=1, max_size=3)),
        st.tuples(st.just("not"), inner),
    )


predicates = st.recursive(predicate_leaves, _predicate_branches, max_leaves=5)

order_keys = st.lists(
    st.tuples(
        st.sampled_from([*ALL_COLUMNS, "a+b"]),
        st.booleans(),
        st.sampled_from([None, "first", "last"]),
    ),
    max_size=3,
)

# --- compiling trees to SQLAlchemy -------------------------------------------------------------

ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
}
COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def expression(tree: Any) -> ColumnElement[Any]:
    kind = tree[0]
    if kind == "col":
        return c[tree[1]]  # type: ignore[no-any-return]
    if kind in ("int", "dec", "str"):
        return literal(tree[1])
    if kind == "bin":
        left, right = expression(tree[2]), expression(tree[3])
        combined: ColumnElement[Any] = ARITHMETIC[tree[1]](left, right)
        return combined
    if kind == "neg":
        return -expression(tree[1])
    if kind == "fn":
        arg = expression(tree[2])
        if tree[1] == "abs":
            return func.abs(arg)
        return getattr(func, tree[1])(arg, tree[3])  # type: ignore[no-any-return]
    if kind == "sfn":
        return getattr(func, tree[1])(expression(tree[2]))  # type: ignore[no-any-return]
    if kind == "concat":
        return expression(tree[1]) + expression(tree[2])
    raise ValueError(f"unknown expression tree {tree!r}")


def predicate(tree: Any) -> ColumnElement[bool]:
    kind = tree[0]
    if kind == "cmp":
        left, right = expression(tree[2]), expression(tree[3])
        compared: ColumnElement[bool] = COMPARE[tree[1]](left, right)
        return compared
    if kind == "isnull":
        target = expression(tree[1])
        return target.is_(None) if tree[2] else target.is_not(None)
    if kind == "in":
        column: ColumnElement[Any] = c[tree[1]]
        return column.not_in(tree[2]) if tree[3] else column.in_(tree[2])
    if kind == "between":
        between = expression(tree[1]).between(tree[2], tree[3])
        return ~between if tree[4] else between
    if kind == "like":
        matches = _like(tree[1], tree[2])
        return ~matches if tree[3] else matches
    if kind == "const":
        return true() if tree[1] else false()
    if kind == "and":
        return and_(*(predicate(item) for item in tree[1]))
    if kind == "or":
        return or_(*(predicate(item) for item in tree[1]))
    if kind == "not":
        return not_(predicate(tree[1]))
    raise ValueError(f"unknown predicate tree {tree!r}")


def _like(kind: str, pattern: str) -> ColumnElement[bool]:
    s = c.s
    if kind == "like":
        return s.like(pattern)
    if kind == "ilike":
        return s.ilike(pattern)
    if kind == "like_escape":
        return s.like(pattern, escape="!")
    if kind == "startswith":
        return s.startswith(pattern, autoescape=True)
    if kind == "endswith":
        return s.endswith(pattern, autoescape=True)
    if kind == "contains":
        return s.contains(pattern)
    return s.contains(pattern, autoescape=True)


def ordering(keys: list[tuple[str, bool, str | None]]) -> list[Any]:
    """The generated sort keys, then the primary key so the order is total."""
    clauses: list[Any] = []
    for name, descending, nulls in keys:
        column = c.a + c.b if name == "a+b" else c[name]
        clause = column.desc() if descending else column.asc()
        if nulls == "first":
            clause = clause.nulls_first()
        elif nulls == "last":
            clause = clause.nulls_last()
        clauses.append(clause)
    return [*clauses, c.id]


# --- aggregates --------------------------------------------------------------------------------

AGGREGATE_COLUMNS = ("a", "b", "amount", "s")
aggregates = st.lists(
    st.one_of(
        st.just(("count",)),
        st.tuples(
            st.sampled_from(["count", "count_distinct", "min", "max"]),
            st.sampled_from(AGGREGATE_COLUMNS),
        ),
        st.tuples(st.sampled_from(["sum", "avg"]), st.sampled_from(["a", "b", "amount"])),
        st.tuples(st.just("sum_expr"), int_exprs),
    ),
    min_size=1,
    max_size=4,
)
group_keys = st.lists(st.sampled_from(["grp", "s", "a%3", "b_is_null"]), unique=True, max_size=2)
havings = st.none() | st.tuples(st.sampled_from(["count>", "sum_a>", "max_b<"]), small_ints)


def aggregate(spec: tuple[Any, ...]) -> ColumnElement[Any]:
    name = spec[0]
    if name == "count":
        return func.count() if len(spec) == 1 else func.count(c[spec[1]])
    if name == "count_distinct":
        return func.count(c[spec[1]].distinct())
    if name == "sum_expr":
        return func.sum(expression(spec[1]))
    return getattr(func, name)(c[spec[1]])  # type: ignore[no-any-return]


def group_key(name: str) -> ColumnElement[Any]:
    if name == "a%3":
        return c.a % 3
    if name == "b_is_null":
        return case((c.b.is_(None), "none"), else_="some")
    column: ColumnElement[Any] = c[name]
    return column


def having(spec: tuple[str, int] | None) -> ColumnElement[bool] | None:
    if spec is None:
        return None
    name, bound = spec
    if name == "count>":
        return func.count() > bound % 4
    if name == "sum_a>":
        return func.sum(c.a) > bound
    return func.max(c.b) < bound
