"""A run's machine-readable summary: what the bench reads back from each backtest process."""

import csv
import io
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from ..services.backtest.report import RoundTrip
from .reference import TimedRun


class SummaryError(ValueError):
    """A summary file is missing, unreadable or lacks a field."""


@dataclass(frozen=True)
class RunSummary:
    """Timing, statement counts and the exact outcome of one backtest run."""

    backend: str
    bars: int
    store_seconds: float
    replay_seconds: float
    store_statements: int
    replay_statements: int
    trades: int
    final_equity: str
    """Exact decimal text, compared character for character across backends."""
    round_trips_csv: str
    """The round trips as CSV (`round_trips_text`), compared character for character."""

    @property
    def seconds(self) -> float:
        return self.store_seconds + self.replay_seconds

    @property
    def statements_per_bar(self) -> float:
        return self.replay_statements / self.bars if self.bars else 0.0

    @classmethod
    def of(cls, run: TimedRun, backend: str) -> "RunSummary":
        return cls(
            backend=backend,
            bars=run.result.bar_count,
            store_seconds=run.store_seconds,
            replay_seconds=run.replay_seconds,
            store_statements=run.store_statements,
            replay_statements=run.replay_statements,
            trades=len(run.result.round_trips),
            final_equity=str(run.result.final_equity),
            round_trips_csv=round_trips_text(run.result.round_trips),
        )

    def write(self, path: str | os.PathLike[str]) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> "RunSummary":
        source = Path(path)
        try:
            data: Any = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SummaryError(f"cannot read the run summary {source}: {error}") from None
        if not isinstance(data, dict):
            raise SummaryError(f"the run summary {source} is not a JSON object")
        missing = sorted(set(cls.__dataclass_fields__) - set(data))
        if missing:
            raise SummaryError(f"the run summary {source} lacks {', '.join(missing)}")
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def round_trips_text(trips: Sequence[RoundTrip]) -> str:
    """The round trips as CSV, every field exact: decimals as written, floats by `repr`."""
    names = [field.name for field in fields(RoundTrip)]
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(names)
    for trip in trips:
        writer.writerow(_exact(getattr(trip, name)) for name in names)
    return stream.getvalue()


def _exact(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)
