"""Reference rows of the bench (another stack's backtest beside a backend): ratios, limit, output.

Only the async flavour lists reference rows (the sync flavour's backtest); the code that compares
and reports them is shared, so it is checked here on hand-made runs in both flavours.
"""

from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from {{ cookiecutter.package_name }}.bench import backtests
from {{ cookiecutter.package_name }}.bench.backends import BenchBackend, fresh_database
from {{ cookiecutter.package_name }}.bench.backtests import (
    BackendRuns,
    BacktestPlan,
    BacktestRunError,
    run_backtests,
    run_groups,
)
from {{ cookiecutter.package_name }}.bench.micro_parts import MicroResult
from {{ cookiecutter.package_name }}.bench.outcome import SYNC_LIMITS, BenchOutcome
from {{ cookiecutter.package_name }}.bench.results import micro_table, outcome_json, print_results
from {{ cookiecutter.package_name }}.runner.summary import RunSummary

from .test_bench_checks import summary

PLAN = BacktestPlan(bars=300, seed=7, repeat=2)
MEMORY = BenchBackend("memory", "memory (under test)", "memory://x")
SQLITE = BenchBackend("sqlite-memory", "SQLite :memory:", "sqlite:///:memory:")
MEMORY_REFERENCE = BenchBackend(
    "memory-sync", "memory (reference)", "memory://", runner="elsewhere", reference_of="memory"
)
SQLITE_REFERENCE = replace(
    SQLITE, name="sqlite-memory-sync", label="SQLite (reference)", reference_of="sqlite-memory"
)


def runs_of(backend: BenchBackend, *seconds: float) -> BackendRuns:
    runs = BackendRuns(backend)
    runs.summaries = [summary(backend.name, store_seconds=0.0, replay_seconds=s) for s in seconds]
    return runs


def printed(outcome: BenchOutcome) -> str:
    console = Console(record=True, width=200)
    print_results(outcome, console)
    return console.export_text()


def test_each_reference_row_gives_the_ratio_of_medians_against_its_backend() -> None:
    outcome = BenchOutcome(
        PLAN,
        [
            runs_of(MEMORY, 0.30, 0.36, 0.31),
            runs_of(SQLITE, 1.0, 1.2),
            runs_of(MEMORY_REFERENCE, 0.25, 0.20, 0.21),
            runs_of(SQLITE_REFERENCE, 0.4, 0.4),
        ],
    )

    ratios = {item.reference.backend.name: item for item in outcome.reference_ratios()}

    assert ratios["memory-sync"].ratio == pytest.approx(0.31 / 0.21)
    assert ratios["memory-sync"].limit == SYNC_LIMITS["memory"] == 1.5
    assert ratios["sqlite-memory-sync"].ratio == pytest.approx(1.1 / 0.4)
    assert ratios["sqlite-memory-sync"].limit is None
    assert [runs.backend.name for runs in outcome.own_runs] == ["memory", "sqlite-memory"]


def test_the_ratio_lines_name_the_reference_url_and_the_limit() -> None:
    within = BenchOutcome(PLAN, [runs_of(MEMORY, 0.3), runs_of(MEMORY_REFERENCE, 0.25)])
    over = BenchOutcome(PLAN, [runs_of(MEMORY, 0.4), runs_of(MEMORY_REFERENCE, 0.25)])
    sqlite = BenchOutcome(PLAN, [runs_of(SQLITE, 1.0), runs_of(SQLITE_REFERENCE, 0.5)])

    assert "async/sync memory:// backtest: 1.20x (limit 1.5x)\n" in printed(within)
    assert "async/sync memory:// backtest: 1.60x (limit 1.5x) over the limit" in printed(over)
    assert "async/sync sqlite:///:memory: backtest: 2.00x\n" in printed(sqlite)


def test_the_memory_backtest_is_also_set_against_the_sqlite_reference_row() -> None:
    outcome = BenchOutcome(
        PLAN,
        [runs_of(MEMORY, 0.3), runs_of(SQLITE, 3.0), runs_of(SQLITE_REFERENCE, 0.75)],
    )
    alone = BenchOutcome(PLAN, [runs_of(MEMORY, 0.3), runs_of(SQLITE, 3.0)])

    assert outcome.memory_vs_reference_baseline() == pytest.approx(2.5)
    assert "backtest 2.50x the SQLite :memory: (sync reference) row" in printed(outcome)
    assert alone.memory_vs_reference_baseline() is None
    assert "(sync reference) row" not in printed(alone)


def test_a_failed_side_gives_no_ratio_and_a_lone_reference_none_at_all() -> None:
    failed = BackendRuns(MEMORY_REFERENCE, failure="exited with 1: boom")
    outcome = BenchOutcome(PLAN, [runs_of(MEMORY, 0.3), failed, runs_of(SQLITE_REFERENCE, 0.5)])

    (item,) = outcome.reference_ratios()

    assert item.ratio is None
    assert outcome.failed
    text = printed(outcome)
    assert "async/sync memory:// backtest: n/a (limit 1.5x)" in text
    assert "memory (reference) failed: exited with 1: boom" in text
    assert "sqlite:///:memory: backtest" not in text


def test_the_json_marks_reference_rows_and_holds_the_ratios() -> None:
    outcome = BenchOutcome(PLAN, [runs_of(MEMORY, 0.3), runs_of(MEMORY_REFERENCE, 0.2)])

    data = outcome_json(outcome)

    assert [entry.get("reference_of") for entry in data["backtests"]] == [None, "memory"]
    assert "reference_of" not in data["backtests"][0]
    (reference,) = data["sync_references"]
    assert reference == {
        "backend": "memory",
        "reference": "memory-sync",
        "async_over_sync": pytest.approx(1.5),
        "limit": 1.5,
    }


def test_without_reference_rows_the_json_has_no_reference_key() -> None:
    data = outcome_json(BenchOutcome(PLAN, [runs_of(MEMORY, 0.3), runs_of(SQLITE, 0.6)]))

    assert "sync_references" not in data
    assert all("reference_of" not in entry for entry in data["backtests"])


def test_reference_rows_join_the_backtest_table_but_not_the_micro_table() -> None:
    outcome = BenchOutcome(
        PLAN,
        [runs_of(MEMORY, 0.3), runs_of(MEMORY_REFERENCE, 0.2)],
        micro=[MicroResult("memory", "select_prebuilt", 10e-6)],
    )

    text = printed(outcome)

    assert "memory (reference)" in text.split("Micro-benchmarks")[0]
    assert [column.header for column in micro_table(outcome).columns] == [
        "operation",
        "memory (under test)",
    ]


@pytest.mark.parametrize(
    ("url", "create_schema"),
    [("sqlite:///:memory:", True), ("sqlite+aiosqlite:///:memory:", True), ("memory://", False)],
)
def test_a_fixed_url_is_read_without_this_flavours_url_rules(
    tmp_path: Path, url: str, create_schema: bool
) -> None:
    backend = BenchBackend("reference", "reference", url, reference_of="memory")

    with fresh_database(backend, tmp_path, run=1) as database:
        assert database.url == url
        assert database.backtest_arguments == (("--create-schema",) if create_schema else ())


FILE = BenchBackend("sqlite-file", "SQLite file", None)
LONE_REFERENCE = replace(MEMORY_REFERENCE, name="lone", reference_of="postgresql")


def test_each_backend_is_grouped_with_the_reference_rows_compared_with_it() -> None:
    backends = [MEMORY, SQLITE, FILE, MEMORY_REFERENCE, SQLITE_REFERENCE, LONE_REFERENCE]

    groups = [[backend.name for backend in group] for group in run_groups(backends)]

    assert groups == [
        ["memory", "memory-sync"],
        ["sqlite-memory", "sqlite-memory-sync"],
        ["sqlite-file"],
        ["lone"],
    ]


def test_runs_go_in_rounds_with_references_beside_their_backend_and_a_failure_stops_only_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []

    def run_once(backend: BenchBackend, plan: BacktestPlan, workdir: Path, run: int) -> RunSummary:
        ran.append(f"{backend.name} {run}")
        if (backend.name, run) == ("sqlite-memory-sync", 1):
            raise BacktestRunError("sqlite-memory-sync run 1 exited with 1: boom")
        return summary(backend.name)

    monkeypatch.setattr(backtests, "_run_once", run_once)
    plan = BacktestPlan(bars=300, seed=7, repeat=2)

    results = run_backtests([MEMORY, SQLITE, MEMORY_REFERENCE, SQLITE_REFERENCE], plan, tmp_path)

    assert ran == [
        "memory 1",
        "memory-sync 1",
        "sqlite-memory 1",
        "sqlite-memory-sync 1",
        "memory 2",
        "memory-sync 2",
        "sqlite-memory 2",
    ]
    assert [runs.backend.name for runs in results] == [
        "memory",
        "sqlite-memory",
        "memory-sync",
        "sqlite-memory-sync",
    ]
    assert [len(runs.summaries) for runs in results] == [2, 2, 2, 0]
    assert results[3].failure == "sqlite-memory-sync run 1 exited with 1: boom"
