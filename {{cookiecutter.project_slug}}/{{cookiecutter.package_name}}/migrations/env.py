"""Alembic environment: the URL comes from the application's settings or a given connection."""

from alembic import context
from sqlalchemy import create_engine, pool

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
    engine = with_transactional_sqlite_ddl(create_engine(configured_url(), poolclass=pool.NullPool))
    with engine.connect() as new_connection:
        run_on(new_connection)
    engine.dispose()


if context.is_offline_mode():
    run_offline(configured_url())
else:
    run_online()
