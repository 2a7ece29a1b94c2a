"""Settings from environment variables, validated before anything is built from them."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.util import asbool

from .database_urls import ACCEPTED_FORMS, DEFAULT_DATABASE_URL, DRIVERS, OTHER_FLAVOUR_FORMS
from .errors import ConfigurationError

ENV_PREFIX = "{{ cookiecutter.env_prefix }}"
DATABASE_URL_VAR = f"{ENV_PREFIX}_DATABASE_URL"
TEST_DATABASE_URL_VAR = f"{ENV_PREFIX}_TEST_DATABASE_URL"


class Backend(StrEnum):
    """The storage backends the container can bind."""

    MEMORY = "memory"
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


_PASSWORD = re.compile(r"^([^:/@]*://[^:/@]*:).*@")
"""A URL's password: after the user name's colon, up to the last `@` (masking more than the
password, if a later part has an `@`, is the safe side)."""
_PASSWORD_OPTION = re.compile(r"([?&]password=)[^&]*", re.IGNORECASE)


def redacted(url: str) -> str:
    """A database URL as messages show it: its password, if it has one, as `***`."""
    return _PASSWORD_OPTION.sub(r"\1***", _PASSWORD.sub(r"\1***@", url))


_IMPLIED_DRIVERS = {Backend.MEMORY: "memory", Backend.SQLITE: "pysqlite"}
"""The driver SQLAlchemy picks for a URL that names none."""


@dataclass(frozen=True)
class DatabaseSettings:
    url: str
    backend: Backend

    @property
    def needs_migrations(self) -> bool:
        return self.backend is not Backend.MEMORY


def parse_database_url(raw: str, *, source: str = DATABASE_URL_VAR) -> DatabaseSettings:
    """Validate a database URL and tell which backend it selects."""
    text = raw.strip()
    shown = redacted(raw)
    try:
        url = make_url(text)
    except ArgumentError:
        raise ConfigurationError(
            f"{source}={shown!r} is not a database URL; accepted forms: {ACCEPTED_FORMS}"
        ) from None
    except ValueError as error:  # a port that is not a number
        raise ConfigurationError(
            f"{source}={shown!r} is not a valid database URL ({error}); "
            f"accepted forms: {ACCEPTED_FORMS}"
        ) from None
    backend = _backend_of(url, shown, source)
    if backend is Backend.SQLITE and not url.database:
        raise ConfigurationError(
            f"{source}={shown!r} names no SQLite file; accepted forms: {ACCEPTED_FORMS}"
        )
    if backend is Backend.SQLITE:
        _check_sqlite_options(url, shown, source)
    if backend is Backend.POSTGRESQL and not url.database:
        raise ConfigurationError(
            f"{source}={shown!r} names no PostgreSQL database; accepted forms: {ACCEPTED_FORMS}"
        )
    return DatabaseSettings(url=text, backend=backend)


_SQLITE_DRIVER_OPTIONS = (
    "timeout",
    "isolation_level",
    "detect_types",
    "check_same_thread",
    "cached_statements",
    "uri",
)
"""The options of a SQLite URL its Python driver takes; with `uri=true` the others go to SQLite."""


def _check_sqlite_options(url: URL, shown: str, source: str) -> None:
    """Refuse options SQLAlchemy would drop with a warning, and `uri=true` on a plain path
    (the driver would open a file named after the whole text)."""
    uri = url.query.get("uri", "false")
    try:
        as_uri = isinstance(uri, str) and asbool(uri)  # as SQLAlchemy reads it
    except ValueError:
        raise ConfigurationError(
            f"{source}={shown!r} has uri={uri!r}, which is neither true nor false"
        ) from None
    if as_uri and not (url.database or "").startswith("file:"):
        raise ConfigurationError(
            f"{source}={shown!r} asks for a SQLite URI (uri=true) but names a plain path; "
            "write it as sqlite:///file:PATH.db?mode=ro&uri=true"
        )
    unknown = sorted(set(url.query) - set(_SQLITE_DRIVER_OPTIONS))
    if unknown and not as_uri:
        raise ConfigurationError(
            f"{source}={shown!r} has options SQLite's driver does not take: {', '.join(unknown)}; "
            f"it takes {', '.join(_SQLITE_DRIVER_OPTIONS)} (SQLite's own, such as mode=ro, in a "
            "sqlite:///file:PATH.db?mode=ro&uri=true URI)"
        )


def _backend_of(url: URL, shown: str, source: str) -> Backend:
    name = url.get_backend_name()
    try:
        backend = Backend(name)
    except ValueError:
        raise ConfigurationError(
            f"{source}={shown!r} selects backend {name!r}, which is not supported; "
            f"accepted forms: {ACCEPTED_FORMS}"
        ) from None
    if backend is Backend.POSTGRESQL and url.drivername == name:
        raise ConfigurationError(
            f"{source}={shown!r} names no driver; use postgresql+psycopg://; "
            f"accepted forms: {ACCEPTED_FORMS}"
        )
    driver = url.get_driver_name() if url.drivername != name else _IMPLIED_DRIVERS[backend]
    instead = OTHER_FLAVOUR_FORMS.get((name, driver))
    if instead is not None:
        raise ConfigurationError(
            f"{source}={shown!r} selects driver {driver!r}, which this application does not use; "
            f"write it as {instead}; accepted forms: {ACCEPTED_FORMS}"
        )
    if driver not in DRIVERS[name]:
        raise ConfigurationError(
            f"{source}={shown!r} selects driver {driver!r}, which is not supported; "
            f"accepted forms: {ACCEPTED_FORMS}"
        )
    return backend


def database_settings(
    environ: Mapping[str, str], *, override: str | None = None
) -> DatabaseSettings:
    """The database settings from an explicit URL, else the environment, else the memory backend."""
    if override is not None:
        return parse_database_url(override, source="--database-url")
    raw = environ.get(DATABASE_URL_VAR)
    if raw is None or not raw.strip():
        return parse_database_url(DEFAULT_DATABASE_URL)
    return parse_database_url(raw)
