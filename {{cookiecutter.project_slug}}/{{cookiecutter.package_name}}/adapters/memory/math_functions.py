"""SQLite's math functions (`ln`, `exp`, `pow`, `sqrt`, `floor`, ...), with SQLite's answers.

SQLite computes them with the C library on REALs: an integer argument becomes a REAL, text
counts only when it is wholly a number, anything else gives NULL, and so does a result that
is not a number (`sqrt(-1)`); an overflow or a pole gives an infinity. Python's `math` calls
the same C functions but raises where C returns NaN or an infinity, so each call maps those
back. `ceil` and `trunc` keep an integer as it is, and a logarithm of a number that is not
positive is NULL. `floor` is another matter: SQLAlchemy's pysqlite dialect registers Python's
`math.floor` as `floor()` on every connection, so that is what `func.floor` runs on SQLite,
integer results and errors included.

`log10()` and `log2()` changed between SQLite versions (3.40 divides the natural logarithm
by ln 10 or ln 2; later versions call the C functions), so the SQLite of this Python is asked
once which it does.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

from .errors import DataError, OperationalError
from .types import fits_int64, numeric_text, real_argument

_LN10 = 2.302585092994045684017991454684364208
_LN2 = 0.693147180559945309417232121458176568
_PI_OVER_180 = math.pi / 180.0
_180_OVER_PI = 180.0 / math.pi


def _number(value: Any) -> int | float | None:
    """The argument as SQLite's math functions take it: a number, or None for anything else."""
    if isinstance(value, str):
        return numeric_text(value)
    if isinstance(value, Decimal):
        return float(value)
    if type(value) is bool:
        return int(value)
    if type(value) is int or type(value) is float:
        return value
    return None


def _real(value: Any) -> float | None:
    number = _number(value)
    return None if number is None else float(number)


def _finite_or_null(result: float) -> float | None:
    return None if math.isnan(result) else result


def _unary(
    compute: Callable[[float], float], on_overflow: Callable[[float], float] | None = None
) -> Callable[[Any], float | None]:
    """A one-argument function: NULL for a non-number or a NaN result (Python's ValueError)."""

    def apply(value: Any) -> float | None:
        x = _real(value)
        if x is None:
            return None
        try:
            return _finite_or_null(compute(x))
        except ValueError:
            return None
        except OverflowError:
            if on_overflow is None:
                raise
            return on_overflow(x)

    return apply


def _infinity(_x: float) -> float:
    return math.inf


def _signed_infinity(x: float) -> float:
    return math.copysign(math.inf, x)


def _atanh(x: float) -> float:
    if x in (1.0, -1.0):  # a pole: C gives an infinity where Python raises
        return math.copysign(math.inf, x)
    return math.atanh(x)


def _pow(x: float, y: float) -> float | None:
    """C's pow(): infinities for overflows and for zero to a negative power."""
    odd = y.is_integer() and abs(y) < 2**53 and int(y) % 2 == 1
    try:
        return _finite_or_null(math.pow(x, y))
    except OverflowError:
        return -math.inf if (x < 0 and odd) else math.inf
    except ValueError:
        if x == 0 and y < 0:
            return math.copysign(math.inf, x) if odd else math.inf
        return None


def _binary(compute: Callable[[float, float], float | None]) -> Callable[[Any, Any], Any]:
    def apply(first: Any, second: Any) -> float | None:
        x, y = _real(first), _real(second)
        if x is None or y is None:
            return None
        try:
            result = compute(x, y)
        except ValueError:
            return None
        return None if result is None else _finite_or_null(result)

    return apply


def _rounding(compute: Callable[[float], int]) -> Callable[[Any], Any]:
    """ceil, floor, trunc: an integer as it is, a REAL rounded to a REAL (keeping -0.0)."""

    def apply(value: Any) -> int | float | None:
        number = _number(value)
        if number is None or type(number) is int:
            return number
        if not math.isfinite(number):
            return _finite_or_null(number)
        rounded = float(compute(number))
        return rounded if rounded else math.copysign(0.0, number)

    return apply


def fn_floor(value: Any) -> int:
    """`floor()` as SQLAlchemy registers it on pysqlite connections: Python's `math.floor`,
    its integer passed back to SQLite, its exceptions reported as SQLite reports them."""
    try:
        result: int = math.floor(value)
    except OverflowError:
        raise DataError("string or blob too big") from None
    except Exception:
        raise OperationalError("user-defined function raised exception") from None
    if not fits_int64(result):
        raise DataError("string or blob too big")
    return result


@cache
def _logs_by_division() -> bool:
    """Whether this Python's SQLite takes log10 and log2 as ln(x) divided by ln 10 and ln 2."""
    probe = 3.5  # its two log10s differ in the last bit
    connection = sqlite3.connect(":memory:")
    try:
        (found,) = connection.execute("SELECT log10(?)", (probe,)).fetchone()
    except sqlite3.Error:  # built without the math functions: go by the version
        return sqlite3.sqlite_version_info < (3, 44)
    finally:
        connection.close()
    return bool(found == math.log(probe) / _LN10)


def _log_of(base_ln: float, python_log: Callable[[float], float]) -> Callable[[float], float]:
    def compute(x: float) -> float:
        return math.log(x) / base_ln if _logs_by_division() else python_log(x)

    return compute


def _logarithm(compute: Callable[[float], float]) -> Callable[[Any], Any]:
    def apply(value: Any) -> float | None:
        x = _real(value)
        if x is None or not x > 0:
            return None
        return _finite_or_null(compute(x))

    return apply


_ln = _logarithm(math.log)
_log10 = _logarithm(_log_of(_LN10, math.log10))


_ONE_ARGUMENT = object()


def fn_log(first: Any, second: Any = _ONE_ARGUMENT) -> Any:
    """log(X) in base 10, or log(B, X): the base must be a number above 1, and X is read as
    SQLite reads it there, as any REAL argument (text by its numeric prefix, NULL as 0)."""
    if second is _ONE_ARGUMENT:
        return _log10(first)
    base = _real(first)
    if base is None or not base > 0:
        return None
    base_ln = math.log(base)
    if not base_ln > 0:
        return None
    x = 0.0 if second is None else real_argument(second)
    if not x > 0:
        return None
    return _finite_or_null(math.log(x) / base_ln)


def fn_pi() -> float:
    return math.pi


MATH_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ceil": _rounding(math.ceil),
    "ceiling": _rounding(math.ceil),
    "floor": fn_floor,
    "trunc": _rounding(math.trunc),
    "ln": _ln,
    "log": fn_log,
    "log10": _log10,
    "log2": _logarithm(_log_of(_LN2, math.log2)),
    "exp": _unary(math.exp, _infinity),
    "pow": _binary(_pow),
    "power": _binary(_pow),
    "mod": _binary(math.fmod),
    "acos": _unary(math.acos),
    "asin": _unary(math.asin),
    "atan": _unary(math.atan),
    "atan2": _binary(math.atan2),
    "cos": _unary(math.cos),
    "sin": _unary(math.sin),
    "tan": _unary(math.tan),
    "cosh": _unary(math.cosh, _infinity),
    "sinh": _unary(math.sinh, _signed_infinity),
    "tanh": _unary(math.tanh),
    "acosh": _unary(math.acosh),
    "asinh": _unary(math.asinh),
    "atanh": _unary(_atanh),
    "sqrt": _unary(math.sqrt),
    "radians": _unary(lambda x: x * _PI_OVER_180),
    "degrees": _unary(lambda x: x * _180_OVER_PI),
    "pi": fn_pi,
}
"""SQLite's math functions by name, for SQLite builds with them (Python's usually are)."""
