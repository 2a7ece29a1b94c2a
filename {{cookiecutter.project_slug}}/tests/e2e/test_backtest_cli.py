"""The `backtest` command: report, files, bar sources and one-line errors.

The bad-file run goes through a real subprocess, to see the exact stderr and exit code; the rest
call the same command line in process, which saves an interpreter start and imports per run.
"""

import csv
import errno
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from {{ cookiecutter.package_name }}.adapters.csv_bars import write_bars_csv
from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.database_urls import (
    MEMORY_URL,
    SQLITE_FILE_PREFIX,
    SQLITE_MEMORY_URL,
)
from {{ cookiecutter.package_name }}.domain.bar import Bar
from {{ cookiecutter.package_name }}.services.backtest.bar_generator import generate_bars

from .test_cli import PACKAGE, cli

SQLITE_FILE = SQLITE_FILE_PREFIX + "{tmp}/trading.db"


def in_process(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def one_line_error(result_stderr: str) -> str:
    lines = result_stderr.strip().splitlines()
    assert len(lines) == 1, result_stderr
    assert "Traceback" not in result_stderr
    return lines[0]


def test_a_backtest_prints_the_report_and_writes_its_files(tmp_path: Path) -> None:
    out = tmp_path / "results"

    arguments = ("--bars", "400", "--create-schema", "--out", str(out))

    result = in_process("backtest", "--database-url", SQLITE_MEMORY_URL, *arguments)

    assert result.exit_code == 0, result.output
    assert "400 bars stored" in result.stdout
    assert "SQL statements per bar" in result.stdout
    for figure in ("Final equity", "Sharpe ratio", "Max drawdown %", "Trades", "Win rate %"):
        assert figure in result.stdout
    report = json.loads((out / "report.json").read_text())
    with (out / "round_trips.csv").open() as stream:
        trips = list(csv.DictReader(stream))
    assert report["trades"] == len(trips) > 0
    assert {trip["side"] for trip in trips} <= {"LONG", "SHORT"}
    assert (out / "equity.png").read_bytes().startswith(b"\x89PNG")


def test_bars_from_a_csv_file_give_the_same_run_as_the_generated_ones(tmp_path: Path) -> None:
    bar_file = tmp_path / "es.csv"
    write_bars_csv(bar_file, generate_bars(count=500, seed=11))
    common = ("backtest", "--database-url", SQLITE_MEMORY_URL, "--create-schema")

    from_file = in_process(*common, "--csv", str(bar_file), "--out", str(tmp_path / "a"))
    generated = in_process(*common, "--bars", "500", "--seed", "11", "--out", str(tmp_path / "b"))

    assert from_file.exit_code == 0, from_file.output
    assert generated.exit_code == 0, generated.output
    assert "500 bars stored" in from_file.stdout
    trips = (tmp_path / "a" / "round_trips.csv").read_text()
    assert trips == (tmp_path / "b" / "round_trips.csv").read_text()
    assert len(trips.splitlines()) > 1


def test_the_session_start_decides_the_trading_days_of_the_report(tmp_path: Path) -> None:
    # two CME sessions, Sunday 23:00 UTC to Tuesday 21:50 UTC, in 10-minute bars, rising
    sunday_evening = datetime(2025, 1, 5, 23, 0, tzinfo=UTC)
    bars = []
    for n in range(282):
        price = Decimal("5900.00") + Decimal("0.25") * n
        ts = sunday_evening + timedelta(minutes=10 * n)
        bars.append(Bar("ES", ts, price, price, price, price, 10))
    bar_file = tmp_path / "globex.csv"
    write_bars_csv(bar_file, bars)

    def report(*session_start: str) -> dict[str, float]:
        out = tmp_path / "-".join(session_start or ("utc",))
        args = ("backtest", "--csv", str(bar_file), *session_start, "--out", str(out))
        result = in_process(*args)
        assert result.exit_code == 0, result.output
        figures: dict[str, float] = json.loads((out / "report.json").read_text())
        return figures

    def annualized_over(days: int, figures: dict[str, float]) -> float:
        growth = figures["final_equity"] / figures["initial_cash"]
        return (growth ** (252 / days) - 1) * 100

    by_utc_date, by_session = report(), report("--session-start", "22:00")
    assert report("--session-start", "22:00Z") == by_session  # UTC may be said explicitly
    assert by_utc_date["return_pct"] != 0
    # Sunday, Monday and Tuesday by UTC date; two sessions from 22:00
    assert by_utc_date["annualized_return_pct"] == pytest.approx(annualized_over(3, by_utc_date))
    assert by_session["annualized_return_pct"] == pytest.approx(annualized_over(2, by_session))


def test_a_bad_bar_file_is_one_line_naming_the_file_and_line(tmp_path: Path) -> None:
    bar_file = tmp_path / "broken.csv"
    bar_file.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2025-01-02T14:30:00Z,5900.00,5901.00,5899.00,5900.50,120\n"
        "2025-01-02T14:31:00Z,5900.50,5899.00,5901.00,5900.00,80\n"
    )

    result = cli(
        "backtest", "--csv", str(bar_file), "--create-schema", database_url=SQLITE_MEMORY_URL
    )

    assert result.returncode == 2
    assert one_line_error(result.stderr) == (
        f"error: {bar_file}, line 3: high 5899.00 is below low 5901.00"
    )


def test_a_missing_bar_file_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"

    result = in_process("backtest", "--database-url", SQLITE_MEMORY_URL, "--csv", str(missing))

    assert result.exit_code == 2
    assert one_line_error(result.stderr) == (
        f"error: cannot read the bar file {missing}: No such file or directory"
    )


@pytest.mark.parametrize(
    ("arguments", "url", "expected"),
    [
        ((), SQLITE_MEMORY_URL, "pass --create-schema"),
        (("--create-schema",), SQLITE_FILE, f"only for {SQLITE_MEMORY_URL}"),
        (("--create-schema",), MEMORY_URL, "needs no schema step"),
        ((), SQLITE_FILE, "`{{ cookiecutter.project_slug }} db upgrade` on this URL creates it"),
    ],
)
def test_a_database_without_the_schema_is_refused_with_the_way_out(
    tmp_path: Path, arguments: tuple[str, ...], url: str, expected: str
) -> None:
    database_url = url.format(tmp=tmp_path)

    result = in_process("backtest", "--bars", "10", "--database-url", database_url, *arguments)

    assert result.exit_code == 2
    assert expected in one_line_error(result.stderr)


def test_a_migrated_sqlite_file_runs_once_and_then_says_it_is_not_fresh(tmp_path: Path) -> None:
    url = f"{SQLITE_FILE_PREFIX}{tmp_path / 'trading.db'}"
    assert in_process("db", "upgrade", "--database-url", url).exit_code == 0

    first = in_process("backtest", "--bars", "200", "--database-url", url)
    second = in_process("backtest", "--bars", "200", "--database-url", url)

    assert first.exit_code == 0, first.output
    assert f"{SQLITE_FILE_PREFIX}{tmp_path / 'trading.db'}: 200 bars stored" in first.stdout
    assert second.exit_code == 2
    assert "already holds 200 ES bars" in one_line_error(second.stderr)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (("--out", "{tmp}/a-file/sub"), "cannot write the report files into"),
        (("--quantity", "0.5"), "quantity 0.5 is not a multiple of the quantity step 1"),
        (("--target-ticks", "100000000"), "target_ticks 100000000 puts bracket prices at zero"),
        (("--stop-ticks", "100000000"), "stop_ticks 100000000 puts bracket prices at zero"),
    ],
)
def test_a_run_that_cannot_finish_is_refused_before_the_bars_are_stored(
    tmp_path: Path, options: tuple[str, ...], expected: str
) -> None:
    url = f"{SQLITE_FILE_PREFIX}{tmp_path / 'trading.db'}"
    assert in_process("db", "upgrade", "--database-url", url).exit_code == 0
    (tmp_path / "a-file").write_text("not a folder\n")
    given = [option.format(tmp=tmp_path) for option in options]

    refused = in_process("backtest", "--bars", "200", "--database-url", url, *given)
    then = in_process("backtest", "--bars", "200", "--database-url", url)

    assert refused.exit_code == 2
    assert expected in one_line_error(refused.stderr)
    assert then.exit_code == 0, then.output


def test_a_folder_in_the_way_of_a_report_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "out" / "equity.png").mkdir(parents=True)

    result = in_process("backtest", "--bars", "200", "--out", str(tmp_path / "out"))

    assert result.exit_code == 2
    assert "a folder has the file's name" in one_line_error(result.stderr)
    assert not (tmp_path / "out" / "report.json").exists()


def test_a_bench_folder_that_cannot_be_written_is_refused_before_the_bench(
    tmp_path: Path,
) -> None:
    (tmp_path / "a-file").write_text("not a folder\n")

    result = in_process("bench", "--bars", "10", "--out", str(tmp_path / "a-file" / "bench"))

    assert result.exit_code == 2
    assert "cannot write the bench files into" in one_line_error(result.stderr)


def test_the_default_backend_is_memory() -> None:
    result = in_process("backtest", "--bars", "300")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{MEMORY_URL}: 300 bars stored")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--commission", "-1"),
        ("--quantity", "0"),
        ("--initial-cash", "lots"),
        ("--bars", "0"),
        ("--commission", "1e30"),
        ("--initial-cash", "1e12"),
        ("--session-start", "25:00"),
        ("--session-start", "22:00:30"),
        ("--session-start", "2200"),
        ("--session-start", "22"),
        ("--session-start", "24:00"),
        ("--margin", "-5"),
        ("--maintenance-margin", "-1"),
        ("--session-start", "22:00+01:00"),
    ],
)
def test_bad_parameters_are_refused_before_any_work(option: str, value: str) -> None:
    result = in_process("backtest", option, value)

    assert result.exit_code == 2
    assert option in result.stderr


@pytest.mark.backend("sqlite")
def test_ctrl_c_during_the_replay_says_what_the_database_keeps(tmp_path: Path) -> None:
    path = tmp_path / "interrupted.db"
    url = f"{SQLITE_FILE_PREFIX}{path}"
    assert cli("db", "upgrade", database_url=url).returncode == 0
    command = [sys.executable, "-m", PACKAGE, "backtest", "--no-progress", "--database-url", url]
    running = interruptible_run(command)
    try:
        wait_for_the_first_order(path, running)
        running.send_signal(signal.SIGINT)
        _, stderr = running.communicate(timeout=60)
    finally:
        running.kill()

    assert running.returncode == 130, stderr
    line = one_line_error(stderr)
    assert re.fullmatch(
        rf"error: interrupted with [\d,]+00 of 15,210 bars replayed; {re.escape(url)} holds "
        r"that partial run, so a new run needs a fresh database \(.*\)",
        line,
    ), line


@pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="waits on the process state Linux's /proc shows"
)
def test_ctrl_c_while_the_bars_are_read_stores_nothing(tmp_path: Path) -> None:
    bar_file = tmp_path / "bars.csv"
    os.mkfifo(bar_file)  # the read waits on the pipe, so the interrupt lands in it
    command = [sys.executable, "-m", PACKAGE, "backtest", "--no-progress", "--csv", str(bar_file)]
    running = interruptible_run(command)
    try:
        writer = open_when_read(bar_file, running)
        try:
            # Nothing is written: a read that returned data would not see the signal.
            wait_until_blocked(running)
            running.send_signal(signal.SIGINT)
            stdout, stderr = running.communicate(timeout=60)
        finally:
            os.close(writer)
    finally:
        running.kill()

    assert running.returncode == 130, stderr
    assert stdout == ""
    assert one_line_error(stderr) == (
        f"error: interrupted while reading {bar_file}; nothing was stored"
    )


def test_ctrl_c_during_the_bench_writes_no_results(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    command = [sys.executable, "-m", PACKAGE, "bench", "--out", str(out)]
    # Ctrl-C reaches the bench and its runs, a process group.
    running = interruptible_run(command, start_new_session=True)
    try:
        assert running.stdout is not None
        first = running.stdout.readline()  # the runs have begun
        os.killpg(running.pid, signal.SIGINT)
        _, stderr = running.communicate(timeout=60)
    finally:
        running.kill()

    assert first.startswith("backtest of 15,210 bars"), first
    assert running.returncode == 130, stderr
    assert one_line_error(stderr) == (
        f"error: interrupted before the bench finished; its results were not written to {out}"
    )
    assert list(out.iterdir()) == []


def open_when_read(pipe: Path, running: subprocess.Popen[str]) -> int:
    """The write end of `pipe`, once `running` has opened it to read."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and running.poll() is None:
        try:
            return os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno != errno.ENXIO:  # no reader yet
                raise
        time.sleep(0.05)
    raise AssertionError(f"the backtest did not open {pipe} in time")


def wait_until_blocked(running: subprocess.Popen[str]) -> None:
    """Until `running` sleeps in a system call: Linux's process state, as /proc shows it."""
    stat = Path(f"/proc/{running.pid}/stat")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and running.poll() is None:
        state = stat.read_text().rpartition(")")[2].split()[0]  # after the command's name
        if state == "S":
            return
        time.sleep(0.01)
    raise AssertionError("the backtest did not wait for the bar file")


def interruptible_run(command: list[str], **options: Any) -> subprocess.Popen[str]:
    """`command` started with its output piped and Ctrl-C's default behaviour."""
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
        **options,
    )


def interruptible() -> None:
    """Ctrl-C's default in the child: a shell starts background jobs with SIGINT ignored, and a
    Python started so never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_the_first_order(path: Path, running: subprocess.Popen[str]) -> None:
    """Until the replay has stored an order (the bars are in by then)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and running.poll() is None:
        time.sleep(0.1)
        try:
            with closing(sqlite3.connect(path, timeout=0.1)) as connection:
                if connection.execute("SELECT count(*) FROM orders").fetchone()[0]:
                    return
        except sqlite3.OperationalError:
            continue  # locked by the replay's transaction for a moment
    raise AssertionError("the replay stored no order in time")


@pytest.mark.backend("sqlite")
def test_a_sqlite_file_that_cannot_be_opened_is_named() -> None:
    result = cli("db", "upgrade", database_url=f"{SQLITE_FILE_PREFIX}/proc/trading.db")

    assert result.returncode == 2
    assert one_line_error(result.stderr) == (
        "error: cannot open the SQLite database /proc/trading.db: check that the file and its "
        "folder can be read and written"
    )
