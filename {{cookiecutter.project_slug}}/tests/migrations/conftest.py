"""An empty database per backend for the migration tests, reached through this flavour's engine."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.database_urls import SQLITE_FILE_PREFIX

from ..support import postgresql_test_url
from .database import Database
from .steps import downgrade, upgrade


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with none of the application's tables; PostgreSQL is put back at head after."""
    if request.param == "sqlite":
        database = Database(f"{SQLITE_FILE_PREFIX}{tmp_path / 'migrations.db'}")
    else:
        database = Database(postgresql_test_url())
        database.run(downgrade("base"))
    yield database
    if request.param == "postgresql":
        database.run(upgrade())
    database.dispose()
