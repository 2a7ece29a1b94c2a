"""Fixtures of the template tests: baking, and a PostgreSQL database per baked project."""

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
POSTGRES_URL_VAR = "TEMPLATE_TEST_POSTGRES_URL"


def pytest_configure(config: pytest.Config) -> None:
    config.option.template = str(TEMPLATE_DIR)


def admin_postgres_url() -> str | None:
    url = os.environ.get(POSTGRES_URL_VAR, "").strip()
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"{POSTGRES_URL_VAR} is not set: PostgreSQL is required in CI", pytrace=False)
    return None


@pytest.fixture
def postgres_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for one baked project, dropped afterwards; None without a server."""
    admin_url = admin_postgres_url()
    if admin_url is None:
        yield None
        return
    name = f"bake_{uuid.uuid4().hex[:12]}"
    plain_url = admin_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield admin_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(plain_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SUMMARY_DIR_VAR = "TEMPLATE_TEST_SUMMARY_DIR"


def pytest_sessionstart(session: pytest.Session) -> None:
    if SUMMARY_DIR_VAR not in os.environ:
        os.environ[SUMMARY_DIR_VAR] = tempfile.mkdtemp(prefix="template-summaries-")


def record_summary(line: str) -> None:
    """Keep a line for the end of the run (works from pytest-xdist workers too)."""
    directory = Path(os.environ[SUMMARY_DIR_VAR])
    (directory / f"{uuid.uuid4().hex}.txt").write_text(line + "\n", encoding="utf-8")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if hasattr(terminalreporter.config, "workerinput"):
        return
    directory = Path(os.environ.get(SUMMARY_DIR_VAR, "/nonexistent"))
    lines = sorted(path.read_text(encoding="utf-8").strip() for path in directory.glob("*.txt"))
    if lines:
        terminalreporter.section("generated projects")
        for line in lines:
            terminalreporter.write_line(line)
