"""What a bench run found, and the ratios it reports."""

from dataclasses import dataclass, field

from .backends import BASELINE
from .backtests import BackendRuns, BacktestPlan
from .micro_parts import MicroResult
from .scale_parts import ScaleResult

BULK_TARGET = 0.70
"""The repository bulk path on file SQLite should reach this share of raw executemany."""
MEMORY_TARGETS = {
    "backtest": 10.0,
    "select_prebuilt": 10.0,
    "select_fresh": 3.0,
    "update_commit": 10.0,
    "bulk": 2.0,
}
"""Speedups the memory backend aims at: against SQLite :memory:, and for the bulk insert against
raw sqlite3 executemany into an in-memory SQLite database."""
SYNC_LIMITS = {"memory": 1.5}
"""Per backend: the most its backtest may take, as a multiple of its sync reference row's."""


@dataclass(frozen=True)
class ReferenceRatio:
    """A backend's median backtest time over that of the reference row run by another stack."""

    backend: BackendRuns
    reference: BackendRuns
    ratio: float | None

    @property
    def limit(self) -> float | None:
        return SYNC_LIMITS.get(self.backend.backend.name)


@dataclass
class BenchOutcome:
    """Backtest runs, the identical-report check, micro-benchmarks and the raw references."""

    plan: BacktestPlan
    runs: list[BackendRuns]
    mismatch: str | None = None
    micro: list[MicroResult] = field(default_factory=list)
    micro_failures: dict[str, str] = field(default_factory=dict)
    scale: ScaleResult | None = None
    scale_failure: str | None = None

    @property
    def failed(self) -> bool:
        failures = any(runs.failure for runs in self.runs) or bool(self.micro_failures)
        failures = failures or self.scale_failure is not None
        return failures or self.mismatch is not None

    @property
    def own_runs(self) -> list[BackendRuns]:
        """The runs of this application's backends, without reference rows."""
        return [runs for runs in self.runs if runs.backend.reference_of is None]

    @property
    def reference(self) -> BackendRuns | None:
        """The first backend with runs: the one every other is compared with."""
        return next((runs for runs in self.runs if runs.summaries), None)

    def speedup(self, runs: BackendRuns) -> float | None:
        """How many times faster than SQLite :memory: the backend ran the backtest."""
        baseline = self._runs_of(BASELINE)
        if baseline is None or not baseline.summaries or not runs.summaries:
            return None
        return baseline.median_seconds / runs.median_seconds

    def micro_result(self, backend: str, operation: str) -> MicroResult | None:
        return next(
            (m for m in self.micro if (m.backend, m.operation) == (backend, operation)), None
        )

    def bulk_vs_raw(self, backend: str) -> float | None:
        """The backend's bulk-path rows per second over raw executemany's, timed alongside."""
        bulk = self.micro_result(backend, "bulk_insert")
        raw = self.micro_result(backend, "raw_executemany")
        return None if bulk is None or raw is None else bulk.rows_per_second / raw.rows_per_second

    def memory_ratios(self) -> dict[str, float | None]:
        """The memory backend against SQLite :memory: per target (bulk: against raw sqlite3)."""
        memory = self._runs_of("memory")
        ratios: dict[str, float | None] = {
            "backtest": None if memory is None else self.speedup(memory)
        }
        for operation in ("select_prebuilt", "select_fresh", "update_commit"):
            ours = self.micro_result("memory", operation)
            base = self.micro_result(BASELINE, operation)
            ratios[operation] = (
                None if ours is None or base is None else base.seconds_per_op / ours.seconds_per_op
            )
        ratios["bulk"] = self.bulk_vs_raw("memory")
        return ratios

    def memory_vs_reference_baseline(self) -> float | None:
        """The memory backtest against the other stack's SQLite :memory: row, when there is one."""
        memory = self._runs_of("memory")
        reference = next(
            (runs for runs in self.runs if runs.backend.reference_of == BASELINE), None
        )
        if memory is None or reference is None or not memory.summaries:
            return None
        if not reference.summaries:
            return None
        return reference.median_seconds / memory.median_seconds

    def reference_ratios(self) -> list[ReferenceRatio]:
        """Each reference row against the backend it stands beside (none without references)."""
        ratios = []
        for reference in self.runs:
            name = reference.backend.reference_of
            backend = None if name is None else self._runs_of(name)
            if backend is None:
                continue
            ratio = None
            if backend.summaries and reference.summaries:
                ratio = backend.median_seconds / reference.median_seconds
            ratios.append(ReferenceRatio(backend, reference, ratio))
        return ratios

    def _runs_of(self, backend: str) -> BackendRuns | None:
        return next((runs for runs in self.runs if runs.backend.name == backend), None)
