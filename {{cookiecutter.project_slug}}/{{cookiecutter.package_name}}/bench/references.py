"""Reference rows of the bench, run by another stack: none in the synchronous flavour.

The async flavour lists here the synchronous flavour's backtest on `memory://` and SQLite
`:memory:`, which its bench runs beside its own backends to show what awaiting costs.
"""

from .backends import BenchBackend

REFERENCE_BACKENDS: tuple[BenchBackend, ...] = ()
