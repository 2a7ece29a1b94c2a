"""Finish the generated project and print the next steps.

Flavours: the template's files are the sync flavour. The async versions of the files that must
differ live in `.flavours/async/`, at the paths they replace (rendered like every other file).
For `flavour == "async"` that overlay is copied over the project and the files that exist only
for the sync flavour are deleted; `.flavours/` is then always removed, so a project holds exactly
one flavour. The sync versions of the package modules the overlay replaces are kept first, in
`sync_flavour/`: the async project's bench runs them as its reference (`bench/sync_reference.py`).
"""

import json
import shutil
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")

FLAVOURS_DIR = ".flavours"
SYNC_ONLY = (
    "tests/bulk_bar_samples.py",
    "tests/integration/test_sqlite_bulk_bars.py",
    "tests/memory/test_impl_bulk_bars.py",
)
"""Tests of the bar repository's bulk paths (SQLite, `memory://`) through a synchronous `Session`;
the async flavour has none."""
SYNC_FLAVOUR_DIR = "sync_flavour"
NOT_IMPORTED = ("migrations",)
"""Package folders whose files Alembic loads by path: no sync version is kept of them."""

LOCAL_URLS = {
    "sync": "memory:// (default), sqlite:///file.db",
    "async": "memory+asyncio:// (default), sqlite+aiosqlite:///file.db",
}

TOOL_CACHES = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}


def remove_tool_caches(project: Path) -> None:
    """Drop caches that tools may have left in a template checkout; they are not part of it."""
    for path in sorted(project.rglob("*"), reverse=True):
        if path.is_dir() and path.name in TOOL_CACHES:
            shutil.rmtree(path, ignore_errors=True)


def keep_sync_modules(project: Path, overlay: Path, package: str) -> None:
    """Copy the package modules that `overlay` replaces to `sync_flavour/`, as they are."""
    shutil.rmtree(project / SYNC_FLAVOUR_DIR / package, ignore_errors=True)
    for replacement in sorted((overlay / package).rglob("*.py")):
        relative = replacement.relative_to(overlay)
        original = project / relative
        if relative.parts[1] in NOT_IMPORTED or not original.is_file():
            continue
        if original.read_bytes() == replacement.read_bytes():
            continue  # left by an earlier async bake into the same folder
        kept = project / SYNC_FLAVOUR_DIR / relative
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(original, kept)


def apply_flavour(project: Path, flavour: str, package: str) -> None:
    """Copy the chosen flavour's files over the project, then drop every overlay."""
    overlays = project / FLAVOURS_DIR
    chosen = overlays / flavour
    if chosen.is_dir():
        if flavour != "sync":
            keep_sync_modules(project, chosen, package)
        shutil.copytree(chosen, project, dirs_exist_ok=True)
    if flavour != "sync":
        for relative in SYNC_ONLY:
            (project / relative).unlink(missing_ok=True)
    shutil.rmtree(overlays, ignore_errors=True)


def main() -> None:
    project = Path.cwd()
    flavour = ANSWERS.get("flavour", "sync")
    apply_flavour(project, flavour, ANSWERS["package_name"])
    remove_tool_caches(project)
    slug = ANSWERS["project_slug"]
    prefix = ANSWERS["env_prefix"]
    print(
        f"""
Generated {project}

Next steps:
  cd {slug}
  make install        # virtual environment with the project and its dev tools
  make test           # unit, integration, memory-backend, migration and end-to-end tests
  make backtest       # the reference backtest (on the memory backend unless the URL says else)
  make bench          # the same backtest on every backend, side by side

Backends are chosen by {prefix}_DATABASE_URL: {LOCAL_URLS[flavour]},
or postgresql+psycopg://user:password@host:5432/db; migrate a SQLite file or a PostgreSQL
database once with make migrate.
"""
    )


if __name__ == "__main__":
    main()
