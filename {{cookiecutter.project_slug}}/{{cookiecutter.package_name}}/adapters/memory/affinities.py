"""SQLite's affinities in comparisons: which conversion each side of `=`, `<`, `IN` ... takes.

An operand has the affinity of the column it reads (a table's declared type, or what a subquery
or CTE column selects), of a CAST's type or of a COLLATE's left side, or none (parameters,
literals, other expressions). Against a numeric affinity, text that reads as a number becomes
one; against TEXT, an operand without affinity becomes text. Values held here as objects
(dates, UUIDs) meet other values as the text SQLite stores.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.sql import elements, operators, schema, selectable

from .types import AFFINITY_CONVERTERS, HELD_AS_OBJECT_KINDS, affinity, declared_affinity


def unwrapped(el: Any) -> Any:
    """`el` without the groupings and labels around it."""
    while isinstance(el, elements.Grouping | elements.Label):
        el = el.element
    return el


def _table_column(el: Any) -> bool:
    """A column of a table or of an alias of one: it has its declared type's affinity."""
    if not isinstance(el, elements.ColumnClause) or getattr(el, "is_literal", False):
        return False
    table = getattr(el, "table", None)
    if isinstance(table, selectable.Alias):
        table = table.element
    return isinstance(table, selectable.TableClause | schema.Table)


_NUMERIC_KINDS = frozenset({"integer", "real", "numeric"})
_OPAQUE = "opaque"
"""An affinity the store does not emulate in comparisons (the columns of compound subqueries,
row values): no conversion either way."""


def _affinity_of(el: Any) -> str | None:
    """SQLite's affinity of an operand: integer, real, numeric, text or blob, None for none.

    A table column has its declared type's affinity, and so has a CAST; a COLLATE has its left
    side's, and a `type_coerce` its expression's (it is not in the SQL). A column of a subquery
    or CTE, and a scalar subquery, have the affinity of the expression they select. Parameters,
    literals and every other expression have none.
    """
    el = unwrapped(el)
    while isinstance(el, elements.TypeCoerce):
        el = unwrapped(el.clause)
    if isinstance(el, elements.ColumnClause) and not getattr(el, "is_literal", False):
        if _table_column(el):
            return declared_affinity(el.type)
        selected = _selected_expression(el)
        return _OPAQUE if selected is None else _affinity_of(selected)
    if isinstance(el, elements.Cast):
        return declared_affinity(el.type)
    if isinstance(el, elements.BinaryExpression) and el.operator is operators.collate:
        return _affinity_of(el.left)
    if isinstance(el, selectable.ScalarSelect) and isinstance(el.element, selectable.Select):
        first = next(iter(el.element.selected_columns), None)
        return _OPAQUE if first is None else _affinity_of(first)
    if isinstance(el, selectable.ScalarSelect | selectable.SelectBase | elements.Tuple):
        return _OPAQUE
    return None


def _selected_expression(el: Any) -> Any:
    """What a column of a subquery or CTE over one SELECT selects; None for other columns."""
    source = getattr(el, "table", None)
    if not isinstance(source, selectable.AliasedReturnsRows):
        return None
    if not isinstance(source.element, selectable.Select):
        return None  # a compound SELECT's columns: SQLite's rules there are not emulated
    proxies = getattr(el, "_proxies", None)
    return proxies[-1] if proxies else None


def comparison_affinity(reference: Any, other: Any) -> Callable[[Any], Any] | None:
    """How SQLite converts `other` before comparing it with `reference`, if it does."""
    return _conversion(_affinity_of(reference), _affinity_of(other))


def list_item_affinity(left: Any) -> Callable[[Any], Any] | None:
    """How the values of `left IN (...)` are converted: SQLite compares each as `left = +value`,
    the value stripped of any affinity of its own."""
    return _conversion(_affinity_of(left), None)


def _conversion(reference: str | None, other: str | None) -> Callable[[Any], Any] | None:
    """Against an operand of INTEGER, REAL or NUMERIC affinity, an operand of TEXT, BLOB or no
    affinity takes NUMERIC affinity (a numeric text becomes a number); against a TEXT operand, an
    operand of no affinity takes TEXT affinity (a number becomes its text). Otherwise nothing
    changes."""
    if reference in _NUMERIC_KINDS and other in (None, "text", "blob"):
        return AFFINITY_CONVERTERS["numeric"][1]
    if reference == "text" and other is None:
        return AFFINITY_CONVERTERS["text"][1]
    return None


def _subquery_of(el: Any) -> Any:
    """The SELECT of `x IN (SELECT ...)`, or None for a list."""
    right = el.right
    while isinstance(right, elements.Grouping):
        right = right.element
    if isinstance(right, selectable.ScalarSelect):
        right = right.element
    return right if isinstance(right, selectable.SelectBase) else None


def subquery_member_affinity(el: Any) -> tuple[str, Callable[[Any], Any]] | None:
    """For `x IN (SELECT y ...)`: the affinity SQLite applies to x and to every y before they
    are compared (`sqlite3CompareAffinity`), with its converter; None for none. Two columns meet
    under NUMERIC affinity if either has a numeric one; a column beside an expression lends it
    its own."""
    select = _subquery_of(el)
    if select is None:
        return None
    column = next(iter(select.selected_columns), None)
    if column is None or isinstance(el.left, elements.Tuple):
        return None
    mine, theirs = _affinity_of(el.left), _affinity_of(column)
    if _OPAQUE in (mine, theirs):
        return None
    if mine is not None and theirs is not None:
        kind = "numeric" if {mine, theirs} & _NUMERIC_KINDS else None
    else:
        kind = mine if mine is not None else theirs
        kind = "numeric" if kind in _NUMERIC_KINDS else kind
    if kind not in ("numeric", "text"):
        return None
    return kind, AFFINITY_CONVERTERS[kind][1]


def subquery_converts_left(el: Any) -> bool:
    """Whether `x IN (SELECT ...)` converts x's own values first, so no index on x holds what
    is compared."""
    shared = subquery_member_affinity(el)
    if shared is None:
        return False
    mine = _affinity_of(el.left)
    return not (mine == shared[0] or (shared[0] == "numeric" and mine in _NUMERIC_KINDS))


def held_as_object(el: Any) -> bool:
    """True for an expression of a type held as a Python object where SQLite holds text: a
    DATE, DATETIME, TIME or UUID."""
    return affinity(getattr(el, "type", None)) in HELD_AS_OBJECT_KINDS


def object_beside_other(a: Any, b: Any) -> bool:
    """True when exactly one of two compared expressions is held as an object: SQLite compares
    what it stores, text, so such a value must meet the other side as its text."""
    return held_as_object(a) != held_as_object(b)


def object_beside_members(el: Any) -> bool:
    """`object_beside_other` for `x IN (...)`: x beside any member (a subquery's column)."""
    select = _subquery_of(el)
    if select is not None:
        members: list[Any] = list(select.selected_columns)[:1]
    else:
        right = unwrapped(el.right)
        members = list(getattr(right, "clauses", [right]))
    return any(object_beside_other(el.left, member) for member in members)
