"""The backends the bench compares, and a fresh, migrated database of each for every run."""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from ..adapters.sqla.migrator import AlembicMigrator
from ..database_urls import MEMORY_URL, SQLITE_FILE_PREFIX, SQLITE_MEMORY_URL
from ..errors import ConfigurationError
from ..settings import Backend, parse_database_url, redacted
from .dedicated import BENCH_POSTGRES_URL_VAR as BENCH_POSTGRES_URL_VAR
from .dedicated import check_not_shared, claim_bench_database

BASELINE = "sqlite-memory"
"""Speedups are measured against this backend."""


@dataclass(frozen=True)
class BenchBackend:
    """One backend of the bench: a short name, a label for tables and how to reach it."""

    name: str
    label: str
    url: str | None
    """Fixed URL, or None for a new SQLite file per run."""
    runner: str | None = None
    """The module whose command line runs the backtests (`python -m`); None: this application."""
    reference_of: str | None = None
    """For a reference row run by another stack: the name of the backend it is compared with."""


@dataclass(frozen=True)
class FreshDatabase:
    """A database ready for one run: its URL, and whether its schema is still to be created."""

    url: str
    create_schema: bool = False
    """True for SQLite in memory, which starts empty in the process that opens it."""

    @property
    def backtest_arguments(self) -> tuple[str, ...]:
        return ("--create-schema",) if self.create_schema else ()


def bench_backends(postgres_url: str | None) -> list[BenchBackend]:
    """The memory backend, SQLite in memory, a SQLite file, and PostgreSQL when a URL is given."""
    backends = [
        BenchBackend("memory", MEMORY_URL, MEMORY_URL),
        BenchBackend(BASELINE, "SQLite :memory:", SQLITE_MEMORY_URL),
        BenchBackend("sqlite-file", "SQLite file", None),
    ]
    if postgres_url:
        chosen = parse_database_url(postgres_url, source="the bench PostgreSQL URL")
        if chosen.backend is not Backend.POSTGRESQL:
            raise ConfigurationError(
                f"the bench PostgreSQL URL {redacted(postgres_url)!r} selects "
                f"{chosen.backend.value}, not PostgreSQL (the other backends are benched anyway)"
            )
        backends.append(BenchBackend("postgresql", "PostgreSQL", postgres_url))
    return backends


def check_dedicated(backends: list[BenchBackend], environ: Mapping[str, str] = os.environ) -> None:
    """Before any run, so a wrong URL fails at once and loses nothing: the bench's PostgreSQL
    database is not the application's or the tests', is reachable, and is empty (then marked as
    the bench's) or the bench's own (see `dedicated`)."""
    for backend in backends:
        if backend.name == "postgresql" and backend.url is not None:
            check_not_shared(backend.url, environ)
            claim_bench_database(backend.url)


@contextmanager
def fresh_database(backend: BenchBackend, workdir: Path, run: int) -> Iterator[FreshDatabase]:
    """An empty database at the latest schema for one backtest process.

    SQLite files are new for every run and deleted afterwards; PostgreSQL is emptied by
    migrating down to base and up again; in-memory databases start empty in their process.
    """
    if backend.url is None:
        path = workdir / f"{backend.name}-{run}.db"
        url = f"{SQLITE_FILE_PREFIX}{path}"
        AlembicMigrator(url, needs_migrations=True).upgrade()
        try:
            yield FreshDatabase(url)
        finally:
            path.unlink(missing_ok=True)
        return
    # Read, not validated: a reference row's URL is written for its own stack's settings.
    backend_name = make_url(backend.url).get_backend_name()
    if backend_name == Backend.POSTGRESQL:
        _recreate_schema(backend.url)
    yield FreshDatabase(backend.url, create_schema=backend_name == Backend.SQLITE)


def _recreate_schema(url: str) -> None:
    claim_bench_database(url)  # checked again right before its tables are dropped
    migrator = AlembicMigrator(url, needs_migrations=True)
    migrator.downgrade("base")
    migrator.upgrade()
