"""SQL text in a table's definition, read as SQLite reads it: a CHECK constraint written as a
string (`CheckConstraint("quantity > 0")`) becomes the SQLAlchemy expression on the table's
columns that the memory dialect evaluates.

The text is parsed by sqlglot in its SQLite dialect, which keeps SQLite's operator precedence
(`||` binds tighter than `*`); every function call is kept as written, under its own name, so
it means what SQLite's function of that name means. The tree is rebuilt from SQLAlchemy's
elements without its type-driven rewriting (`+` on text stays `+`, `= NULL` stays `= NULL`,
`/` stays SQLite's division), and parentheses stay where they were written.
"""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from sqlalchemy import Table, and_, case, cast, collate, func, literal, null, or_, type_coerce
from sqlalchemy.sql import operators, sqltypes
from sqlalchemy.sql.elements import BinaryExpression, ColumnElement, Grouping, UnaryExpression

from .errors import NotSupportedError, OperationalError

_INT64 = (-(2**63), 2**63 - 1)
_COMPARISONS = {
    "EQ": operators.eq,
    "NEQ": operators.ne,
    "GT": operators.gt,
    "GTE": operators.ge,
    "LT": operators.lt,
    "LTE": operators.le,
    "NullSafeEQ": operators.is_,
    "NullSafeNEQ": operators.is_not,
}
_ARITHMETIC = {
    "Add": operators.add,
    "Sub": operators.sub,
    "Mul": operators.mul,
    "Mod": operators.mod,
    "DPipe": operators.concat_op,
    "BitwiseAnd": operators.bitwise_and_op,
    "BitwiseOr": operators.bitwise_or_op,
    "BitwiseLeftShift": operators.bitwise_lshift_op,
    "BitwiseRightShift": operators.bitwise_rshift_op,
}
_AGGREGATES = frozenset(
    {"avg", "count", "group_concat", "json_group_array", "json_group_object", "string_agg"}
    | {"sum", "total"}
)
"""Aggregate functions, which a CHECK constraint cannot use (min and max of one argument too)."""


@cache
def _dialect() -> Any:
    """sqlglot's SQLite dialect, with every function call kept as written."""
    from sqlglot.dialects.sqlite import SQLite

    class WrittenCalls(SQLite):
        class Parser(SQLite.Parser):  # type: ignore[misc,valid-type]
            FUNCTIONS: ClassVar[dict[str, Any]] = {}
            FUNCTION_PARSERS: ClassVar[dict[str, Any]] = {
                name: parse
                for name, parse in SQLite.Parser.FUNCTION_PARSERS.items()
                if name == "CAST"
            }

    return WrittenCalls


def check_condition(text: str, table: Table) -> ColumnElement[Any]:
    """The CHECK constraint `text` of `table` as an expression on its columns."""
    return _Reader(table, "a CHECK constraint").expression(text)


class _Reader:
    """Turns parsed SQL into SQLAlchemy elements on `table`'s columns."""

    def __init__(self, table: Table, what: str) -> None:
        self._table = table
        self._what = what
        self._columns = {str(column.name).lower(): column for column in table.columns}

    def expression(self, text: str) -> ColumnElement[Any]:
        import sqlglot
        from sqlglot import exp
        from sqlglot.errors import ParseError

        try:
            parsed = sqlglot.parse_one(f"SELECT {text}", read=_dialect())
        except ParseError as error:
            raise self._error(f"syntax error in {text!r}") from error
        if (
            not isinstance(parsed, exp.Select)
            or len(parsed.expressions) != 1
            or any(value for key, value in parsed.args.items() if key != "expressions")
            or isinstance(parsed.expressions[0], exp.Alias)
        ):
            raise self._error(f"syntax error: {text!r} is not one expression")
        element: ColumnElement[Any] = self._element(parsed.expressions[0])
        return element

    def _where(self) -> str:
        return f"{self._what} of table {self._table.name}"

    def _error(self, message: str) -> OperationalError:
        """SQLite's message, and where the text is."""
        return OperationalError(f"{message} (in {self._where()})")

    def _refuse(self, node: Any) -> NotSupportedError:
        return NotSupportedError(
            f"{self._where()} is SQL text the memory dialect does not read: {node.sql('sqlite')}"
        )

    def _element(self, node: Any) -> Any:
        from sqlglot import exp

        kind = type(node).__name__
        if kind in _COMPARISONS:
            return self._binary(node, _COMPARISONS[kind], sqltypes.Boolean())
        if kind in _ARITHMETIC:
            return self._binary(node, _ARITHMETIC[kind], sqltypes.NullType())
        if isinstance(node, exp.Div):
            left, right = self._element(node.this), self._element(node.expression)
            return left.op("/")(right)  # SQLite's own division, integral for two integers
        if isinstance(node, exp.Column):
            return self._column(node)
        if isinstance(node, exp.Literal):
            return _literal(node)
        if isinstance(node, exp.Null):
            return null()
        if isinstance(node, exp.Boolean):
            return literal(1 if node.this else 0, sqltypes.NullType())
        if isinstance(node, exp.HexString):
            return literal(bytes.fromhex(node.this), sqltypes.NullType())
        if isinstance(node, exp.Paren):
            return Grouping(self._element(node.this))
        if isinstance(node, exp.Neg):
            inner = node.this
            if isinstance(inner, exp.Literal) and not inner.is_string:
                return _literal(inner, negative=True)
            return _unary(self._element(inner), operators.neg, sqltypes.NullType())
        if isinstance(node, exp.BitwiseNot):
            return _unary(self._element(node.this), operators.bitwise_not_op, sqltypes.NullType())
        if isinstance(node, exp.Not):
            return _unary(self._element(node.this), operators.inv, sqltypes.Boolean())
        if isinstance(node, exp.And):
            return and_(self._element(node.this), self._element(node.expression))
        if isinstance(node, exp.Or):
            return or_(self._element(node.this), self._element(node.expression))
        if isinstance(node, exp.Is):
            if isinstance(node.expression, exp.Boolean):  # a test of truth, no comparison
                subject = self._element(node.this)
                if node.expression.this:
                    return case((subject, 1), else_=0)
                return case((subject, 0), (subject.is_(None), 0), else_=1)
            if not isinstance(node.expression, exp.Null):
                raise self._refuse(node)
            return BinaryExpression(
                self._element(node.this), null(), operators.is_, type_=sqltypes.Boolean()
            )
        if isinstance(node, exp.In):
            return self._in(node)
        if isinstance(node, exp.Between):
            subject = self._element(node.this)
            return subject.between(
                self._element(node.args["low"]), self._element(node.args["high"])
            )
        if isinstance(node, exp.Like):
            return self._like(node, None)
        if isinstance(node, exp.Escape) and isinstance(node.this, exp.Like):
            escape = node.expression
            if not isinstance(escape, exp.Literal) or not escape.is_string:
                raise self._refuse(node)
            return self._like(node.this, str(escape.this))
        if isinstance(node, exp.Glob):
            return func.glob(self._element(node.expression), self._element(node.this))
        if isinstance(node, exp.Collate):
            name = node.expression
            if not isinstance(name, exp.Var | exp.Identifier | exp.Column):
                raise self._refuse(node)
            return collate(self._element(node.this), name.name)
        if isinstance(node, exp.Cast):
            return cast(self._element(node.this), _cast_type(node.args["to"].sql("sqlite")))
        if isinstance(node, exp.Case):
            return self._case(node)
        if isinstance(node, exp.Anonymous):
            return self._call(node)
        if isinstance(node, exp.Subquery | exp.Select | exp.Exists):
            raise self._error("subqueries prohibited in CHECK constraints")
        if isinstance(node, exp.Placeholder | exp.Parameter):
            raise self._error("parameters prohibited in CHECK constraints")
        raise self._refuse(node)

    def _binary(self, node: Any, operator: Any, type_: Any) -> Any:
        left, right = self._element(node.this), self._element(node.expression)
        return BinaryExpression(left, right, operator, type_=type_)

    def _column(self, node: Any) -> Any:
        qualifier = node.table
        if qualifier and qualifier.lower() != str(self._table.name).lower():
            raise self._error(f"no such column: {node.sql('sqlite')}")
        found = self._columns.get(node.name.lower())
        if found is None:
            raise self._error(f"no such column: {node.name}")
        return found

    def _in(self, node: Any) -> Any:
        if node.args.get("query") is not None:
            raise self._error("subqueries prohibited in CHECK constraints")
        if node.args.get("unnest") is not None or node.args.get("field") is not None:
            raise self._refuse(node)
        subject = self._element(node.this)
        items = [self._element(item) for item in node.expressions]
        return subject.in_(items)

    def _like(self, node: Any, escape: str | None) -> Any:
        subject = type_coerce(self._element(node.this), sqltypes.String())
        pattern = self._element(node.expression)
        if node.args.get("negate"):
            return subject.not_like(pattern, escape=escape)
        return subject.like(pattern, escape=escape)

    def _case(self, node: Any) -> Any:
        whens = [
            (self._element(branch.this), self._element(branch.args["true"]))
            for branch in node.args["ifs"]
        ]
        default = node.args.get("default")
        operand = node.this
        return case(
            *whens,
            value=None if operand is None else self._element(operand),
            else_=None if default is None else self._element(default),
        )

    def _call(self, node: Any) -> Any:
        name = str(node.this).lower()
        arguments = [self._element(argument) for argument in node.expressions]
        if name in _AGGREGATES or (name in ("min", "max") and len(arguments) == 1):
            raise self._error(f"misuse of aggregate function {name}()")
        return getattr(func, name)(*arguments)


def _unary(operand: Any, operator: Any, type_: Any) -> Any:
    """`operator operand`, built as written, whatever the operand's type."""
    return UnaryExpression(operand.self_group(against=operator), operator=operator, type_=type_)


def _literal(node: Any, *, negative: bool = False) -> Any:
    """A literal as SQLite reads it: text, an INTEGER when written as digits that fit 64 bits,
    else a REAL."""
    text = str(node.this)
    if node.is_string:
        return literal(text, sqltypes.NullType())
    if negative:
        text = "-" + text
    if text.lstrip("-").isdigit():
        number = int(text)
        if _INT64[0] <= number <= _INT64[1]:
            return literal(number, sqltypes.NullType())
    return literal(float(text), sqltypes.NullType())


def _cast_type(name: str) -> Any:
    """The SQLAlchemy type whose name has the affinity SQLite gives `name` (datatype3.html)."""
    upper = name.upper()
    if "INT" in upper:
        return sqltypes.Integer()
    if "CHAR" in upper or "CLOB" in upper or "TEXT" in upper:
        return sqltypes.Text()
    if "BLOB" in upper or not upper:
        return sqltypes.LargeBinary()
    if "REAL" in upper or "FLOA" in upper or "DOUB" in upper:
        return sqltypes.Float()
    return sqltypes.Numeric()
