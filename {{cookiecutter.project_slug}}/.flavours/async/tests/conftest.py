"""Fixtures shared by every test tier: backends, isolated units of work, a clock and ids.

Tests never read the developer's own database: the database variable is removed for the whole run,
and PostgreSQL is only used through {{ cookiecutter.env_prefix }}_TEST_DATABASE_URL.

Each test runs in its own event loop, so each test opens the engine and disposes of it at the end
(pooled async connections belong to the loop that opened them).
"""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from {{ cookiecutter.package_name }}.adapters.sqla import engines
from {{ cookiecutter.package_name }}.container import Container

# Fixtures and the summary hook both flavours share; pytest finds them here by name.
from .backends import (  # noqa: F401
    BACKENDS,
    _no_developer_database,
    _record_backend,
    _verified_fingerprints,
    clock,
    ids,
    isolated,
    migrated_container,
    pytest_terminal_summary,
)


@pytest.fixture(scope="session", params=BACKENDS)
def backend_container(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Container:
    """A container per backend for the whole run, its database migrated to head once."""
    return migrated_container(request.param, tmp_path_factory.mktemp(request.param))


@pytest.fixture
async def engine(backend_container: Container) -> AsyncIterator[AsyncEngine]:
    """The backend's engine, ready for this test's loop; disposed of afterwards."""
    engine = backend_container.engine()
    await engines.prepare(engine, backend_container.config.database.needs_migrations())
    yield engine
    await engine.dispose()


@pytest.fixture
async def container(backend_container: Container, engine: AsyncEngine) -> AsyncIterator[Container]:
    """The backend's container; its sessions run in an outer transaction rolled back at the end."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        factory = async_sessionmaker(
            bind=connection,
            class_=backend_container.session_class(),
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
        )
        with isolated(backend_container, factory):
            yield backend_container
        await outer.rollback()
