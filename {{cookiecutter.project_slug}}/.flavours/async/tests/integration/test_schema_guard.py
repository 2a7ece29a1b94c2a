"""The application refuses a SQLite or PostgreSQL database that is not at the latest migration."""

import asyncio
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from {{ cookiecutter.package_name }}.container import build_container, opened
from {{ cookiecutter.package_name }}.database_urls import SQLITE_FILE_PREFIX
from {{ cookiecutter.package_name }}.errors import SchemaNotCurrentError
from {{ cookiecutter.package_name }}.settings import DATABASE_URL_VAR


@pytest.mark.backend("sqlite")
async def test_an_empty_database_is_refused_with_the_way_to_migrate(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "new.db").close()  # an empty SQLite file
    container = build_container(database_url=f"{SQLITE_FILE_PREFIX}{tmp_path / 'new.db'}")

    with pytest.raises(SchemaNotCurrentError) as refused:
        async with opened(container):
            pass

    message = str(refused.value)
    assert "is at an empty schema (no migration applied)" in message
    assert "db upgrade` on the same database URL (or `make migrate`)" in message


@pytest.mark.backend("sqlite")
async def test_a_database_at_an_unknown_revision_is_refused(tmp_path: Path) -> None:
    url = f"{SQLITE_FILE_PREFIX}{tmp_path / 'old.db'}"
    container = build_container(database_url=url)
    # The migrator runs its own event loop, so it gets a thread of its own here.
    await asyncio.to_thread(container.migrator().upgrade, "head")
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    await engine.dispose()

    with pytest.raises(SchemaNotCurrentError, match="is at f00dfeed, which this code does not"):
        async with opened(container):
            pass


@pytest.mark.backend("sqlite")
async def test_a_missing_sqlite_file_is_refused_and_not_created(tmp_path: Path) -> None:
    container = build_container(database_url=f"{SQLITE_FILE_PREFIX}{tmp_path / 'typo.db'}")

    with pytest.raises(
        SchemaNotCurrentError, match=r"no SQLite database at .*typo\.db; .* creates"
    ):
        async with opened(container):
            pass

    assert not (tmp_path / "typo.db").exists()


@pytest.mark.backend("sqlite")
async def test_a_migrated_database_is_accepted(tmp_path: Path) -> None:
    container = build_container(database_url=f"{SQLITE_FILE_PREFIX}{tmp_path / 'ready.db'}")
    await asyncio.to_thread(container.migrator().upgrade, "head")

    async with opened(container), container.unit_of_work() as uow:
        assert await uow.orders.count() == 0


def test_tests_never_see_the_developers_database_url() -> None:
    assert DATABASE_URL_VAR not in os.environ
