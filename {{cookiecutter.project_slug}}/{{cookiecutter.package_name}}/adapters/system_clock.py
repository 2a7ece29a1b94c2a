"""The wall clock, for live use; backtests use a simulated clock instead."""

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
