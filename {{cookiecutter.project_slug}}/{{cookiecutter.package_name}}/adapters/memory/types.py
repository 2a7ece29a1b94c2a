"""Type handling: how each SQL type is stored, and conversions SQL performs on values.

Stored representation (what the DBAPI layer keeps, chosen so that reads match SQLite):
Integer -> int; Float and Numeric -> float (SQLite stores REAL; SQLAlchemy turns it back
into a `Decimal` quantized to the scale); String/Text/Enum -> str; Boolean -> bool;
DateTime -> naive datetime (tzinfo dropped, as SQLite does); Date -> date; Time -> naive
time; Interval -> timedelta; Uuid -> uuid.UUID; JSON -> its serialized text (reads
deserialize a fresh copy); LargeBinary -> bytes. Every stored value is immutable.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import exc
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import json as sqlite_json
from sqlalchemy.engine import processors
from sqlalchemy.engine.interfaces import Dialect

from .decimal_digits import printf_significant_text, significant_text
from .errors import NotSupportedError
from .releases import ROUND_BY_DECIMAL_DIGITS

_BindProc = Callable[[Any], Any] | None

_STORED_UUID_TEXT = re.compile("[0-9a-f]{32}")


def _read_as_sqlite(kind: type, parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A result processor: a stored `kind` as it is; any other value (text or a number an
    expression gave this type) through the function SQLite's dialect reads its values with."""

    def process(value: Any) -> Any:
        if value is None or isinstance(value, kind):
            return value
        return parse(value)

    return process


class MemoryDateTime(sqltypes.DateTime):
    """Stores naive datetimes; a date is taken as its midnight, as SQLite does."""

    def bind_processor(self, dialect: Dialect) -> _BindProc:
        def process(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, dt.datetime):
                if value.tzinfo is not None or value.fold:
                    return value.replace(tzinfo=None, fold=0)
                return value
            if isinstance(value, dt.date):
                return dt.datetime(value.year, value.month, value.day)
            raise TypeError("DateTime type only accepts Python datetime and date objects")

        return process

    def result_processor(self, dialect: Dialect, coltype: object) -> _BindProc:
        return _read_as_sqlite(dt.datetime, processors.str_to_datetime)


class MemoryDate(sqltypes.Date):
    """Stores dates; a datetime keeps only its date part, as SQLite does."""

    def bind_processor(self, dialect: Dialect) -> _BindProc:
        def process(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            raise TypeError("Date type only accepts Python date objects")

        return process

    def result_processor(self, dialect: Dialect, coltype: object) -> _BindProc:
        return _read_as_sqlite(dt.date, processors.str_to_date)


class MemoryTime(sqltypes.Time):
    """Stores naive times."""

    def bind_processor(self, dialect: Dialect) -> _BindProc:
        def process(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, dt.time):
                if value.tzinfo is not None or value.fold:
                    return value.replace(tzinfo=None, fold=0)
                return value
            raise TypeError("Time type only accepts Python time objects")

        return process

    def result_processor(self, dialect: Dialect, coltype: object) -> _BindProc:
        return _read_as_sqlite(dt.time, processors.str_to_time)


class MemoryBoolean(sqltypes.Boolean):
    """Stores `bool`; another value read as a boolean (`type_coerce`) is read as on SQLite."""

    def result_processor(self, dialect: Dialect, coltype: object) -> _BindProc:
        return _read_as_sqlite(bool, processors.int_to_boolean)


class MemoryUuid(sqltypes.Uuid):  # type: ignore[type-arg]
    """Stores `uuid.UUID` values; takes and refuses what SQLite's binding takes and refuses.

    With `as_uuid` a value must have `.hex`, as on SQLite (a string raises there). Without it a
    string loses its dashes, as on SQLite; 32 lowercase hex digits are kept as the `uuid.UUID`,
    any other text as itself, so it matches only the same text, as the text SQLite stores does.
    """

    def bind_processor(self, dialect: Dialect) -> _BindProc:
        if self.as_uuid:

            def process(value: Any) -> Any:
                if value is None or type(value) is uuid.UUID:
                    return value
                return uuid.UUID(hex=value.hex)

            return process

        def process_text(value: Any) -> Any:
            if value is None:
                return None
            digits = value.replace("-", "")
            return uuid.UUID(hex=digits) if _STORED_UUID_TEXT.fullmatch(digits) else digits

        return process_text

    def result_processor(self, dialect: Dialect, coltype: object) -> _BindProc:
        if self.as_uuid:

            def process(value: Any) -> Any:
                if value is None or type(value) is uuid.UUID:
                    return value
                return uuid.UUID(value)

            return process

        def process_text(value: Any) -> Any:
            if value is None:
                return None
            return str(value if type(value) is uuid.UUID else uuid.UUID(value))

        return process_text


class MemoryJSON(sqltypes.JSON):
    """JSON stored as text; a numeric document may come back as a number, as in SQLite."""

    def result_processor(self, dialect: Dialect, coltype: object) -> _BindProc:
        load = super().result_processor(dialect, coltype)
        if load is None:
            return None
        loader = load

        def process(value: Any) -> Any:
            if isinstance(value, int | float) and not isinstance(value, bool):
                return value
            return loader(value)

        return process


COLSPECS: dict[type[Any], type[Any]] = {
    sqltypes.JSON: MemoryJSON,
    # JSON paths bound as SQLite's JSON_EXTRACT reads them: '$."key"', '$[0]', '$."a"[1]'
    sqltypes.JSON.JSONIndexType: sqlite_json.JSONIndexType,
    sqltypes.JSON.JSONPathType: sqlite_json.JSONPathType,
    sqltypes.DateTime: MemoryDateTime,
    sqltypes.Date: MemoryDate,
    sqltypes.Time: MemoryTime,
    sqltypes.Uuid: MemoryUuid,
    sqltypes.Boolean: MemoryBoolean,
}


# conversions -------------------------------------------------------------------------
def affinity(type_: Any) -> str:
    """A coarse storage class for a SQLAlchemy type."""
    t = getattr(type_, "_type_affinity", None)
    if t is None:
        return "none"
    if isinstance(type_, sqltypes.Enum):
        return "text"
    for klass, name in _AFFINITIES:
        if issubclass(t, klass):
            return name
    return "none"


def collation(type_: Any) -> str | None:
    """The collation a type declares, unless it is SQLite's default BINARY."""
    while isinstance(type_, sqltypes.TypeDecorator):
        type_ = type_.impl_instance
    name = getattr(type_, "collation", None)
    return None if name is None or str(name).upper() == "BINARY" else str(name)


_AFFINITIES: list[tuple[type[Any], str]] = [
    (sqltypes.Boolean, "boolean"),
    (sqltypes.Integer, "integer"),
    (sqltypes.Float, "real"),
    (sqltypes.Numeric, "real"),
    (sqltypes.DateTime, "datetime"),
    (sqltypes.Date, "date"),
    (sqltypes.Time, "time"),
    (sqltypes.Interval, "interval"),
    (sqltypes.Uuid, "uuid"),
    (sqltypes.JSON, "json"),
    (sqltypes._Binary, "blob"),
    (sqltypes.String, "text"),
]

SQLITE_SPACE = " \t\n\v\f\r"
"""The characters SQLite skips around a number in text (ASCII only, unlike `str.strip`)."""
_INT_PREFIX = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+")
_NUM_PREFIX = re.compile(r"[ \t\n\v\f\r]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")

_INT64 = 2**63


def fits_int64(number: float) -> bool:
    """Whether a number lies within SQLite's 64-bit integer range."""
    return -_INT64 <= number < _INT64


def whole_inside_int64(real: float) -> bool:
    """Whether a column's affinity takes a REAL as an INTEGER: a whole number strictly inside the
    64-bit range (SQLite's `sqlite3VdbeIntegerAffinity` keeps -2**63 a REAL)."""
    return real.is_integer() and -_INT64 < real < _INT64


def _parse_datetime(text: str) -> dt.datetime:
    text = text.strip()
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError as err:
        raise NotSupportedError(f"cannot convert {text!r} to a datetime") from err


def to_integer(value: Any) -> Any:
    """SQL `CAST(x AS INTEGER)` as SQLite performs it, which is also how its functions read an
    integer argument: text gives its integer prefix (0 if none), a REAL is truncated, and both
    stop at the ends of the 64-bit range."""
    if value is None or type(value) is int:
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float | Decimal):
        if value != value:
            return 0
        if value >= _INT64:
            return _INT64 - 1
        if value <= -_INT64:
            return -_INT64
        return int(value)
    if isinstance(value, str):
        m = _INT_PREFIX.match(value)
        return min(max(int(m.group()), -_INT64), _INT64 - 1) if m else 0
    if isinstance(value, bytes):
        return to_integer(value.decode("utf-8", "replace"))
    raise NotSupportedError(f"cannot cast {type(value).__name__} to INTEGER")


def to_real(value: Any) -> Any:
    """SQL `CAST(x AS REAL)` as SQLite performs it."""
    if value is None or type(value) is float:
        return value
    if isinstance(value, int | Decimal):
        return float(value)
    if isinstance(value, str):
        m = _NUM_PREFIX.match(value)
        return float(m.group()) if m else 0.0
    if isinstance(value, bytes):
        return to_real(value.decode("utf-8", "replace"))
    raise NotSupportedError(f"cannot cast {type(value).__name__} to REAL")


_SAME_AS_INT = 2**51
"""SQLite's CAST AS NUMERIC takes a REAL read from text as an INTEGER only below this
(`sqlite3RealSameAsInt`)."""


def to_numeric(value: Any) -> Any:
    """SQL `CAST(x AS NUMERIC)` as SQLite performs it (`sqlite3VdbeMemNumerify`): numbers are
    left as they are; text gives the number its longest numeric prefix spells (0 if none), an
    integer when that prefix is one that fits in 64 bits, or a REAL that is whole and below
    2**51."""
    if value is None or type(value) is int or type(value) is float:
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        value = to_text(value)
    m = _NUM_PREFIX.match(value)
    if m is None:
        return 0
    text = m.group()
    if not any(c in text for c in ".eE"):
        whole = int(text)
        if fits_int64(whole):
            return whole
    real = float(text)
    if real == 0:
        return 0
    if real.is_integer() and -_SAME_AS_INT <= real < _SAME_AS_INT:
        return int(real)
    return real


TEMPORAL = (dt.date, dt.time)
"""Python types of stored DATE, DATETIME and TIME values (a datetime is a date)."""

TEMPORAL_KINDS = frozenset({"datetime", "date", "time"})

HELD_AS_OBJECT_KINDS = TEMPORAL_KINDS | {"uuid"}
"""Kinds held as Python objects where SQLite holds text (a UUID as its 32 hex digits)."""

OBJECT_VALUED_KINDS = HELD_AS_OBJECT_KINDS | {"interval"}
"""Kinds whose values are Python objects here: those above, and intervals (held as the datetime
that far from the epoch)."""


def temporal_text(value: dt.date | dt.time) -> str:
    """A DATE, DATETIME or TIME value as SQLAlchemy's SQLite dialect stores it, as text."""
    if isinstance(value, dt.datetime):
        return value.isoformat(" ", "microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.isoformat("microseconds")


def as_stored_text(value: Any) -> Any:
    """`value` as SQLite holds it: a date, time or UUID as its text, anything else unchanged."""
    if isinstance(value, TEMPORAL):
        return temporal_text(value)
    return value.hex if isinstance(value, uuid.UUID) else value


def _boolean_as_stored(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


STORED_FORMS: dict[str, Callable[[Any], Any]] = {
    "datetime": as_stored_text,
    "date": as_stored_text,
    "time": as_stored_text,
    "interval": as_stored_text,  # kept as the datetime that far from the epoch, as on SQLite
    "uuid": as_stored_text,
    "boolean": _boolean_as_stored,
}
"""For the kinds the memory dialect keeps as Python objects: the value SQLite stores instead
(text for dates, times and intervals, 32 hex digits for a UUID, 0 or 1 for a boolean)."""


def to_text(value: Any) -> Any:
    """SQL `CAST(x AS TEXT)` as SQLite renders values as text."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return sqlite_real_text(value)
    if isinstance(value, TEMPORAL):
        return temporal_text(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, uuid.UUID):
        return value.hex
    return str(value)


def sqlite_real_text(value: float) -> str:
    """How SQLite renders a REAL as text (15 significant digits, always a '.0'; negative zero
    as `0.0`, infinities as `Inf` and `-Inf`)."""
    if value == 0:
        return "0.0"
    if value in (math.inf, -math.inf):
        return "Inf" if value > 0 else "-Inf"
    if value != value:
        return "NaN"
    if _near_a_tie(value) or _whole_carry(value):
        # SQLite's own reading of the digits decides there, not the exact value
        if ROUND_BY_DECIMAL_DIGITS:
            return significant_text(value, 15)
        return printf_significant_text(value, 15)
    text = f"{value:.15g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        return f"{mantissa}e{int(exp):+03d}"
    if "." not in text:
        text += ".0"
    return text


def _near_a_tie(value: float) -> bool:
    """Whether the digits after the 15th are near half a unit, where SQLite's own reading of
    them decides the rounding (it can be off by some units in the 17th digit for large and
    small exponents); elsewhere the exact value rounds the same way."""
    eighteen = f"{abs(value):.17e}"  # d.ddddddddddddddddde+XX
    following = int(eighteen[16:19])  # the 16th to 18th significant digits
    margin = 50 if -100 < int(eighteen[20:]) < 100 else 300  # each 1e100 step adds error
    return abs(following - 500) <= margin


def _whole_carry(value: float) -> bool:
    """A whole REAL that rounds up to 1e16 at 15 digits: SQLite 3.42 writes the carry as ':'."""
    return not ROUND_BY_DECIMAL_DIGITS and 9.999999999999995e15 <= abs(value) < 1e16


def convert(value: Any, type_: Any) -> Any:
    """Convert `value` to the stored representation of `type_` (CAST semantics)."""
    if value is None:
        return None
    kind = affinity(type_)
    if kind == "integer":
        return to_integer(value)
    if kind == "real":
        return to_real(value)
    if kind == "text":
        return to_text(value)
    if kind == "boolean":
        if isinstance(value, str):
            return to_integer(value) != 0
        return bool(value)
    if kind == "datetime":
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        if isinstance(value, str):
            return _parse_datetime(value).replace(tzinfo=None)
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            return _parse_datetime(value).date()
    if kind == "time":
        if isinstance(value, dt.time):
            return value
        if isinstance(value, str):
            return dt.time.fromisoformat(value.strip())
    if kind == "uuid":
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    if kind == "blob":
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value)
        return to_text(value).encode()  # a number becomes the bytes of its text, as on SQLite
    if kind in ("none", "json", "interval"):
        return value
    raise NotSupportedError(f"cannot convert {value!r} to {type_}")


def literal_text_value(text: str, type_: Any) -> Any:
    """The stored value of a SQL literal written as DDL text (`server_default`)."""
    stripped = text.strip()
    while stripped.startswith("(") and stripped.endswith(")"):
        stripped = stripped[1:-1].strip()
    upper = stripped.upper()
    if upper == "NULL":
        return None
    if upper in ("TRUE", "FALSE"):
        return convert(upper == "TRUE", type_)
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == "'":
        return coerce_affinity(stripped[1:-1].replace("''", "'"), type_)
    if _NUM_PREFIX.fullmatch(stripped):
        number: Any = float(stripped) if any(c in stripped for c in ".eE") else int(stripped)
        return coerce_affinity(number, type_)
    raise NotSupportedError(
        f"server_default text {text!r} is not a literal the memory dialect can evaluate"
    )


def coerce_affinity(value: Any, type_: Any) -> Any:
    """Store a literal in a typed column as SQLite's column affinity would."""
    kind = affinity(type_)
    if isinstance(value, str):
        if kind in ("integer", "real", "boolean"):
            stripped = value.strip(SQLITE_SPACE)
            if _NUM_PREFIX.fullmatch(stripped):
                number: Any = (
                    float(stripped) if any(c in stripped for c in ".eE") else int(stripped)
                )
                return convert(number, type_)
            return value
        if kind in ("datetime", "date", "time", "uuid", "blob"):
            return convert(value, type_)
        if kind == "json":
            return value
        return value
    return convert(value, type_)


# column affinity ---------------------------------------------------------------------------


def _affinity_integer(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        if whole_inside_int64(value):
            return int(value)
        return value
    if isinstance(value, str):
        return _numeric_text(value, value)
    return value


def _affinity_real(value: Any) -> Any:
    if isinstance(value, bool | int):
        return float(value)
    if isinstance(value, float):
        return 0.0 if value == 0 else value
    if isinstance(value, str):
        number = _numeric_text(value, None)
        return value if number is None else float(number)
    return value


def _affinity_numeric(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        if whole_inside_int64(value):
            return int(value)
        return value
    if isinstance(value, Decimal):
        return _affinity_numeric(float(value))
    if isinstance(value, str):
        return _numeric_text(value, value)
    return value


def _affinity_text(value: Any) -> Any:
    if isinstance(value, int | float):  # a boolean is bound as 1 or 0, so it becomes '1' or '0'
        return to_text(value)
    return value


def numeric_text(value: str) -> int | float | None:
    """The number text wholly spells (spaces around it allowed), as SQLite's numeric affinity
    reads it; None when it spells none."""
    number: int | float | None = _numeric_text(value, None)
    return number


def _numeric_text(value: str, fallback: Any) -> Any:
    text = value.strip(SQLITE_SPACE)
    return _sqlite_number(text) if _NUM_PREFIX.fullmatch(text) else fallback


def arithmetic_number(value: str) -> int | float:
    """Text as SQLite's arithmetic reads it: the number its longest numeric prefix spells (0 if
    none), an integer when that prefix is one and fits in 64 bits, else a REAL. Unlike CAST AS
    NUMERIC, `1.0` and `1e3` stay REAL."""
    m = _NUM_PREFIX.match(value)
    if m is None:
        return 0
    text = m.group()
    if any(c in text for c in ".eE"):
        return float(text)
    whole = int(text)
    return whole if fits_int64(whole) else float(whole)


def _sqlite_number(text: str) -> int | float:
    """The number `text` spells, as SQLite keeps it: an integer where that is exact and fits in
    64 bits, a REAL otherwise."""
    if any(c in text for c in ".eE"):
        number = float(text)
    else:
        whole = int(text)
        if fits_int64(whole):
            return whole
        number = float(whole)
    return int(number) if whole_inside_int64(number) else number


#: (type stored without conversion, converter) per SQLite column affinity
AFFINITY_CONVERTERS: dict[str, tuple[type[Any], Callable[[Any], Any]]] = {
    "integer": (int, _affinity_integer),
    "real": (float, _affinity_real),
    "numeric": (int, _affinity_numeric),
    "text": (str, _affinity_text),
}


_SQLITE = sqlite.dialect()


def declared_affinity(type_: Any) -> str:
    """SQLite's affinity of a column declared with `type_`, under the type name SQLAlchemy's
    SQLite dialect gives it: integer, text, blob, real or numeric, by SQLite's rules in order
    (INT; CHAR, CLOB or TEXT; BLOB or no name; REAL, FLOA or DOUB; otherwise NUMERIC)."""
    try:
        name = _SQLITE.type_compiler_instance.process(type_).upper()
    except (exc.CompileError, NotImplementedError):
        return "blob"  # a type SQLite cannot declare, NullType among them: no name
    if "INT" in name:
        return "integer"
    if any(part in name for part in ("CHAR", "CLOB", "TEXT")):
        return "text"
    if "BLOB" in name or not name:
        return "blob"
    if any(part in name for part in ("REAL", "FLOA", "DOUB")):
        return "real"
    return "numeric"


def storage_affinity(type_: Any) -> str | None:
    """SQLite's column affinity for a column type, for the types where it matters."""
    kind = affinity(type_)
    if kind == "integer":
        return "integer"
    if kind == "real":
        return "numeric" if not isinstance(type_, sqltypes.Float) else "real"
    if kind == "text" and not isinstance(type_, sqltypes.Enum):
        return "text"
    if kind == "json":
        return "numeric"  # SQLite gives a column declared JSON numeric affinity
    return None


def real_argument(value: Any) -> float:
    """An argument read as a REAL, as SQLite's functions read one (text by its numeric prefix,
    a blob as its text)."""
    real: float = value if type(value) is float else to_real(as_stored_text(value))
    return real
