"""Alembic plumbing: where the migrations live, and whether a database is at their head."""

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from ...errors import SchemaNotCurrentError
from .sqlite_files import missing_database

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the packaged migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def unknown_revisions(revisions: set[str]) -> set[str]:
    """The revisions no migration of this code has: the database was migrated by another."""
    script = ScriptDirectory.from_config(alembic_config())
    known = {revision.revision for revision in script.walk_revisions()}
    return revisions - known


def require_current_schema(engine: Engine) -> None:
    """Raise `SchemaNotCurrentError` unless the database is at the head revision."""
    missing = missing_database(engine.url)
    if missing is not None:
        raise SchemaNotCurrentError(missing)
    with engine.connect() as connection:
        current = current_revisions(connection)
    heads = head_revisions()
    if current == heads:
        return
    shown = engine.url.render_as_string(hide_password=True)
    where = ", ".join(sorted(current)) or "an empty schema (no migration applied)"
    unknown = unknown_revisions(current)
    if unknown:
        raise SchemaNotCurrentError(
            f"the database {shown} is at {where}, which this code does not know (a newer "
            f"version of it migrated the database?); it needs revision {', '.join(sorted(heads))}"
            ": use the version that migrated it, or another database"
        )
    raise SchemaNotCurrentError(
        f"the database {shown} is at {where}, "
        f"but the code needs revision {', '.join(sorted(heads))}: "
        "run `{{ cookiecutter.project_slug }} db upgrade` on the same database URL "
        "(or `make migrate`) first"
    )
