"""SQL value semantics: comparison with NULL, SQLite's cross-type order, LIKE, arithmetic."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .releases import LIKE_MATCHES_BLOBS
from .types import arithmetic_number, as_stored_text, fits_int64, to_integer, to_text

_NUMERIC = (int, float, Decimal)


def type_rank(value: Any) -> int:
    """SQLite's storage-class order: NULL < numbers < text < blob."""
    if value is None:
        return 0
    if isinstance(value, _NUMERIC):
        return 1
    if isinstance(value, bytes):
        return 3
    return 2


def _rank_key(value: Any) -> tuple[int, Any]:
    rank = type_rank(value)
    if rank == 2 and not isinstance(value, str):
        return rank, to_text(value)  # a date, time or UUID sorts as the text SQLite holds
    return rank, value


def compare(a: Any, b: Any) -> int:
    """-1/0/1 comparing two non-NULL values, falling back to SQLite's cross-type order."""
    try:
        if a < b:
            return -1
        if a > b:
            return 1
        return 0
    except TypeError:
        ka, kb = _rank_key(a), _rank_key(b)
        try:
            return -1 if ka < kb else (1 if ka > kb else 0)
        except TypeError:
            sa, sb = str(ka[1]), str(kb[1])
            return -1 if sa < sb else (1 if sa > sb else 0)


def lt(a: Any, b: Any) -> bool:
    try:
        return bool(a < b)
    except TypeError:
        return compare(a, b) < 0


def le(a: Any, b: Any) -> bool:
    try:
        return bool(a <= b)
    except TypeError:
        return compare(a, b) <= 0


def gt(a: Any, b: Any) -> bool:
    try:
        return bool(a > b)
    except TypeError:
        return compare(a, b) > 0


def ge(a: Any, b: Any) -> bool:
    try:
        return bool(a >= b)
    except TypeError:
        return compare(a, b) >= 0


def on_stored_text(cmp: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """`cmp` on the values as SQLite holds them, dates and times as their text: for a date or
    time operand beside one that may be text, where Python's own comparison would differ."""

    def compare_stored(a: Any, b: Any) -> bool:
        return cmp(as_stored_text(a), as_stored_text(b))

    return compare_stored


class SortKey:
    """Wraps a value so that mixed types sort in SQLite's order (NULLs first)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: SortKey) -> bool:
        a, b = self.value, other.value
        if a is None:
            return b is not None
        if b is None:
            return False
        return compare(a, b) < 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SortKey):
            return NotImplemented
        a, b = self.value, other.value
        if a is None or b is None:
            return a is b
        return compare(a, b) == 0

    def __hash__(self) -> int:
        return hash(self.value)


# LIKE ----------------------------------------------------------------------------------
@lru_cache(maxsize=512)
def like_matcher(pattern: str, escape: str | None) -> Callable[[str], Any]:
    """A matcher for a SQL LIKE pattern, ASCII case-insensitive as in SQLite."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if escape is not None and ch == escape and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
        i += 1
    regex = re.compile("".join(out), re.DOTALL | re.IGNORECASE | re.ASCII)
    return regex.fullmatch


def like(value: Any, pattern: Any, escape: str | None = None) -> bool | None:
    if not LIKE_MATCHES_BLOBS and (type(value) is bytes or type(pattern) is bytes):
        return False
    if value is None or pattern is None:
        return None
    if not isinstance(value, str):
        value = to_text(value)
    if not isinstance(pattern, str):
        pattern = to_text(pattern)
    return like_matcher(pattern, escape)(value) is not None


# arithmetic ----------------------------------------------------------------------------
def _num(value: Any) -> Any:
    """An operand as SQLite's arithmetic reads it: text (a blob's, a date's as stored) by its
    numeric prefix, see `arithmetic_number`."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, _NUMERIC):
        return value
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = as_stored_text(value)
    return arithmetic_number(value) if isinstance(value, str) else value


_NUMBER_TYPES = frozenset({int, float})


def _operands(a: Any, b: Any) -> tuple[Any, Any]:
    """Both operands as numbers; Python's own `+` and `*` would join or repeat text."""
    if type(a) in _NUMBER_TYPES and type(b) in _NUMBER_TYPES:
        return a, b
    return _num(a), _num(b)


def _int64(value: Any) -> Any:
    """An arithmetic result as SQLite keeps it: an integer past the 64-bit range becomes REAL,
    and a REAL that is not a number (`inf - inf`, `inf * 0`) becomes NULL."""
    if type(value) is int:
        return value if fits_int64(value) else float(value)
    return None if value != value else value


def add(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    a, b = _operands(a, b)
    return _int64(a + b)


def sub(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    a, b = _operands(a, b)
    return _int64(a - b)


def mul(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    a, b = _operands(a, b)
    return _int64(a * b)


def truediv(a: Any, b: Any) -> Any:
    """`a / b` as SQLAlchemy renders it for SQLite: real division, NULL on zero."""
    if a is None or b is None:
        return None
    b = float(_num(b))
    if b == 0:
        return None
    return _int64(float(_num(a)) / b)


def intdiv(a: Any, b: Any) -> Any:
    """SQL integer division: truncates toward zero, NULL on zero."""
    if a is None or b is None:
        return None
    a, b = _num(a), _num(b)
    if b == 0:
        return None
    if type(a) is int and type(b) is int:
        q = abs(a) // abs(b)
        return _int64(q if (a >= 0) == (b > 0) else -q)
    return _int64(a / b)


def mod(a: Any, b: Any) -> Any:
    """SQLite `%`: integer remainder with the sign of the dividend, NULL on zero."""
    if a is None or b is None:
        return None
    # REAL when either operand reads as one; the remainder is of the operands' integer values
    # (a REAL cut to the 64-bit range, text by its integer prefix: '1e3' is 1), as SQLite takes
    is_real = isinstance(_num(a), float) or isinstance(_num(b), float)
    ia, ib = to_integer(as_stored_text(a)), to_integer(as_stored_text(b))
    if ib == 0:
        return None
    r = abs(ia) % abs(ib)
    r = r if ia >= 0 else -r
    return float(r) if is_real else r


def concat(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    return to_text(a) + to_text(b)


def _bits(value: Any) -> int:
    """An operand of a bitwise operator: an integer as SQLite's functions read one."""
    return int(to_integer(as_stored_text(value)))


def _signed(bits: int) -> int:
    """The low 64 bits as a signed integer."""
    bits &= 0xFFFFFFFFFFFFFFFF
    return bits - (1 << 64) if bits >> 63 else bits


def bit_and(a: Any, b: Any) -> Any:
    return None if a is None or b is None else _bits(a) & _bits(b)


def bit_or(a: Any, b: Any) -> Any:
    return None if a is None or b is None else _bits(a) | _bits(b)


def bit_not(a: Any) -> Any:
    return None if a is None else ~_bits(a)


def shift_left(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    return _shift(_bits(a), _bits(b), left=True)


def shift_right(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    return _shift(_bits(a), _bits(b), left=False)


def _shift(value: int, count: int, *, left: bool) -> int:
    """SQLite's `<<` and `>>` on 64 bits: a negative count shifts the other way, 64 or more
    places leave 0 (or -1 for a negative value shifted right)."""
    if count < 0:
        left, count = not left, min(-count, 64)
    if count >= 64:
        return -1 if value < 0 and not left else 0
    return _signed(value << count) if left else value >> count


def negate(a: Any) -> Any:
    if a is None:
        return None
    number = _num(a)
    if type(number) is int:
        return _int64(-number)
    return _int64(0 - number)  # SQLite subtracts from zero: -(0.0) is 0.0, not -0.0
