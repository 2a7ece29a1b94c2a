"""Clock port: where the core gets the time from."""

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Supplies the current time as a timezone-aware UTC datetime."""

    def now(self) -> datetime: ...
