"""Id generators: random for live use, sequential for reproducible backtests."""

import itertools
import uuid


class UuidIdGenerator:
    """Globally unique ids such as `O-6f1c0b3e...`."""

    def next_id(self, prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex}"


class SequentialIdGenerator:
    """Deterministic ids such as `O-000001`, counted per prefix."""

    def __init__(self) -> None:
        self._counters: dict[str, itertools.count[int]] = {}

    def next_id(self, prefix: str) -> str:
        counter = self._counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}-{next(counter):06d}"
