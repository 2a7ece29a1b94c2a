"""Schema migrations of the configured database, through Alembic's commands."""

from alembic import command
from sqlalchemy import Engine

from ...errors import ConfigurationError
from .migration_state import alembic_config, current_revisions, head_revisions


class AlembicMigrator:
    """Upgrades, downgrades and reports the revision of one database."""

    def __init__(self, engine: Engine, needs_migrations: bool) -> None:
        self._engine = engine
        self._needs_migrations = needs_migrations

    def upgrade(self, revision: str = "head") -> None:
        self._require_migrations()
        with self._engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)

    def downgrade(self, revision: str) -> None:
        self._require_migrations()
        with self._engine.begin() as connection:
            command.downgrade(alembic_config(connection), revision)

    def current(self) -> set[str]:
        self._require_migrations()
        with self._engine.connect() as connection:
            return current_revisions(connection)

    def heads(self) -> set[str]:
        return head_revisions()

    def _require_migrations(self) -> None:
        if not self._needs_migrations:
            raise ConfigurationError(
                f"{self._engine.url} needs no migrations: "
                "the memory backend creates its schema when it starts"
            )
