"""Alembic environment on the async engine: the URL comes from the application's settings.

Programmatic use and tests may instead pass a synchronous `Connection` in
`config.attributes["connection"]`, e.g. from `await async_connection.run_sync(...)`.
"""

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

from {{ cookiecutter.package_name }}.adapters.sqla.alembic_environment import (
    configured_url,
    run_offline,
    run_on,
)
from {{ cookiecutter.package_name }}.adapters.sqla.engines import with_transactional_sqlite_ddl

config = context.config


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    asyncio.run(run_through_async_engine(configured_url()))


async def run_through_async_engine(url: str) -> None:
    engine = with_transactional_sqlite_ddl(create_async_engine(url, poolclass=pool.NullPool))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_on)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_offline(configured_url())
else:
    run_online()
