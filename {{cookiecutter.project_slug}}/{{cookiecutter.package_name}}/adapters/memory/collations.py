"""SQLite's built-in collations, and which one a comparison or an ORDER BY term uses.

A collation orders text only; numbers, blobs and NULL compare as they always do. Each built-in
one is a key applied to text before a plain comparison: BINARY compares the UTF-8 bytes (code
points, as Python compares strings), NOCASE folds the 26 ASCII capitals first, RTRIM drops
trailing spaces first. Collation names are matched without regard to case.

Which collation applies follows SQLite's rules (`sqlite3BinaryCompareCollSeq`,
`sqlite3ExprCollSeq`): an operand holding a COLLATE anywhere outside a subquery carries it, the
left operand's first, else the right's, else BINARY (the only collation a column here can
declare). Inside an operand, the search goes down the first operand holding a COLLATE, in the
order SQLite keeps them (a function's arguments in order).
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

from sqlalchemy.sql import elements, functions, operators, selectable

from .errors import NotSupportedError, OperationalError

CollationKey = Callable[[Any], Any]

_ASCII_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _nocase(value: Any) -> Any:
    return value.translate(_ASCII_FOLD) if type(value) is str else value


def _rtrim(value: Any) -> Any:
    return value.rstrip(" ") if type(value) is str else value


KEYS: dict[str, CollationKey | None] = {"BINARY": None, "NOCASE": _nocase, "RTRIM": _rtrim}
"""The key each built-in collation applies to a value before comparing; None for BINARY."""

_OPAQUE = (selectable.SelectBase, selectable.ScalarSelect, selectable.Exists, selectable.FromClause)
"""What a COLLATE inside does not reach out of: subqueries, and the tables columns belong to."""


def is_collate(el: Any) -> bool:
    return isinstance(el, elements.BinaryExpression) and el.operator is operators.collate


def collation_key(collate: Any) -> CollationKey | None:
    """The key of the collation a COLLATE names; SQLite's error for a name it does not know."""
    name = str(collate.right.collation)
    if name.upper() not in KEYS:
        raise OperationalError(f"no such collation sequence: {name}")
    return KEYS[name.upper()]


def holds_collate(el: Any) -> bool:
    """Whether `el` has a COLLATE outside its subqueries (SQLite's EP_Collate)."""
    stack = [el]
    while stack:
        node = stack.pop()
        if is_collate(node):
            return True
        if not isinstance(node, _OPAQUE) or isinstance(node, functions.FunctionElement):
            stack.extend(node.get_children())
    return False


def _operands_in_order(el: Any) -> list[Any]:
    """The operands SQLite searches for a collation, in its order."""
    if isinstance(el, elements.BinaryExpression):
        return [el.left, el.right]
    if isinstance(el, functions.FunctionElement):
        return list(el.clauses.clauses)
    if isinstance(el, elements.Case):
        parts = [] if el.value is None else [el.value]
        for condition, result in el.whens:
            parts += [condition, result]
        return parts if el.else_ is None else [*parts, el.else_]
    if isinstance(el, elements.UnaryExpression):
        return [el.element]
    if isinstance(el, elements.ClauseList | elements.ExpressionClauseList):
        return list(el.clauses)
    raise NotSupportedError(
        f"COLLATE inside {type(el).__name__} is not supported by the memory dialect"
    )


def explicit_collation(el: Any) -> CollationKey | None:
    """The key of the COLLATE SQLite finds in `el`, which `holds_collate`."""
    while True:
        while isinstance(el, elements.Grouping | elements.Label | elements.TypeCoerce):
            el = el.element if not isinstance(el, elements.TypeCoerce) else el.clause
        if is_collate(el):
            return collation_key(el)
        if isinstance(el, elements.Cast):
            el = el.clause
            continue
        el = next(part for part in _operands_in_order(el) if holds_collate(part))


def comparison_collation(left: Any, right: Any | None) -> CollationKey | None:
    """The key of the collation `left <op> right` compares text by; None for BINARY."""
    if holds_collate(left):
        return explicit_collation(left)
    if right is not None and holds_collate(right):
        return explicit_collation(right)
    return None
