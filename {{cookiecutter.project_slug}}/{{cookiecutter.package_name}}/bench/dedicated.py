"""The bench's PostgreSQL database must be its own: checked before the bench changes anything.

The bench drops and re-creates its tables before every run, so it refuses a URL that names the
application's or the tests' database, and a database holding any table it did not create. It
recognises its own database by a marker table, created the first time, in a database that was
empty: a database holding only the marker, the application's tables and Alembic's version table
is the bench's to reuse.
"""

from collections.abc import Mapping

from sqlalchemy import Column, Connection, MetaData, Table, Text, create_engine, pool, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from ..adapters.sqla.tables import metadata
from ..errors import ConfigurationError
from ..settings import DATABASE_URL_VAR, ENV_PREFIX, TEST_DATABASE_URL_VAR, Backend, redacted

BENCH_POSTGRES_URL_VAR = f"{ENV_PREFIX}_BENCH_POSTGRES_URL"
BENCH_MARKER_TABLE = "bench_marker"
"""In a database the bench set up itself, beside the tables its migrations create."""
_MARKER = Table(BENCH_MARKER_TABLE, MetaData(), Column("note", Text, nullable=False))
_MARKER_NOTE = (
    "created by the bench of {{ cookiecutter.project_slug }} in an empty database: "
    "every run drops and re-creates the tables here"
)
_ALEMBIC_VERSION = "alembic_version"
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}
_SHOWN_TABLES = 5

_TABLES = text(
    "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg\\_%' "
    "ORDER BY n.nspname, c.relname"
)
"""Tables, views and foreign tables of every schema but PostgreSQL's own (and temporary ones)."""

_FIX = (
    "give the bench a database of its own: create an empty one (CREATE DATABASE ...) and pass its "
    f"URL with --postgres-url or {BENCH_POSTGRES_URL_VAR}; nothing was changed"
)


def check_not_shared(bench_url: str, environ: Mapping[str, str]) -> None:
    """Refuse a bench URL naming the same PostgreSQL database (host, port, database) as the
    application's or the tests' database URL, whatever their drivers, users or passwords."""
    bench = _database_of(bench_url)
    if bench is None:
        return
    for var in (DATABASE_URL_VAR, TEST_DATABASE_URL_VAR):
        other = environ.get(var, "").strip()
        if other and _database_of(other) == bench:
            _, port, database = bench
            raise ConfigurationError(
                f"the bench PostgreSQL URL {redacted(bench_url)!r} names the same database as "
                f"{var} (the same host, port {port} and database {database!r}), whose tables "
                "the bench would drop; " + _FIX
            )


def claim_bench_database(url: str) -> None:
    """Make sure the database at `url` is the bench's before the bench changes it.

    An empty database gets the marker table and becomes the bench's; a database with the marker
    and only the bench's tables is reused; any other database is refused, unchanged.
    """
    engine = create_engine(_synchronous(url), poolclass=pool.NullPool)
    try:
        try:
            connection = engine.connect()
        except OperationalError as error:
            reason = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ""
            raise ConfigurationError(
                f"the bench PostgreSQL URL {redacted(url)!r} cannot be reached: {reason}"
            ) from None
        with connection, connection.begin():
            _claim(connection, url)
    finally:
        engine.dispose()


def _claim(connection: Connection, url: str) -> None:
    # One claim at a time, so two benches starting on an empty database cannot both claim it.
    connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('bench_marker'))"))
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    found = [(str(row[0]), str(row[1])) for row in connection.execute(_TABLES)]
    if not found:
        _MARKER.create(connection)
        connection.execute(_MARKER.insert().values(note=_MARKER_NOTE))
        return
    owned = {*metadata.tables, _ALEMBIC_VERSION, BENCH_MARKER_TABLE}
    marked = (schema, BENCH_MARKER_TABLE) in found
    foreign = [
        f"{name_schema}.{name}"
        for name_schema, name in found
        if not marked or name_schema != schema or name not in owned
    ]
    if foreign:
        shown = ", ".join(foreign[:_SHOWN_TABLES])
        if len(foreign) > _SHOWN_TABLES:
            shown += f" and {len(foreign) - _SHOWN_TABLES} more"
        unmarked = (
            "" if marked else f" (it has no {BENCH_MARKER_TABLE} table, the bench's own mark)"
        )
        raise ConfigurationError(
            f"the bench PostgreSQL URL {redacted(url)!r} names a database holding tables the "
            f"bench did not create{unmarked}: {shown}; the bench drops and re-creates its tables, "
            "so it only uses an empty database or one it set up itself; " + _FIX
        )


def _database_of(raw: str) -> tuple[str, int, str] | None:
    """Host, port and database of a PostgreSQL URL, loopback names and sockets as one host."""
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError):
        return None
    if url.get_backend_name() != Backend.POSTGRESQL or not url.database:
        return None
    host = url.host or _query_value(url, "host")
    if host.startswith("/") or host.lower() in _LOCAL_HOSTS:
        host = ""  # the local server, through TCP or a socket
    port = _query_value(url, "port")
    return host.lower(), url.port or (int(port) if port.isdigit() else 5432), url.database


def _query_value(url: URL, name: str) -> str:
    value = url.query.get(name, "")
    return value if isinstance(value, str) else (value[0] if value else "")


def _synchronous(url: str) -> URL:
    """The URL with a synchronous driver: psycopg 3 speaks both, the check needs one connection."""
    parsed = make_url(url)
    if parsed.get_driver_name() == "psycopg_async":
        return parsed.set(drivername="postgresql+psycopg")
    return parsed
