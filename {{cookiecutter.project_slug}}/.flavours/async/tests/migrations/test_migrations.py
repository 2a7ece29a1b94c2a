"""Migrations through the async engine on SQLite and PostgreSQL: one head, up and down, models."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from {{ cookiecutter.package_name }}.adapters.sqla.migration_state import (
    alembic_config,
    current_revisions,
)
from {{ cookiecutter.package_name }}.adapters.sqla.tables import metadata
from {{ cookiecutter.package_name }}.settings import DATABASE_URL_VAR

from ..support import postgresql_test_url

APPLICATION_TABLES = {"instruments", "orders", "trades", "positions", "bars"}


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """An async engine on a database with none of the application's tables."""
    if request.param == "sqlite":
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}")
    else:
        engine = create_async_engine(postgresql_test_url())
        await downgrade(engine, "base")
    yield engine
    if request.param == "postgresql":
        await upgrade(engine, "head")
    await engine.dispose()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


async def application_tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return set(names) & APPLICATION_TABLES


def heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_there_is_a_single_head() -> None:
    assert len(heads()) == 1


async def test_upgrade_from_empty_creates_every_table(empty_engine: AsyncEngine) -> None:
    assert await application_tables(empty_engine) == set()

    await upgrade(empty_engine)

    assert await application_tables(empty_engine) == APPLICATION_TABLES
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(current_revisions) == heads()


async def test_downgrade_to_base_and_back_up(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    await downgrade(empty_engine, "base")
    assert await application_tables(empty_engine) == set()

    await upgrade(empty_engine)
    assert await application_tables(empty_engine) == APPLICATION_TABLES


async def test_each_step_goes_down_and_up_again(empty_engine: AsyncEngine) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    for revision in reversed(list(script.walk_revisions())):
        await upgrade(empty_engine, revision.revision)
        await downgrade(empty_engine, revision.down_revision or "base")
        await upgrade(empty_engine, revision.revision)


def differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_models_match_the_migrations(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)

    async with empty_engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_alembic_check_finds_nothing_to_generate(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)

    async with empty_engine.connect() as connection:
        await connection.run_sync(lambda sync: command.check(alembic_config(sync)))


@pytest.mark.backend("sqlite")
def test_without_a_connection_env_runs_on_its_own_async_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'configured.db'}"
    monkeypatch.setenv(DATABASE_URL_VAR, url)

    command.upgrade(alembic_config(), "head")

    async def tables() -> set[str]:
        engine = create_async_engine(url)
        try:
            return await application_tables(engine)
        finally:
            await engine.dispose()

    assert asyncio.run(tables()) == APPLICATION_TABLES


@pytest.mark.backend("sqlite")
def test_without_a_connection_a_sync_url_is_refused_with_the_async_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(DATABASE_URL_VAR, "sqlite:///trading.db")

    with pytest.raises(ValueError, match=r"write it as sqlite\+aiosqlite:///PATH\.db"):
        command.upgrade(alembic_config(), "head")
