"""Fixtures of the template tests: baking, and a PostgreSQL database per baked project."""

import os
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
