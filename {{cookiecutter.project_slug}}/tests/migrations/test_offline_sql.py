"""The migrations written out as SQL (`alembic upgrade --sql`) build the same SQLite schema."""

import io
import sqlite3
from pathlib import Path

import pytest
from alembic import command

from {{ cookiecutter.package_name }}.adapters.sqla.migration_state import alembic_config
from {{ cookiecutter.package_name }}.database_urls import SQLITE_FILE_PREFIX
from {{ cookiecutter.package_name }}.settings import DATABASE_URL_VAR

from .database import Database
from .steps import differences


def offline_sql(monkeypatch: pytest.MonkeyPatch, url: str, step: str, revision: str) -> str:
    monkeypatch.setenv(DATABASE_URL_VAR, url)
    config = alembic_config()
    config.output_buffer = io.StringIO()
    if step == "upgrade":
        command.upgrade(config, revision, sql=True)
    else:
        command.downgrade(config, revision, sql=True)
    return config.output_buffer.getvalue()


def position_columns(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {row[1] for row in connection.execute("PRAGMA table_info(positions)")}


def test_the_sql_of_every_revision_builds_the_models_schema_and_takes_it_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "offline.db"
    url = f"{SQLITE_FILE_PREFIX}{path}"
    up = offline_sql(monkeypatch, url, "upgrade", "head")
    down = offline_sql(monkeypatch, url, "downgrade", "head:0001")

    with sqlite3.connect(path) as connection:
        connection.executescript(up)
    database = Database(url)
    try:
        assert database.run(differences) == []
    finally:
        database.dispose()
    assert "cost_basis" in position_columns(path)

    with sqlite3.connect(path) as connection:
        connection.executescript(down)
    assert "cost_basis" not in position_columns(path)
    assert "avg_px_open" in position_columns(path)
