"""The database URL selects the backend; a bad one is refused with a one-line message.

The URL forms are this flavour's own (`database_urls`); the rules are the same in both.
"""

import pytest

from {{ cookiecutter.package_name }}.database_urls import (
    DRIVERS,
    MEMORY_URL,
    SQLITE_FILE_PREFIX,
    SQLITE_MEMORY_URL,
)
from {{ cookiecutter.package_name }}.errors import ConfigurationError
from {{ cookiecutter.package_name }}.settings import (
    DATABASE_URL_VAR,
    Backend,
    database_settings,
    parse_database_url,
    redacted,
)


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        (MEMORY_URL, Backend.MEMORY),
        (f"{SQLITE_FILE_PREFIX}trading.db", Backend.SQLITE),
        (f"{SQLITE_FILE_PREFIX}/var/data/trading.db", Backend.SQLITE),
        (SQLITE_MEMORY_URL, Backend.SQLITE),
        *[(f"sqlite+{name}:///trading.db", Backend.SQLITE) for name in sorted(DRIVERS["sqlite"])],
        *[
            (f"postgresql+{driver}://user:secret@127.0.0.1:5432/trading", Backend.POSTGRESQL)
            for driver in sorted(DRIVERS["postgresql"])
        ],
    ],
)
def test_the_url_selects_the_backend(url: str, backend: Backend) -> None:
    assert parse_database_url(url).backend is backend


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (
            f"{SQLITE_FILE_PREFIX}trading.db?foo=bar",
            "has options SQLite's driver does not take: foo",
        ),
        (f"{SQLITE_FILE_PREFIX}trading.db?mode=ro", "does not take: mode; it takes timeout"),
        (f"{SQLITE_FILE_PREFIX}trading.db?mode=ro&uri=true", "names a plain path; write it as"),
        (f"{SQLITE_FILE_PREFIX}file:trading.db?uri=maybe", "uri='maybe', which is neither true"),
    ],
)
def test_a_sqlite_option_the_driver_would_drop_or_misread_is_refused(
    url: str, problem: str
) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        parse_database_url(url)


@pytest.mark.parametrize("options", ["?timeout=5", "?check_same_thread=false&timeout=1.5", ""])
def test_the_sqlite_driver_options_and_uris_are_taken(options: str) -> None:
    assert parse_database_url(f"{SQLITE_FILE_PREFIX}trading.db{options}").backend is Backend.SQLITE
    uri = f"{SQLITE_FILE_PREFIX}file:trading.db?mode=ro&uri=true"
    assert parse_database_url(uri).backend is Backend.SQLITE


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("trading.db", "is not a database URL"),
        ("", "is not a database URL"),
        ("mysql://user@host/trading", "selects backend 'mysql', which is not supported"),
        ("oracle+oracledb://u@h/db", "selects backend 'oracle', which is not supported"),
        ("postgresql://user@host/trading", "names no driver; use postgresql+psycopg://"),
        ("postgresql+asyncpg://user@host/trading", "selects driver 'asyncpg'"),
        ("sqlite+pysqlcipher:///trading.db", "selects driver 'pysqlcipher', which is not"),
        (SQLITE_FILE_PREFIX.removesuffix("/"), "names no SQLite file"),
        ("postgresql+psycopg://user@host", "names no PostgreSQL database"),
        ("postgresql+psycopg://user@host:notaport/db", "is not a valid database URL"),
    ],
)
def test_a_bad_url_names_the_variable_the_problem_and_the_accepted_forms(
    url: str, problem: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_database_url(url)

    message = str(raised.value)
    assert message.startswith(f"{DATABASE_URL_VAR}={url!r}")
    assert problem in message
    assert f"accepted forms: {MEMORY_URL}, {SQLITE_FILE_PREFIX}PATH.db" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:S3cr/et@db.example.com/prod",
        "mysql://app:S3cr/et@db.example.com/prod",
        "postgresql+psycopg://app:S3cr/et@db.example.com:notaport/prod",
    ],
)
def test_a_refused_url_is_shown_without_its_password(url: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_database_url(url)

    assert "S3cr/et" not in str(raised.value)
    assert "//app:***@db.example.com" in str(raised.value)
    assert redacted("memory://") == "memory://"


def test_a_password_with_an_at_sign_or_given_as_an_option_is_masked() -> None:
    assert redacted("postgresql+psycopg://u:p@ss@host/db") == "postgresql+psycopg://u:***@host/db"
    assert redacted("postgresql+psycopg://h/db?user=u&password=s3cr3t&sslmode=require") == (
        "postgresql+psycopg://h/db?user=u&password=***&sslmode=require"
    )


def test_the_environment_variable_is_read_and_an_explicit_url_wins() -> None:
    environ = {DATABASE_URL_VAR: f"{SQLITE_FILE_PREFIX}from-env.db"}

    assert database_settings(environ).url == f"{SQLITE_FILE_PREFIX}from-env.db"
    assert database_settings(environ, override=MEMORY_URL).backend is Backend.MEMORY


def test_without_a_url_the_memory_backend_is_used() -> None:
    assert database_settings({}).backend is Backend.MEMORY
    assert database_settings({DATABASE_URL_VAR: "  "}).backend is Backend.MEMORY


def test_an_explicit_bad_url_is_blamed_on_the_option() -> None:
    with pytest.raises(ConfigurationError, match=r"^--database-url='nope'"):
        database_settings({}, override="nope")
