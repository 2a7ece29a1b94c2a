"""ORDER BY terms and sorting in SQLite's order (NULLs first ascending, last descending)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.sql import elements, operators

from .collations import comparison_collation
from .values import SortKey

Fn = Callable[[Any, Any], Any]


_ORDER_MODIFIERS = (
    operators.asc_op,
    operators.desc_op,
    operators.nulls_first_op,
    operators.nulls_last_op,
)


def peel_order(el: Any) -> tuple[Any, bool, bool | None]:
    """One ORDER BY term as (the expression, descending, NULLs first if set)."""
    desc = False
    nulls_first: bool | None = None
    while isinstance(el, elements._label_reference) or (
        isinstance(el, elements.UnaryExpression) and el.modifier in _ORDER_MODIFIERS
    ):
        if isinstance(el, elements._label_reference):
            el = el.element
            continue
        if el.modifier is operators.desc_op:
            desc = True
        elif el.modifier is operators.nulls_first_op:
            nulls_first = True
        elif el.modifier is operators.nulls_last_op:
            nulls_first = False
        el = el.element
    return el, desc, nulls_first


def order_term(compiler: Any, el: Any, collations: bool = False) -> tuple[Fn, bool, bool | None]:
    """(key function, descending, NULLs first if set) of one ORDER BY term; with `collations`,
    text is ordered by the term's COLLATE, if it has one (SQLite's `sqlite3ExprCollSeq`)."""
    inner, desc, nulls_first = peel_order(el)
    if not collations:
        return compiler.compile(inner), desc, nulls_first
    return compiler.collated(inner, comparison_collation(inner, None)), desc, nulls_first


def sort_pairs(pairs: list[Any], terms: list[tuple[bool, bool | None]]) -> list[Any]:
    """Sort (output, keys) pairs; NULLs first ascending and last descending by default."""
    for i in range(len(terms) - 1, -1, -1):
        desc, nulls_first = terms[i]
        if nulls_first is None:
            nulls_first = not desc
        null_rank = 0 if nulls_first != desc else 2

        def key(p: Any, i: int = i, null_rank: int = null_rank) -> Any:
            v = p[1][i]
            return (null_rank,) if v is None else (1, v)

        try:
            pairs.sort(key=key, reverse=desc)
        except TypeError:

            def safe_key(p: Any, i: int = i, null_rank: int = null_rank) -> Any:
                v = p[1][i]
                return (null_rank,) if v is None else (1, SortKey(v))

            pairs.sort(key=safe_key, reverse=desc)
    return pairs
