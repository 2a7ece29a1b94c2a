"""A whole bench run: backtests in fresh processes, the identical-report check, micro-benchmarks."""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from ..database_urls import MEMORY_URL
from ..runner.summary import RunSummary
from ..services.backtest.bar_generator import generate_bars
from .backends import BenchBackend, bench_backends, check_dedicated
from .backtests import BacktestPlan, run_backtests
from .compare import ReportMismatchError, check_identical
from .micro import micro_pass
from .micro_parts import BulkInput, MicroResult, MicroSizes, failure_text, median_of_passes
from .outcome import BenchOutcome
from .references import REFERENCE_BACKENDS
from .results import print_results, write_chart, write_json
from .scale_parts import ScaleSizes, run_scale


@dataclass(frozen=True)
class BenchFiles:
    json: Path
    chart: Path


def run_bench(
    plan: BacktestPlan,
    *,
    postgres_url: str | None,
    micro: MicroSizes | None,
    out: Path,
    console: Console,
    scale: ScaleSizes | None = None,
) -> tuple[BenchOutcome, BenchFiles]:
    """Run everything, print the results, write `bench.json` and `bench.png` into `out`."""
    backends = bench_backends(postgres_url)
    check_dedicated(backends)
    backtested = [*backends, *REFERENCE_BACKENDS]
    console.print(
        f"backtest of {plan.bars:,} bars (seed {plan.seed}) on "
        f"{', '.join(backend.label for backend in backtested)}: {plan.repeat} run(s) each, "
        "every run in a new process on a fresh database",
        soft_wrap=True,
    )

    def report_run(backend: BenchBackend, run: int, summary: RunSummary) -> None:
        console.print(
            f"  {backend.label} run {run}: {summary.seconds:.2f} s "
            f"({summary.statements_per_bar:.2f} statements per bar)",
            soft_wrap=True,
        )

    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        workdir = Path(folder)
        outcome = BenchOutcome(plan, run_backtests(backtested, plan, workdir, on_run=report_run))
        try:
            check_identical([s for runs in outcome.runs for s in runs.summaries])
        except ReportMismatchError as error:
            outcome.mismatch = str(error)
        if micro is not None:
            console.print(
                f"micro-benchmarks: {micro.ops:,} operations x {micro.rounds} rounds, "
                f"bulk insert of {micro.bulk_rows:,} bars x {micro.bulk_rounds} rounds; "
                f"{micro.passes} pass(es), every round on each backend in turn, "
                "the median pass counts",
                soft_wrap=True,
            )
            run_micro_passes(outcome, backends, micro, workdir)
    if scale is not None:
        console.print(
            f"scale checks: {scale.bars:,} bars on {MEMORY_URL} with an empty orders table and "
            f"beside {scale.orders:,} closed orders, {scale.rounds} alternating rounds each in one "
            "process, medians; memory for those orders vs SQLite :memory:",
            soft_wrap=True,
        )
        try:
            outcome.scale = run_scale(scale)
        except Exception as error:  # reported in the results and in the exit code
            outcome.scale_failure = failure_text(error)
    out.mkdir(parents=True, exist_ok=True)
    files = BenchFiles(json=out / "bench.json", chart=out / "bench.png")
    print_results(outcome, console)
    write_json(files.json, outcome)
    write_chart(files.chart, outcome)
    console.print(f"wrote {files.json} and {files.chart}", soft_wrap=True)
    return outcome, files


def run_micro_passes(
    outcome: BenchOutcome, backends: list[BenchBackend], sizes: MicroSizes, workdir: Path
) -> None:
    """The micro-benchmarks in passes, each on fresh databases with every round timed on the
    backends in turn; per backend and operation the median pass counts.

    A backend that fails is recorded and left out of the passes after.
    """
    bulk = BulkInput.of(list(generate_bars(count=sizes.bulk_rows, seed=outcome.plan.seed)))
    measured: list[MicroResult] = []
    for _ in range(sizes.passes):
        working = [b for b in backends if b.label not in outcome.micro_failures]
        if working:
            measured += micro_pass(working, workdir, sizes, bulk, outcome.micro_failures)
    outcome.micro += median_of_passes(measured)
