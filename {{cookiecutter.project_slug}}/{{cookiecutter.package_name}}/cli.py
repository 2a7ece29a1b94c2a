"""The command line: `{{ cookiecutter.project_slug }}` or `python -m {{ cookiecutter.package_name }}`."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from .container import Container, build_container
from .domain import DomainError
from .errors import ApplicationError

app = typer.Typer(
    help="Trading backtests on SQLAlchemy: memory, SQLite and PostgreSQL backends.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Schema migrations of the configured database.", no_args_is_help=True)
app.add_typer(db_app, name="db")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Database URL; default: ${{ cookiecutter.env_prefix }}_DATABASE_URL, else memory://",
        show_default=False,
    ),
]


@contextmanager
def running(database_url: str | None) -> Iterator[Container]:
    """A configured container, released on the way out; known errors become one line."""
    try:
        container = build_container(database_url=database_url)
        try:
            yield container
        finally:
            container.shutdown_resources()
    except (ApplicationError, DomainError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    database_url: DatabaseUrl = None,
) -> None:
    """Upgrade the database schema (default: to the latest revision)."""
    with running(database_url) as container:
        migrator = container.migrator()
        migrator.upgrade(revision)
        typer.echo(f"database at revision {_revisions(migrator.current())}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. base or -1.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Downgrade the database schema to an earlier revision."""
    with running(database_url) as container:
        migrator = container.migrator()
        migrator.downgrade(revision)
        typer.echo(f"database at revision {_revisions(migrator.current())}")


@db_app.command("current")
def db_current(database_url: DatabaseUrl = None) -> None:
    """Show the database's revision and whether it is the latest."""
    with running(database_url) as container:
        migrator = container.migrator()
        current, heads = migrator.current(), migrator.heads()
        state = "up to date" if current == heads else f"behind head {_revisions(heads)}"
        typer.echo(f"{_revisions(current)} ({state})")


def _revisions(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions)) or "base (empty)"


def main() -> None:
    app()
