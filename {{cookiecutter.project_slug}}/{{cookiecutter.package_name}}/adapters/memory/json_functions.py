"""SQLite's JSON functions on documents held as text: json_extract, json_quote, json,
json_type, json_valid and json_array_length, which SQLAlchemy's JSON type compiles to.

A document is read with Python's `json` module, so it must be RFC 8259 JSON; SQLite 3.42 and
later also read JSON5, which `memory://` reports as malformed. What comes back keeps the
document's own text, as SQLite keeps it: an object or array is returned minified with its
numbers and strings written as in the document; a number is an INTEGER when it is written
without a point or an exponent and fits 64 bits, else a REAL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import NotSupportedError, OperationalError
from .releases import (
    JSON5_READ,
    JSON_CONTROL_CHARACTERS,
    JSON_GROUP_OBJECT_SKIPS_NULL_LABELS,
    JSON_KEY_ESCAPES_SKIPPED,
    JSONB,
)
from .types import as_stored_text, sqlite_real_text, to_text

_WHITESPACE = " \t\n\r"
_INTEGER = re.compile(r"-?[0-9]+")
_MINIFIED_PARTS = re.compile(r'"(?:[^"\\]|\\.)*"|[ \t\n\r]+', re.DOTALL)
_INT64 = (-(2**63), 2**63 - 1)
_INFINITIES = (float("inf"), float("-inf"))


class _Malformed(ValueError):
    """The text is not a JSON document `memory://` reads."""


def _no_constant(name: str) -> Any:
    raise _Malformed(f"{name} is not JSON")


_DOCUMENTS = json.JSONDecoder(strict=not JSON_CONTROL_CHARACTERS, parse_constant=_no_constant)
"""Reads a document; raw control characters in strings are allowed where SQLite allows them."""
_STRICT = json.JSONDecoder(strict=True, parse_constant=_no_constant)
"""Reads RFC 8259 JSON only, as json_valid() judges it."""


def _malformed() -> OperationalError:
    if JSON5_READ:
        return OperationalError("malformed JSON (memory:// reads RFC 8259 JSON; JSON5 is not read)")
    return OperationalError("malformed JSON")


def _path_error(path: str, near: str) -> OperationalError:
    quoted = (path if JSONB else near).replace("'", "''")
    if JSONB:
        return OperationalError(f"bad JSON path: '{quoted}'")
    return OperationalError(f"JSON path error near '{quoted}'")


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in _WHITESPACE:
        at += 1
    return at


def _value_end(text: str, at: int) -> int:
    """Where the value starting at `at` ends."""
    end: int = _DOCUMENTS.raw_decode(text, at)[1]
    return end


def _members(text: str, at: int) -> Iterator[tuple[str, str, int]]:
    """The (key as written, key, start of value) of the object at `at`, in document order."""
    at = _skip_space(text, at + 1)
    if text[at] == "}":
        return
    while True:
        key_end = _value_end(text, at)
        raw_key = text[at + 1 : key_end - 1]
        key = json.loads(text[at:key_end], strict=False)
        start = _skip_space(text, _skip_space(text, key_end) + 1)  # past the colon
        yield raw_key, key, start
        at = _skip_space(text, _value_end(text, start))
        if text[at] == "}":
            return
        at = _skip_space(text, at + 1)


def _items(text: str, at: int) -> Iterator[int]:
    """The start of each value of the array at `at`."""
    at = _skip_space(text, at + 1)
    if text[at] == "]":
        return
    while True:
        yield at
        at = _skip_space(text, _value_end(text, at))
        if text[at] == "]":
            return
        at = _skip_space(text, at + 1)


def _locate(text: str, start: int, path: str) -> int | None:
    """The start of the value `path` leads to from the value at `start`; None if it is absent.

    The path is read step by step as the document is walked, as SQLite reads it: a step after
    one that found nothing is never read, so only a step reached can be malformed.
    """
    if not path.startswith("$"):
        raise _path_error(path, path)
    at = 1
    while at < len(path):
        opening = text[start]
        found: int | None
        if path[at] == ".":
            if opening != "{" and not JSONB:
                return None
            key, at = _key_step(path, at + 1)
            found = _member(text, start, key) if opening == "{" else None
        elif path[at] == "[":
            if opening != "[" and JSONB:
                return None
            index, at = _index_step(path, at, text, start)
            found = _item(text, start, index) if opening == "[" else None
        else:
            raise _path_error(path, path[at:])
        if found is None:
            return None
        start = found
    return start


def _key_step(path: str, at: int) -> tuple[str, int]:
    """The key of a `.key` or `."key"` step starting at `at`, and where the next step starts.
    From SQLite 3.45 the escapes of a quoted key are read."""
    if path.startswith('"', at):
        close = at + 1
        while close < len(path) and path[close] != '"':
            close += 2 if path[close] == "\\" and JSON_KEY_ESCAPES_SKIPPED else 1
        if close >= len(path):
            raise _path_error(path, path[at:])
        key = path[at + 1 : close]
        return (_unescaped(key) if JSONB and "\\" in key else key), close + 1
    end = at
    while end < len(path) and path[end] not in ".[":
        end += 1
    if end == at:
        raise _path_error(path, path[at:])
    return path[at:end], end


def _index_step(path: str, at: int, text: str, start: int) -> tuple[int | None, int]:
    """The index of a `[N]`, `[#]` or `[#-N]` step starting at `at` (None when it counts back
    past the first item), and where the next step starts."""
    end = at + 1
    while end < len(path) and path[end].isascii() and path[end].isdigit():
        end += 1
    if end > at + 1 and path.startswith("]", end):
        return int(path[at + 1 : end]), end + 1
    if not path.startswith("#", at + 1):
        raise _path_error(path, path[at:])
    if text[start] != "[":
        return None, at  # SQLite stops before reading the rest of the step
    count = sum(1 for _ in _items(text, start))
    end = at + 2
    back = 0
    if path.startswith("-", end) and path[end + 1 : end + 2].isdigit():
        digits = end + 1
        end = digits
        while end < len(path) and path[end].isascii() and path[end].isdigit():
            end += 1
        back = int(path[digits:end])
    if not path.startswith("]", end):
        raise _path_error(path, path[at:])
    return (count - back if back <= count else None), end + 1


def _member(text: str, start: int, key: str) -> int | None:
    """Where the value of the first member named `key` starts in the object at `start`: the
    key as written before SQLite 3.45, its escapes read from 3.45."""
    for raw_key, decoded, value_start in _members(text, start):
        if (decoded if JSONB else raw_key) == key:
            return value_start
    return None


_ESCAPED = re.compile(r"\\(u[0-9a-fA-F]{4}(?:\\u[0-9a-fA-F]{4})?|x[0-9a-fA-F]{2}|.?)", re.DOTALL)
_SIMPLE_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "0": "\0"}
_INVALID_CHARACTER = chr(0x99999)
"""What SQLite reads an escape it does not know as."""


def _unescaped(key: str) -> str:
    """A path key with its escapes read as SQLite 3.45 reads them to compare keys."""
    return _ESCAPED.sub(_escape_value, key)


def _escape_value(match: re.Match[str]) -> str:
    body = match[1]
    if body[:1] == "u":
        high = int(body[1:5], 16)
        if len(body) > 5:
            low = int(body[7:], 16)
            if 0xD800 <= high < 0xDC00 and 0xDC00 <= low < 0xE000:
                return chr(0x10000 + ((high & 0x3FF) << 10) + (low & 0x3FF))
            return chr(high) + chr(low)
        return chr(high)
    if body[:1] == "x" and len(body) == 3:
        return chr(int(body[1:], 16))
    if body in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[body]
    if body in ("'", '"', "/", "\\"):
        return body
    return _INVALID_CHARACTER


def _item(text: str, start: int, index: int | None) -> int | None:
    if index is None:
        return None
    for position, item_start in enumerate(_items(text, start)):
        if position == index:
            return item_start
    return None


@lru_cache(maxsize=256)
def _document(text: str) -> tuple[str, int]:
    """A document checked whole, and where its value starts."""
    try:
        start = _skip_space(text, 0)
        end = _value_end(text, start)
    except ValueError:
        raise _malformed() from None
    if _skip_space(text, end) != len(text):
        raise _malformed()
    return text, start


def _document_text(value: Any) -> str:
    """A non-NULL document argument as the text SQLite parses."""
    if isinstance(value, bytes):
        if JSONB:
            raise NotSupportedError("a BLOB as a JSON document (SQLite reads it as JSONB)")
        return value.decode("utf-8", "replace")  # read as text, as any BLOB argument
    if isinstance(value, float) and value in _INFINITIES and JSON5_READ:
        return "9e999" if value > 0 else "-9e999"  # SQLite's text `Inf` is JSON5
    text: str = to_text(as_stored_text(value))
    return text


def _path_text(value: Any) -> str:
    text: str = to_text(as_stored_text(value))
    return text


def _minified(text: str) -> str:
    return _MINIFIED_PARTS.sub(lambda part: "" if part[0][0] != '"' else part[0], text)


@dataclass(frozen=True)
class _Found:
    """A value found in a document: its text as written, and what kind of value it is."""

    text: str

    @property
    def is_container(self) -> bool:
        return self.text[0] in "[{"

    def sql_value(self) -> Any:
        """The value as SQLite's json_extract() returns it."""
        text = self.text
        first = text[0]
        if first in "[{":
            return _minified(text)
        if first == '"':
            value = str(json.loads(text, strict=False))
            return value if JSONB else value.split("\0", 1)[0]  # before 3.45 a NUL ends it
        if text == "true":
            return 1
        if text == "false":
            return 0
        if text == "null":
            return None
        if _INTEGER.fullmatch(text):
            number = int(text)
            return number if _INT64[0] <= number <= _INT64[1] else float(text)
        return float(text)

    def json_type(self) -> str:
        first = self.text[0]
        if first == "{":
            return "object"
        if first == "[":
            return "array"
        if first == '"':
            return "text"
        if self.text in ("true", "false", "null"):
            return self.text
        return "integer" if _INTEGER.fullmatch(self.text) else "real"


def _find(document: Any, path: Any) -> _Found | None:
    """The value at `path` in `document` (both non-NULL), None where there is none."""
    text, start = _document(_document_text(document))
    found = _locate(text, start, _path_text(path))
    if found is None:
        return None
    return _Found(text[found : _value_end(text, found)])


def fn_json_extract(*arguments: Any) -> Any:
    """The value at one path; with several, a JSON array of the values (NULL where absent).
    Without a path it is NULL, the document unread."""
    if len(arguments) < 2 or arguments[0] is None:
        return None
    document, *paths = arguments
    if len(paths) == 1:
        if paths[0] is None:
            return None
        found = _find(document, paths[0])
        return None if found is None else found.sql_value()
    if JSONB and any(path is None for path in paths):
        return None
    parts = []
    for path in paths:
        found = None if path is None else _find(document, path)
        parts.append("null" if found is None else _minified(found.text))
    return "[" + ",".join(parts) + "]"


def json_quote_of_extract(*arguments: Any) -> Any:
    """`json_quote(json_extract(...))`: an object or array (and the array of several paths)
    comes through as JSON, as SQLite marks them; any other value is quoted."""
    if len(arguments) != 2 or None in arguments:
        extracted = fn_json_extract(*arguments)
        return "null" if extracted is None else extracted  # an array of several paths
    found = _find(*arguments)
    if found is None:
        return "null"
    if found.is_container:
        return _minified(found.text)
    return fn_json_quote(found.sql_value())


def fn_json_quote(value: Any) -> str:
    """A SQL value as JSON: text quoted, a number as its text, NULL as `null`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value in _INFINITIES and JSON5_READ:
            return "9.0e+999" if value > 0 else "-9.0e+999"
        return sqlite_real_text(value)
    if isinstance(value, bytes):
        if JSONB:
            raise NotSupportedError("json_quote() of a BLOB (SQLite reads it as JSONB)")
        raise OperationalError("JSON cannot hold BLOB values")
    return json.dumps(to_text(as_stored_text(value)), ensure_ascii=False)


def json_of_json(value: Any) -> str:
    """`json_quote(json(...))`: the minified document comes through as JSON."""
    minified = fn_json(value)
    return "null" if minified is None else str(minified)


def fn_json(document: Any) -> Any:
    """The document minified."""
    if document is None:
        return None
    text, start = _document(_document_text(document))
    return _minified(text[start : _value_end(text, start)])


def fn_json_type(document: Any, path: Any = "$") -> Any:
    """object, array, text, integer, real, true, false or null; NULL where there is no value."""
    if document is None or path is None:
        return None
    found = _find(document, path)
    return None if found is None else found.json_type()


def fn_json_valid(document: Any) -> Any:
    """1 for RFC 8259 JSON, else 0."""
    if document is None:
        return None if JSON5_READ else 0
    if isinstance(document, bytes):
        raise NotSupportedError("json_valid() of a BLOB (SQLite reads it as JSONB)")
    text = _document_text(document)
    try:
        start = _skip_space(text, 0)
        end: int = _STRICT.raw_decode(text, start)[1]
    except ValueError:
        return 0
    return 1 if _skip_space(text, end) == len(text) else 0


def fn_json_array_length(document: Any, path: Any = "$") -> Any:
    """The number of items of the array at `path`, 0 for any other value, NULL for none."""
    if document is None or path is None:
        return None
    found = _find(document, path)
    if found is None:
        return None
    if found.text[0] != "[":
        return 0
    return sum(1 for _ in _items(found.text, 0))


JSON_FUNCTIONS = {
    "json": fn_json,
    "json_extract": fn_json_extract,
    "json_quote": fn_json_quote,
    "json_type": fn_json_type,
    "json_valid": fn_json_valid,
    "json_array_length": fn_json_array_length,
}

JSON_QUOTE_OF: dict[str, Any] = {"json_extract": json_quote_of_extract, "json": json_of_json}
"""What `json_quote(f(...))` is for the functions whose result SQLite marks as JSON."""

JSON_MADE = frozenset(
    {"json_quote", "json_array", "json_object", "json_group_array", "json_group_object"}
)
"""Functions whose text is JSON they made, which SQLite marks as JSON: `json_quote()` and the
builders take it as it is."""


def as_json(made: Any) -> str:
    """The result of a `JSON_MADE` function, as `json_quote()` appends it."""
    return "null" if made is None else str(made)


def json_object_of(labels: list[Any], values: list[str]) -> str:
    """`json_object(label, value, ...)` of the labels and their values' JSON."""
    members = []
    for label, value in zip(labels, values, strict=True):
        label = as_stored_text(label)
        if type(label) is not str:
            raise OperationalError("json_object() labels must be TEXT")
        members.append(f"{fn_json_quote(label)}:{value}")
    return "{" + ",".join(members) + "}"


def json_group_object_of(labels: list[Any], values: list[str]) -> str:
    """`json_group_object(label, value)` over a group's rows: any label is taken as its text;
    a NULL one is written as nothing, or from SQLite 3.50 its row is left out."""
    members = [
        f"{'' if label is None else fn_json_quote(to_text(as_stored_text(label)))}:{value}"
        for label, value in zip(labels, values, strict=True)
        if label is not None or not JSON_GROUP_OBJECT_SKIPS_NULL_LABELS
    ]
    return "{" + ",".join(members) + "}"
