"""The bench's identical-report check and verdict, on hand-made run summaries."""

from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from {{ cookiecutter.package_name }}.bench import run as bench_run
from {{ cookiecutter.package_name }}.bench.backends import BenchBackend, bench_backends
from {{ cookiecutter.package_name }}.bench.backtests import BackendRuns, BacktestPlan
from {{ cookiecutter.package_name }}.bench.compare import (
    ReportMismatchError,
    check_identical,
    first_difference,
)
from {{ cookiecutter.package_name }}.bench.micro_parts import (
    TIMED_OPERATIONS,
    MicroResult,
    MicroSizes,
    RoundTimings,
    median_of_passes,
    schedule,
)
from {{ cookiecutter.package_name }}.bench.outcome import BenchOutcome
from {{ cookiecutter.package_name }}.bench.results import print_results
from {{ cookiecutter.package_name }}.database_urls import SQLITE_FILE_PREFIX
from {{ cookiecutter.package_name }}.errors import ConfigurationError
from {{ cookiecutter.package_name }}.runner.summary import RunSummary

TRIPS = (
    "symbol,side,quantity,entry_ts,exit_ts,entry_price,exit_price,pnl,commission,return_pct\n"
    "ES,LONG,1,2025-01-02T15:00:00+00:00,2025-01-02T15:05:00+00:00,5900,5910,495.5,4.5,0.16\n"
    "ES,SHORT,1,2025-01-02T16:00:00+00:00,2025-01-02T16:02:00+00:00,5905,5910,-254.5,4.5,-0.08\n"
)


def summary(backend: str = "sqlite:///:memory:", **changes: object) -> RunSummary:
    base = RunSummary(
        backend=backend,
        bars=300,
        store_seconds=0.01,
        replay_seconds=0.5,
        store_statements=3,
        replay_statements=1_100,
        trades=2,
        final_equity="100241.00000000",
        round_trips_csv=TRIPS,
    )
    return replace(base, **changes)


def test_identical_summaries_pass() -> None:
    runs = [summary(), summary("memory://", replay_seconds=0.1), summary("sqlite:///x.db")]

    check_identical(runs)

    assert first_difference(runs[0], runs[1]) is None


def test_a_different_trade_names_the_line_and_both_versions() -> None:
    changed = TRIPS.replace("5905,5910,-254.5", "5905,5909.75,-242.0")

    difference = first_difference(summary(), summary("memory://", round_trips_csv=changed))

    assert difference is not None
    assert difference.startswith("round trips differ at line 3:")
    assert "sqlite:///:memory:: ES,SHORT,1,2025-01-02T16:00:00+00:00" in difference
    found = "ES,SHORT,1,2025-01-02T16:00:00+00:00,2025-01-02T16:02:00+00:00,5905,5909.75"
    assert f"memory://: {found}" in difference


def test_a_missing_trade_is_a_difference_in_number() -> None:
    shorter = "".join(TRIPS.splitlines(keepends=True)[:2])

    difference = first_difference(summary(), summary("memory://", round_trips_csv=shorter))

    assert difference == "round trips differ in number: sqlite:///:memory: has 2, memory:// has 1"


def test_final_equity_is_compared_as_exact_text() -> None:
    other = summary("memory://", final_equity="100241.00000001")

    with pytest.raises(ReportMismatchError, match=r"final equity differs: .* 100241\.00000001"):
        check_identical([summary(), summary(), other])


def test_the_check_stops_at_the_first_run_that_differs() -> None:
    runs = [summary(), summary("a", bars=299), summary("b", final_equity="1")]

    with pytest.raises(ReportMismatchError, match=r"bar counts differ: .* a 299"):
        check_identical(runs)


def backend_runs(name: str, seconds: float, *, failure: str | None = None) -> BackendRuns:
    runs = BackendRuns(BenchBackend(name, name, None), failure=failure)
    if failure is None:
        runs.summaries = [summary(name, replay_seconds=seconds - 0.01)]
    return runs


def test_the_verdict_fails_on_a_mismatch_or_a_failed_backend() -> None:
    plan = BacktestPlan(bars=300, seed=7, repeat=1)
    healthy = [backend_runs("memory", 0.25), backend_runs("sqlite-memory", 0.5)]

    assert not BenchOutcome(plan, healthy).failed
    assert BenchOutcome(plan, healthy, mismatch="final equity differs").failed
    assert BenchOutcome(plan, [*healthy, backend_runs("postgresql", 0, failure="boom")]).failed
    assert BenchOutcome(plan, healthy, micro_failures={"memory://": "boom"}).failed


def test_ratios_are_against_sqlite_in_memory_and_raw_executemany() -> None:
    plan = BacktestPlan(bars=300, seed=7, repeat=1)
    outcome = BenchOutcome(
        plan,
        [backend_runs("memory", 0.25), backend_runs("sqlite-memory", 0.5)],
        micro=[
            MicroResult("memory", "select_prebuilt", 10e-6),
            MicroResult("sqlite-memory", "select_prebuilt", 80e-6),
            MicroResult("memory", "bulk_insert", 0.5, rows_per_op=100_000),
            MicroResult("memory", "raw_executemany", 0.25, rows_per_op=100_000),
        ],
    )

    ratios = outcome.memory_ratios()

    assert ratios["backtest"] == pytest.approx(2.0)
    assert ratios["select_prebuilt"] == pytest.approx(8.0)
    assert ratios["update_commit"] is None
    assert ratios["bulk"] == pytest.approx(0.5)


def test_postgresql_joins_only_with_a_valid_url() -> None:
    names = [backend.name for backend in bench_backends(None)]

    assert names == ["memory", "sqlite-memory", "sqlite-file"]
    assert bench_backends("postgresql+psycopg://u:p@localhost/bench")[-1].name == "postgresql"
    with pytest.raises(ConfigurationError, match="bench PostgreSQL URL"):
        bench_backends("mysql://u@h/db")
    with pytest.raises(ConfigurationError, match=r"bench PostgreSQL URL.* not PostgreSQL"):
        bench_backends(f"{SQLITE_FILE_PREFIX}bench.db")


def test_every_round_runs_on_each_backend_in_turn_reversed_every_other_round() -> None:
    sizes = MicroSizes(rounds=3, bulk_rounds=2)

    plan = list(schedule(["a", "b", "c"], sizes))

    assert list(dict.fromkeys(operation for _, operation in plan)) == list(TIMED_OPERATIONS)
    assert len(plan) == 3 * (4 * 3 + 2)
    assert [bench for bench, _ in plan[:9]] == ["a", "b", "c", "c", "b", "a", "a", "b", "c"]
    assert [bench for bench, op in plan if op == "bulk_insert"] == ["a", "b", "c", "c", "b", "a"]


def test_round_timings_keep_medians_and_drop_a_backend_that_failed() -> None:
    memory, sqlite, file = bench_backends(None)
    failures: dict[str, str] = {}
    timings = RoundTimings(failures)
    for seconds in (3.0, 1.0, 2.0):
        timings.add(memory, [("select_prebuilt", seconds)])
        timings.add(sqlite, [("select_prebuilt", seconds * 10)])
    timings.add(file, [("select_prebuilt", 5.0)])
    timings.add(memory, [("bulk_insert", 0.5), ("raw_executemany", 1.5)])

    timings.fail(file, OSError("disk full"))

    assert timings.skips(file) and not timings.skips(memory)
    assert failures == {"SQLite file": "OSError: disk full"}
    assert timings.medians(MicroSizes(bulk_rows=1_000)) == [
        MicroResult("memory", "select_prebuilt", 2.0),
        MicroResult("sqlite-memory", "select_prebuilt", 20.0),
        MicroResult("memory", "bulk_insert", 0.5, rows_per_op=1_000),
        MicroResult("memory", "raw_executemany", 1.5, rows_per_op=1_000),
    ]


def test_micro_sizes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="bulk_rows must be at least 1"):
        MicroSizes(bulk_rows=0)
    with pytest.raises(ValueError, match="passes must be at least 1"):
        MicroSizes(passes=0)


def test_each_operation_keeps_its_median_pass_in_the_order_first_met() -> None:
    passes = [
        MicroResult("memory", "select_prebuilt", 3.0),
        MicroResult("memory", "bulk_insert", 0.5, rows_per_op=1_000),
        MicroResult("sqlite-memory", "select_prebuilt", 30.0),
        MicroResult("memory", "select_prebuilt", 1.0),
        MicroResult("memory", "bulk_insert", 0.25, rows_per_op=1_000),
        MicroResult("sqlite-memory", "select_prebuilt", 20.0),
        MicroResult("memory", "select_prebuilt", 2.0),
        MicroResult("memory", "bulk_insert", 0.75, rows_per_op=1_000),
        MicroResult("sqlite-memory", "select_prebuilt", 10.0),
    ]

    assert median_of_passes(passes) == [
        MicroResult("memory", "select_prebuilt", 2.0),
        MicroResult("memory", "bulk_insert", 0.5, rows_per_op=1_000),
        MicroResult("sqlite-memory", "select_prebuilt", 20.0),
    ]


def test_micro_passes_leave_out_a_backend_after_it_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passes: list[list[str]] = []
    seconds = iter([4.0, 40.0, 1.0, 6.0, 2.0, 10.0])

    def one_pass(
        backends: list[BenchBackend], _workdir: Path, _sizes: MicroSizes, _bulk: object,
        failures: dict[str, str],
    ) -> list[MicroResult]:  # fmt: skip
        passes.append([backend.name for backend in backends])
        if len(passes) == 1:
            failures["SQLite file"] = "OSError: disk full"
        return [
            MicroResult(backend.name, "select_prebuilt", next(seconds))
            for backend in backends
            if backend.label not in failures
        ]

    monkeypatch.setattr(bench_run, "micro_pass", one_pass)
    outcome = BenchOutcome(BacktestPlan(bars=300, seed=7, repeat=1), [])
    sizes = MicroSizes(bulk_rows=10, passes=3)

    bench_run.run_micro_passes(outcome, bench_backends(None), sizes, tmp_path)

    assert passes == [
        ["memory", "sqlite-memory", "sqlite-file"],
        *[["memory", "sqlite-memory"]] * 2,
    ]
    assert outcome.micro_failures == {"SQLite file": "OSError: disk full"}
    assert outcome.micro == [
        MicroResult("memory", "select_prebuilt", 2.0),
        MicroResult("sqlite-memory", "select_prebuilt", 10.0),
    ]


def test_failures_and_differences_are_printed_word_for_word() -> None:
    plan = BacktestPlan(bars=300, seed=7, repeat=1)
    failed = backend_runs("postgresql", 0, failure="[SQL: SELECT 1] connection refused")
    outcome = BenchOutcome(
        plan, [backend_runs("memory", 0.25), failed], mismatch="final equity differs: [a] [b]"
    )
    console = Console(record=True, width=200)

    print_results(outcome, console)

    text = console.export_text()
    assert "postgresql failed: [SQL: SELECT 1] connection refused" in text
    assert "reports differ final equity differs: [a] [b]" in text
    assert "identical reports" not in text
