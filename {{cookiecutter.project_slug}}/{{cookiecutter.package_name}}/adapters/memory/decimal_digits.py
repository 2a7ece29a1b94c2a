"""How SQLite turns a double into decimal digits and text, and decimal text back into a double,
release by release: its printf before 3.43, its digit decoder from 3.43, and its text-to-REAL
reader. They decide how a REAL is written as text and what round() gives."""

from __future__ import annotations

import math
import struct

from . import long_double as ld
from .long_double import LongDouble
from .releases import DIGITS_BY_DOUBLE_DOUBLE, PRINTF_INTEGER_DIGITS, ROUND_BY_DECIMAL_DIGITS


def sqlite_digits(x: float) -> tuple[str, int]:
    """The digits of a finite, non-zero `abs(x)` as SQLite's decoder gets them, and how many
    stand before the decimal point: the double scaled by powers of ten to an integer of 18 or
    19 digits."""
    if DIGITS_BY_DOUBLE_DOUBLE:
        return _double_double_digits(abs(x))
    return _extended_digits(x)


def _extended_digits(x: float) -> tuple[str, int]:
    """The scaling SQLite 3.43 to 3.46 do in long double."""
    value = ld.of_float(abs(x))
    exponent = 0
    if ld.at_least(value, _LD_1E19):
        for bound, power, factor in _LD_DOWN:
            while ld.at_least(value, bound):
                exponent += power
                value = ld.multiply(value, factor)
    else:
        for bound, power, factor in _LD_UP:
            while not ld.at_least(value, bound):
                exponent -= power
                value = ld.multiply(value, factor)
    digits = str(ld.whole_part(value))
    return digits, len(digits) + exponent


_LD_1E19 = ld.of_decimal("1e19")
_LD_DOWN = (
    (ld.of_decimal("1e119"), 100, ld.of_decimal("1e-100")),
    (ld.of_decimal("1e29"), 10, ld.of_decimal("1e-10")),
    (_LD_1E19, 1, ld.of_decimal("1e-1")),
)
_LD_UP = (
    (ld.of_decimal("1e-97"), 100, ld.of_decimal("1e100")),
    (ld.of_decimal("1e7"), 10, ld.of_decimal("1e10")),
    (ld.of_decimal("1e17"), 1, ld.of_decimal("1e1")),
)
"""SQLite's long double scaling steps: the bound, the power of ten, and the factor."""


_DOWN = (
    (9.223372036854774784e118, 100, 1.0e-100, -1.99918998026028836196e-117),
    (9.223372036854774784e28, 10, 1.0e-10, -3.6432197315497741579e-27),
    (9.223372036854774784e18, 1, 1.0e-01, -5.5511151231257827021e-18),
)
_UP = (
    (9.223372036854774784e-83, 100, 1.0e100, -1.5902891109759918046e83),
    (9.223372036854774784e07, 10, 1.0e10, 0.0),
    (9.22337203685477478e17, 1, 1.0e01, 0.0),
)
"""SQLite's scaling steps: the bound, the power of ten, and the factor with its error term."""
_HIGH_HALF = 0xFFFFFFFFFC000000


def _double_double_digits(magnitude: float) -> tuple[str, int]:
    """The scaling SQLite 3.47 and later do, in double-double products (Dekker's method)."""
    value, error, exponent = magnitude, 0.0, 0
    if value > _DOWN[-1][0]:
        for bound, power, factor, factor_error in _DOWN:
            while value > bound:
                exponent += power
                value, error = _dekker_product(value, error, factor, factor_error)
    else:
        for bound, power, factor, factor_error in _UP:
            while value < bound:
                exponent -= power
                value, error = _dekker_product(value, error, factor, factor_error)
    whole = int(value) - int(-error) if error < 0 else int(value) + int(error)
    digits = str(whole)
    return digits, len(digits) + exponent


def _high_half(x: float) -> float:
    bits = struct.unpack("<Q", struct.pack("<d", x))[0] & _HIGH_HALF
    high: float = struct.unpack("<d", struct.pack("<Q", bits))[0]
    return high


def _dekker_product(x: float, xx: float, y: float, yy: float) -> tuple[float, float]:
    """(x + xx) * (y + yy) as a double and its error term, in SQLite's order of operations."""
    hx = _high_half(x)
    tx = x - hx
    hy = _high_half(y)
    ty = y - hy
    p = hx * hy
    q = hx * ty + tx * hy
    c = p + q
    cc = p - c + q + tx * ty
    cc = x * yy + xx * y + cc
    product = c + cc
    return product, c - product + cc


def significant_text(x: float, precision: int) -> str:
    """A finite, non-zero `x` as SQLite's printf writes it with `%!.<precision>g`: its digits
    rounded half up, in fixed or scientific form, with at least one decimal."""
    digits, point = sqlite_digits(x)
    if len(digits) > precision:
        head = int(digits[:precision]) + (digits[precision] >= "5")
        digits = str(head)
        if len(digits) > precision:  # 999... rounded up to 1000...
            digits, point = digits[:precision], point + 1
    digits = digits.rstrip("0") or "0"
    exponent = point - 1
    sign = "-" if x < 0 else ""
    if exponent < -4 or exponent >= precision:
        return f"{sign}{digits[0]}.{digits[1:] or '0'}e{exponent:+03d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    whole = digits[:point].ljust(point, "0")
    return f"{sign}{whole}.{digits[point:] or '0'}"


def printf_significant_text(x: float, precision: int) -> str:
    """A finite, non-zero `x` as SQLite before 3.43 writes it with `%!.<precision>g`: scaled
    and rounded in long double, then its digits read off one by one."""
    kept = precision - 1 if precision > 0 else 0  # digits after the first
    magnitude = abs(x)
    if PRINTF_INTEGER_DIGITS and magnitude < 1e16 and magnitude.is_integer():
        whole = int(magnitude)
        digits = _integer_digits(whole, kept)
        exponent = len(str(whole)) - 1
    else:
        value, exponent = _printf_normalized(ld.of_float(magnitude), kept)
        digits = _printf_digits(value, exponent, kept)
    return _printf_layout(x < 0, digits, exponent, kept)


def _integer_digits(whole: int, kept: int) -> str:
    """The digits of a whole number as SQLite 3.42 writes them: half a unit of the last digit
    kept is added when there are more digits than `%g` keeps, then digits are divided off."""
    most = 10 ** (len(str(whole)) - 1)
    if len(str(whole)) - 1 > kept:
        whole += most // 2 // 10**kept
    digits = []
    for _ in range(kept + 1):
        digit = whole // most
        whole -= digit * most
        most = most // 10 if most >= 10 else most
        digits.append(chr(ord("0") + (digit & 15)))  # a carry digit of 10 comes out as ':'
    return "".join(digits)


def printf_fixed_text(x: float, decimals: int) -> str:
    """`x` as SQLite before 3.43 writes it with `%.<decimals>f` (what its round() reads back):
    half a unit of the last decimal added in long double (and, for few digits, a 3e-16 share
    of the value), then its digits read off one by one, at most 16 of them significant."""
    magnitude = abs(x)
    sign = "-" if x < 0 else ""
    if PRINTF_INTEGER_DIGITS and magnitude < 1e16 and magnitude.is_integer():
        return f"{sign}{int(magnitude)}.0"
    value = ld.of_float(magnitude)
    rounder = _rounder(decimals)
    binary_exponent = math.frexp(magnitude)[1] - 1 if magnitude else -1023
    if decimals + int(binary_exponent / 3) < 15:  # C's division cuts towards zero
        rounder = ld.add(rounder, ld.multiply(value, _LD_3E_MINUS_16))
    value, exponent = _printf_scaled(ld.add(value, rounder))
    whole = "0" if exponent < 0 else ""
    count = exponent + 1 + decimals if exponent >= 0 else decimals - (-exponent - 1)
    digits = _digits_read_off(value, max(count, 0), _FIXED_SIGNIFICANT_DIGITS)
    if exponent >= 0:
        whole, fraction = digits[: exponent + 1], digits[exponent + 1 :]
    else:
        fraction = ("0" * (-exponent - 1) + digits)[:decimals]
    return f"{sign}{whole}.{fraction.rstrip('0') or '0'}"


def read_real(text: str) -> float:
    """A decimal text (`[-]digits.digits`) read as the linked SQLite's sqlite3AtoF reads it:
    before 3.47 its significand is scaled by powers of ten in long double, then rounded to a
    double; from 3.47 the double-double scaling gives the nearest double, as `float` does."""
    if DIGITS_BY_DOUBLE_DOUBLE:
        return float(text)
    negative = text.startswith("-")
    whole, _, fraction = text.lstrip("+-").partition(".")
    cap = _UINT64_CAP if ROUND_BY_DECIMAL_DIGITS else _INT64_CAP
    significand, exponent = 0, 0
    for position, digit in enumerate(whole + fraction):
        if significand < cap:
            significand = significand * 10 + int(digit)
            exponent -= position >= len(whole)
        else:
            exponent += position < len(whole)
    if significand == 0:
        return -0.0 if negative else 0.0
    while exponent < 0 and significand % 10 == 0:
        significand //= 10
        exponent += 1
    if ROUND_BY_DECIMAL_DIGITS:
        while exponent > 0 and significand < _UINT64_MAX // 10:
            significand, exponent = significand * 10, exponent - 1
        value = _scaled_in_steps(significand, exponent)
    else:
        while exponent > 0 and significand < _INT64_MAX // 10:
            significand, exponent = significand * 10, exponent - 1
        value = _scaled_by_power(significand, exponent)
    result = value if isinstance(value, float) else ld.to_float(value)
    return -result if negative else result


def _scaled_by_power(significand: int, exponent: int) -> LongDouble | float:
    """SQLite before 3.43: the significand times or over 10**|exponent|, that power made by
    squaring in long double."""
    if exponent == 0 or abs(exponent) > 307:
        return float(significand) * 10.0**exponent
    base, power, remaining = _LD_TEN, _LD_ONE, abs(exponent)
    while True:
        if remaining & 1:
            power = ld.multiply(power, base)
        remaining >>= 1
        if remaining == 0:
            break
        base = ld.multiply(base, base)
    value = ld.rounded(significand, 0)
    return ld.multiply(value, power) if exponent > 0 else ld.divide(value, power)


def _scaled_in_steps(significand: int, exponent: int) -> LongDouble | float:
    """SQLite 3.43 to 3.46: the significand multiplied by 1e100, 1e10 and 10 (or their
    inverses) in long double, one step at a time."""
    if exponent == 0:
        return float(significand)
    value = ld.rounded(significand, 0)
    steps = _LD_UP_STEPS if exponent > 0 else _LD_DOWN_STEPS
    remaining = abs(exponent)
    for size, factor in steps:
        while remaining >= size:
            remaining -= size
            value = ld.multiply(value, factor)
    return value


def _rounder(kept: int) -> LongDouble:
    rounder = ld.of_float(_ROUNDERS[kept % 10])
    for _ in range(kept // 10):
        rounder = ld.multiply(rounder, _LD_TEN_TO_MINUS_10)
    return rounder


def _printf_scaled(value: LongDouble) -> tuple[LongDouble, int]:
    """A positive value scaled into [1, 10) as SQLite's printf scales it, and its exponent."""
    exponent = 0
    scale = _LD_ONE
    for step, power in _PRINTF_SCALES:
        while ld.at_least(value, ld.multiply(step, scale)) and exponent <= 350:
            scale = ld.multiply(scale, step)
            exponent += power
    value = ld.divide(value, scale)
    while not ld.at_least(value, _LD_TEN_TO_MINUS_8):
        value = ld.multiply(value, _LD_TEN_TO_8)
        exponent -= 8
    while not ld.at_least(value, _LD_ONE):
        value = ld.multiply(value, _LD_TEN)
        exponent -= 1
    return value, exponent


def _printf_normalized(value: LongDouble, kept: int) -> tuple[LongDouble, int]:
    """The value scaled to [1, 10) with the rounder for `kept` digits added, and its exponent."""
    value, exponent = _printf_scaled(value)
    value = ld.add(value, _rounder(kept))
    if ld.at_least(value, _LD_TEN):
        value = ld.multiply(value, _LD_ONE_TENTH)
        exponent += 1
    return value, exponent


def _printf_digits(value: LongDouble, exponent: int, kept: int) -> str:
    """The digits `%g` writes of a normalized value, at most 26 of them significant."""
    fixed = -4 <= exponent <= kept
    if not fixed:
        count = kept + 1
    elif exponent >= 0:
        count = exponent + 1 + kept - exponent
    else:
        count = kept + 1  # the zeros after the point are written apart
    return _digits_read_off(value, count, _SIGNIFICANT_DIGITS)


def _digits_read_off(value: LongDouble, count: int, significant: int) -> str:
    """`count` digits of a value in [1, 10), each the whole part before the rest is multiplied
    by ten; zeros after the `significant`-th."""
    digits = []
    for position in range(count):
        if position >= significant:
            digits.append("0")
            continue
        digit = ld.whole_part(value)
        digits.append(str(digit))
        value = ld.multiply(ld.minus_whole(value, digit), _LD_TEN)
    return "".join(digits)


def _printf_layout(negative: bool, digits: str, exponent: int, kept: int) -> str:
    """`%!.g`'s layout of the digits: fixed or scientific, trailing zeros cut to one."""
    sign = "-" if negative else ""
    if -4 <= exponent <= kept:
        if exponent >= 0:
            whole, fraction = digits[: exponent + 1], digits[exponent + 1 :]
        else:
            whole, fraction = "0", "0" * (-exponent - 1) + digits
        return f"{sign}{whole}.{fraction.rstrip('0') or '0'}"
    return f"{sign}{digits[0]}.{digits[1:].rstrip('0') or '0'}e{exponent:+03d}"


_ROUNDERS = (
    5.0e-01,
    5.0e-02,
    5.0e-03,
    5.0e-04,
    5.0e-05,
    5.0e-06,
    5.0e-07,
    5.0e-08,
    5.0e-09,
    5.0e-10,
)
_LD_ONE = ld.of_float(1.0)
_LD_TEN = ld.of_float(10.0)
_LD_TEN_TO_8 = ld.of_float(1e8)
_LD_TEN_TO_MINUS_8 = ld.of_float(1e-8)
_LD_TEN_TO_MINUS_10 = ld.of_float(1e-10)
_LD_ONE_TENTH = ld.of_float(0.1)
_PRINTF_SCALES = ((ld.of_float(1e100), 100), (ld.of_float(1e10), 10), (_LD_TEN, 1))
_LD_3E_MINUS_16 = ld.of_float(3e-16)
_LD_UP_STEPS = tuple((power, factor) for _bound, power, factor in _LD_UP)
_LD_DOWN_STEPS = tuple((power, factor) for _bound, power, factor in _LD_DOWN)
"""The decoder's long double factors, as sqlite3AtoF multiplies by them before 3.47."""
_INT64_MAX = 2**63 - 1
_UINT64_MAX = 2**64 - 1
_INT64_CAP = (_INT64_MAX - 9) // 10
_UINT64_CAP = (_UINT64_MAX - 9) // 10
"""sqlite3AtoF stops taking digits into its significand once it reaches these."""
_SIGNIFICANT_DIGITS = 26
"""How many digits SQLite's printf reads off a REAL with the `!` flag; zeros after them."""
_FIXED_SIGNIFICANT_DIGITS = 16
"""... and without it, as round() prints."""
