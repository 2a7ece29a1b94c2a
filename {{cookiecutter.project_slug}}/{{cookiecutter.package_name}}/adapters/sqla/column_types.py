"""Column types that give the same Python values back on every backend."""

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import DateTime, Dialect, Enum, Numeric
from sqlalchemy.types import TypeDecorator

PRICE_SCALE = 8
"""Decimal places of prices, quantities and money (SQLite keeps ~15 significant digits)."""


def decimal_column() -> Numeric[Decimal]:
    """A `Numeric` for prices, quantities and money, read back as `Decimal`."""
    return Numeric(20, PRICE_SCALE, asdecimal=True)


def enum_column(enum_class: type[StrEnum]) -> Enum:
    """A string enum stored as its value in a VARCHAR: the same text on every backend."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, whether the backend keeps the time zone or not."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(
                f"naive datetime {value!r}: only timezone-aware UTC datetimes are stored"
            )
        value = value.astimezone(UTC)
        if dialect.name == "postgresql":
            return value
        return value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
