"""Helpers shared by the test tiers."""

import os
from datetime import UTC, datetime, timedelta

import pytest

from {{ cookiecutter.package_name }}.settings import TEST_DATABASE_URL_VAR


def postgresql_test_url() -> str:
    """The PostgreSQL test URL; a failure in CI when it is missing, a visible skip elsewhere."""
    url = os.environ.get(TEST_DATABASE_URL_VAR, "").strip()
    if url:
        return url
    message = f"{TEST_DATABASE_URL_VAR} is not set: the PostgreSQL tests cannot run"
    if os.environ.get("CI"):
        pytest.fail(message + " (required in CI)", pytrace=False)
    pytest.skip(message)


class SteppingClock:
    """A clock that moves one second forward at each reading, from a fixed instant."""

    def __init__(self, start: datetime = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)) -> None:
        self._now = start

    def now(self) -> datetime:
        self._now += timedelta(seconds=1)
        return self._now
