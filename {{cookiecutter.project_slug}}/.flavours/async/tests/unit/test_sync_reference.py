"""The bench's sync reference: the synchronous flavour's modules, run in a process of its own."""

import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.bench import sync_reference
from {{ cookiecutter.package_name }}.bench.backends import BASELINE
from {{ cookiecutter.package_name }}.bench.references import REFERENCE_BACKENDS
from {{ cookiecutter.package_name }}.bench.sync_reference import (
    SYNC_FLAVOUR_DIR,
    SyncFlavourError,
    SyncFlavourFinder,
    install,
    sync_module_names,
)

PACKAGE = sync_reference.PACKAGE_DIR.name


def run_python(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments], capture_output=True, text=True, timeout=120, check=False
    )


def test_the_references_are_the_sync_memory_and_sqlite_memory_backtests() -> None:
    assert [(b.name, b.url, b.reference_of) for b in REFERENCE_BACKENDS] == [
        ("memory-sync", "memory://", "memory"),
        ("sqlite-memory-sync", "sqlite:///:memory:", BASELINE),
    ]
    assert {b.runner for b in REFERENCE_BACKENDS} == {sync_reference.__name__}
    assert all("(sync reference)" in b.label for b in REFERENCE_BACKENDS)


def test_the_project_keeps_the_sync_versions_of_the_modules_that_differ() -> None:
    names = sync_module_names(SYNC_FLAVOUR_DIR, PACKAGE)

    for module in ("container", "services.trading", "adapters.sqla.unit_of_work", "database_urls"):
        assert f"{PACKAGE}.{module}" in names
    assert f"{PACKAGE}.bench.sync_reference" not in names
    kept = (SYNC_FLAVOUR_DIR / PACKAGE / "services" / "trading.py").read_text(encoding="utf-8")
    assert "async def" not in kept


def test_the_finder_loads_only_the_kept_modules(tmp_path: Path) -> None:
    kept = tmp_path / "lab" / "services"
    kept.mkdir(parents=True)
    (kept / "trading.py").write_text("FLAVOUR = 'sync'\n", encoding="utf-8")
    finder = SyncFlavourFinder(tmp_path, "lab")

    spec = finder.find_spec("lab.services.trading", None)

    assert spec is not None and spec.origin == str(kept / "trading.py")
    assert finder.find_spec("lab.services.engine", None) is None
    assert finder.find_spec("other.services.trading", None) is None


def test_a_project_without_the_kept_modules_is_told_where_they_should_be(tmp_path: Path) -> None:
    with pytest.raises(SyncFlavourError, match=r"not in .*/lab: .*an editable install"):
        sync_module_names(tmp_path, "lab")


def test_the_finder_comes_too_late_once_the_async_modules_are_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))

    with pytest.raises(SyncFlavourError, match=rf"too late .*{PACKAGE}\.container"):
        install()

    assert not any(isinstance(finder, SyncFlavourFinder) for finder in sys.meta_path)


def test_a_fresh_process_runs_the_sync_modules_and_command_line() -> None:
    finished = run_python(
        "-c",
        "import sys\n"
        f"from {PACKAGE}.bench import sync_reference\n"
        "sys.argv[1:] = ['backtest', '--database-url', 'memory+asyncio://']\n"
        "try:\n"
        "    sync_reference.main()\n"
        "finally:\n"
        f"    print(sys.modules['{PACKAGE}.container'].__file__)\n",
    )

    assert Path(finished.stdout.strip()) == SYNC_FLAVOUR_DIR / PACKAGE / "container.py"
    assert finished.returncode == 2
    assert "accepted forms: memory://, sqlite:///PATH.db" in finished.stderr
