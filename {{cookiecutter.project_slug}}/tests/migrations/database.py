"""A database for the migration tests, each step run on a connection in a transaction of its own."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, create_engine, pool

T = TypeVar("T")


class Database:
    """Runs work that takes a `Connection` (Alembic's commands, inspection) on one database."""

    def __init__(self, url: str) -> None:
        self._engine = create_engine(url, poolclass=pool.NullPool)

    def run(self, work: Callable[[Connection], T]) -> T:
        with self._engine.begin() as connection:
            return work(connection)

    def dispose(self) -> None:
        self._engine.dispose()
