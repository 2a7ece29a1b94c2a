"""Argument checks shared by the domain's constructors, each raising a chosen domain error."""

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from .amounts import AMOUNT_LIMIT, within_limit
from .errors import DomainError

E = TypeVar("E", bound=StrEnum)


def require_text(value: object, name: str, error: type[DomainError]) -> str:
    """Return `value` if it is a non-blank string."""
    if not isinstance(value, str) or not value.strip():
        raise error(f"{name} must be a non-empty string, got {value!r}")
    return value


def optional_text(value: object, name: str, error: type[DomainError]) -> str | None:
    """Return `value` if it is None or a non-blank string."""
    return None if value is None else require_text(value, name, error)


def require_decimal(value: object, name: str, error: type[DomainError]) -> Decimal:
    """Return `value` as a finite Decimal; ints are exact and accepted, floats are refused."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise error(f"{name} must be a Decimal, got {type(value).__name__} {value!r}")
    number = Decimal(value)
    if not number.is_finite():
        raise error(f"{name} must be a finite number, got {number}")
    if not within_limit(number):
        raise error(f"{name} must be below {AMOUNT_LIMIT:,} in size, got {number}")
    return number


def require_positive(value: object, name: str, error: type[DomainError]) -> Decimal:
    """Return `value` as a Decimal greater than zero."""
    number = require_decimal(value, name, error)
    if number <= 0:
        raise error(f"{name} must be positive, got {number}")
    return number


def require_non_negative(value: object, name: str, error: type[DomainError]) -> Decimal:
    """Return `value` as a Decimal of zero or more."""
    number = require_decimal(value, name, error)
    if number < 0:
        raise error(f"{name} must not be negative, got {number}")
    return number


def require_utc(value: object, name: str, error: type[DomainError]) -> datetime:
    """Return a timezone-aware datetime converted to UTC; naive datetimes are refused."""
    if not isinstance(value, datetime):
        raise error(f"{name} must be a datetime, got {type(value).__name__} {value!r}")
    if value.utcoffset() is None:
        raise error(f"{name} must be timezone-aware (UTC), got naive {value.isoformat()}")
    return value.astimezone(UTC)


def require_member(enum_type: type[E], value: object, name: str, error: type[DomainError]) -> E:
    """Return `value` as a member of `enum_type`, accepting the member's string value."""
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        try:
            return enum_type(value)
        except ValueError:
            pass
    allowed = ", ".join(enum_type)
    raise error(f"{name} must be one of {allowed}; got {value!r}")


def require_bool(value: object, name: str, error: type[DomainError]) -> bool:
    """Return `value` if it is a bool (not merely truthy)."""
    if not isinstance(value, bool):
        raise error(f"{name} must be True or False, got {value!r}")
    return value
