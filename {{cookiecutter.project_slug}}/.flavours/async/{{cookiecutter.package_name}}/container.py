"""The composition root: binds the async adapters to the ports, backend chosen by configuration.

Building the container opens nothing; `async with opened(container)` readies the database
(schema created or checked) and disposes of the engine on the way out.
"""

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .adapters.id_generators import UuidIdGenerator
from .adapters.memory.asyncio import InlineAsyncSession
from .adapters.sqla import engines
from .adapters.sqla.mapping import start_mappers
from .adapters.sqla.migrator import AlembicMigrator
from .adapters.sqla.unit_of_work import SqlAlchemyUnitOfWork
from .adapters.system_clock import SystemClock
from .settings import DatabaseSettings, database_settings

# Mapped on import, so a domain object made before the first engine can still be stored.
start_mappers()


class Container(containers.DeclarativeContainer):
    config = providers.Configuration(strict=True)

    engine = providers.Selector(
        config.database.backend,
        memory=providers.Singleton(engines.memory_engine, url=config.database.url),
        sqlite=providers.Singleton(engines.sqlite_engine, url=config.database.url),
        postgresql=providers.Singleton(engines.postgresql_engine, url=config.database.url),
    )
    migrator = providers.Factory(
        AlembicMigrator, url=config.database.url, needs_migrations=config.database.needs_migrations
    )
    session_class = providers.Selector(
        config.database.backend,
        memory=providers.Object(InlineAsyncSession),
        sqlite=providers.Object(AsyncSession),
        postgresql=providers.Object(AsyncSession),
    )
    session_factory = providers.Singleton(
        async_sessionmaker, bind=engine, class_=session_class, expire_on_commit=False
    )
    unit_of_work = providers.Factory(SqlAlchemyUnitOfWork, session_factory=session_factory)
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidIdGenerator)


@asynccontextmanager
async def opened(container: Container) -> AsyncIterator[Container]:
    """The container with its database ready; the engine is disposed of on the way out."""
    engine = container.engine()
    try:
        await engines.prepare(engine, container.config.database.needs_migrations())
        yield container
    finally:
        await engine.dispose()


def configure(container: Container, settings: DatabaseSettings) -> Container:
    container.config.from_dict(
        {
            "database": {
                "url": settings.url,
                "backend": settings.backend.value,
                "needs_migrations": settings.needs_migrations,
            }
        }
    )
    return container


def build_container(
    *, database_url: str | None = None, environ: Mapping[str, str] | None = None
) -> Container:
    """A container configured from an explicit URL or the environment; nothing is opened yet."""
    settings = database_settings(os.environ if environ is None else environ, override=database_url)
    return configure(Container(), settings)
