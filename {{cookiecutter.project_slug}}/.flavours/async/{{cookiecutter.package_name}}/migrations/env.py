"""Alembic environment on the async engine: the URL comes from the application's settings.

Programmatic use and tests may instead pass a synchronous `Connection` in
`config.attributes["connection"]`, e.g. from `await async_connection.run_sync(...)`.
"""

import asyncio
import os
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.types import TypeDecorator

from {{ cookiecutter.package_name }}.adapters.sqla.tables import metadata
from {{ cookiecutter.package_name }}.errors import ConfigurationError
from {{ cookiecutter.package_name }}.settings import database_settings

config = context.config


def render_item(kind: str, item: Any, _context: AutogenContext) -> str | Literal[False]:
    """Render the application's column types as their plain SQLAlchemy base in new revisions."""
    if kind == "type" and isinstance(item, TypeDecorator):
        return f"sa.{item.impl!r}"
    return False


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def configured_url() -> str:
    settings = database_settings(os.environ)
    if not settings.needs_migrations:
        raise ConfigurationError(
            f"{settings.url} needs no migrations: the memory backend creates its schema at start"
        )
    return settings.url


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    asyncio.run(run_through_async_engine(configured_url()))


async def run_through_async_engine(url: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_on)
    finally:
        await engine.dispose()


def run_offline() -> None:
    context.configure(
        url=configured_url(),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
