"""The bench refuses a PostgreSQL URL naming the application's or the tests' database."""

import pytest

from {{ cookiecutter.package_name }}.bench.backends import BenchBackend, check_dedicated
from {{ cookiecutter.package_name }}.bench.dedicated import check_not_shared
from {{ cookiecutter.package_name }}.errors import ConfigurationError
from {{ cookiecutter.package_name }}.settings import DATABASE_URL_VAR, TEST_DATABASE_URL_VAR

BENCH = "postgresql+psycopg://bench:secret@127.0.0.1:5432/app"


@pytest.mark.parametrize(
    "other",
    [
        BENCH,
        "postgresql+psycopg://someone:else@localhost/app",  # default port, another user
        "postgresql+psycopg_async://u:p@[::1]:5432/app?sslmode=disable",
        "postgresql+psycopg://u:p@/app?host=/var/run/postgresql",  # the local server's socket
    ],
)
@pytest.mark.parametrize("var", [DATABASE_URL_VAR, TEST_DATABASE_URL_VAR])
def test_the_same_host_port_and_database_is_refused_however_written(other: str, var: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        check_not_shared(BENCH, {var: other})

    message = str(refused.value)
    assert message.startswith(
        "the bench PostgreSQL URL 'postgresql+psycopg://bench:***@127.0.0.1:5432/app' names the "
        f"same database as {var} (the same host, port 5432 and database 'app')"
    )
    assert "secret" not in message and "\n" not in message
    assert message.endswith("nothing was changed")


@pytest.mark.parametrize(
    "other",
    [
        "postgresql+psycopg://bench:secret@127.0.0.1:5432/app_bench",  # another database
        "postgresql+psycopg://bench:secret@127.0.0.1:5433/app",  # another server
        "postgresql+psycopg://bench:secret@db.example.com:5432/app",
        "memory://",
        "sqlite:///app",
        "not a url",
        "",
    ],
)
def test_another_database_passes(other: str) -> None:
    check_not_shared(BENCH, {DATABASE_URL_VAR: other, TEST_DATABASE_URL_VAR: other})


def test_the_check_runs_before_the_bench_reaches_the_database() -> None:
    # Nothing listens on this port: the refusal comes first, from the URLs alone.
    url = "postgresql+psycopg://u:p@localhost:1/app"
    backends = [BenchBackend("postgresql", "PostgreSQL", url)]

    with pytest.raises(ConfigurationError, match=f"same database as {DATABASE_URL_VAR}"):
        check_dedicated(backends, {DATABASE_URL_VAR: "postgresql+psycopg://x@127.0.0.1:1/app"})


def test_an_unreachable_bench_database_is_named_without_its_password() -> None:
    url = "postgresql+psycopg://u:secret@127.0.0.1:1/bench?connect_timeout=5"

    with pytest.raises(ConfigurationError) as refused:
        check_dedicated([BenchBackend("postgresql", "PostgreSQL", url)], {})

    message = str(refused.value)
    assert message.startswith(
        "the bench PostgreSQL URL 'postgresql+psycopg://u:***@127.0.0.1:1/bench?connect_timeout=5' "
        "cannot be reached: "
    )
    assert "secret" not in message and "\n" not in message
