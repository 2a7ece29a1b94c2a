"""Reference rows of the bench: the synchronous flavour's backtest, run beside this project's.

The same bars on `memory://` and SQLite `:memory:`, through the synchronous flavour's own code
(`sync_reference`): the bench checks that their reports are identical to every other run's, and
their times show what awaiting costs; `outcome.SYNC_LIMITS` caps the memory backend's ratio.
"""

from . import sync_reference
from .backends import BASELINE, BenchBackend

SYNC_MEMORY_URL = "memory://"
SYNC_SQLITE_MEMORY_URL = "sqlite:///:memory:"
"""The synchronous flavour's URL forms: only its command line accepts them."""

REFERENCE_BACKENDS: tuple[BenchBackend, ...] = (
    BenchBackend(
        "memory-sync",
        f"{SYNC_MEMORY_URL} (sync reference)",
        SYNC_MEMORY_URL,
        runner=sync_reference.__name__,
        reference_of="memory",
    ),
    BenchBackend(
        "sqlite-memory-sync",
        "SQLite :memory: (sync reference)",
        SYNC_SQLITE_MEMORY_URL,
        runner=sync_reference.__name__,
        reference_of=BASELINE,
    ),
)
