"""The SQLite release `memory://` answers like, and what changed between releases.

`memory://` gives the answers of the SQLite library that Python's `sqlite3` module links
(`sqlite3.sqlite_version_info`). Each flag below names one behaviour that changed in a release,
so the dialect follows the SQLite the application would run on.
"""

from __future__ import annotations

import sqlite3

LINKED: tuple[int, int, int] = sqlite3.sqlite_version_info
"""The release of the SQLite library this Python links."""


def _compile_options() -> frozenset[str]:
    connection = sqlite3.connect(":memory:")
    try:
        return frozenset(row[0] for row in connection.execute("PRAGMA compile_options"))
    finally:
        connection.close()


COMPILE_OPTIONS = _compile_options()
"""The options the linked SQLite library was built with."""

LIKE_MATCHES_BLOBS = "LIKE_DOESNT_MATCH_BLOBS" not in COMPILE_OPTIONS
"""LIKE and GLOB match a BLOB as its text; a build with SQLITE_LIKE_DOESNT_MATCH_BLOBS (as
Debian's) answers 0 whenever the value or the pattern is a BLOB, even beside a NULL."""

SUMS_COMPENSATED = LINKED >= (3, 43)
"""sum(), total() and avg() add REALs with Kahan-Babuska-Neumaier compensation, a sum whose
integers overflow goes on as a REAL, and a REAL after the overflow clears the error."""

SUM_ERROR_TERM = "always" if LINKED < (3, 43, 1) else "unless NaN" if LINKED < (3, 47) else "finite"
"""When the compensation term is added to a REAL sum: always (3.43.0), unless it is NaN
(3.43.1 to 3.46), only when it is finite (3.47 on)."""

ROUND_BY_DECIMAL_DIGITS = LINKED >= (3, 43)
"""round() and the writing of a REAL as text (CAST, json_quote()) round the double's decimal
digits half up, instead of going through SQLite's older printf."""

PRINTF_INTEGER_DIGITS = LINKED >= (3, 42)
"""printf() writes a whole REAL below 1e16 from its integer digits, not through long double."""

DIGITS_BY_DOUBLE_DOUBLE = LINKED >= (3, 47)
"""The decimal digits of a double (for round() and for writing it as text) come from scaling
it in double-double products, no longer in long double; the 17th digit on can differ."""

TIMEDIFF_FUNCTION = LINKED >= (3, 43)
"""The timediff() function exists."""

DATE_SHIFT_MODIFIER = LINKED >= (3, 43)
"""The `±YYYY-MM-DD[ HH:MM[:SS.SSS]]` date modifier (what timediff() writes) adds or subtracts
years, months and days; before, such a modifier made the result NULL."""

MONTH_DAYS_NORMALIZED = LINKED >= (3, 45)
"""A date past the end of its month given with no modifier rolls into the next month
('2023-02-31' is 2023-03-03)."""

INTEGER_ARGUMENTS_64_BIT = LINKED >= (3, 48)
"""substr() and round() read their integer arguments as 64-bit integers, not cut to 32 bits."""

IIF_WITH_TWO_ARGUMENTS = LINKED >= (3, 48)
"""iif(test, then) is NULL when the test fails, and `if` is another name for iif."""

IIF_LIKE_CASE = LINKED >= (3, 49)
"""iif() takes any number of test/result pairs, with an optional last ELSE result."""

FRACTION_CAPPED = LINKED >= (3, 49)
"""Fractional seconds are read up to .999 at most, not rounded to the next second."""

INVERSE_SUM_CHECKED = LINKED >= (3, 49)
"""A window's sum that overflows while rows leave its frame fails instead of wrapping."""

SUBSECOND_MODIFIER = LINKED >= (3, 42)
"""The 'subsec' and 'subsecond' modifiers exist."""

DAY_OVERFLOW_MODIFIERS = LINKED >= (3, 46)
"""The 'floor' and 'ceiling' modifiers exist."""

SUBSECONDS_ROUNDED = LINKED >= (3, 43)
"""With 'subsec', time() and datetime() round the milliseconds, where 3.42 cut them."""

STRFTIME_LETTERS_3_46 = LINKED >= (3, 46)
"""strftime() also takes %e %F %G %g %I %k %l %p %P %R %T %u %U %V."""


JSON5_READ = LINKED >= (3, 42)
"""The JSON functions also read JSON5; json_valid(NULL) is NULL, not 0; json_quote() writes an
infinite REAL as 9.0e+999, not Inf."""

JSONB = LINKED >= (3, 45)
"""The JSON functions work on the binary JSONB form: a BLOB is read as JSONB, a bad path is
reported as "bad JSON path", an object key written with escapes matches its plain form, and
json_extract() with a NULL among several paths is NULL."""

JSON_KEY_ESCAPES_SKIPPED = LINKED >= (3, 47)
"""In a quoted key of a JSON path a backslash takes the next character with it, so `\\"` does
not end the key."""

JSON_CONTROL_CHARACTERS = LINKED >= (3, 46)
"""A string in a JSON document may hold raw control characters (json_valid() still says 0)."""

JSON_GROUP_OBJECT_SKIPS_NULL_LABELS = LINKED >= (3, 50)
"""From 3.50 json_group_object() leaves out a row whose label is NULL; before, it wrote the
member with no label at all (`{:1}`)."""

REPLACE_EMPTY_PATTERN_TEXT = LINKED >= (3, 46)
"""From 3.46 replace() with an empty pattern gives its first argument as text; before, a number
came back as the number it was."""

CONCAT_WS_KEEPS_EMPTY = LINKED >= (3, 51)
"""From 3.51 concat_ws() puts its separator around empty strings too; before, an empty string
was left out like a NULL."""

FUNCTIONS_SINCE: dict[str, tuple[int, int]] = {
    "unhex": (3, 41),
    "json_error_position": (3, 42),
    "octet_length": (3, 43),
    "timediff": (3, 43),
    "concat": (3, 44),
    "concat_ws": (3, 44),
    "string_agg": (3, 44),
    "json_pretty": (3, 46),
    "if": (3, 48),
    "unistr": (3, 50),
}
"""Built-in functions newer than the oldest SQLite supported here, with the release that
brought each; before it, SQLite says "no such function"."""


def function_missing(name: str) -> bool:
    """Whether the linked SQLite has no built-in function `name` (lower case) yet."""
    return FUNCTIONS_SINCE.get(name, (0, 0)) > LINKED


def iif_takes(count: int) -> bool:
    """Whether the linked SQLite's iif() takes `count` arguments."""
    if IIF_LIKE_CASE:
        return count >= 2
    if IIF_WITH_TWO_ARGUMENTS:
        return count in (2, 3)
    return count == 3
