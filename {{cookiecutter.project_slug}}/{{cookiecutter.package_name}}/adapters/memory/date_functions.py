"""SQLite's date and time functions: date, time, datetime, julianday, unixepoch and strftime.

A time value is what SQLite would hold: the text of a stored date or time, other text in one of
SQLite's formats (`YYYY-MM-DD`, with `HH:MM[:SS[.SSS]]` after a space or `T`, a time alone, a
`Z` or `+HH:MM` zone, `now`), or a number (a Julian day; seconds with `unixepoch`). Like SQLite,
a moment is kept as milliseconds of the Julian day and, where parsed, as its calendar fields,
which the output shows unchanged until a modifier moves the moment. A value or modifier SQLite
does not read gives NULL; `localtime` and `utc`, which depend on the machine's zone, are refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .errors import NotSupportedError
from .releases import (
    DATE_SHIFT_MODIFIER,
    DAY_OVERFLOW_MODIFIERS,
    FRACTION_CAPPED,
    MONTH_DAYS_NORMALIZED,
    STRFTIME_LETTERS_3_46,
    SUBSECOND_MODIFIER,
    SUBSECONDS_ROUNDED,
    TIMEDIFF_FUNCTION,
)
from .types import TEMPORAL, temporal_text

DAY_MS = 86_400_000
UNIX_EPOCH_MS = 210_866_760_000_000  # 1970-01-01 00:00:00 as milliseconds of the Julian day
MAX_MS = 464_269_060_799_999  # 9999-12-31 23:59:59.999

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](.*))?\Z", re.DOTALL)
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:\d{2})?\s*\Z", re.I)
_SHIFT = re.compile(r"([+-]?)(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\Z")
_DATE_SHIFT = re.compile(
    r"([+-])(\d{4,5})-(\d{2})-(\d{2})(?:[ \t\n\v\f\r](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\Z"
)
_AMOUNT = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s+(\w+?)s?\Z", re.I)
_UNITS_MS = {"day": DAY_MS, "hour": 3_600_000, "minute": 60_000, "second": 1000}
_UNIT_LIMITS = {
    "second": 4.6427e14,
    "minute": 7.7379e12,
    "hour": 1.2897e11,
    "day": 5373485.0,
    "month": 176546.0,
    "year": 14713.0,
}
"""The largest amount of each unit SQLite accepts in a modifier."""


def _trunc_div(a: float, b: float) -> int:
    """C's division of integers (towards zero); for a float operand, C's cast after it."""
    if isinstance(a, int) and isinstance(b, int):
        quotient = abs(a) // abs(b)
        return quotient if (a >= 0) == (b > 0) else -quotient
    return int(a / b)


def _unix_seconds(jd: int) -> int:
    return jd // 1000 - UNIX_EPOCH_MS // 1000


def _rounded(value: float) -> int:
    return int(value + (0.5 if value >= 0 else -0.5))


class Moment:
    """One time value: milliseconds of the Julian day and/or its calendar fields."""

    __slots__ = (
        "D",
        "M",
        "Y",
        "bad_number",
        "failed",
        "floor_days",
        "h",
        "has_hms",
        "has_jd",
        "has_ymd",
        "jd",
        "m",
        "raw",
        "s",
        "subsec",
    )

    def __init__(self) -> None:
        self.Y, self.M, self.D, self.h, self.m, self.s = 2000, 1, 1, 0, 0, 0.0
        self.jd = 0
        self.has_ymd = self.has_hms = self.has_jd = False
        self.raw: float | None = None  # a number given as the value, for `unixepoch`
        self.bad_number = False  # a number out of the Julian day range, unless `unixepoch`
        self.subsec = False  # show milliseconds (the 'subsec' modifier)
        self.floor_days = 0  # the day-of-month overflow the 'floor' modifier takes back
        self.failed = False  # a year outside -4713..9999 met on the way: NULL, whatever follows

    def compute_floor(self) -> None:
        """How many days the calendar fields run past the end of their month (SQLite 3.46's
        `computeFloor`): what 'floor' subtracts to land on the month's last day."""
        y, mo, d = self.Y, self.M, self.D
        if d <= 28 or (1 << mo) & 0x15AA:  # a 31-day month
            self.floor_days = 0
        elif mo != 2:
            self.floor_days = int(d == 31)
        elif y % 4 != 0 or (y % 100 == 0 and y % 400 != 0):
            self.floor_days = d - 28
        else:
            self.floor_days = d - 29

    # calendar fields and the Julian day ------------------------------------------------
    def compute_jd(self) -> None:
        if self.has_jd:
            return
        y, mo, d = (self.Y, self.M, self.D) if self.has_ymd else (2000, 1, 1)
        if not -4713 <= y <= 9999:
            self.failed = True  # SQLite's computeJD gives up for good
        if mo <= 2:
            y, mo = y - 1, mo + 12
        a = _trunc_div(y, 100)
        b = 2 - a + _trunc_div(a, 4)
        x1 = _trunc_div(36525 * (y + 4716), 100)
        x2 = _trunc_div(306001 * (mo + 1), 10000)
        self.jd = int((x1 + x2 + d + b - 1524.5) * DAY_MS)
        if self.has_hms:
            self.jd += self.h * 3_600_000 + self.m * 60_000 + int(self.s * 1000 + 0.5)
        self.has_jd = True

    def compute_ymd(self) -> None:
        if self.has_ymd:
            return
        if not self.has_jd:
            self.Y, self.M, self.D = 2000, 1, 1
        else:
            z = (self.jd + 43_200_000) // DAY_MS
            a = _trunc_div(z - 1867216.25, 36524.25)
            a = z + 1 + a - _trunc_div(a, 4)
            b = a + 1524
            c = _trunc_div(b - 122.1, 365.25)
            d = _trunc_div(36525 * (c & 32767), 100)
            e = _trunc_div(b - d, 30.6001)
            self.D = b - d - int(30.6001 * e)
            self.M = e - 1 if e < 14 else e - 13
            self.Y = c - 4716 if self.M > 2 else c - 4715
        self.has_ymd = True

    def compute_hms(self) -> None:
        if self.has_hms:
            return
        self.compute_jd()
        day_ms = (self.jd + 43_200_000) % DAY_MS
        if SUBSECONDS_ROUNDED:
            self.s = (day_ms % 60_000) / 1000.0
        else:  # before 3.43: the fraction of the day's seconds, then the whole seconds added
            seconds = day_ms / 1000.0
            self.s = (seconds - int(seconds)) + int(seconds) % 60
        self.h, self.m = divmod(day_ms // 60_000, 60)
        self.has_hms = True

    def moved(self) -> None:
        """The Julian day changed: the calendar fields are computed again when needed."""
        self.has_ymd = self.has_hms = False
        self.raw = None

    @property
    def valid(self) -> bool:
        if self.bad_number or self.failed:
            return False
        self.compute_jd()
        return 0 <= self.jd <= MAX_MS


# reading a time value ------------------------------------------------------------------
def _set_time(moment: Moment, text: str) -> bool:
    found = _TIME.match(text)
    if found is None:
        return False
    h, m = int(found[1]), int(found[2])
    s = _seconds(found[3], found[4])
    if h > 24 or m > 59 or s >= 60:
        return False
    moment.h, moment.m, moment.s, moment.has_hms = h, m, s, True
    zone = found[5]
    if zone and zone.upper() != "Z":
        offset = int(zone[1:3]) * 60 + int(zone[4:6])
        moment.compute_jd()
        moment.jd -= (offset if zone[0] == "+" else -offset) * 60_000
        moment.has_ymd = moment.has_hms = False
    return True


def _seconds(whole: str | None, fraction: str | None) -> float:
    """`SS.SSS` as SQLite reads it: whole seconds plus the fraction, which SQLite 3.49 and later
    keep below .999 so that it never rounds up to the next second."""
    if not whole:
        return 0.0
    part = float(fraction) if fraction else 0.0
    if FRACTION_CAPPED and part > 0.999:
        part = 0.999
    return int(whole) + part


def _set_number(moment: Moment, number: float) -> None:
    moment.raw = number
    if 0.0 <= number < 5373484.5:
        moment.jd, moment.has_jd = int(number * DAY_MS + 0.5), True
    else:
        moment.bad_number = True


def read_moment(value: Any, now: Callable[[], dt.datetime]) -> Moment | None:
    """The time value `value` stands for, or None when SQLite would not read it as one."""
    moment = Moment()
    if isinstance(value, TEMPORAL):
        value = temporal_text(value)
    if isinstance(value, bool | int | float | Decimal):
        _set_number(moment, float(value))
        return moment
    if not isinstance(value, str):
        return None
    if value.lower() == "now":
        return read_moment(temporal_text(now()), now)
    if SUBSECOND_MODIFIER and value.lower() in ("subsec", "subsecond"):
        current = read_moment(temporal_text(now()), now)
        if current is not None:
            current.subsec = True
        return current
    try:
        _set_number(moment, float(value))
        return moment
    except ValueError:
        pass
    found = _DATE.match(value)
    if found is not None:
        y, mo, d = int(found[1]), int(found[2]), int(found[3])
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            return None
        moment.Y, moment.M, moment.D, moment.has_ymd = y, mo, d, True
        moment.compute_floor()
        rest = found[4]
        if rest is None or not rest.strip():
            return moment
        return moment if _set_time(moment, rest) else None
    return moment if _set_time(moment, value) else None


# modifiers -----------------------------------------------------------------------------
def _auto(moment: Moment) -> bool:
    """The 'auto' modifier: a number out of the Julian day range is read as Unix seconds."""
    raw = moment.raw
    moment.raw = None
    if raw is None or not moment.bad_number:
        return True
    if -210_866_760_000 <= raw <= 253_402_300_799:
        moment.jd = int(raw * 1000.0 + UNIX_EPOCH_MS + 0.5)
        moment.has_jd, moment.bad_number = True, False
        moment.has_ymd = moment.has_hms = False
    return True


def _shift_months(moment: Moment, months: int, years: int = 0) -> None:
    moment.compute_ymd()
    moment.compute_hms()
    moment.Y += years
    moment.M += months
    carried = _trunc_div(moment.M - 1, 12) if moment.M > 0 else _trunc_div(moment.M - 12, 12)
    moment.Y += carried
    moment.M -= carried * 12
    moment.compute_floor()
    moment.has_jd = False
    moment.compute_jd()


def _time_span(hours: str, minutes: str, seconds: float) -> int | None:
    """`HH:MM[:SS.SSS]` as a shift in milliseconds less whole days, as SQLite takes it; None
    where SQLite does not read it."""
    if int(hours) > 24 or int(minutes) > 59 or seconds >= 60:
        return None
    span = int(hours) * 3_600_000 + int(minutes) * 60_000 + int(seconds * 1000 + 0.5)
    return span % DAY_MS  # whole days drop out, as in SQLite


def _shift_date(moment: Moment, shift: re.Match[str]) -> bool:
    """`±YYYY-MM-DD[ HH:MM[:SS.SSS]]` (SQLite 3.43): years and months on the calendar, then
    the days and the time; months 0 to 11 and days 0 to 30 only."""
    sign, years, months, days = shift[1], int(shift[2]), int(shift[3]), int(shift[4])
    if years > 14712 or months >= 12 or days >= 31:  # SQLite's limit on a year in a modifier
        return False
    span = 0
    if shift[5] is not None:
        found = _time_span(shift[5], shift[6], _seconds(shift[7], shift[8]))
        if found is None:
            return False
        span = found
    if sign == "-":
        years, months, days, span = -years, -months, -days, -span
    _shift_months(moment, months, years)  # keeps the day past a month's end for 'floor'
    moment.jd += days * DAY_MS + span
    moment.moved()
    return True


def _amount(moment: Moment, number: float, unit: str) -> bool:
    limit = _UNIT_LIMITS.get(unit)
    if limit is None or not -limit < number < limit:
        return False
    moment.compute_jd()
    moment.floor_days = 0
    if unit in _UNITS_MS:
        moment.jd += _rounded(number * _UNITS_MS[unit])
    elif unit in ("month", "year"):
        whole = int(number)
        if unit == "month":
            _shift_months(moment, whole)
        else:
            moment.compute_ymd()
            moment.compute_hms()
            moment.Y += whole
            moment.compute_floor()
            moment.has_jd = False
            moment.compute_jd()
        rest = number - whole
        if rest:
            moment.jd += _rounded(rest * (30.0 if unit == "month" else 365.0) * DAY_MS)
    moment.moved()
    return True


def _start_of(moment: Moment, what: str) -> bool:
    if what not in ("day", "month", "year"):
        return False
    moment.compute_ymd()
    moment.h, moment.m, moment.s, moment.has_hms = 0, 0, 0.0, True
    if what in ("month", "year"):
        moment.D = 1
    if what == "year":
        moment.M = 1
    moment.has_jd = False
    moment.raw = None
    return True


def apply_modifier(moment: Moment, modifier: Any, first: bool) -> bool:
    """Apply one modifier; False when SQLite would not read it (the result is then NULL)."""
    if not isinstance(modifier, str):
        return False
    text = modifier.lower()
    if text in ("localtime", "utc"):
        raise NotSupportedError(
            f"the {text!r} modifier (it depends on the machine's time zone) is not supported by "
            "the memory dialect"
        )
    if text == "julianday":
        if not first or moment.raw is None or moment.bad_number:
            return False
        moment.raw = None
        return True
    if text == "auto":
        return first and _auto(moment)
    if SUBSECOND_MODIFIER and text in ("subsec", "subsecond"):
        moment.subsec = True
        return True
    if DAY_OVERFLOW_MODIFIERS and text in ("floor", "ceiling"):
        # a day past the end of its month, from the date or from adding months or years,
        # rolls into the next month ('ceiling', as without either) or back to the last day
        moment.compute_jd()
        if text == "floor":
            moment.jd -= moment.floor_days * DAY_MS
        else:
            moment.floor_days = 0
        moment.moved()
        return True
    if text == "unixepoch":
        if not first or moment.raw is None:
            return False
        instant = moment.raw * 1000.0 + UNIX_EPOCH_MS
        if not 0 <= instant < MAX_MS + 1:
            return False
        moment.jd, moment.has_jd, moment.bad_number = int(instant + 0.5), True, False
        moment.moved()
        return True
    if text.startswith("start of "):
        return _start_of(moment, text[len("start of ") :].lstrip())
    if text.startswith("weekday "):
        try:
            day = float(text[len("weekday ") :])
        except ValueError:
            return False
        if not day.is_integer() or not 0 <= day < 7:
            return False
        moment.compute_ymd()
        moment.compute_hms()
        moment.has_jd = False
        moment.compute_jd()
        weekday = _days_after_sunday(moment)
        if weekday > day:
            weekday -= 7
        moment.jd += int(day - weekday) * DAY_MS
        moment.moved()
        return True
    if DATE_SHIFT_MODIFIER:
        dated = _DATE_SHIFT.match(text)
        if dated is not None:
            return _shift_date(moment, dated)
    shift = _SHIFT.match(text)
    if shift is not None:
        span = _time_span(shift[2], shift[3], _seconds(shift[4], shift[5]))
        if span is None:
            return False
        moment.compute_jd()
        moment.jd += -span if shift[1] == "-" else span
        moment.moved()
        return True
    amount = _AMOUNT.match(text)
    if amount is None:
        return False
    return _amount(moment, float(amount[1]), amount[2])


def _moment_of(now: Callable[[], dt.datetime], value: Any, modifiers: tuple[Any, ...]) -> Any:
    if value is None:
        return None
    moment = read_moment(value, now)
    if moment is None:
        return None
    for i, modifier in enumerate(modifiers):
        if modifier is None or not apply_modifier(moment, modifier, i == 0):
            return None
    if not moment.valid:
        return None
    if MONTH_DAYS_NORMALIZED and not modifiers and moment.has_ymd and moment.D > 28:
        moment.has_ymd = False  # shown from the Julian day: rolled into the next month
    return moment


# the functions -------------------------------------------------------------------------
def _date_text(moment: Moment) -> str:
    """YYYY-MM-DD; a year before 1 is its sign and four digits (`-0274`), as date() writes it
    (strftime's %Y pads the sign into the four: `-274`)."""
    moment.compute_ymd()
    year = f"-{-moment.Y:04d}" if moment.Y < 0 else f"{moment.Y:04d}"
    return f"{year}-{moment.M:02d}-{moment.D:02d}"


def _time_text(moment: Moment) -> str:
    moment.compute_hms()
    if moment.subsec:
        millis = int(1000.0 * moment.s + (0.5 if SUBSECONDS_ROUNDED else 0.0))
        return f"{moment.h:02d}:{moment.m:02d}:{millis // 1000 % 100:02d}.{millis % 1000:03d}"
    return f"{moment.h:02d}:{moment.m:02d}:{int(moment.s):02d}"


def fn_date(now: Callable[[], dt.datetime], value: Any = "now", *modifiers: Any) -> Any:
    moment = _moment_of(now, value, modifiers)
    return None if moment is None else _date_text(moment)


def fn_time(now: Callable[[], dt.datetime], value: Any = "now", *modifiers: Any) -> Any:
    moment = _moment_of(now, value, modifiers)
    return None if moment is None else _time_text(moment)


def fn_datetime(now: Callable[[], dt.datetime], value: Any = "now", *modifiers: Any) -> Any:
    moment = _moment_of(now, value, modifiers)
    return None if moment is None else f"{_date_text(moment)} {_time_text(moment)}"


def fn_julianday(now: Callable[[], dt.datetime], value: Any = "now", *modifiers: Any) -> Any:
    moment = _moment_of(now, value, modifiers)
    return None if moment is None else moment.jd / DAY_MS


def fn_unixepoch(now: Callable[[], dt.datetime], value: Any = "now", *modifiers: Any) -> Any:
    moment = _moment_of(now, value, modifiers)
    if moment is None:
        return None
    if moment.subsec:
        return (moment.jd - UNIX_EPOCH_MS) / 1000.0
    return _unix_seconds(moment.jd)


def _days_after_sunday(moment: Moment) -> int:
    """The day of the week, 0 for Sunday (of a moment whose Julian day is computed)."""
    return ((moment.jd + 129_600_000) // DAY_MS) % 7


def _days_after_monday(moment: Moment) -> int:
    return ((moment.jd + 43_200_000) // DAY_MS) % 7


def _day_of_year(moment: Moment) -> int:
    moment.compute_ymd()
    moment.compute_hms()
    start = Moment()  # 1 January of the same year, at the same time of day
    start.Y, start.M, start.D, start.has_ymd = moment.Y, 1, 1, True
    start.h, start.m, start.s, start.has_hms = moment.h, moment.m, moment.s, True
    start.compute_jd()
    return (moment.jd - start.jd + 43_200_000) // DAY_MS


def _directive(moment: Moment, letter: str) -> str | None:
    moment.compute_ymd()
    moment.compute_hms()
    if letter == "d":
        return f"{moment.D:02d}"
    if letter == "f":
        return f"{min(moment.s, 59.999):06.3f}"
    if letter == "H":
        return f"{moment.h:02d}"
    if letter == "j":
        return f"{_day_of_year(moment) + 1:03d}"
    if letter == "J":
        return format(moment.jd / DAY_MS, ".16g")
    if letter == "m":
        return f"{moment.M:02d}"
    if letter == "M":
        return f"{moment.m:02d}"
    if letter == "s":
        if moment.subsec:
            return f"{(moment.jd - UNIX_EPOCH_MS) / 1000.0:.3f}"
        return str(_unix_seconds(moment.jd))
    if letter == "S":
        return f"{int(moment.s):02d}"
    if letter == "w":
        return str(_days_after_sunday(moment))
    if letter == "W":
        monday_based = _days_after_monday(moment)
        return f"{(_day_of_year(moment) + 7 - monday_based) // 7:02d}"
    if letter == "Y":
        return f"{moment.Y:04d}"
    if letter == "%":
        return "%"
    return _newer_directive(moment, letter) if STRFTIME_LETTERS_3_46 else None


def _newer_directive(moment: Moment, letter: str) -> str | None:
    """The strftime() letters SQLite 3.46 added."""
    if letter == "e":
        return f"{moment.D:2d}"
    if letter == "F":
        return f"{moment.Y:04d}-{moment.M:02d}-{moment.D:02d}"
    if letter in "kIl":
        hour = moment.h if letter == "k" else (moment.h - 12 if moment.h > 12 else moment.h) or 12
        return f"{hour:02d}" if letter == "I" else f"{hour:2d}"
    if letter in "pP":
        half = "PM" if moment.h >= 12 else "AM"
        return half if letter == "p" else half.lower()
    if letter == "R":
        return f"{moment.h:02d}:{moment.m:02d}"
    if letter == "T":
        return f"{moment.h:02d}:{moment.m:02d}:{int(moment.s):02d}"
    if letter == "u":
        return str(_days_after_sunday(moment) or 7)
    if letter == "U":
        sunday_based = _days_after_sunday(moment)
        return f"{(_day_of_year(moment) - sunday_based + 7) // 7:02d}"
    if letter in "GgV":
        thursday = Moment()
        monday_based = _days_after_monday(moment)
        thursday.jd, thursday.has_jd = moment.jd + (3 - monday_based) * DAY_MS, True
        thursday.compute_ymd()
        if letter == "V":
            return f"{_day_of_year(thursday) // 7 + 1:02d}"
        if letter == "G":
            return f"{thursday.Y:04d}"
        century_year = abs(thursday.Y) % 100  # C's remainder keeps the year's sign
        return f"{-century_year if thursday.Y < 0 else century_year:02d}"
    return None


def fn_strftime(
    now: Callable[[], dt.datetime], form: Any = None, value: Any = "now", *modifiers: Any
) -> Any:
    if form is None:
        return None
    moment = _moment_of(now, value, modifiers)
    if moment is None:
        return None
    form = str(form)
    out: list[str] = []
    i = 0
    while i < len(form):
        char = form[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        part = _directive(moment, form[i + 1]) if i + 1 < len(form) else None
        if part is None:
            return None
        out.append(part)
        i += 2
    return "".join(out)


def fn_timediff(now: Callable[[], dt.datetime], later: Any, earlier: Any) -> Any:
    """SQLite 3.43's timediff(A, B): `±YYYY-MM-DD HH:MM:SS.SSS`, the years, months, days and
    time that take B to A, counted in whole months from B's day of the month first."""
    first, second = _moment_of(now, later, ()), _moment_of(now, earlier, ())
    if first is None or second is None:
        return None
    for moment in (first, second):
        moment.compute_ymd()
        moment.compute_hms()
    forward = first.jd >= second.jd
    sign = 1 if forward else -1
    years = sign * (first.Y - second.Y)
    if years:
        _recompute(second, year=first.Y)
    months = sign * (first.M - second.M)
    if months < 0:
        years, months = years - 1, months + 12
    if months:
        _recompute(second, month=first.M)
    while (first.jd < second.jd) if forward else (first.jd > second.jd):
        months -= 1
        if months < 0:
            years, months = years - 1, 11
        month = second.M - sign
        year = second.Y
        if month < 1:
            month, year = 12, year - 1
        elif month > 12:
            month, year = 1, year + 1
        _recompute(second, year=year, month=month)
    span = first.jd - second.jd if forward else second.jd - first.jd
    result = Moment()
    result.jd, result.has_jd = span + _TIMEDIFF_ORIGIN_MS, True
    result.compute_ymd()
    result.compute_hms()
    return (
        f"{'+' if forward else '-'}{years:04d}-{months:02d}-{result.D - 1:02d} "
        f"{result.h:02d}:{result.m:02d}:{result.s:06.3f}"
    )


def _recompute(moment: Moment, year: int | None = None, month: int | None = None) -> None:
    """New calendar fields, and the Julian day computed from them again (days past the end
    of the month roll over, as SQLite's computeJD rolls them)."""
    if year is not None:
        moment.Y = year
    if month is not None:
        moment.M = month
    moment.has_jd = False
    moment.compute_jd()


_TIMEDIFF_ORIGIN_MS = 1486995408 * 100000
"""The Julian day of 0000-01-01 00:00, in ms: a span read from it gives years and days."""


DATE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "date": fn_date,
    "time": fn_time,
    "datetime": fn_datetime,
    "julianday": fn_julianday,
    "unixepoch": fn_unixepoch,
    "strftime": fn_strftime,
}
if TIMEDIFF_FUNCTION:
    DATE_FUNCTIONS["timediff"] = fn_timediff
"""Called with the statement's clock first, then the SQL arguments."""
