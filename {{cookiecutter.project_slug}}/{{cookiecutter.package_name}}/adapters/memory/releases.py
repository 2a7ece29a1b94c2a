"""The SQLite release `memory://` answers like, and what changed between releases.

`memory://` gives the answers of the SQLite library that Python's `sqlite3` module links
(`sqlite3.sqlite_version_info`). Each flag below names one behaviour that changed in a release,
so the dialect follows the SQLite the application would run on.
"""

from __future__ import annotations

import sqlite3

LINKED: tuple[int, int, int] = sqlite3.sqlite_version_info
"""The release of the SQLite library this Python links."""

SUMS_COMPENSATED = LINKED >= (3, 43)
"""sum(), total() and avg() add REALs with Kahan-Babuska-Neumaier compensation, a sum whose
integers overflow goes on as a REAL, and a REAL after the overflow clears the error."""

SUM_ERROR_TERM = "always" if LINKED < (3, 43, 1) else "unless NaN" if LINKED < (3, 47) else "finite"
"""When the compensation term is added to a REAL sum: always (3.43.0), unless it is NaN
(3.43.1 to 3.46), only when it is finite (3.47 on)."""

ROUND_BY_DECIMAL_DIGITS = LINKED >= (3, 43)
"""round() rounds the double's decimal digits half up, instead of printing with SQLite's
older printf."""

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


def iif_takes(count: int) -> bool:
    """Whether the linked SQLite's iif() takes `count` arguments."""
    if IIF_LIKE_CASE:
        return count >= 2
    if IIF_WITH_TWO_ARGUMENTS:
        return count in (2, 3)
    return count == 3
