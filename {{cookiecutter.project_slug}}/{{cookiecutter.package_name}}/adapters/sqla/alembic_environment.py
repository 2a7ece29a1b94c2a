"""What both flavours' Alembic `env.py` do once they have a connection or a URL.

Call these only while Alembic runs an environment script: `alembic.context` is set up then.
"""

import os
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from alembic.util import CommandError
from sqlalchemy import Connection
from sqlalchemy.types import TypeDecorator

from ...errors import ConfigurationError
from ...settings import DATABASE_URL_VAR, database_settings, redacted
from .tables import metadata


def configured_url() -> str:
    """The database URL of the application's settings, or Alembic's `CommandError` (which its
    command line reports in one line) for a bad URL or the memory backend."""
    try:
        settings = database_settings(os.environ)
    except ConfigurationError as error:
        raise CommandError(str(error)) from None
    if not settings.needs_migrations:
        raise CommandError(
            f"{redacted(settings.url)} needs no migrations: the memory backend creates its "
            "schema at "
            f"start; set {DATABASE_URL_VAR} to the SQLite or PostgreSQL database to migrate"
        )
    return settings.url


def render_item(kind: str, item: Any, _context: AutogenContext) -> str | Literal[False]:
    """Render the application's column types as their plain SQLAlchemy base in new revisions."""
    if kind == "type" and isinstance(item, TypeDecorator):
        return f"sa.{item.impl!r}"
    return False


def run_on(connection: Connection) -> None:
    """Run the migrations on an open synchronous connection."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline(url: str) -> None:
    """Write the migrations' SQL for `url` instead of running it."""
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()
