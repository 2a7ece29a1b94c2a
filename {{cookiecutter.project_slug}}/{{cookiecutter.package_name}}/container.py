"""The composition root: binds the adapters to the ports, backend chosen by configuration."""

import os
from collections.abc import Mapping

from dependency_injector import containers, providers
from sqlalchemy.orm import Session, sessionmaker

from .adapters.id_generators import UuidIdGenerator
from .adapters.memory.session import MemorySession
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
        memory=providers.Resource(engines.memory_engine, url=config.database.url),
        sqlite=providers.Resource(engines.sqlite_engine, url=config.database.url),
        postgresql=providers.Resource(engines.postgresql_engine, url=config.database.url),
    )
    migrator = providers.Factory(
        AlembicMigrator, url=config.database.url, needs_migrations=config.database.needs_migrations
    )
    migrated_engine = providers.Singleton(
        engines.migrated, engine=engine, needs_migrations=config.database.needs_migrations
    )
    session_class = providers.Selector(
        config.database.backend,
        memory=providers.Object(MemorySession),
        sqlite=providers.Object(Session),
        postgresql=providers.Object(Session),
    )
    session_factory = providers.Singleton(
        sessionmaker, bind=migrated_engine, expire_on_commit=False, class_=session_class
    )
    unit_of_work = providers.Factory(SqlAlchemyUnitOfWork, session_factory=session_factory)
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidIdGenerator)


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
