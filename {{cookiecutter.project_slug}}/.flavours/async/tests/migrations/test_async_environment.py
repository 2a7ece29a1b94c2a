"""Alembic's environment on its own: without a connection it opens the async engine itself."""

from pathlib import Path

import pytest
from alembic import command
from alembic.util import CommandError

from {{ cookiecutter.package_name }}.adapters.sqla.migration_state import alembic_config
from {{ cookiecutter.package_name }}.database_urls import SQLITE_FILE_PREFIX
from {{ cookiecutter.package_name }}.settings import DATABASE_URL_VAR

from .database import Database
from .steps import APPLICATION_TABLES, application_tables


@pytest.mark.backend("sqlite")
def test_without_a_connection_env_runs_on_its_own_async_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"{SQLITE_FILE_PREFIX}{tmp_path / 'configured.db'}"
    monkeypatch.setenv(DATABASE_URL_VAR, url)

    command.upgrade(alembic_config(), "head")

    assert Database(url).run(application_tables) == APPLICATION_TABLES


@pytest.mark.backend("sqlite")
def test_without_a_connection_a_sync_url_is_refused_with_the_async_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(DATABASE_URL_VAR, "sqlite:///trading.db")

    with pytest.raises(CommandError, match=r"write it as sqlite\+aiosqlite:///PATH\.db"):
        command.upgrade(alembic_config(), "head")
