"""A price bar: open, high, low, close and volume of one instrument over one interval."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from .amounts import AMOUNT_LIMIT
from .errors import DomainError

VOLUME_LIMIT = 2**63 - 1
"""The largest volume a 64-bit integer column holds."""


class BarDataError(DomainError):
    """Price data breaks a rule of bars: bad values, bad order, or an unreadable source."""


@dataclass(frozen=True)
class Bar:
    """One OHLCV bar; `ts` is the UTC start of its interval.

    An aware `ts` in another zone is converted to UTC; a naive one is refused.
    """

    symbol: str
    ts: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int

    def __post_init__(self) -> None:
        if not isinstance(self.symbol, str) or not self.symbol.strip():
            raise BarDataError(f"bar symbol must be a non-empty string, got {self.symbol!r}")
        if not isinstance(self.ts, datetime):
            raise BarDataError(f"bar timestamp must be a datetime, got {self.ts!r}")
        if self.ts.utcoffset() is None:
            raise BarDataError(f"bar timestamp {self.ts.isoformat()} has no time zone")
        if self.ts.tzinfo is not UTC:
            object.__setattr__(self, "ts", self.ts.astimezone(UTC))
        for name in ("open", "high", "low", "close"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite():
                raise BarDataError(f"bar {name} must be a finite Decimal, got {value!r}")
            if not 0 < value < AMOUNT_LIMIT:  # one test on the common path: bars are read often
                if value <= 0:
                    raise BarDataError(f"bar {name} {value} is not positive")
                raise BarDataError(f"bar {name} {value} is not below {AMOUNT_LIMIT:,}")
        if isinstance(self.volume, bool) or not isinstance(self.volume, int):
            raise BarDataError(f"bar volume must be an int, got {self.volume!r}")
        if self.high < self.low:
            raise BarDataError(f"high {self.high} is below low {self.low}")
        if not self.low <= self.open <= self.high:
            raise BarDataError(f"open {self.open} is outside low..high [{self.low}, {self.high}]")
        if not self.low <= self.close <= self.high:
            raise BarDataError(f"close {self.close} is outside low..high [{self.low}, {self.high}]")
        if self.volume < 0:
            raise BarDataError(f"volume {self.volume} is negative")
        if self.volume > VOLUME_LIMIT:
            raise BarDataError(f"volume {self.volume} is above {VOLUME_LIMIT:,}")
