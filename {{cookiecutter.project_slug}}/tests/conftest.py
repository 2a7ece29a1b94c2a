"""Fixtures shared by every test tier: backends, isolated units of work, a clock and ids.

Tests never read the developer's own database: the database variable is removed for the whole run,
and PostgreSQL is only used through {{ cookiecutter.env_prefix }}_TEST_DATABASE_URL.
"""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

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
) -> Iterator[Container]:
    """A container per backend for the whole run, its database migrated to head once."""
    container = migrated_container(request.param, tmp_path_factory.mktemp(request.param))
    yield container
    container.shutdown_resources()


@pytest.fixture
def engine(backend_container: Container) -> Engine:
    return backend_container.migrated_engine()


@pytest.fixture
def container(backend_container: Container, engine: Engine) -> Iterator[Container]:
    """The backend's container; its sessions run in an outer transaction rolled back at the end."""
    with engine.connect() as connection:
        outer = connection.begin()
        factory = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        with isolated(backend_container, factory):
            yield backend_container
        outer.rollback()
