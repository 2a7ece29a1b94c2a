"""Migrations on SQLite and PostgreSQL: one head, clean up and down, and they match the models."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect

from {{ cookiecutter.package_name }}.adapters.sqla.migration_state import (
    alembic_config,
    current_revisions,
)
from {{ cookiecutter.package_name }}.adapters.sqla.tables import metadata

from ..support import postgresql_test_url

APPLICATION_TABLES = {"instruments", "orders", "trades", "positions", "bars"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database with none of the application's tables."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
    else:
        engine = create_engine(postgresql_test_url())
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
    yield engine
    if request.param == "postgresql":
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
    engine.dispose()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def application_tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) & APPLICATION_TABLES


def test_there_is_a_single_head() -> None:
    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


def test_upgrade_from_empty_creates_every_table(empty_engine: Engine) -> None:
    assert application_tables(empty_engine) == set()

    upgrade(empty_engine)

    assert application_tables(empty_engine) == APPLICATION_TABLES
    with empty_engine.connect() as connection:
        assert current_revisions(connection) == set(
            ScriptDirectory.from_config(alembic_config()).get_heads()
        )


def test_downgrade_to_base_and_back_up(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert application_tables(empty_engine) == set()

    upgrade(empty_engine)
    assert application_tables(empty_engine) == APPLICATION_TABLES


def test_each_step_goes_down_and_up_again(empty_engine: Engine) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    for revision in reversed(list(script.walk_revisions())):
        upgrade(empty_engine, revision.revision)
        downgrade(empty_engine, revision.down_revision or "base")
        upgrade(empty_engine, revision.revision)


def test_models_match_the_migrations(empty_engine: Engine) -> None:
    upgrade(empty_engine)

    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert differences == []


def test_alembic_check_finds_nothing_to_generate(empty_engine: Engine) -> None:
    upgrade(empty_engine)

    with empty_engine.connect() as connection:
        command.check(alembic_config(connection))
