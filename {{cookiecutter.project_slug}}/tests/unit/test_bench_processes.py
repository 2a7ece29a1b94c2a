"""The bench's processes: a failing one is told by the last line it wrote to stderr."""

import subprocess

from {{ cookiecutter.package_name }}.bench.processes import last_error_line, run_module


def test_a_failing_module_is_told_by_its_last_stderr_line() -> None:
    finished = run_module("json.tool", ["--no-such-option"], timeout=60)

    assert finished.returncode != 0
    assert "unrecognized arguments: --no-such-option" in last_error_line(finished)


def test_a_silent_failure_says_so() -> None:
    silent = subprocess.CompletedProcess(["python"], returncode=3, stdout="", stderr="  \n")

    assert last_error_line(silent) == "(nothing on stderr)"
