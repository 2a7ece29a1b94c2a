"""SQLite's sum(), total() and avg(), stepped value by value in the order the rows arrive.

A sum keeps an exact 64-bit integer while only integers arrive; what happens at the first REAL
or at an integer overflow, and how REALs are added, depends on the SQLite release
(`releases.SUMS_COMPENSATED`). `new_sum()` gives the state of the linked release. Values are
given as `functions.summand` reads them: an int or a float.
"""

from __future__ import annotations

import math

from .errors import OperationalError
from .releases import INVERSE_SUM_CHECKED, SUM_ERROR_TERM, SUMS_COMPENSATED

_INT64 = 2**63
_EXACT = 2**52
"""From this magnitude on, an integer is added as two doubles (SQLite 3.43 and later)."""


def _fits(number: int) -> bool:
    return -_INT64 <= number < _INT64


def _wrapped(number: int) -> int:
    """Two's-complement wrap-around of a 64-bit integer, as C's unchecked arithmetic gives."""
    return (number + _INT64) % (2 * _INT64) - _INT64


def _c_remainder(number: int, divisor: int) -> int:
    """C's `%`: the remainder takes the sign of the dividend."""
    rest = abs(number) % divisor
    return rest if number >= 0 else -rest


class RunningSum:
    """The state of one sum, total or avg: stepped, stepped back, read at any point."""

    __slots__ = ("approx", "count", "integer", "overflow")

    def __init__(self) -> None:
        self.count = 0
        self.integer = 0
        self.approx = False  # a REAL took part (or the integers overflowed)
        self.overflow = False

    def add(self, value: int | float) -> None:
        raise NotImplementedError

    def remove(self, value: int | float) -> None:
        raise NotImplementedError

    def real(self) -> float:
        """The REAL sum so far."""
        raise NotImplementedError

    def sum(self) -> int | float | None:
        if not self.count:
            return None
        if self.overflow:
            raise OperationalError("integer overflow")
        return self.real() if self.approx else self.integer

    def total(self) -> float:
        return self.real() if self.approx else float(self.integer)

    def average(self) -> float | None:
        if not self.count:
            return None
        return self.total() / self.count


class PlainSum(RunningSum):
    """SQLite before 3.43: a plain double sum of every value beside the integer sum; an
    integer overflow fails the sum() whatever follows."""

    __slots__ = ("plain",)

    def __init__(self) -> None:
        super().__init__()
        self.plain = 0.0

    def add(self, value: int | float) -> None:
        self.count += 1
        self.plain += float(value)
        if type(value) is not int:
            self.approx = True
        elif not (self.approx or self.overflow):
            added = self.integer + value
            if _fits(added):
                self.integer = added
            else:
                self.approx = self.overflow = True

    def remove(self, value: int | float) -> None:
        self.count -= 1
        self.plain -= float(value)
        if type(value) is int and not self.approx:
            self.integer = _wrapped(self.integer - value)

    def real(self) -> float:
        return self.plain

    def total(self) -> float:
        return self.plain


class CompensatedSum(RunningSum):
    """SQLite 3.43 and later: integers exactly until a REAL or an overflow, then a
    Kahan-Babuska-Neumaier sum seeded with the integer sum so far."""

    __slots__ = ("error", "high")

    def __init__(self) -> None:
        super().__init__()
        self.high = self.error = 0.0

    def add(self, value: int | float) -> None:
        self.count += 1
        if not self.approx:
            if type(value) is not int:
                self._seed()
                self._step(value)
                return
            added = self.integer + value
            if _fits(added):
                self.integer = added
                return
            self.overflow = True
            self._seed()
            self._step_integer(value)
        elif type(value) is int:
            self._step_integer(value)
        else:
            self.overflow = False
            self._step(value)

    def remove(self, value: int | float) -> None:
        self.count -= 1
        if not self.approx:
            left = self.integer - int(value)
            if _fits(left) or not INVERSE_SUM_CHECKED:
                self.integer = _wrapped(left)
            else:
                self.overflow = self.approx = True
        elif type(value) is int:
            if value != -_INT64:
                self._step_integer(-value)
            else:
                self._step_integer(_INT64 - 1)
                self._step_integer(1)
        else:
            self._step(-value)

    def real(self) -> float:
        error = self.error
        if SUM_ERROR_TERM == "always":
            return self.high + error
        if SUM_ERROR_TERM == "unless NaN":
            return self.high if math.isnan(error) else self.high + error
        return self.high + error if math.isfinite(error) else self.high

    def _seed(self) -> None:
        self.approx = True
        whole = self.integer
        if -_EXACT < whole < _EXACT:
            self.high, self.error = float(whole), 0.0
        else:
            small = _c_remainder(whole, 16384)
            self.high, self.error = float(whole - small), float(small)

    def _step_integer(self, whole: int) -> None:
        if -_EXACT < whole < _EXACT:
            self._step(float(whole))
        else:
            small = _c_remainder(whole, 16384)
            self._step(float(whole - small))
            self._step(float(small))

    def _step(self, term: float) -> None:
        high = self.high
        added = high + term
        if abs(high) > abs(term):
            self.error += (high - added) + term
        else:
            self.error += (term - added) + high
        self.high = added


def new_sum() -> RunningSum:
    """An empty sum of the linked SQLite release."""
    return CompensatedSum() if SUMS_COMPENSATED else PlainSum()
