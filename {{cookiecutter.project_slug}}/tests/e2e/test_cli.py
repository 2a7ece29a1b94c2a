"""The real command line in a subprocess: migrations, current revision and clear errors."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.database_urls import MEMORY_URL, SQLITE_FILE_PREFIX, SQLITE_MEMORY_URL
from {{ cookiecutter.package_name }}.settings import DATABASE_URL_VAR, TEST_DATABASE_URL_VAR

from ..support import postgresql_test_url

PACKAGE = "{{ cookiecutter.package_name }}"


def cli(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {DATABASE_URL_VAR, TEST_DATABASE_URL_VAR}
    }
    if database_url is not None:
        environ[DATABASE_URL_VAR] = database_url
    return subprocess.run(
        [sys.executable, "-m", PACKAGE, *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


def test_help_lists_the_commands() -> None:
    result = cli("--help")

    db_help = cli("db", "--help")

    assert result.returncode == 0
    assert "db" in result.stdout
    for command in ("upgrade", "downgrade", "current"):
        assert command in db_help.stdout


@pytest.mark.backend("sqlite")
def test_db_upgrade_creates_the_schema_of_a_new_sqlite_file(tmp_path: Path) -> None:
    url = f"{SQLITE_FILE_PREFIX}{tmp_path / 'trading.db'}"

    upgraded = cli("db", "upgrade", database_url=url)
    current = cli("db", "current", database_url=url)

    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "trading.db").is_file()
    assert "(up to date)" in current.stdout


def test_db_downgrade_to_base_leaves_an_empty_schema(tmp_path: Path) -> None:
    url = f"{SQLITE_FILE_PREFIX}{tmp_path / 'trading.db'}"
    cli("db", "upgrade", database_url=url)

    downgraded = cli("db", "downgrade", "base", database_url=url)

    assert downgraded.returncode == 0, downgraded.stderr
    assert "base (empty)" in cli("db", "current", database_url=url).stdout


def test_db_current_check_fails_only_while_the_database_is_behind(tmp_path: Path) -> None:
    url = f"{SQLITE_FILE_PREFIX}{tmp_path / 'trading.db'}"
    cli("db", "upgrade", database_url=url)
    cli("db", "downgrade", "base", database_url=url)

    behind = cli("db", "current", "--check", database_url=url)
    cli("db", "upgrade", database_url=url)
    current = cli("db", "current", "--check", database_url=url)

    assert behind.returncode == 1, behind.stderr
    assert "behind head" in behind.stdout
    assert current.returncode == 0, current.stderr
    assert "(up to date)" in current.stdout


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", f"error: {DATABASE_URL_VAR}='not a url' is not a database URL"),
        ("mysql://u@h/db", "selects backend 'mysql', which is not supported"),
        (MEMORY_URL, "needs no migrations"),
    ],
)
def test_a_bad_database_url_is_one_clear_line(url: str, expected: str) -> None:
    result = cli("db", "upgrade", database_url=url)

    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def assert_one_clear_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("command", "where", "expected"),
    [
        (("db", "upgrade"), "missing-folder/x.db", "no folder"),
        (("db", "downgrade", "base"), "missing.db", "no SQLite database at"),
        (("backtest", "--bars", "10"), "missing.db", "no SQLite database at"),
        (("db", "current"), "notes.txt", "file is not a database"),
        (("backtest", "--bars", "10"), "notes.txt", "file is not a database"),
        (("backtest", "--bars", "10"), None, "URLs take no host"),
    ],
)
def test_a_database_that_fails_is_one_clear_line(
    tmp_path: Path, command: tuple[str, ...], where: str | None, expected: str
) -> None:
    (tmp_path / "notes.txt").write_text("not a database\n" * 100)
    url = f"{MEMORY_URL}host/db" if where is None else f"{SQLITE_FILE_PREFIX}{tmp_path / where}"

    assert_one_clear_line(cli(*command, database_url=url), expected)


@pytest.mark.parametrize("command", [("upgrade",), ("downgrade", "base"), ("current",)])
def test_db_commands_refuse_an_in_memory_sqlite_database(command: tuple[str, ...]) -> None:
    result = cli("db", *command, database_url=SQLITE_MEMORY_URL)

    assert_one_clear_line(result, "new, empty database on every connection")


def test_db_current_names_a_revision_this_code_does_not_know(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    cli("db", "upgrade", database_url=f"{SQLITE_FILE_PREFIX}{path}")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeed'")

    result = cli("db", "current", "--check", database_url=f"{SQLITE_FILE_PREFIX}{path}")

    assert result.returncode == 1, result.stderr
    assert "f00dfeed (unknown to this code" in result.stdout


def test_a_failed_upgrade_leaves_the_sqlite_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "taken.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE orders (note TEXT)")
        connection.commit()

    failed = cli("db", "upgrade", database_url=f"{SQLITE_FILE_PREFIX}{path}")

    assert failed.returncode == 2, failed.stderr
    assert "table orders already exists" in failed.stderr
    with closing(sqlite3.connect(path)) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert [name for (name,) in tables] == ["orders"]  # the migration's DDL rolled back
    current = cli("db", "current", database_url=f"{SQLITE_FILE_PREFIX}{path}")
    assert "base" in current.stdout, current.stderr


def test_a_url_option_the_driver_refuses_is_one_clear_line(tmp_path: Path) -> None:
    url = f"{SQLITE_FILE_PREFIX}{tmp_path / 'x.db'}?timeout=abc"

    assert_one_clear_line(cli("db", "upgrade", database_url=url), "an option its driver refuses")


def test_an_unreachable_bench_postgresql_fails_before_any_run(tmp_path: Path) -> None:
    url = "postgresql+psycopg://bench:S3cret@127.0.0.1:1/bench"  # nothing listens on port 1

    result = cli("bench", "--postgres-url", url, "--out", str(tmp_path / "bench"))

    assert_one_clear_line(result, "the bench PostgreSQL URL")
    assert "cannot be reached" in result.stderr
    assert "S3cret" not in result.stderr
    assert list((tmp_path / "bench").iterdir()) == []  # no results of the other backends


def test_current_on_a_missing_sqlite_file_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"

    result = cli("db", "current", database_url=f"{SQLITE_FILE_PREFIX}{missing}")

    assert_one_clear_line(result, "no SQLite database at")
    assert not missing.exists()


def test_revisions_relative_and_unknown(tmp_path: Path) -> None:
    url = f"{SQLITE_FILE_PREFIX}{tmp_path / 'steps.db'}"
    assert cli("db", "upgrade", database_url=url).returncode == 0

    one_step = cli("db", "downgrade", "-1", database_url=url)
    to_base = cli("db", "downgrade", "-1", database_url=url)

    assert one_step.returncode == 0, one_step.stderr
    assert one_step.stdout == "database at revision 0001\n"
    assert to_base.returncode == 0, to_base.stderr
    assert "base (empty)" in to_base.stdout
    assert_one_clear_line(
        cli("db", "upgrade", "zzz", database_url=url), "Can't locate revision identified by 'zzz'"
    )


def test_the_option_overrides_the_environment(tmp_path: Path) -> None:
    url = f"{SQLITE_FILE_PREFIX}{tmp_path / 'chosen.db'}"

    result = cli("db", "upgrade", "--database-url", url, database_url="mysql://u@h/db")

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "chosen.db").is_file()


@pytest.mark.backend("postgresql")
def test_the_same_command_migrates_postgresql_with_no_code_change() -> None:
    url = postgresql_test_url()

    result = cli("db", "current", database_url=url)
    upgraded = cli("db", "upgrade", database_url=url)

    assert result.returncode == 0, result.stderr
    assert upgraded.returncode == 0, upgraded.stderr
    assert "(up to date)" in cli("db", "current", database_url=url).stdout


@pytest.mark.parametrize("mistyped", ["--datbase-url=sqlite:///x.db", "-h", "--revision"])
def test_a_mistyped_option_of_downgrade_is_no_revision(mistyped: str) -> None:
    result = cli("db", "downgrade", mistyped)

    assert result.returncode == 2, result.stderr
    assert f"{mistyped!r} is no option of this command and no revision" in result.stderr
    assert "Traceback" not in result.stderr
