"""Fixtures shared by every test tier: backends, isolated units of work, a clock and ids.

Tests never read the developer's own database: the database variable is removed for the whole run,
and PostgreSQL is only used through {{ cookiecutter.env_prefix }}_TEST_DATABASE_URL.

Each test runs in its own event loop, so each test opens the engine and disposes of it at the end
(pooled async connections belong to the loop that opened them).
"""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from dependency_injector import providers
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from {{ cookiecutter.package_name }}.adapters.id_generators import SequentialIdGenerator
from {{ cookiecutter.package_name }}.adapters.sqla import engines
from {{ cookiecutter.package_name }}.container import Container, configure
from {{ cookiecutter.package_name }}.settings import (
    DATABASE_URL_VAR,
    TEST_DATABASE_URL_VAR,
    DatabaseSettings,
    parse_database_url,
)

from .support import SteppingClock, postgresql_test_url

BACKENDS = ["memory", "sqlite", "postgresql"]


@pytest.fixture(scope="session", autouse=True)
def _no_developer_database() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(DATABASE_URL_VAR, raising=False)
        yield


def backend_settings(backend: str, tmp_dir: Path) -> DatabaseSettings:
    if backend == "memory":
        return parse_database_url("memory+asyncio://")
    if backend == "sqlite":
        return parse_database_url(f"sqlite+aiosqlite:///{tmp_dir / 'test.db'}")
    return parse_database_url(postgresql_test_url(), source=TEST_DATABASE_URL_VAR)


@pytest.fixture(scope="session", params=BACKENDS)
def backend_container(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Container:
    """A container per backend for the whole run, its database migrated to head once."""
    settings = backend_settings(request.param, tmp_path_factory.mktemp(request.param))
    container = configure(Container(), settings)
    if settings.needs_migrations:
        container.migrator().upgrade("head")
    return container


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
        isolated = async_sessionmaker(
            bind=connection,
            class_=backend_container.session_class(),
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
        )
        with (
            backend_container.session_factory.override(providers.Object(isolated)),
            backend_container.ids.override(providers.Singleton(SequentialIdGenerator)),
            backend_container.clock.override(providers.Singleton(SteppingClock)),
        ):
            yield backend_container
        await outer.rollback()


BACKEND_PARAMETERS = ("backend_container", "empty_engine")


@pytest.fixture(autouse=True)
def _record_backend(request: pytest.FixtureRequest) -> None:
    """Tag each test with the backend it ran on, from its parameters or a `backend` marker."""
    callspec = getattr(request.node, "callspec", None)
    params = callspec.params if callspec is not None else {}
    backends = [params[name] for name in BACKEND_PARAMETERS if name in params]
    backends += [marker.args[0] for marker in request.node.iter_markers("backend")]
    for backend in backends:
        request.node.user_properties.append(("backend", backend))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line saying how many tests passed on each backend, so a skipped backend shows."""
    counts = dict.fromkeys(BACKENDS, 0)
    for report in terminalreporter.stats.get("passed", []):
        if report.when != "call":
            continue
        for key, value in report.user_properties:
            if key == "backend":
                counts[value] += 1
    summary = ", ".join(f"{backend} {count} passed" for backend, count in counts.items())
    terminalreporter.write_line(f"backend tests: {summary}")
