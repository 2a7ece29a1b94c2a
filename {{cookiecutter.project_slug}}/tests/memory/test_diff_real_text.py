"""A REAL written as text (CAST, concatenation, json_quote()) digit for digit as SQLite writes
it: 15 significant digits, rounded the way the linked release rounds them; and round(), which
prints its argument and reads it back.

Where the digits after the 15th are near half a unit, releases differ: before 3.43 SQLite's
printf scales in long double, 3.43 to 3.46 decode the digits in long double, and 3.47 on in
double-double products. Whole numbers ending in 5 at the 16th digit are exact ties.
"""

from __future__ import annotations

import random
import struct

import pytest
from sqlalchemy import Float, cast, func, literal, select
from sqlalchemy.types import Text

from .diffkit import EnginePair, pair_of


def _doubles(seed: int, count: int) -> list[float]:
    rng = random.Random(seed)
    found: list[float] = []
    while len(found) < count:
        kind = rng.random()
        if kind < 0.3:
            value = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        elif kind < 0.5:
            value = float(rng.randrange(10**15, 10**16) // 10 * 10 + 5)  # an exact tie
        elif kind < 0.7:
            value = rng.randrange(-(10**9), 10**9) / 10 ** rng.randrange(0, 12)
        else:
            value = rng.uniform(-1e6, 1e6) * 10.0 ** rng.randrange(-30, 30)
        if value == value and abs(value) != float("inf"):
            found.append(value)
    return found


EDGES = [
    4899075654919265.0,
    6554702877624405.0,
    5681645193548855.0,
    -5577089621471051.0,
    9999999999999995.0,
    2.766577530135285e302,
    6.389632888710475e-72,
    -945260.3847960555,
    4.4025313026706254e-128,
    0.1,
    1e15,
    123456789012345678.0,
    5e-324,
    1.7976931348623157e308,
    0.00187454345,
]


@pytest.fixture(scope="module")
def pair() -> EnginePair:
    with pair_of() as engines:
        yield engines


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reals_as_text(pair: EnginePair, seed: int) -> None:
    values = _doubles(seed, 400) if seed > 1 else EDGES + _doubles(seed, 385)
    columns = [cast(literal(value, Float), Text) for value in values]
    pair.check_rows(select(*columns), what=f"seed {seed}")


def test_reals_in_concatenation_and_json(pair: EnginePair) -> None:
    values = EDGES + _doubles(4, 100)
    columns = [literal(value, Float).concat("") for value in values]
    columns += [func.json_quote(literal(value, Float)) for value in values]
    pair.check_rows(select(*columns))


def _round_cases(seed: int, count: int) -> list[tuple[float, int]]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.3:
            value = round(rng.uniform(-1000, 1000), rng.randint(0, 6)) + rng.choice([0, 1e-13])
        elif kind < 0.6:
            value = rng.uniform(-1e6, 1e6)
        elif kind < 0.8:
            value = rng.choice([-1, 1]) * 10 ** rng.uniform(-25, 17)
        else:
            value = rng.randint(-(10**6), 10**6) / 1000 + 0.0005
        cases.append((value, rng.choice([1, 2, 3, 4, 6, 8, 10, 12, 14, 15, 16, 17, 18, 20, 30])))
    return cases


@pytest.mark.parametrize("seed", [5, 6])
def test_round_prints_and_reads_back_as_sqlite(pair: EnginePair, seed: int) -> None:
    """Many digits included: there SQLite's own printing and reading decide the last bit."""
    cases = _round_cases(seed, 300)
    columns = [func.round(literal(value, Float), digits) for value, digits in cases]
    pair.check_rows(select(*columns), what=f"seed {seed}")
