"""Trading days: a day starts at a fixed UTC time, midnight unless the market says otherwise.

CME's equity futures trade from 17:00 to 16:00 Chicago time, which is 22:00 or 23:00 UTC to
21:00 or 22:00 UTC with daylight saving: a day starting at 22:00 UTC groups each session whole
all year round. Regular-hours bars (14:30 to 21:00 UTC) fall in one UTC day either way.
"""

from datetime import UTC, date, datetime, time, timedelta

MIDNIGHT = time(0, 0)


def trading_day(ts: datetime, start: time = MIDNIGHT) -> date:
    """The day `ts` trades in: named by the UTC date on which that day started."""
    since_start = timedelta(hours=start.hour, minutes=start.minute)
    return (ts.astimezone(UTC) - since_start).date()


def check_session_start(start: time) -> time:
    """`start` if it is a whole minute of UTC; a zone whose offset changes (or needs a date
    to be known) would be ambiguous here."""
    if start.tzinfo is not None and start.utcoffset() != timedelta(0):
        zone = "" if start.utcoffset() is not None else f" in {start.tzinfo}"
        raise ValueError(f"the session start is a UTC time, got {start.isoformat()}{zone}")
    if start.second or start.microsecond:
        raise ValueError(f"the session start is a whole minute, got {start.isoformat()}")
    return start.replace(tzinfo=None)
