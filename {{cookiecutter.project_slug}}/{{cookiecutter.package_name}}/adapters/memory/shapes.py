"""A quick fingerprint of a freshly built entity SELECT, standing in for its cache key.

SQLAlchemy's cache key walks every element of a statement through its generic traversal; for a
statement built anew per call, that costs as much as answering it on the fast path. The
fingerprint here covers a narrow grammar: a `Select` whose only non-default attributes are its
columns, WHERE, ORDER BY, LIMIT, OFFSET and FETCH, over comparisons, `AND`/`OR`, groupings,
`ASC`/`DESC`, bound parameters and the table's columns. It holds everything those elements'
cache keys hold (the attributes each class declares in `_traverse_internals`, which are checked
on import) and names shared elements, such as a table's columns, by identity; the statement it
was first seen with is kept with it, so those identities stay taken. Two statements with equal
fingerprints therefore have equal cache keys, and their bound parameters come in the same order.
Anything outside the grammar, or an element met twice, gives no fingerprint, and the cache key
is computed as before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.sql.annotation import Annotated
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    False_,
    Grouping,
    Null,
    True_,
    UnaryExpression,
)
from sqlalchemy.sql.schema import Column
from sqlalchemy.sql.selectable import Select, _OffsetLimitParam
from sqlalchemy.sql.visitors import InternalTraversal

Fingerprint = tuple[Any, ...]

SELECT_ATTRIBUTES = frozenset(
    {
        "_raw_columns",
        "_where_criteria",
        "_order_by_clauses",
        "_limit_clause",
        "_offset_clause",
        "_fetch_clause",
        "_fetch_clause_options",
        "_label_style",
        "_propagate_attrs",
    }
)
"""The attributes of a `Select` a fingerprint reads; a statement with any other set declines."""

_CLAUSE = InternalTraversal.dp_clauseelement
_OPERATOR = InternalTraversal.dp_operator
_TYPE = InternalTraversal.dp_type
_EXPECTED_INTERNALS: dict[type, list[tuple[str, Any]]] = {
    BinaryExpression: [
        ("left", _CLAUSE),
        ("right", _CLAUSE),
        ("operator", _OPERATOR),
        ("negate", _OPERATOR),
        ("modifiers", InternalTraversal.dp_plain_dict),
        ("type", _TYPE),
    ],
    UnaryExpression: [("element", _CLAUSE), ("operator", _OPERATOR), ("modifier", _OPERATOR)],
    BooleanClauseList: [
        ("clauses", InternalTraversal.dp_clauseelement_tuple),
        ("operator", _OPERATOR),
    ],
    Grouping: [("element", _CLAUSE), ("type", _TYPE)],
    BindParameter: [
        ("key", InternalTraversal.dp_anon_name),
        ("type", _TYPE),
        ("callable", InternalTraversal.dp_plain_dict),
        ("value", InternalTraversal.dp_plain_obj),
        ("literal_execute", InternalTraversal.dp_boolean),
    ],
}


def _grammar_matches() -> bool:
    """Whether this SQLAlchemy's elements hold what the fingerprint reads, and no more."""
    for cls, internals in _EXPECTED_INTERNALS.items():
        if list(getattr(cls, "_traverse_internals", ())) != internals:
            return False
    return (
        _OffsetLimitParam._traverse_internals == BindParameter._traverse_internals
        and _OffsetLimitParam._gen_cache_key is BindParameter._gen_cache_key
        and hasattr(BindParameter("probe", 1), "_anon_map_key")  # how a key names the bind
    )


ENABLED = _grammar_matches()
"""False when the installed SQLAlchemy's elements differ: then every statement declines."""

VERIFY = False
"""Tests set this: every statement a fingerprint answers for is checked against its cache key."""

_PROPAGATED = frozenset({"compile_state_plugin", "plugin_subject"})

_CONSTANTS = (Null, True_, False_)
"""Elements without state: one is as good as another of its class."""

_LEAF, _CONSTANT, _INNER = 0, 1, 2
_kinds: dict[type, int] = {}
"""Element classes met so far: a table's column (named by identity), a constant, or other."""


def _kind(cls: type) -> int:
    found = _kinds.get(cls)
    if found is None:
        # A table's column, annotated or not, is shared by every statement naming it.
        found = _kinds[cls] = (
            _LEAF if issubclass(cls, Column) else _CONSTANT if cls in _CONSTANTS else _INNER
        )
    return found


class _Decline(Exception):
    """The statement is outside the grammar."""


_END = object()
"""Ends the WHERE and the ORDER BY clauses in a fingerprint, and stands for a missing clause."""


def _tokens(roots: list[Any], binds: list[BindParameter[Any]]) -> list[Any]:
    """The elements under `roots` in prefix order, each inner element as one token naming its
    class and plain attributes (so its number of children); each bound parameter is appended
    to `binds`, in the order the cache key meets them."""
    parts: list[Any] = []
    append = parts.append
    seen: set[int] = set()
    anonymous: set[Any] = set()
    stack = roots
    stack.reverse()
    while stack:
        node = stack.pop()
        if node is _END:
            append(_END)
            continue
        cls = type(node)
        kind = _kinds.get(cls)
        if kind is None:
            kind = _kind(cls)
        if kind == _LEAF:
            append(id(node))
            continue
        if kind == _CONSTANT:
            append(cls)
            continue
        if id(node) in seen:
            raise _Decline  # the cache key refers back to an element met before
        seen.add(id(node))
        if cls is BinaryExpression:
            if node.modifiers:
                raise _Decline
            append((cls, node.operator, node.negate, node.type._static_cache_key))
            stack.append(node.right)
            stack.append(node.left)
        elif cls is BindParameter or cls is _OffsetLimitParam:
            binds.append(node)
            anonymous_key = node._anon_map_key
            if anonymous_key is not None:
                if anonymous_key in anonymous:
                    raise _Decline  # a copy of a parameter met before shares its name
                anonymous.add(anonymous_key)
            append(
                (
                    cls,
                    node.type._static_cache_key,
                    None if anonymous_key is not None else node.key,
                    anonymous_key is not None,
                    node.literal_execute,
                    node.expanding,
                )
            )
        elif cls is UnaryExpression:
            append((cls, node.operator, node.modifier))
            stack.append(node.element)
        elif cls is Grouping:
            append((cls, node.type._static_cache_key))
            stack.append(node.element)
        elif cls is BooleanClauseList:
            clauses = list(node.clauses)
            append((cls, node.operator, len(clauses)))
            clauses.reverse()
            stack += clauses
        else:
            raise _Decline
    return parts


def fingerprint(statement: Select[Any]) -> tuple[Fingerprint, list[BindParameter[Any]]] | None:
    """The statement's fingerprint and its bound parameters in cache key order, or None."""
    if not ENABLED or not statement.__dict__.keys() <= SELECT_ATTRIBUTES:
        return None
    propagate = statement._propagate_attrs
    if not propagate.keys() <= _PROPAGATED:
        return None
    options = statement._fetch_clause_options
    limit, offset, fetch = (
        statement._limit_clause,
        statement._offset_clause,
        statement._fetch_clause,
    )
    binds: list[BindParameter[Any]] = []
    try:
        selected = tuple([_selected(column) for column in statement._raw_columns])
        parts = _tokens(
            [
                *statement._where_criteria,
                _END,
                *statement._order_by_clauses,
                _END,
                _END if limit is None else limit,
                _END if offset is None else offset,
                _END if fetch is None else fetch,
            ],
            binds,
        )
    except _Decline:
        return None
    key = (
        selected,
        statement._label_style,
        None if options is None else tuple(sorted(options.items())),
        propagate.get("compile_state_plugin"),
        id(propagate.get("plugin_subject")),
        *parts,
    )
    return key, binds


def _selected(column: Any) -> int:
    """A selected entity: the mapper's annotated table, shared by every `select(Entity)`."""
    if not isinstance(column, Annotated) or "parententity" not in column._annotations:
        raise _Decline
    return id(column)
