"""Where a SQLite URL keeps its database, and what opening it would do to a missing file."""

import sqlite3
from pathlib import Path
from urllib.parse import quote, unquote

from sqlalchemy.engine import URL
from sqlalchemy.util import asbool

UPGRADE = "`{{ cookiecutter.project_slug }} db upgrade`"
_IN_MEMORY = (None, "", ":memory:")


def _uri_path(url: URL) -> str | None:
    """The path a `file:` URI names (`sqlite:///file:x.db?uri=true`); None when not one."""
    database = url.database or ""
    if not asbool(url.query.get("uri", False)) or not database.startswith("file:"):
        return None
    path = unquote(database.removeprefix("file:").split("?")[0].split("#")[0])
    if path.startswith("//"):  # file://host/path: the host is empty or localhost
        path = "/" + path[2:].partition("/")[2]
    return path


def sqlite_in_memory(url: URL) -> bool:
    """Whether a SQLite URL names a private in-memory database, a new one per connection."""
    if url.get_backend_name() != "sqlite":
        return False
    path = _uri_path(url)
    if path is None:
        return url.database in _IN_MEMORY
    return path in _IN_MEMORY or url.query.get("mode") == "memory"


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL, a `file:` URI's too; None for other backends and in memory."""
    if url.get_backend_name() != "sqlite" or sqlite_in_memory(url):
        return None
    path = _uri_path(url)
    return Path(str(url.database) if path is None else path)


def missing_folder(url: URL) -> str | None:
    """Why a SQLite database cannot be created at `url`: no folder for its file, or a folder
    where its file should be; else None."""
    path = sqlite_file(url)
    if path is None:
        return None
    if path.is_dir():
        return f"{path} is a folder, not a SQLite database file"
    if path.parent.is_dir():
        return None
    return f"no folder {path.parent} to create the SQLite database {path.name} in"


def missing_database(url: URL) -> str | None:
    """Why the SQLite database at `url` cannot be read: its file does not exist; else None.

    SQLite would create an empty file on connecting, which then passes for a database.
    """
    path = sqlite_file(url)
    if path is None or path.is_file():
        return None
    no_file = f"no SQLite database at {path}; {UPGRADE} on this URL creates it"
    return missing_folder(url) or no_file


def cannot_open(path: Path) -> str:
    return (
        f"cannot open the SQLite database {path}: check that the file and its folder can be "
        "read and written"
    )


def cannot_create(url: URL) -> str | None:
    """Why SQLite cannot open, or create, the database file at `url` for writing; None when it
    can, or when `url` names no file. Tried with Python's own sqlite3 (an empty file is what
    SQLite would have created anyway), in the URI's own `mode` if it has one (`ro` creates
    nothing), before a driver that reports it less plainly."""
    path = sqlite_file(url)
    if path is None:
        return None
    mode = url.query.get("mode") if _uri_path(url) is not None else None
    mode = mode if isinstance(mode, str) else "rwc"
    try:
        sqlite3.connect(f"file:{quote(str(path))}?mode={quote(mode)}", uri=True).close()
    except sqlite3.Error:
        return cannot_open(path)
    return None
