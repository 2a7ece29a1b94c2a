"""The invariants of a price bar."""

from dataclasses import FrozenInstanceError, replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.domain.bar import (
    Bar,
    BarDataError,
)
from {{ cookiecutter.package_name }}.domain.errors import (
    DomainError,
)

OPENING_MINUTE = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)


def make_bar(**changes: Any) -> Bar:
    fields: dict[str, Any] = {
        "symbol": "ES",
        "ts": OPENING_MINUTE,
        "open": Decimal("5900.00"),
        "high": Decimal("5902.50"),
        "low": Decimal("5898.75"),
        "close": Decimal("5901.25"),
        "volume": 1_200,
    }
    fields.update(changes)
    return Bar(**fields)


def test_a_valid_bar_keeps_its_values() -> None:
    bar = make_bar()
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (
        Decimal("5900.00"),
        Decimal("5902.50"),
        Decimal("5898.75"),
        Decimal("5901.25"),
        1_200,
    )
    assert bar.ts == OPENING_MINUTE


def test_a_bar_is_immutable() -> None:
    bar = make_bar()
    with pytest.raises(FrozenInstanceError):
        bar.close = Decimal("1")  # type: ignore[misc]


def test_a_flat_bar_with_zero_volume_is_valid() -> None:
    price = Decimal("5900.00")
    bar = make_bar(open=price, high=price, low=price, close=price, volume=0)
    assert bar.high == bar.low


def test_an_aware_timestamp_in_another_zone_is_stored_in_utc() -> None:
    new_york = timezone(timedelta(hours=-5))
    bar = make_bar(ts=datetime(2025, 1, 2, 9, 30, tzinfo=new_york))
    assert bar.ts == OPENING_MINUTE
    assert bar.ts.tzinfo is UTC


def test_bar_data_error_is_a_domain_error() -> None:
    assert issubclass(BarDataError, DomainError)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"high": Decimal("5897.00")}, "high 5897.00 is below low 5898.75"),
        ({"open": Decimal("5903.00")}, "open 5903.00 is outside low..high"),
        ({"open": Decimal("5898.50")}, "open 5898.50 is outside low..high"),
        ({"close": Decimal("5902.75")}, "close 5902.75 is outside low..high"),
        ({"close": Decimal("5898.00")}, "close 5898.00 is outside low..high"),
        ({"volume": -1}, "volume -1 is negative"),
        ({"volume": 1.5}, "volume must be an int"),
        ({"volume": True}, "volume must be an int"),
        ({"close": 5901.25}, "close must be a finite Decimal"),
        ({"high": Decimal("NaN")}, "high must be a finite Decimal"),
        ({"low": Decimal("-Infinity")}, "low must be a finite Decimal"),
        ({"symbol": ""}, "symbol must be a non-empty string"),
        ({"low": Decimal(0)}, "bar low 0 is not positive"),
        (
            {k: Decimal("-5") for k in ("open", "high", "low", "close")},
            "bar open -5 is not positive",
        ),
        (
            {k: Decimal("1e12") for k in ("open", "high", "low", "close")},
            "bar open 1E\\+12 is not below 1,000,000,000,000",
        ),
        ({"volume": 2**63}, "volume 9223372036854775808 is above"),
        ({"ts": datetime(2025, 1, 2, 14, 30)}, "has no time zone"),
        ({"ts": "2025-01-02T14:30:00Z"}, "timestamp must be a datetime"),
    ],
)
def test_a_broken_bar_is_refused_with_the_problem_named(
    changes: dict[str, Any], problem: str
) -> None:
    with pytest.raises(BarDataError, match=problem):
        make_bar(**changes)


def test_replace_checks_the_invariants_again() -> None:
    with pytest.raises(BarDataError, match="below low"):
        replace(make_bar(), high=Decimal("1"))
