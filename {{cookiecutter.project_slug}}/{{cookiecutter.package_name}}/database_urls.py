"""The database URL forms this application accepts: synchronous drivers."""

MEMORY_URL = "memory://"
SQLITE_MEMORY_URL = "sqlite:///:memory:"
SQLITE_FILE_PREFIX = "sqlite:///"
"""Followed by the path of the file."""
DEFAULT_DATABASE_URL = MEMORY_URL

ACCEPTED_FORMS = (
    "memory://, sqlite:///PATH.db, sqlite:///:memory:, "
    "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"
)

DRIVERS = {
    "memory": {"memory"},
    "sqlite": {"pysqlite"},
    "postgresql": {"psycopg"},
}
"""Accepted drivers per backend name; a URL naming no driver gets the first one listed."""

OTHER_FLAVOUR_FORMS: dict[tuple[str, str], str] = {}
"""Drivers of the other flavour, mapped to the form to use here instead."""
