"""Where a SQLite URL keeps its database, and what opening it would do to a missing file."""

from pathlib import Path

from sqlalchemy.engine import URL

UPGRADE = "`{{ cookiecutter.project_slug }} db upgrade`"


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL; None for other backends, in-memory SQLite and `uri=true`."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.query.get("uri") == "true":
        return None  # a `file:` URI, which SQLite itself reads
    return Path(url.database)


def missing_folder(url: URL) -> str | None:
    """Why a SQLite database cannot be created at `url`: no folder for its file; else None."""
    path = sqlite_file(url)
    if path is None or path.parent.is_dir():
        return None
    return f"no folder {path.parent} to create the SQLite database {path.name} in"


def missing_database(url: URL) -> str | None:
    """Why the SQLite database at `url` cannot be read: its file does not exist; else None.

    SQLite would create an empty file on connecting, which then passes for a database.
    """
    path = sqlite_file(url)
    if path is None or path.exists():
        return None
    no_file = f"no SQLite database at {path}; {UPGRADE} on this URL creates it"
    return missing_folder(url) or no_file
