"""Run the tests against another SQLite release: `python -m pytest -p tests.sqlite_release`,
with MEMORY_DIFF_SQLITE naming a folder that holds `pysqlite3-binary` (see
`make test-sqlite-releases`).

Python's `sqlite3` module is replaced by pysqlite3's before the application is imported, so
SQLAlchemy's SQLite dialect runs on that release and `memory://` follows it
(`adapters/memory/releases.py`).
"""

from __future__ import annotations

import os
import sys

import pytest

FOLDER_VAR = "MEMORY_DIFF_SQLITE"

_folder = os.environ.get(FOLDER_VAR, "").strip()
if not _folder:
    raise pytest.UsageError(f"{FOLDER_VAR} must name a folder where pysqlite3-binary is installed")
if "{{ cookiecutter.package_name }}" in sys.modules:
    raise pytest.UsageError("tests.sqlite_release must be loaded before the application")
sys.path.insert(0, _folder)
try:
    import pysqlite3
    import pysqlite3.dbapi2
except ImportError as error:
    raise pytest.UsageError(f"no pysqlite3 in {_folder}: {error}") from None
sys.modules["sqlite3"] = pysqlite3
sys.modules["sqlite3.dbapi2"] = pysqlite3.dbapi2


def pytest_configure(config: pytest.Config) -> None:
    from {{ cookiecutter.package_name }}.adapters.memory.releases import LINKED

    if pysqlite3.sqlite_version_info != LINKED:
        raise pytest.UsageError(
            f"memory:// follows SQLite {LINKED}, not pysqlite3's {pysqlite3.sqlite_version}"
        )


def pytest_report_header() -> str:
    return f"SQLite {pysqlite3.sqlite_version}, through pysqlite3 from {_folder}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(f"compared with SQLite {pysqlite3.sqlite_version} (pysqlite3)")
