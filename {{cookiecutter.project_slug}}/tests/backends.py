"""The backends every test tier runs on, shared by both flavours' conftest.

Which database each backend uses, a container migrated once per run, the overrides that isolate a
test (with its clock and ids), and the summary line that counts the tests passed per backend
(fixtures and a hook that the conftest imports, so pytest finds them there).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from dependency_injector import providers

from {{ cookiecutter.package_name }}.adapters.id_generators import SequentialIdGenerator
from {{ cookiecutter.package_name }}.adapters.memory import shapes
from {{ cookiecutter.package_name }}.container import Container, configure
from {{ cookiecutter.package_name }}.database_urls import MEMORY_URL, SQLITE_FILE_PREFIX
from {{ cookiecutter.package_name }}.services.ports import Clock, IdGenerator
from {{ cookiecutter.package_name }}.settings import (
    DATABASE_URL_VAR,
    TEST_DATABASE_URL_VAR,
    DatabaseSettings,
    parse_database_url,
)

from .support import SteppingClock, postgresql_test_url

BACKENDS = ["memory", "sqlite", "postgresql"]
BACKEND_PARAMETERS = ("backend_container", "empty_database")
"""Fixtures whose parameter is the backend a test runs on."""


def backend_settings(backend: str, tmp_dir: Path) -> DatabaseSettings:
    if backend == "memory":
        return parse_database_url(MEMORY_URL)
    if backend == "sqlite":
        return parse_database_url(f"{SQLITE_FILE_PREFIX}{tmp_dir / 'test.db'}")
    return parse_database_url(postgresql_test_url(), source=TEST_DATABASE_URL_VAR)


def migrated_container(backend: str, tmp_dir: Path) -> Container:
    """A container for the backend, its database (if it has migrations) at the latest one."""
    settings = backend_settings(backend, tmp_dir)
    container = configure(Container(), settings)
    if settings.needs_migrations:
        container.migrator().upgrade("head")
    return container


@contextmanager
def isolated(container: Container, session_factory: object) -> Iterator[Container]:
    """The container with sessions from ``session_factory``, sequential ids and a stepping clock."""
    with (
        container.session_factory.override(providers.Object(session_factory)),
        container.ids.override(providers.Singleton(SequentialIdGenerator)),
        container.clock.override(providers.Singleton(SteppingClock)),
    ):
        yield container


@pytest.fixture
def clock(container: Container) -> Clock:
    return container.clock()


@pytest.fixture
def ids(container: Container) -> IdGenerator:
    return container.ids()


@pytest.fixture(scope="session", autouse=True)
def _no_developer_database() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(DATABASE_URL_VAR, raising=False)
        yield


@pytest.fixture(autouse=True, scope="session")
def _verified_fingerprints() -> Iterator[None]:
    """Every statement a fingerprint answers for on `memory://` is checked against its own
    cache key (`adapters/memory/shapes.py`)."""
    shapes.VERIFY = True
    yield
    shapes.VERIFY = False


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
