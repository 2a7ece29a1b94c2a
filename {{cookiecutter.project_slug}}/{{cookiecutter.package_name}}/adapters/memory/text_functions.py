"""SQLite's character, blob and pattern functions: hex, unicode, char, zeroblob, glob, and the
regexp() behind REGEXP."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .errors import OperationalError
from .releases import LIKE_MATCHES_BLOBS
from .types import as_stored_text, to_integer, to_text

_REPLACEMENT = 0xFFFD
"""What `char()` gives for a number that is not a Unicode code point."""


def _text(value: Any) -> str:
    """A non-NULL value read as text, as SQLite reads it (a blob's bytes as UTF-8)."""
    return str(to_text(as_stored_text(value)))


def _utf8(value: Any) -> bytes:
    """The bytes SQLite reads for a value as text: a blob's own, else its text form's UTF-8."""
    if isinstance(value, bytes):
        return value
    return _text(value).encode("utf-8", "surrogatepass")


def fn_hex(value: Any) -> str:
    """Upper-case hex of a blob, or of the UTF-8 of a value's text form; '' for NULL."""
    return "" if value is None else _utf8(value).hex().upper()


def fn_unicode(value: Any) -> int | None:
    """The code point of the first character of a value's text form; NULL for NULL and for
    text that is empty or starts with a NUL, which ends a C string."""
    if value is None:
        return None
    text = _text(value)
    return ord(text[0]) if text and text[0] != "\0" else None


def fn_char(*code_points: Any) -> str:
    """A string of the given code points, each read as an integer (NULL as 0); a number that
    is not a code point becomes U+FFFD."""
    characters = []
    for value in code_points:
        number = to_integer(as_stored_text(value)) if value is not None else 0
        if 0xD800 <= number <= 0xDFFF:
            # SQLite writes it out as bytes that are not UTF-8, which no driver can read back.
            raise OperationalError(f"char({number}): a UTF-16 surrogate is not a character")
        characters.append(chr(number if 0 <= number <= 0x10FFFF else _REPLACEMENT))
    return "".join(characters)


def fn_zeroblob(size: Any) -> bytes:
    """A blob of `size` zero bytes; none for a size that is not positive, or NULL."""
    count = 0 if size is None else to_integer(as_stored_text(size))
    return bytes(max(count, 0))


def fn_glob(pattern: Any, value: Any) -> int | None:
    """`value GLOB pattern`: 1 or 0, case-sensitive, NULL when either is NULL."""
    if not LIKE_MATCHES_BLOBS and (type(value) is bytes or type(pattern) is bytes):
        return 0
    if pattern is None or value is None:
        return None
    return int(glob_matcher(_text(pattern))(_text(value)) is not None)


@lru_cache(maxsize=512)
def glob_matcher(pattern: str) -> Callable[[str], Any]:
    """A matcher for a GLOB pattern: `*` any run, `?` one character, `[...]` a set with
    ranges and a leading `^` for its complement, `]` first in a set as itself."""
    out: list[str] = []
    position, end = 0, len(pattern)
    while position < end:
        character = pattern[position]
        position += 1
        if character == "*":
            out.append(".*")
        elif character == "?":
            out.append(".")
        elif character == "[":
            found = _character_set(pattern, position)
            if found is None:
                return re.compile("(?!)").match  # an unclosed set matches nothing
            regex, position = found
            out.append(regex)
        else:
            out.append(re.escape(character))
    return re.compile("".join(out), re.DOTALL).fullmatch


def _character_set(pattern: str, position: int) -> tuple[str, int] | None:
    """The regex of the set whose `[` is just before `position`, and where the set ends; None
    when it is never closed. As in SQLite, `-` between two characters is a range (an empty one
    when they are in the wrong order), anywhere else it is itself."""
    negate = position < len(pattern) and pattern[position] == "^"
    if negate:
        position += 1
    ranges: list[tuple[str, str]] = []
    prior: str | None = None
    first = True
    while position < len(pattern):
        character = pattern[position]
        if character == "]" and not first:
            inner = "".join(
                re.escape(low) if low == high else f"{re.escape(low)}-{re.escape(high)}"
                for low, high in ranges
                if low <= high
            )
            if not inner:
                return ("." if negate else "(?!)"), position + 1
            return (f"[^{inner}]" if negate else f"[{inner}]"), position + 1
        following = pattern[position + 1] if position + 1 < len(pattern) else "]"
        if character == "-" and prior is not None and following != "]":
            ranges[-1] = (prior, following)
            prior = None
            position += 2
        else:
            ranges.append((character, character))
            prior = character
            position += 1
        first = False
    return None


def fn_regexp(pattern: Any, value: Any) -> int | None:
    """`value REGEXP pattern`, 1 or 0, by Python's `re.search`: the `regexp()` SQLAlchemy's
    SQLite dialect registers on every pysqlite connection.

    NULL for a NULL value. What the search refuses (a NULL or numeric pattern, a number, text
    against a blob pattern, a malformed pattern) is an error, as the function's exception is
    on SQLite.
    """
    if value is None:
        return None
    try:
        found = re.search(_as_driver_value(pattern), _as_driver_value(value))
    except (TypeError, re.error) as error:
        raise OperationalError(f"regexp({pattern!r}, {value!r}) failed: {error}") from None
    return 0 if found is None else 1


def _as_driver_value(value: Any) -> Any:
    """What the driver hands a Python function for a stored value: a date, time or UUID as its
    text, a truth value as its integer."""
    return int(value) if isinstance(value, bool) else as_stored_text(value)


def fn_octet_length(value: Any) -> int | None:
    """The bytes of a blob, or of the UTF-8 of a value's text form; NULL for NULL."""
    return None if value is None else len(_utf8(value))


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def fn_unhex(value: Any, passed: Any = "") -> bytes | None:
    """The blob hex digits in pairs spell, where characters of `passed` may stand between the
    pairs; NULL for anything else, as SQLite's unhex() (its text ends at a NUL, as in C)."""
    if value is None or passed is None:
        return None
    text = _text(value).split("\0", 1)[0]
    allowed = set(_text(passed))
    decoded = bytearray()
    at, end = 0, len(text)
    while at < end:
        if text[at] not in _HEX_DIGITS:
            if text[at] not in allowed:
                return None
            at += 1
            continue
        if at + 1 == end or text[at + 1] not in _HEX_DIGITS:
            return None
        decoded.append(int(text[at : at + 2], 16))
        at += 2
    return bytes(decoded)


TEXT_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "hex": fn_hex,
    "unhex": fn_unhex,
    "octet_length": fn_octet_length,
    "unicode": fn_unicode,
    "char": fn_char,
    "zeroblob": fn_zeroblob,
    "glob": fn_glob,
    "regexp": fn_regexp,
}
