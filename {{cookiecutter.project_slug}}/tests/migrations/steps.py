"""Migration steps and read-outs on a `Connection`, for `Database.run` in both flavours."""

from collections.abc import Callable

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from {{ cookiecutter.package_name }}.adapters.sqla.migration_state import alembic_config
from {{ cookiecutter.package_name }}.adapters.sqla.tables import metadata

APPLICATION_TABLES = {"instruments", "orders", "trades", "positions", "bars"}


def heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade(revision: str = "head") -> Callable[[Connection], None]:
    return lambda connection: command.upgrade(alembic_config(connection), revision)


def downgrade(revision: str) -> Callable[[Connection], None]:
    return lambda connection: command.downgrade(alembic_config(connection), revision)


def application_tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) & APPLICATION_TABLES


def differences(connection: Connection) -> list[object]:
    """What autogenerate would change to make the database match the models."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def check(connection: Connection) -> None:
    """`alembic check`: raises when autogenerate would write a new revision."""
    command.check(alembic_config(connection))
