"""A simulated clock for backtests: the time the engine moved it to, never the wall clock."""

from datetime import UTC, datetime


class ClockNotSetError(RuntimeError):
    """The simulated clock was read before the engine moved it to a first instant."""


class SimulatedClock:
    """Satisfies the `Clock` port; time only moves forward, through `advance_to`."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now: datetime | None = None
        if start is not None:
            self.advance_to(start)

    def now(self) -> datetime:
        if self._now is None:
            raise ClockNotSetError("the simulated clock is read before it was set to a first time")
        return self._now

    def advance_to(self, instant: datetime) -> None:
        """Move to `instant` (aware; kept in UTC); moving backwards is refused."""
        if not isinstance(instant, datetime) or instant.utcoffset() is None:
            raise ValueError(f"the simulated clock needs an aware datetime, got {instant!r}")
        instant = instant.astimezone(UTC)
        if self._now is not None and instant < self._now:
            raise ValueError(
                f"the simulated clock cannot go back from {self._now.isoformat()} "
                f"to {instant.isoformat()}"
            )
        self._now = instant
