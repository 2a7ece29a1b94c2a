"""Finish the generated project and print the next steps."""

import json
import shutil
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")

TOOL_CACHES = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}


def remove_tool_caches(project: Path) -> None:
    """Drop caches that tools may have left in a template checkout; they are not part of it."""
    for path in sorted(project.rglob("*"), reverse=True):
        if path.is_dir() and path.name in TOOL_CACHES:
            shutil.rmtree(path, ignore_errors=True)


def main() -> None:
    project = Path.cwd()
    remove_tool_caches(project)
    slug = ANSWERS["project_slug"]
    prefix = ANSWERS["env_prefix"]
    print(
        f"""
Generated {project}

Next steps:
  cd {slug}
  make install        # virtual environment with the project and its dev tools
  make test           # unit, integration, migration and end-to-end tests
  make backtest       # the reference backtest on the memory backend
  make bench          # the same backtest on every backend, side by side

Backends are chosen by {prefix}_DATABASE_URL: memory:// (default), sqlite:///file.db,
or postgresql+psycopg://user:password@host:5432/db (then: make migrate).
"""
    )


if __name__ == "__main__":
    main()
