"""x87 extended precision ("long double", a 64-bit significand), as SQLite's C code computes
in it on x86-64: each result rounded to the nearest such value, ties to even.

A value is a pair (m, e) standing for m * 2**e, with m of at most 64 bits; zero is (0, 0).
Only non-negative values occur where SQLite scales and prints numbers.
"""

from __future__ import annotations

import math

LongDouble = tuple[int, int]

_BITS = 64


def rounded(m: int, e: int) -> LongDouble:
    """m * 2**e rounded to 64 significant bits."""
    bits = m.bit_length()
    if bits <= _BITS:
        return m, e
    shift = bits - _BITS
    kept = m >> shift
    rest = m & ((1 << shift) - 1)
    half = 1 << (shift - 1)
    if rest > half or (rest == half and kept & 1):
        kept += 1
        if kept >> _BITS:
            kept >>= 1
            shift += 1
    return kept, e + shift


def of_float(x: float) -> LongDouble:
    """A double, exactly."""
    numerator, denominator = x.as_integer_ratio()
    return rounded(numerator, 1 - denominator.bit_length())


def of_decimal(text: str) -> LongDouble:
    """A decimal constant as the C compiler reads `<text>L`: the nearest long double."""
    mantissa, _, exponent = text.lower().partition("e")
    power = int(exponent or 0)
    whole = int(mantissa.replace(".", ""))
    power -= len(mantissa.partition(".")[2])
    if power >= 0:
        return rounded(whole * 10**power, 0)
    return divide((whole, 0), (10**-power, 0))


def multiply(a: LongDouble, b: LongDouble) -> LongDouble:
    return rounded(a[0] * b[0], a[1] + b[1])


def add(a: LongDouble, b: LongDouble) -> LongDouble:
    if not a[0] or not b[0]:
        return a if b[0] == 0 else b
    e = min(a[1], b[1])
    return rounded((a[0] << (a[1] - e)) + (b[0] << (b[1] - e)), e)


def minus_whole(a: LongDouble, whole: int) -> LongDouble:
    """a - whole, for a whole number no larger than a."""
    e = min(a[1], 0)
    return rounded((a[0] << (a[1] - e)) - (whole << -e), e)


def divide(a: LongDouble, b: LongDouble) -> LongDouble:
    extra = max(0, _BITS + 2 + b[0].bit_length() - a[0].bit_length())
    quotient, remainder = divmod(a[0] << extra, b[0])
    # one more bit, set when something remains, so a tie is never seen where there is none
    return rounded((quotient << 1) | bool(remainder), a[1] - b[1] - extra - 1)


def at_least(a: LongDouble, b: LongDouble) -> bool:
    e = min(a[1], b[1])
    return (a[0] << (a[1] - e)) >= (b[0] << (b[1] - e))


def whole_part(a: LongDouble) -> int:
    """The value cut towards zero to an integer, as C's cast does."""
    return a[0] >> -a[1] if a[1] < 0 else a[0] << a[1]


def to_float(a: LongDouble) -> float:
    """The nearest double, ties to even (a C cast from long double)."""
    m, e = a
    bits = m.bit_length()
    if bits > 53:
        shift = bits - 53
        kept = m >> shift
        rest = m & ((1 << shift) - 1)
        half = 1 << (shift - 1)
        if rest > half or (rest == half and kept & 1):
            kept += 1
        m, e = kept, e + shift
    return math.ldexp(m, e)
