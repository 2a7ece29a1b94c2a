"""The application refuses a SQLite or PostgreSQL database that is not at the latest migration."""

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from {{ cookiecutter.package_name }}.container import build_container
from {{ cookiecutter.package_name }}.database_urls import SQLITE_FILE_PREFIX
from {{ cookiecutter.package_name }}.errors import SchemaNotCurrentError
from {{ cookiecutter.package_name }}.settings import DATABASE_URL_VAR


@pytest.mark.backend("sqlite")
def test_an_empty_database_is_refused_with_the_way_to_migrate(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "new.db").close()  # an empty SQLite file
    container = build_container(database_url=f"{SQLITE_FILE_PREFIX}{tmp_path / 'new.db'}")

    with pytest.raises(SchemaNotCurrentError) as refused:
        container.unit_of_work()

    message = str(refused.value)
    assert "is at an empty schema (no migration applied)" in message
    assert "db upgrade` on the same database URL (or `make migrate`)" in message
    container.shutdown_resources()


@pytest.mark.backend("sqlite")
def test_a_database_at_an_unknown_revision_is_refused(tmp_path: Path) -> None:
    url = f"{SQLITE_FILE_PREFIX}{tmp_path / 'old.db'}"
    container = build_container(database_url=url)
    container.migrator().upgrade("head")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    engine.dispose()

    with pytest.raises(SchemaNotCurrentError, match="is at f00dfeed, which this code does not"):
        container.unit_of_work()
    container.shutdown_resources()


@pytest.mark.backend("sqlite")
def test_a_missing_sqlite_file_is_refused_and_not_created(tmp_path: Path) -> None:
    container = build_container(database_url=f"{SQLITE_FILE_PREFIX}{tmp_path / 'typo.db'}")

    with pytest.raises(
        SchemaNotCurrentError, match=r"no SQLite database at .*typo\.db; .* creates"
    ):
        container.unit_of_work()

    assert not (tmp_path / "typo.db").exists()
    container.shutdown_resources()


@pytest.mark.backend("sqlite")
def test_a_migrated_database_is_accepted(tmp_path: Path) -> None:
    container = build_container(database_url=f"{SQLITE_FILE_PREFIX}{tmp_path / 'ready.db'}")
    container.migrator().upgrade("head")

    with container.unit_of_work() as uow:
        assert uow.orders.count() == 0
    container.shutdown_resources()


def test_tests_never_see_the_developers_database_url() -> None:
    assert DATABASE_URL_VAR not in os.environ
