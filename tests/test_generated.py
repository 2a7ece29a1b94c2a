"""Each baked project installs, passes its own linters and its own full test suite."""

import ast
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_cookies.plugin import Cookies

from .conftest import TEMPLATE_DIR, record_summary
from .test_render import UNUSUAL_NAME

VARIANTS = {
    "default": {},
    "unusual-name": {**UNUSUAL_NAME, "env_prefix": "ZQ_LAB"},
    "async": {"flavour": "async"},
}


def run(command: list[str], project: Path, environ: dict[str, str]) -> tuple[bool, str]:
    result = subprocess.run(
        command, cwd=project, env=environ, capture_output=True, text=True, timeout=1800, check=False
    )
    return result.returncode == 0, result.stdout + result.stderr


def failure(command: str, output: str) -> str:
    return f"`{command}` failed:\n{output[-6000:]}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_baked_project_passes_its_lint_and_tests(
    cookies: Cookies, variant: str, postgres_database: str | None
) -> None:
    result = cookies.bake(extra_context=VARIANTS[variant])
    assert result.exit_code == 0, result.exception
    project = result.project_path
    prefix = result.context["env_prefix"]
    environ = {key: value for key, value in os.environ.items() if not key.startswith(prefix)}
    environ.pop("VIRTUAL_ENV", None)
    if postgres_database is not None:
        environ[f"{prefix}_TEST_DATABASE_URL"] = postgres_database

    installed, output = run(["make", "install"], project, environ)
    assert installed, failure("make install", output)
    check_the_hook_knows_every_dependency(project, result.context["project_slug"])
    linted, lint_output = run(["make", "lint"], project, environ)
    tested, output = run(["make", "test"], project, environ)

    problems = []
    if not linted:
        problems.append(failure("make lint", lint_output))
    if not tested:
        problems.append(failure("make test", output))
    assert not problems, "\n".join(problems)
    summary = re.search(r"^backend tests: (.*)$", output, re.MULTILINE)
    assert summary is not None, output[-3000:]
    outcome = re.findall(r"^=+ (.*) in [\d.]+s", output, re.MULTILINE)[-1]
    record_summary(f"{variant}: {outcome}; {summary.group(1)}")
    counts = dict(re.findall(r"(\w+) (\d+) passed", summary.group(1)))
    assert int(counts["memory"]) > 0
    assert int(counts["sqlite"]) > 0
    if postgres_database is not None:
        assert int(counts["postgresql"]) > 0
    if variant == "default" and sys.platform == "linux" and platform.machine() == "x86_64":
        check_other_sqlite_releases(project, environ)


CLOSURE = """
import json, re, sys
from importlib.metadata import distributions
names, modules, commands = set(), set(), set()
for dist in distributions():
    name = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
    if name == sys.argv[1]:
        continue
    names.add(name)
    commands.update(
        ep.name for ep in dist.entry_points if ep.group in ("console_scripts", "gui_scripts")
    )
    modules.update((dist.read_text("top_level.txt") or "").split())
    for file in dist.files or ():
        top = file.parts[0] if file.parts else ""
        skipped = ("", "..", "__pycache__")
        if top in skipped or top.endswith((".dist-info", ".egg-info", ".data", ".libs")):
            continue
        if len(file.parts) > 1 or file.suffix in (".py", ".so", ".pyd"):
            modules.add(top.split(".")[0])
print(json.dumps([sorted(names), sorted(m for m in modules if m.isidentifier()), sorted(commands)]))
"""
"""Prints the distributions installed beside the project, their top-level import names and their
commands."""


def check_the_hook_knows_every_dependency(project: Path, slug: str) -> None:
    """The names the answers hook refuses cover what the project's venv installed: a new
    dependency cannot slip through unnoticed."""
    refused = hook_name_sets()
    python = project / ".venv" / "bin" / "python"
    listed = subprocess.run(
        [str(python), "-c", CLOSURE, slug], capture_output=True, text=True, check=True
    )
    names, modules, commands = json.loads(listed.stdout)
    missing = (
        (set(names) - refused["DEPENDENCY_DISTRIBUTIONS"])
        | (set(modules) - refused["DEPENDENCY_MODULES"])
        | (set(commands) - refused["DEPENDENCY_COMMANDS"])
    )
    assert not missing, f"add to the lists of hooks/pre_gen_project.py: {sorted(missing)}"


def hook_name_sets() -> dict[str, set[str]]:
    """The hook's frozenset constants, read from its source (it is a template, not a module)."""
    source = (TEMPLATE_DIR / "hooks" / "pre_gen_project.py").read_text()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id.startswith("DEPENDENCY_"):
                found[target.id] = set(ast.literal_eval(node.value.args[0]))
    return found


def check_other_sqlite_releases(project: Path, environ: dict[str, str]) -> None:
    """memory:// against the SQLite releases of `make test-sqlite-releases` (pysqlite3-binary
    wheels, built for Linux x86_64 only)."""
    passed, output = run(["make", "test-sqlite-releases"], project, environ)
    assert passed, failure("make test-sqlite-releases", output)
    releases = re.findall(r"^compared with SQLite ([\d.]+)", output, re.MULTILINE)
    outcomes = re.findall(r"^=* ?(\d+ passed.*) in [\d.]+s", output, re.MULTILINE)
    assert len(releases) == len(outcomes) == 5, output[-3000:]
    for release, outcome in zip(releases, outcomes, strict=True):
        record_summary(f"default on SQLite {release}: {outcome}")
