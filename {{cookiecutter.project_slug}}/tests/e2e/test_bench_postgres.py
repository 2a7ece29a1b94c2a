"""`bench --postgres-url` on a real PostgreSQL: the bench only ever changes a database of its own.

Each test gets a new database on the test server ({{ cookiecutter.env_prefix }}_TEST_DATABASE_URL),
dropped afterwards; the bench refuses the test database itself.
"""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, pool, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner, Result

from {{ cookiecutter.package_name }}.adapters.sqla.migrator import AlembicMigrator
from {{ cookiecutter.package_name }}.bench.backends import BENCH_POSTGRES_URL_VAR
from {{ cookiecutter.package_name }}.bench.dedicated import BENCH_MARKER_TABLE
from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.settings import DATABASE_URL_VAR

from ..support import postgresql_test_url

pytestmark = pytest.mark.backend("postgresql")

QUICK = (
    "--bars", "200", "--repeat", "1", "--no-micro", "--no-scale",
)  # fmt: skip
MICRO = (
    "--bars", "200", "--repeat", "1", "--micro-ops", "20", "--micro-rounds", "1",
    "--micro-orders", "10", "--bulk-rows", "300", "--bulk-rounds", "1", "--micro-passes", "1",
    "--no-scale",
)  # fmt: skip


def synchronous(url: URL) -> URL:
    """The URL with psycopg's synchronous driver, for the tests' own look at the database."""
    return url.set(drivername="postgresql+psycopg")


@pytest.fixture
def scratch_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The URL of a new, empty database on the PostgreSQL test server, dropped afterwards."""
    monkeypatch.delenv(BENCH_POSTGRES_URL_VAR, raising=False)
    server = make_url(postgresql_test_url())
    admin = create_engine(
        synchronous(server), isolation_level="AUTOCOMMIT", poolclass=pool.NullPool
    )
    name = f"bench_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as error:
        admin.dispose()
        pytest.skip(f"cannot create a database for the bench on the test server: {error.orig}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def scratch(scratch_url: str) -> Iterator[Engine]:
    """A synchronous engine on the scratch database, for setting it up and looking at it."""
    engine = create_engine(synchronous(make_url(scratch_url)), poolclass=pool.NullPool)
    yield engine
    engine.dispose()


def bench(url: str, out: Path, options: tuple[str, ...] = QUICK) -> Result:
    return CliRunner().invoke(app, ["bench", *options, "--postgres-url", url, "--out", str(out)])


def tables(engine: Engine) -> set[str]:
    query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    with engine.connect() as connection:
        return set(connection.execute(text(query)).scalars())


def one_line_refusal(result: Result, url: str) -> str:
    """The bench's single error line; it ran nothing and shows the URL without its password."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "backtest of" not in result.stdout  # refused before any backend ran
    password = make_url(url).password
    assert password and str(password) not in result.output
    assert "***@" in lines[0]
    assert "nothing was changed" in lines[0]
    assert BENCH_POSTGRES_URL_VAR in lines[0]
    return lines[0]


def test_the_applications_own_database_is_refused_and_keeps_its_data(
    scratch_url: str, scratch: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    AlembicMigrator(scratch_url, needs_migrations=True).upgrade()
    with scratch.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO instruments (symbol, tick_size, multiplier, currency, quantity_step) "
                "VALUES ('ES', 0.25, 50, 'USD', 1)"
            )
        )
    # The same database, written differently: another host name for the local server.
    app_url = make_url(scratch_url).set(host="localhost").render_as_string(hide_password=False)
    monkeypatch.setenv(DATABASE_URL_VAR, app_url)

    result = bench(scratch_url, tmp_path)

    line = one_line_refusal(result, scratch_url)
    assert f"names the same database as {DATABASE_URL_VAR}" in line
    assert f"database {make_url(scratch_url).database!r}" in line
    with scratch.connect() as connection:
        assert connection.execute(text("SELECT symbol FROM instruments")).scalars().all() == ["ES"]
    assert BENCH_MARKER_TABLE not in tables(scratch)


def test_the_applications_tables_without_the_benchs_mark_are_refused(
    scratch_url: str, scratch: Engine, tmp_path: Path
) -> None:
    AlembicMigrator(scratch_url, needs_migrations=True).upgrade()
    before = tables(scratch)

    line = one_line_refusal(bench(scratch_url, tmp_path), scratch_url)

    assert f"did not create (it has no {BENCH_MARKER_TABLE} table" in line
    assert "public.orders" in line
    assert tables(scratch) == before


def test_a_database_with_a_foreign_table_is_refused_and_keeps_its_data(
    scratch_url: str, scratch: Engine, tmp_path: Path
) -> None:
    with scratch.begin() as connection:
        connection.execute(text("CREATE TABLE orders (id integer PRIMARY KEY, note text)"))
        connection.execute(text("INSERT INTO orders VALUES (1, 'keep me')"))

    line = one_line_refusal(bench(scratch_url, tmp_path), scratch_url)

    assert "holding tables the bench did not create" in line
    assert line.endswith("nothing was changed") and ": public.orders;" in line
    with scratch.connect() as connection:
        rows = connection.execute(text("SELECT id, note FROM orders")).all()
    assert [tuple(row) for row in rows] == [(1, "keep me")]
    assert tables(scratch) == {"orders"}


def test_an_empty_database_becomes_the_benchs_and_is_reused_but_not_once_shared(
    scratch_url: str, scratch: Engine, tmp_path: Path
) -> None:
    first = bench(scratch_url, tmp_path, MICRO)
    assert first.exit_code == 0, first.output
    assert "PostgreSQL run 1:" in first.stdout
    assert BENCH_MARKER_TABLE in tables(scratch)

    second = bench(scratch_url, tmp_path)

    assert second.exit_code == 0, second.output
    assert "PostgreSQL run 1:" in second.stdout
    assert {BENCH_MARKER_TABLE, "alembic_version", "orders", "bars"} <= tables(scratch)

    with scratch.begin() as connection:  # someone else's table, in another schema
        connection.execute(text("CREATE SCHEMA reports"))
        connection.execute(text("CREATE TABLE reports.daily (day date)"))

    line = one_line_refusal(bench(scratch_url, tmp_path), scratch_url)

    assert "holding tables the bench did not create: reports.daily;" in line
