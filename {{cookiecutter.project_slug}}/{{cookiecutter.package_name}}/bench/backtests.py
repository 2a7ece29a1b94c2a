"""The backtest of the bench: each run in a fresh process, on a fresh database."""

import os
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..runner.summary import RunSummary, SummaryError
from ..settings import DATABASE_URL_VAR
from .backends import BenchBackend, fresh_database
from .processes import last_error_line, run_module

PACKAGE = __name__.partition(".")[0]
RUN_TIMEOUT_SECONDS = 3600


class BacktestRunError(RuntimeError):
    """A backtest process failed; the message holds the last line it wrote to stderr."""


@dataclass(frozen=True)
class BacktestPlan:
    """What every backend runs: the same bars, the same seed, so the same trades."""

    bars: int
    seed: int
    repeat: int


@dataclass
class BackendRuns:
    """The runs of one backend, or why it could not run."""

    backend: BenchBackend
    summaries: list[RunSummary] = field(default_factory=list)
    failure: str | None = None

    @property
    def median_seconds(self) -> float:
        return statistics.median(summary.seconds for summary in self.summaries)

    @property
    def median_replay_seconds(self) -> float:
        return statistics.median(summary.replay_seconds for summary in self.summaries)

    @property
    def median_store_seconds(self) -> float:
        return statistics.median(summary.store_seconds for summary in self.summaries)

    @property
    def bars_per_second(self) -> float:
        return self.summaries[0].bars / self.median_seconds

    @property
    def statements_per_bar(self) -> float:
        return self.summaries[0].statements_per_bar


def run_backtests(
    backends: Sequence[BenchBackend],
    plan: BacktestPlan,
    workdir: Path,
    *,
    on_run: Callable[[BenchBackend, int, RunSummary], None] | None = None,
) -> list[BackendRuns]:
    """Run the plan on every backend, `plan.repeat` times each; a failing backend is recorded.

    The runs go in rounds: run 1 of every backend, then run 2 of every backend, and so on, each
    reference row right after the backend it is compared with. A machine whose speed drifts over
    minutes then weighs on every backend alike, not on whichever ran last. The result keeps the
    given order.
    """
    results = {backend.name: BackendRuns(backend) for backend in backends}
    in_turn = [backend for group in run_groups(backends) for backend in group]
    for run in range(1, plan.repeat + 1):
        for backend in in_turn:
            runs = results[backend.name]
            if runs.failure is not None:
                continue
            try:
                summary = _run_once(backend, plan, workdir, run)
            except (BacktestRunError, SummaryError, OSError) as error:
                runs.failure = str(error)
                continue
            runs.summaries.append(summary)
            if on_run is not None:
                on_run(backend, run, summary)
    return list(results.values())


def run_groups(backends: Sequence[BenchBackend]) -> list[list[BenchBackend]]:
    """Each backend with the reference rows compared with it; a reference without one alone."""
    names = {backend.name for backend in backends}
    groups = []
    for backend in backends:
        if backend.reference_of in names:
            continue
        references = [other for other in backends if other.reference_of == backend.name]
        groups.append([backend, *references])
    return groups


def _run_once(backend: BenchBackend, plan: BacktestPlan, workdir: Path, run: int) -> RunSummary:
    summary_path = workdir / f"{backend.name}-{run}.json"
    with fresh_database(backend, workdir, run) as database:
        arguments = [
            "backtest",
            "--database-url",
            database.url,
            "--bars",
            str(plan.bars),
            "--seed",
            str(plan.seed),
            "--no-progress",
            "--json-summary",
            str(summary_path),
            *database.backtest_arguments,
        ]
        environ = {key: value for key, value in os.environ.items() if key != DATABASE_URL_VAR}
        finished = run_module(
            backend.runner or PACKAGE, arguments, timeout=RUN_TIMEOUT_SECONDS, env=environ
        )
    if finished.returncode != 0:
        raise BacktestRunError(
            f"{backend.label} run {run} exited with {finished.returncode}: "
            f"{last_error_line(finished)}"
        )
    summary = RunSummary.read(summary_path)
    summary_path.unlink()
    return summary
