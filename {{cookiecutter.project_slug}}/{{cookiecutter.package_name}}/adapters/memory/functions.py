"""SQL functions: scalar functions and aggregates, with SQLite's results."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from decimal import ROUND_DOWN, Context, Decimal
from typing import Any

from .decimal_digits import printf_fixed_text, read_real, sqlite_digits
from .errors import OperationalError
from .json_functions import JSON_FUNCTIONS
from .math_functions import MATH_FUNCTIONS
from .releases import (
    CONCAT_WS_KEEPS_EMPTY,
    INTEGER_ARGUMENTS_64_BIT,
    REPLACE_EMPTY_PATTERN_TEXT,
    ROUND_BY_DECIMAL_DIGITS,
)
from .sums import RunningSum, new_sum
from .text_functions import TEXT_FUNCTIONS
from .types import (
    arithmetic_number,
    as_stored_text,
    numeric_text,
    real_argument,
    sqlite_real_text,
    to_integer,
    to_real,
    to_text,
)
from .values import SortKey, compare

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def utc_now() -> dt.datetime:
    """CURRENT_TIMESTAMP as SQLite gives it: naive UTC, whole seconds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _text_arg(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else to_text(value)


def fn_lower(value: Any) -> Any:
    value = _text_arg(value)
    return None if value is None else value.translate(_ASCII_LOWER)


def fn_upper(value: Any) -> Any:
    value = _text_arg(value)
    return None if value is None else value.translate(_ASCII_UPPER)


def fn_length(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bytes):
        return len(value)
    return len(_text_arg(value))


def _int_arg(value: Any) -> int:
    """An integer argument of round() or substr(), as the linked SQLite reads it: the value's
    64-bit integer (`to_integer`), cut to a C `int`'s low 32 bits before SQLite 3.48."""
    whole: int = to_integer(as_stored_text(value))
    if INTEGER_ARGUMENTS_64_BIT:
        return whole
    return (whole + 2**31) % 2**32 - 2**31


def fn_abs(value: Any) -> Any:
    """SQLite's abs(): an integer stays one (the smallest overflows), anything else is REAL."""
    if value is None:
        return None
    if type(value) is int or type(value) is bool:
        if value == -(2**63):
            raise OperationalError("integer overflow")
        return abs(int(value))
    x = real_argument(value)
    return -x if x < 0 else x  # -0.0 stays -0.0, as in SQLite's C


def fn_round(value: Any, digits: Any = 0) -> Any:
    """SQLite's round(), always REAL; the digits are read as an integer and kept within 0..30."""
    if value is None or digits is None:
        return None
    n = min(max(_int_arg(digits), 0), 30)
    x = real_argument(value)
    if not abs(x) <= 2.0**52:
        return x  # whole already (or not a number): nothing to round
    if n == 0:
        return float(int(x + (-0.5 if x < 0 else 0.5)))
    if ROUND_BY_DECIMAL_DIGITS:
        return _digit_round(x, n)
    return _printf_round(x, n)


def _printf_round(x: float, n: int) -> float:
    """`x` to `n` decimals as SQLite before 3.43 gets it: printed with `%.nf` in long double,
    and read back (`decimal_digits` repeats both steps).

    When few digits are kept, SQLite's printf adds a 3e-16 share of the value to the half unit
    it rounds with, which lifts decimals that binary floats store just below a boundary clear
    of it: then the exact value gives the same digits, faster.
    """
    binary_exponent = math.frexp(x)[1] - 1
    if n + int(binary_exponent / 3) >= 15:  # C's division cuts towards zero
        return read_real(printf_fixed_text(x, n))
    magnitude = abs(Decimal(x))
    rounded = magnitude + Decimal(5).scaleb(-n - 1) + magnitude * _PRINTF_SHARE
    last = max(-n, rounded.adjusted() - 15)  # the last digit written: 16 significant at most
    kept = rounded.quantize(Decimal(1).scaleb(last), rounding=ROUND_DOWN, context=_WIDE)
    return read_real(f"{kept.copy_negate() if x < 0 else kept:f}")


_PRINTF_SHARE = Decimal("3e-16")


def _digit_round(x: float, n: int) -> float:
    """`x` to `n` decimals as SQLite 3.43 and later get it: the double scaled by a power of ten
    to an integer of 18 or 19 digits (the part past it cut towards the nearest double of the
    scaled value), those digits rounded half up at the `n`-th decimal, and read back."""
    if x == 0:
        return 0.0
    digits, point = sqlite_digits(x)
    keep = point + n  # how many of them the n decimals keep
    if keep < 0 or (keep == 0 and digits[0] < "5"):
        return math.copysign(0.0, x)
    if keep == 0:
        value = Decimal(1).scaleb(point)
    elif keep < len(digits):
        value = Decimal(int(digits[:keep]) + (digits[keep] >= "5")).scaleb(point - keep)
    else:
        value = Decimal(int(digits)).scaleb(point - len(digits))
    rounded = read_real(f"{value:f}")
    return -rounded if x < 0 else rounded


_WIDE = Context(prec=64)
"""Enough digits for any double to the 30 decimals round() takes."""


def fn_nullif(a: Any, b: Any) -> Any:
    if a is None:
        return None
    if b is not None and compare(a, b) == 0:
        return None
    return a


_NO_LENGTH = object()
_SPACE = object()


def _trimmed(value: Any, chars: Any, trim: Callable[[str, str], str]) -> Any:
    """trim(), ltrim() and rtrim(): spaces, or the characters of the second argument's text
    form; NULL when either is NULL."""
    if value is None or chars is None:
        return None
    return trim(_text_arg(value), " " if chars is _SPACE else _text_arg(chars))


def fn_trim(value: Any, chars: Any = _SPACE) -> Any:
    return _trimmed(value, chars, str.strip)


def fn_ltrim(value: Any, chars: Any = _SPACE) -> Any:
    return _trimmed(value, chars, str.lstrip)


def fn_rtrim(value: Any, chars: Any = _SPACE) -> Any:
    return _trimmed(value, chars, str.rstrip)


SUBSTR_LENGTH_LIMIT = 1_000_000_000
"""SQLite's default length limit, which substr() without a length takes as its length."""


def fn_substr(value: Any, start: Any, length: Any = _NO_LENGTH) -> Any:
    """SQLite substr(): 1-based, negative start counts from the end; start and length are read
    as integers."""
    if value is None or start is None or length is None or value == b"":
        return None  # SQLite reads an empty blob as no pointer at all
    text = value if isinstance(value, str | bytes) else to_text(value)
    count = None if length is _NO_LENGTH else _int_arg(length)
    if INTEGER_ARGUMENTS_64_BIT:
        return _substr_64(text, _int_arg(start), count)
    return _substr_32(text, _int_arg(start), count)


def _substr_32(text: Any, start: int, length: int | None) -> Any:
    """substr() before SQLite 3.48: a negative length counts back from the start."""
    size = len(text)
    count = SUBSTR_LENGTH_LIMIT if length is None else abs(length)
    if start < 0:
        start += size
        if start < 0:
            count = max(count + start, 0)
            start = 0
    elif start > 0:
        start -= 1
    elif count > 0:
        count -= 1
    if length is not None and length < 0:
        start -= count
        if start < 0:
            count += start
            start = 0
    return text[start : start + count]


def _substr_64(text: Any, start: int, length: int | None) -> Any:
    """substr() from SQLite 3.48 on, whose start and length are 64-bit integers."""
    size = len(text)
    count = SUBSTR_LENGTH_LIMIT if length is None else length
    if start < 0:
        start += size
        if start < 0:
            count = 0 if count < 0 else count + start
            start = 0
    elif start > 0:
        start -= 1
    elif count > 0:
        count -= 1
    if count < 0:
        count = start if count < -start else -count
        start -= count
    return text[start : start + count]


def fn_replace(value: Any, old: Any, new: Any) -> Any:
    """SQLite's replace(): an empty pattern gives the value back before the replacement is
    looked at, so even for a NULL one (a number as it was, before SQLite 3.46)."""
    if value is None or old is None:
        return None
    text, old = _text_arg(value), _text_arg(old)
    if old == "":
        if type(value) in (int, float, bool) and not REPLACE_EMPTY_PATTERN_TEXT:
            return int(value) if type(value) is bool else value
        return text
    return None if new is None else text.replace(old, _text_arg(new))


def fn_instr(value: Any, sub: Any) -> Any:
    if value is None or sub is None:
        return None
    return _text_arg(value).find(_text_arg(sub)) + 1


def fn_concat(first: Any, *rest: Any) -> Any:
    return "".join(to_text(a) for a in (first, *rest) if a is not None)


def fn_concat_ws(separator: Any, first: Any, *rest: Any) -> Any:
    """The values but NULL joined by the separator (NULL for a NULL one); before SQLite 3.51
    an empty string is left out too."""
    if separator is None:
        return None
    texts = (to_text(a) for a in (first, *rest) if a is not None)
    return to_text(separator).join(t for t in texts if t or CONCAT_WS_KEEPS_EMPTY)


def fn_scalar_max(*args: Any) -> Any:
    if any(a is None for a in args):
        return None
    return max(args, key=SortKey)


def fn_scalar_min(*args: Any) -> Any:
    """Of equal arguments, SQLite's min() keeps the last (its max() the first)."""
    if any(a is None for a in args):
        return None
    return min(reversed(args), key=SortKey)


def fn_random() -> int:
    return random.randint(-(2**63), 2**63 - 1)


def fn_sign(value: Any) -> Any:
    """SQLite's sign(): -1, 0 or 1 for a number or text that is wholly one, else NULL."""
    if isinstance(value, str):
        value = numeric_text(value)
    elif isinstance(value, Decimal):
        value = float(value)
    if type(value) not in (int, float, bool):
        return None
    return (value > 0) - (value < 0)


def fn_typeof(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool | int):
        return "integer"
    if isinstance(value, float):
        return "real"
    if isinstance(value, bytes):
        return "blob"
    return "text"


def fn_planner_hint(value: Any) -> Any:
    """`likely(x)` and `unlikely(x)`: hints to SQLite's planner, `x` itself."""
    return value


def fn_printf_text(value: Any) -> Any:
    return None if value is None else sqlite_real_text(float(value))


SCALAR_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lower": fn_lower,
    "upper": fn_upper,
    "length": fn_length,
    "char_length": fn_length,
    "abs": fn_abs,
    "round": fn_round,
    "nullif": fn_nullif,
    "trim": fn_trim,
    "ltrim": fn_ltrim,
    "rtrim": fn_rtrim,
    "substr": fn_substr,
    "substring": fn_substr,
    "replace": fn_replace,
    "instr": fn_instr,
    "concat": fn_concat,
    "concat_ws": fn_concat_ws,
    "random": fn_random,
    "sign": fn_sign,
    "typeof": fn_typeof,
    "likely": fn_planner_hint,
    "unlikely": fn_planner_hint,
    **TEXT_FUNCTIONS,
    **MATH_FUNCTIONS,
    **JSON_FUNCTIONS,
}

#: functions whose value is fixed for the duration of one statement
STATEMENT_CONSTANTS: dict[str, Callable[[dt.datetime], Any]] = {
    "now": lambda now: now,
    "current_timestamp": lambda now: now,
    "localtimestamp": lambda now: now,
    "sysdate": lambda now: now,
    "current_date": lambda now: now.date(),
    "current_time": lambda now: now.time(),
}

#: names that are aggregates when called with one argument
AGGREGATES = {
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "total",
    "group_concat",
    "string_agg",
    "json_group_array",
    "json_group_object",
}


def agg_count(values: Sequence[Any]) -> int:
    return sum(1 for v in values if v is not None)


def summand(value: Any) -> int | float:
    """A non-NULL value as SQLite's sum(), total() and avg() add it: an integer (text too, when
    it is wholly one without a point or an exponent), else a REAL (other text and blobs by
    their numeric prefix)."""
    if type(value) is int or type(value) is bool:
        return int(value)
    if type(value) is float:
        return value
    stored = as_stored_text(value)
    if isinstance(stored, str) and numeric_text(stored) is not None:
        return arithmetic_number(stored)
    real: float = to_real(stored)
    return real


def _stepped(values: Sequence[Any]) -> RunningSum:
    running = new_sum()
    for value in values:
        if value is not None:
            running.add(summand(value))
    return running


def real_result(value: Any) -> Any:
    """A REAL result as SQLite hands it back: NaN becomes NULL."""
    return None if value != value else value


def agg_sum(values: Sequence[Any]) -> Any:
    present = [summand(v) for v in values if v is not None]
    if not present:
        return None
    if all(type(v) is int for v in present) and len(present) * max(map(abs, present)) < 2**63:
        return sum(present)  # no partial sum can leave the 64-bit range
    return real_result(_stepped(present).sum())


def agg_total(values: Sequence[Any]) -> Any:
    return real_result(_stepped(values).total())


def agg_avg(values: Sequence[Any]) -> Any:
    return real_result(_stepped(values).average())


def agg_min(values: Sequence[Any]) -> Any:
    present = [v for v in values if v is not None]
    if not present:
        return None
    try:
        return min(present)
    except TypeError:
        return min(present, key=SortKey)


def agg_max(values: Sequence[Any]) -> Any:
    present = [v for v in values if v is not None]
    if not present:
        return None
    try:
        return max(present)
    except TypeError:
        return max(present, key=SortKey)


AGGREGATE_FUNCTIONS: dict[str, Callable[[Sequence[Any]], Any]] = {
    "count": agg_count,
    "sum": agg_sum,
    "total": agg_total,
    "avg": agg_avg,
    "min": agg_min,
    "max": agg_max,
}


def agg_group_concat(values: Sequence[Any], separators: Sequence[Any]) -> Any:
    """SQLite's group_concat: NULL values left out; each value after the first is preceded by
    the separator given with it (nothing for a NULL separator)."""
    parts: list[str] = []
    for value, separator in zip(values, separators, strict=True):
        if value is None:
            continue
        if parts and separator is not None:
            parts.append(to_text(separator))
        parts.append(to_text(value))
    return "".join(parts) if parts else None
