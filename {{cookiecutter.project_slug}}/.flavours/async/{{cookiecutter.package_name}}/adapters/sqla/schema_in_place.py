"""Migrations run on a connection of an engine already open, for databases no one else can reach.

A `sqlite+aiosqlite:///:memory:` database lives in the connection of its engine: the migrator's
own engine would see another, empty database. Running the migrations through the engine itself
is the deliberate way to give such a database its schema.
"""

from alembic import command
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from ...errors import ConfigurationError
from .migration_state import alembic_config


def is_sqlite_memory(engine: AsyncEngine) -> bool:
    """True for a private in-memory SQLite database (`:memory:` or no file at all)."""
    url = engine.url
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


async def upgrade_in_place(engine: AsyncEngine) -> None:
    """Migrate an in-memory SQLite database to the latest revision through its own engine."""
    if engine.dialect.name == "memory":
        raise ConfigurationError(
            "the memory backend needs no schema step: "
            "its tables are created when the process starts"
        )
    if not is_sqlite_memory(engine):
        raise ConfigurationError(
            f"creating the schema in place is only for sqlite+aiosqlite:///:memory:, not "
            f"{engine.url.render_as_string(hide_password=True)}; migrate it with "
            "`{{ cookiecutter.project_slug }} db upgrade` instead"
        )
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade_to_head)


def _upgrade_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
