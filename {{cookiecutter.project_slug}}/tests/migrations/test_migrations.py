"""Migrations on SQLite and PostgreSQL: one head, clean up and down, and they match the models.

Each step runs on a connection of this flavour's engine (`database.Database`).
"""

from alembic.script import ScriptDirectory

from {{ cookiecutter.package_name }}.adapters.sqla.migration_state import (
    alembic_config,
    current_revisions,
)

from .database import Database
from .steps import (
    APPLICATION_TABLES,
    application_tables,
    check,
    differences,
    downgrade,
    heads,
    upgrade,
)


def test_there_is_a_single_head() -> None:
    assert len(heads()) == 1


def test_upgrade_from_empty_creates_every_table(empty_database: Database) -> None:
    assert empty_database.run(application_tables) == set()

    empty_database.run(upgrade())

    assert empty_database.run(application_tables) == APPLICATION_TABLES
    assert empty_database.run(current_revisions) == heads()


def test_downgrade_to_base_and_back_up(empty_database: Database) -> None:
    empty_database.run(upgrade())
    empty_database.run(downgrade("base"))
    assert empty_database.run(application_tables) == set()

    empty_database.run(upgrade())
    assert empty_database.run(application_tables) == APPLICATION_TABLES


def test_each_step_goes_down_and_up_again(empty_database: Database) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    for revision in reversed(list(script.walk_revisions())):
        empty_database.run(upgrade(revision.revision))
        down = revision.down_revision or "base"
        assert isinstance(down, str), f"{revision.revision} merges branches"
        empty_database.run(downgrade(down))
        empty_database.run(upgrade(revision.revision))


def test_models_match_the_migrations(empty_database: Database) -> None:
    empty_database.run(upgrade())

    assert empty_database.run(differences) == []


def test_alembic_check_finds_nothing_to_generate(empty_database: Database) -> None:
    empty_database.run(upgrade())

    empty_database.run(check)
