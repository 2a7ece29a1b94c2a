"""How SQLite reads the text SQLAlchemy writes for arithmetic mixed with `||` or with bitwise
operators.

SQLAlchemy puts parentheses around an operand only where its own precedence asks for them, and
it ranks `||` below `+` and `*`; SQLite ranks `||` above them. So `(a * b).concat(c)` is written
`a * b || c`, which SQLite reads as `a * (b || c)`, and `a.concat(b + c)` is written
`a || b + c`, read as `(a || b) + c`. A chain of such operators without parentheses is read
here again in SQLite's order, so that `memory://` computes what SQLite computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.sql import elements, operators, sqltypes

_LEVELS: dict[Any, tuple[str, int]] = {
    operators.concat_op: ("||", 3),
    operators.mul: ("*", 2),
    operators.truediv: ("/", 2),
    operators.mod: ("%", 2),
    operators.add: ("+", 1),
    operators.sub: ("-", 1),
    operators.bitwise_and_op: ("&", 0),
    operators.bitwise_or_op: ("|", 0),
    operators.bitwise_lshift_op: ("<<", 0),
    operators.bitwise_rshift_op: (">>", 0),
}
"""The operators of a chain, as SQLite's dialect writes them, and how tightly SQLite binds
each (higher binds tighter; all associate to the left). SQLAlchemy ranks the bitwise
operators with `+`, SQLite below it: `a.bitwise_and(b) + c` is written `a & b + c`."""
_ARITHMETIC = frozenset({"*", "/", "%", "+", "-"})
"""Operators SQLAlchemy and SQLite rank alike among themselves."""


@dataclass(frozen=True)
class Operand:
    """One operand of a chain; `as_real`: SQLAlchemy writes it as `(x + 0.0)`, the divisor of a
    true division."""

    element: Any
    as_real: bool = False


@dataclass(frozen=True)
class Step:
    """`left <symbol> right` in SQLite's reading."""

    symbol: str
    left: Operand | Step
    right: Operand | Step


def _symbol(el: Any) -> tuple[str, int] | None:
    """The operator `el` is written with, if it can join a chain."""
    if isinstance(el, elements.ExpressionClauseList):  # `a * b * c`, one operator throughout
        return _LEVELS.get(el.operator)
    if not isinstance(el, elements.BinaryExpression):
        return None
    if el.operator is operators.floordiv:
        whole = (
            el.left.type._type_affinity is sqltypes.Integer
            and el.right.type._type_affinity is sqltypes.Integer
        )
        return ("/", 2) if whole else None  # otherwise FLOOR(a / b), one operand
    return _LEVELS.get(el.operator)


def sqlite_reading(el: Any) -> Operand | Step | None:
    """`el` as SQLite reads the text written for it, when that differs from SQLAlchemy's tree:
    only a chain mixing `||` or a bitwise operator with other operators can; None otherwise."""
    operands: list[Operand] = []
    symbols: list[tuple[str, int]] = []

    def walk(node: Any, as_real: bool = False) -> None:
        while isinstance(node, elements.TypeCoerce | elements.Label):  # written as what they hold
            node = node.clause if isinstance(node, elements.TypeCoerce) else node.element
        found = None if as_real else _symbol(node)
        if found is None:
            operands.append(Operand(node, as_real))
            return
        if isinstance(node, elements.ExpressionClauseList):
            first, *rest = node.clauses
            walk(first)
            for clause in rest:
                symbols.append(found)
                walk(clause)
            return
        walk(node.left)
        symbols.append(found)
        walk(node.right, as_real=node.operator is operators.truediv)

    walk(el)
    names = {symbol for symbol, _level in symbols}
    if len({level for _symbol, level in symbols}) < 2 or names <= _ARITHMETIC:
        return None
    return _parsed(operands, symbols)


def _parsed(operands: list[Operand], symbols: list[tuple[str, int]]) -> Operand | Step:
    """The operands and operators, left to right, grouped by SQLite's binding."""
    values: list[Operand | Step] = [operands[0]]
    pending: list[tuple[str, int]] = []
    for symbol, operand in zip(symbols, operands[1:], strict=True):
        while pending and pending[-1][1] >= symbol[1]:
            _reduce(values, pending)
        pending.append(symbol)
        values.append(operand)
    while pending:
        _reduce(values, pending)
    return values[0]


def _reduce(values: list[Operand | Step], pending: list[tuple[str, int]]) -> None:
    right = values.pop()
    left = values.pop()
    values.append(Step(pending.pop()[0], left, right))
