"""`bench` end to end, tiny: every backend runs, the reports agree, table, JSON and chart exist.

The bench itself runs in process (its backtests still run in processes of their own).
"""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.bench.backends import BENCH_POSTGRES_URL_VAR
from {{ cookiecutter.package_name }}.bench.references import REFERENCE_BACKENDS
from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.database_urls import MEMORY_URL

TINY = (
    "--bars", "200", "--repeat", "1", "--micro-ops", "20", "--micro-rounds", "1",
    "--micro-orders", "10", "--bulk-rows", "300", "--bulk-rounds", "1", "--micro-passes", "2",
    "--scale-orders", "500", "--scale-bars", "60",
)  # fmt: skip


def test_a_tiny_bench_compares_every_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(BENCH_POSTGRES_URL_VAR, raising=False)

    result = CliRunner().invoke(app, ["bench", *TINY, "--out", str(tmp_path)])

    assert result.exit_code == 0, result.output
    references = [backend.name for backend in REFERENCE_BACKENDS]
    runs = 3 + len(references)
    assert f"identical reports: all {runs} runs have the same" in result.stdout
    for heading in ("median s", "bars/s", "statements/bar", "vs SQLite :memory:"):
        assert heading in result.stdout
    assert "bulk insert on file SQLite:" in result.stdout
    assert "memory backend: backtest" in result.stdout
    assert "memory backend per bar:" in result.stdout
    assert f"memory for 500 order rows: {MEMORY_URL}" in result.stdout
    summary = json.loads((tmp_path / "bench.json").read_text())
    assert summary["identical_reports"] is True
    assert summary["trades"] > 0
    backtests = {entry["backend"]: entry for entry in summary["backtests"]}
    assert list(backtests) == ["memory", "sqlite-memory", "sqlite-file", *references]
    # The async flavour's bench also runs the sync flavour's backtest, as reference rows.
    references_found = summary.get("sync_references", [])
    ratios = {item["reference"]: item["async_over_sync"] for item in references_found}
    assert sorted(ratios) == sorted(references)
    assert all(ratio > 0 for ratio in ratios.values())
    assert ("async/sync memory:// backtest: " in result.stdout) is bool(references)
    for entry in backtests.values():
        assert entry["failure"] is None
        assert entry["median_seconds"] > 0
    for sql_backend in ("sqlite-memory", "sqlite-file"):
        assert backtests[sql_backend]["statements_per_bar"] >= 2
    # memory:// answers entity reads inside the session: fewer statements reach the database
    memory_statements = backtests["memory"]["statements_per_bar"]
    assert memory_statements < backtests["sqlite-memory"]["statements_per_bar"]
    assert backtests["sqlite-memory"]["speedup_vs_sqlite_memory"] == 1.0
    operations = {(entry["backend"], entry["operation"]) for entry in summary["micro"]}
    assert len(operations) == 5 * 3 + 3  # raw executemany beside memory and both SQLite
    assert len(summary["micro"]) == len(operations)  # one median of the 2 passes each
    assert "2 pass(es), every round on each backend in turn" in result.stdout
    assert summary["bulk_vs_raw_file_sqlite"] > 0
    scale = summary["scale"]
    assert scale["orders"] == 500 and scale["bars"] == 60
    assert scale["empty_seconds_per_bar"] > 0 and scale["loaded_seconds_per_bar"] > 0
    assert scale["memory_bytes"] > 0 and scale["sqlite_bytes"] > 0
    assert (tmp_path / "bench.png").read_bytes().startswith(b"\x89PNG")
