"""The bench's results: tables and ratio lines on the console, a JSON file and a bar chart."""

import json
import os
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..adapters.output_folder import replaced_whole
from ..database_urls import MEMORY_URL
from .micro_parts import OPERATIONS
from .outcome import BULK_TARGET, MEMORY_TARGETS, BenchOutcome, ReferenceRatio
from .scale_parts import FOOTPRINT_TARGET, PER_BAR_TARGET


def print_results(outcome: BenchOutcome, console: Console) -> None:
    """The backtest table, the identical-report verdict, the micro table and the ratio lines."""
    console.print(backtest_table(outcome))
    for runs in outcome.runs:
        if runs.failure:
            console.print(
                f"[red]{runs.backend.label} failed:[/red] {escape(runs.failure)}", soft_wrap=True
            )
    reference = outcome.reference
    if outcome.mismatch is not None:
        console.print(f"[red]reports differ[/red] {escape(outcome.mismatch)}", soft_wrap=True)
    elif reference is not None:
        first = reference.summaries[0]
        runs_checked = sum(len(runs.summaries) for runs in outcome.runs)
        console.print(
            f"identical reports: all {runs_checked} runs have the same {first.trades} round "
            f"trips and final equity {first.final_equity}",
            soft_wrap=True,
        )
    if outcome.micro:
        console.print(micro_table(outcome))
    for backend, failure in outcome.micro_failures.items():
        console.print(
            f"[red]micro-benchmarks on {backend} failed:[/red] {escape(failure)}", soft_wrap=True
        )
    for line in ratio_lines(outcome):
        console.print(line, soft_wrap=True)


def backtest_table(outcome: BenchOutcome) -> Table:
    plan = outcome.plan
    table = Table(
        title=f"Backtest: {plan.bars:,} bars, seed {plan.seed}, median of {plan.repeat} run(s)",
        title_justify="left",
    )
    for heading in ("backend", "median s", "bars/s", "statements/bar", "vs SQLite :memory:"):
        table.add_column(heading, justify="left" if heading == "backend" else "right")
    for runs in outcome.runs:
        if not runs.summaries:
            table.add_row(runs.backend.label, "failed", "", "", "")
            continue
        speedup = outcome.speedup(runs)
        table.add_row(
            runs.backend.label,
            f"{runs.median_seconds:.2f}",
            f"{runs.bars_per_second:,.0f}",
            f"{runs.statements_per_bar:.2f}",
            "" if speedup is None else f"{speedup:.2f}x",
        )
    return table


def micro_table(outcome: BenchOutcome) -> Table:
    backends = [runs.backend for runs in outcome.own_runs]
    table = Table(title="Micro-benchmarks (median; µs per operation)", title_justify="left")
    table.add_column("operation")
    for backend in backends:
        table.add_column(backend.label, justify="right")
    for operation, label in OPERATIONS.items():
        cells = []
        for backend in backends:
            result = outcome.micro_result(backend.name, operation)
            if result is None:
                cells.append("")
            elif result.rows_per_op > 1:
                cells.append(f"{result.rows_per_second:,.0f} rows/s")
            else:
                cells.append(f"{result.seconds_per_op * 1e6:,.1f}")
        table.add_row(label, *cells)
    return table


def ratio_lines(outcome: BenchOutcome) -> list[str]:
    lines = []
    bulk = outcome.bulk_vs_raw("sqlite-file")
    if bulk is not None:
        verdict = "meets" if bulk >= BULK_TARGET else "misses"
        lines.append(
            f"bulk insert on file SQLite: {bulk:.0%} of raw sqlite3 executemany "
            f"({verdict} the {BULK_TARGET:.0%} target)"
        )
    if any(runs.backend.name == "memory" for runs in outcome.runs):
        parts = []
        for key, label in (
            ("backtest", "backtest"),
            ("select_prebuilt", "prebuilt select"),
            ("select_fresh", "fresh select"),
            ("update_commit", "update + commit"),
        ):
            parts.append(
                f"{label} {_times(outcome.memory_ratios()[key])} SQLite :memory: "
                f"(target {MEMORY_TARGETS[key]:.0f}x)"
            )
        bulk_memory = outcome.memory_ratios()["bulk"]
        parts.append(
            f"bulk insert {_times(bulk_memory)} raw sqlite3 executemany into :memory: "
            f"(target {MEMORY_TARGETS['bulk']:.0f}x)"
        )
        lines.append("memory backend: " + "; ".join(parts))
        against_reference = outcome.memory_vs_reference_baseline()
        if against_reference is not None:
            lines.append(
                f"memory backend: backtest {_times(against_reference)} the "
                "SQLite :memory: (sync reference) row, the comparison the targets are set for"
            )
    scale = outcome.scale
    if scale is not None:
        lines.append(
            f"memory backend per bar: {scale.loaded_seconds_per_bar * 1e6:,.0f} µs beside "
            f"{scale.orders:,} closed orders, {scale.empty_seconds_per_bar * 1e6:,.0f} µs with "
            f"an empty table: {scale.per_bar_ratio:.2f}x (target at most {PER_BAR_TARGET}x)"
        )
        lines.append(
            f"memory for {scale.orders:,} order rows: {MEMORY_URL} {scale.memory_bytes / 1e6:,.0f} "
            f"MB, SQLite :memory: {scale.sqlite_bytes / 1e6:,.0f} MB: "
            f"{scale.footprint_ratio:.2f}x (target at most {FOOTPRINT_TARGET:.0f}x)"
        )
    if outcome.scale_failure is not None:
        lines.append(f"[red]scale checks failed:[/red] {escape(outcome.scale_failure)}")
    lines += [reference_line(item) for item in outcome.reference_ratios()]
    return lines


def reference_line(item: ReferenceRatio) -> str:
    """`async/sync memory:// backtest: 1.07x (limit 1.5x)`: a backend against its reference row."""
    reference = item.reference.backend
    line = f"async/sync {reference.url or reference.label} backtest: {_times(item.ratio)}"
    if item.limit is None:
        return line
    line += f" (limit {item.limit:g}x)"
    if item.ratio is not None and item.ratio > item.limit:
        line += " [red]over the limit[/red]"
    return line


def _times(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}x"


def outcome_json(outcome: BenchOutcome) -> dict[str, Any]:
    plan = outcome.plan
    reference = outcome.reference
    return {
        "bars": plan.bars,
        "seed": plan.seed,
        "repeat": plan.repeat,
        "identical_reports": outcome.mismatch is None and reference is not None,
        "mismatch": outcome.mismatch,
        "trades": None if reference is None else reference.summaries[0].trades,
        "final_equity": None if reference is None else reference.summaries[0].final_equity,
        "backtests": [
            {
                "backend": runs.backend.name,
                "label": runs.backend.label,
                "failure": runs.failure,
                **(
                    {"reference_of": runs.backend.reference_of}
                    if runs.backend.reference_of is not None
                    else {}
                ),
                "runs": [
                    {
                        "seconds": summary.seconds,
                        "store_seconds": summary.store_seconds,
                        "replay_seconds": summary.replay_seconds,
                        "store_statements": summary.store_statements,
                        "replay_statements": summary.replay_statements,
                    }
                    for summary in runs.summaries
                ],
                **(
                    {
                        "median_seconds": runs.median_seconds,
                        "median_store_seconds": runs.median_store_seconds,
                        "median_replay_seconds": runs.median_replay_seconds,
                        "bars_per_second": runs.bars_per_second,
                        "statements_per_bar": runs.statements_per_bar,
                        "speedup_vs_sqlite_memory": outcome.speedup(runs),
                    }
                    if runs.summaries
                    else {}
                ),
            }
            for runs in outcome.runs
        ],
        "micro": [
            {
                "backend": result.backend,
                "operation": result.operation,
                "seconds_per_op": result.seconds_per_op,
                "rows_per_op": result.rows_per_op,
                "rows_per_second": result.rows_per_second,
            }
            for result in outcome.micro
        ],
        "micro_failures": outcome.micro_failures,
        "bulk_vs_raw_file_sqlite": outcome.bulk_vs_raw("sqlite-file"),
        "bulk_target": BULK_TARGET,
        "memory_vs_targets": {
            key: {"ratio": ratio, "target": MEMORY_TARGETS[key]}
            for key, ratio in outcome.memory_ratios().items()
        },
        "scale": None if outcome.scale is None else _scale_json(outcome),
        "scale_failure": outcome.scale_failure,
        **({"sync_references": _references_json(outcome)} if outcome.reference_ratios() else {}),
    }


def _references_json(outcome: BenchOutcome) -> list[dict[str, Any]]:
    return [
        {
            "backend": item.backend.backend.name,
            "reference": item.reference.backend.name,
            "async_over_sync": item.ratio,
            "limit": item.limit,
        }
        for item in outcome.reference_ratios()
    ]


def _scale_json(outcome: BenchOutcome) -> dict[str, Any]:
    scale = outcome.scale
    if scale is None:
        raise ValueError("the bench ran no scale checks")
    return {
        "orders": scale.orders,
        "bars": scale.bars,
        "empty_seconds_per_bar": scale.empty_seconds_per_bar,
        "loaded_seconds_per_bar": scale.loaded_seconds_per_bar,
        "per_bar_ratio": scale.per_bar_ratio,
        "per_bar_target": PER_BAR_TARGET,
        "memory_bytes": scale.memory_bytes,
        "sqlite_bytes": scale.sqlite_bytes,
        "footprint_ratio": scale.footprint_ratio,
        "footprint_target": FOOTPRINT_TARGET,
    }


def write_json(path: str | os.PathLike[str], outcome: BenchOutcome) -> None:
    text = json.dumps(outcome_json(outcome), indent=2, allow_nan=False)
    with replaced_whole(path) as partial:
        partial.write_text(text + "\n", encoding="utf-8")


def write_chart(path: str | os.PathLike[str], outcome: BenchOutcome) -> None:
    """Backtest seconds per backend on the left, micro-benchmark µs per operation on the right."""
    measured = [runs for runs in outcome.runs if runs.summaries]
    figure = Figure(figsize=(12, 5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, squeeze=True)
    labels = [runs.backend.label for runs in measured]
    seconds = [runs.median_seconds for runs in measured]
    bars = left.bar(labels, seconds, color="tab:blue")
    for bar, runs in zip(bars, measured, strict=True):
        speedup = outcome.speedup(runs)
        note = f"{runs.median_seconds:.2f} s" + ("" if speedup is None else f"\n{speedup:.2f}x")
        left.annotate(
            note,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    left.set_ylim(0, max(seconds, default=1.0) * 1.25)
    left.set_title(f"Backtest of {outcome.plan.bars:,} bars (median seconds)")
    left.set_ylabel("seconds")
    left.tick_params(axis="x", labelrotation=15)
    if not outcome.micro:
        right.set_axis_off()
        right.text(0.5, 0.5, "micro-benchmarks not run", ha="center", va="center")
        _save_png(figure, path)
        return
    operations = [op for op in OPERATIONS if op not in ("bulk_insert", "raw_executemany")]
    width = 0.8 / max(len(outcome.own_runs), 1)
    for index, runs in enumerate(outcome.own_runs):
        values = [outcome.micro_result(runs.backend.name, op) for op in operations]
        positions = [step + index * width for step in range(len(operations))]
        right.bar(
            positions,
            [0.0 if value is None else value.seconds_per_op * 1e6 for value in values],
            width=width,
            label=runs.backend.label,
        )
    right.set_xticks([step + 0.4 - width / 2 for step in range(len(operations))])
    right.set_xticklabels([op.replace("_", "\n") for op in operations], fontsize=8)
    right.set_yscale("log")
    right.set_ylabel("µs per operation (log)")
    right.set_title("Micro-benchmarks")
    right.legend(fontsize=8)
    _save_png(figure, path)


def _save_png(figure: Figure, path: str | os.PathLike[str]) -> None:
    with replaced_whole(path) as partial:
        figure.savefig(partial, format="png")
