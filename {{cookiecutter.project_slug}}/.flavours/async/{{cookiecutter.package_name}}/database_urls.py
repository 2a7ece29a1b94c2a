"""The database URL forms this application accepts: asyncio drivers."""

MEMORY_URL = "memory+asyncio://"
SQLITE_MEMORY_URL = "sqlite+aiosqlite:///:memory:"
SQLITE_FILE_PREFIX = "sqlite+aiosqlite:///"
"""Followed by the path of the file."""
DEFAULT_DATABASE_URL = MEMORY_URL

ACCEPTED_FORMS = (
    "memory+asyncio://, sqlite+aiosqlite:///PATH.db, sqlite+aiosqlite:///:memory:, "
    "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"
)

DRIVERS = {
    "memory": {"asyncio"},
    "sqlite": {"aiosqlite"},
    "postgresql": {"psycopg", "psycopg_async"},
}
"""Accepted drivers per backend name; a URL naming no driver gets the first one listed."""

OTHER_FLAVOUR_FORMS: dict[tuple[str, str], str] = {
    ("memory", "memory"): "memory+asyncio://",
    ("sqlite", "pysqlite"): "sqlite+aiosqlite:///PATH.db",
}
"""Synchronous drivers, mapped to the asyncio form to use here instead."""
