"""Schema migrations of the configured database, through Alembic's commands."""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from sqlalchemy import Engine, create_engine, pool

from ...errors import ConfigurationError
from ...settings import redacted
from .engines import with_transactional_sqlite_ddl
from .migration_state import alembic_config, current_revisions, head_revisions


class AlembicMigrator:
    """Upgrades, downgrades and reports the revision of the database at one URL."""

    def __init__(self, url: str, needs_migrations: bool) -> None:
        self._url = url
        self._needs_migrations = needs_migrations

    def upgrade(self, revision: str = "head") -> None:
        with self._engine() as engine, engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)

    def downgrade(self, revision: str) -> None:
        with self._engine() as engine, engine.begin() as connection:
            command.downgrade(alembic_config(connection), revision)

    def current(self) -> set[str]:
        with self._engine() as engine, engine.connect() as connection:
            return current_revisions(connection)

    def heads(self) -> set[str]:
        return head_revisions()

    @contextmanager
    def _engine(self) -> Iterator[Engine]:
        if not self._needs_migrations:
            raise ConfigurationError(
                f"{redacted(self._url)} needs no migrations: "
                "the memory backend creates its schema when it starts"
            )
        engine = with_transactional_sqlite_ddl(create_engine(self._url, poolclass=pool.NullPool))
        try:
            yield engine
        finally:
            engine.dispose()
