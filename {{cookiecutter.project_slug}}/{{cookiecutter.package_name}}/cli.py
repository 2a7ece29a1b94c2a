"""The command line: `{{ cookiecutter.project_slug }}` or `python -m {{ cookiecutter.package_name }}`."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from alembic.util import exc as alembic_errors
from rich.console import Console
from sqlalchemy import exc as sqlalchemy_errors
from sqlalchemy.engine import URL, make_url

from .adapters.csv_bars import load_bars_csv
from .adapters.output_folder import writable_folder
from .adapters.sqla.migration_state import unknown_revisions
from .adapters.sqla.sqlite_files import (
    cannot_create,
    cannot_open,
    missing_database,
    missing_folder,
    sqlite_file,
    sqlite_in_memory,
)
from .bench.backends import BENCH_POSTGRES_URL_VAR
from .bench.backtests import BacktestPlan
from .bench.micro_parts import MicroSizes
from .bench.references import REFERENCE_BACKENDS
from .container import Container, build_container
from .database_urls import DEFAULT_DATABASE_URL, MEMORY_URL, SQLITE_MEMORY_URL
from .domain import DomainError
from .domain.amounts import AMOUNT_LIMIT, within_limit
from .domain.bar import Bar
from .errors import ApplicationError
from .runner.backtest import REFERENCE_SYMBOL, REFERENCE_TICK, backtest_on
from .runner.console import replay_progress, report_table
from .runner.interruption import BacktestInterrupted
from .runner.reference import reference_instrument
from .runner.summary import RunSummary
from .services.backtest.bar_generator import DEFAULT_BAR_COUNT, generate_bars
from .services.backtest.engine import BacktestSettings
from .services.backtest.sessions import MIDNIGHT
from .services.backtest.vwap_strategy import VwapStreakStrategy
from .settings import DATABASE_URL_VAR

if TYPE_CHECKING:
    from .adapters.report_files import ReportFiles

app = typer.Typer(
    help="Trading backtests on SQLAlchemy: memory, SQLite and PostgreSQL backends.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help, never cut short on a narrow terminal, and plain errors
)
db_app = typer.Typer(
    help="Schema migrations of the configured database.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(db_app, name="db")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help=f"Database URL; default: ${DATABASE_URL_VAR}, else {DEFAULT_DATABASE_URL}",
        show_default=False,
    ),
]


@contextmanager
def running(database_url: str | None) -> Iterator[Container]:
    """A configured container, released on the way out; known errors become one line."""
    with one_line_errors():
        container = build_container(database_url=database_url)
        try:
            yield container
        except sqlalchemy_errors.DBAPIError as error:
            unopenable = _unopenable(container, error)
            if unopenable is None:
                raise
            raise unopenable from None
        finally:
            container.shutdown_resources()


def _unopenable(
    container: Container, error: sqlalchemy_errors.DBAPIError
) -> ApplicationError | None:
    """SQLite's "unable to open database file", with the file it could not open named."""
    path = sqlite_file(make_url(container.config.database.url()))
    if path is None or "unable to open database file" not in str(error.orig):
        return None
    return ApplicationError(cannot_open(path))


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Known errors become one line on stderr and exit code 2 (130 for an interrupted run)."""
    try:
        yield
    except BacktestInterrupted as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=130) from None  # the shell's code for an interrupt
    except (ApplicationError, DomainError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    except sqlalchemy_errors.DBAPIError as error:  # cannot connect, not a database ...
        typer.echo(f"error: the database failed: {_first_line(error.orig)}", err=True)
        raise typer.Exit(code=2) from None
    except (sqlalchemy_errors.ArgumentError, alembic_errors.CommandError) as error:
        typer.echo(f"error: {_first_line(error)}", err=True)  # a malformed URL, no such revision
        raise typer.Exit(code=2) from None


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    database_url: DatabaseUrl = None,
) -> None:
    """Upgrade the database schema (default: to the latest revision)."""
    with running(database_url) as container:
        _refuse_sqlite_that_cannot_migrate(container.engine().url, creating=True)
        migrator = container.migrator()
        migrator.upgrade(revision)
        typer.echo(f"database at revision {_revisions(migrator.current())}")


@db_app.command("downgrade", context_settings={"ignore_unknown_options": True})  # `-1`
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. base or -1.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Downgrade the database schema to an earlier revision."""
    if revision.startswith("-") and not revision[1:].isdigit():  # unknown options reach here
        raise typer.BadParameter(
            f"{revision!r} is no option of this command and no revision (a step back is -N, "
            "e.g. -1)",
            param_hint="REVISION",
        )
    with running(database_url) as container:
        _refuse_sqlite_that_cannot_migrate(container.engine().url, creating=False)
        migrator = container.migrator()
        migrator.downgrade(revision)
        typer.echo(f"database at revision {_revisions(migrator.current())}")


@db_app.command("current")
def db_current(
    database_url: DatabaseUrl = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Exit with status 1 unless the database is at the latest revision."
        ),
    ] = False,
) -> None:
    """Show the database's revision and whether it is the latest."""
    with running(database_url) as container:
        _refuse_sqlite_that_cannot_migrate(container.engine().url, creating=False)
        migrator = container.migrator()
        current, heads = migrator.current(), migrator.heads()
        if unknown_revisions(current):
            state = "unknown to this code: a newer version of it migrated the database?"
        elif current == heads:
            state = "up to date"
        else:
            state = f"behind head {_revisions(heads)}"
        typer.echo(f"{_revisions(current)} ({state})")
    if check and current != heads:
        raise typer.Exit(1)


def _refuse_sqlite_that_cannot_migrate(url: URL, *, creating: bool) -> None:
    """Refuse an in-memory SQLite database (each connection gets a new, empty one), and a
    SQLite file that is missing (opening it would create it), or only its folder when
    `creating` it is the point."""
    if sqlite_in_memory(url):
        raise ApplicationError(
            f"{url} is a new, empty database on every connection, so there is nothing to "
            "migrate; `backtest --create-schema` migrates one for the run"
        )
    problem = (missing_folder(url) or cannot_create(url)) if creating else missing_database(url)
    if problem is not None:
        raise ApplicationError(problem)


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise typer.BadParameter(f"{text!r} is not a finite number")
    if not within_limit(value):
        raise typer.BadParameter(f"{text} is not below {AMOUNT_LIMIT:,} in size")
    return value


def _positive(text: str) -> Decimal:
    value = _decimal(text)
    if value <= 0:
        raise typer.BadParameter(f"{text} is not positive")
    return value


def _not_negative(text: str) -> Decimal:
    value = _decimal(text)
    if value < 0:
        raise typer.BadParameter(f"{text} is negative")
    return value


_UTC_MINUTE = re.compile(r"(?P<hour>\d{2}):(?P<minute>\d{2})(?:Z|[+-]00:?00)?")
"""HH:MM, with an explicit UTC offset allowed (Z, +00:00)."""


def _utc_time(text: str | time) -> time:
    if isinstance(text, time):
        return text  # the default, which click hands to the parser too
    found = _UTC_MINUTE.fullmatch(text.strip())
    if found is None:
        raise typer.BadParameter(f"{text!r} is not a UTC time of day as HH:MM")
    try:
        return time(int(found["hour"]), int(found["minute"]))
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a time of day (00:00 to 23:59)") from None


def _report_files(out: Path) -> "ReportFiles":
    from .adapters.report_files import report_files_in

    try:
        return report_files_in(out)
    except OSError as error:
        raise _unwritable(out, error) from None


def _unwritable(out: Path | None, error: OSError, what: str = "report files") -> ApplicationError:
    where = f" ({error.filename})" if error.filename and str(error.filename) != str(out) else ""
    return ApplicationError(f"cannot write the {what} into {out}: {error.strerror or error}{where}")


def _bars(csv_file: Path | None, count: int, seed: int) -> list[Bar]:
    if csv_file is None:
        return list(generate_bars(symbol=REFERENCE_SYMBOL, count=count, seed=seed))
    try:
        return load_bars_csv(csv_file, symbol=REFERENCE_SYMBOL, tick=REFERENCE_TICK)
    except OSError as error:
        raise ApplicationError(f"cannot read the bar file {csv_file}: {error.strerror}") from None


@app.command("backtest")
def backtest(
    database_url: DatabaseUrl = None,
    bar_count: Annotated[
        int, typer.Option("--bars", min=1, help="Synthetic 1-minute ES bars to generate.")
    ] = DEFAULT_BAR_COUNT,
    seed: Annotated[int, typer.Option(help="Seed of the bar generator.")] = 7,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            dir_okay=False,
            help="Replay ES bars from this CSV file (timestamp,open,high,low,close,volume) "
            "instead of generating them; --bars and --seed are then unused.",
        ),
    ] = None,
    streak: Annotated[
        int, typer.Option(min=1, help="Closes in a row on one side of VWAP before an entry.")
    ] = 30,
    quantity: Annotated[
        Decimal, typer.Option(parser=_positive, help="Contracts per entry.")
    ] = Decimal(1),
    stop_ticks: Annotated[int, typer.Option(min=1, help="Stop-loss distance in ticks.")] = 20,
    target_ticks: Annotated[int, typer.Option(min=1, help="Take-profit distance in ticks.")] = 40,
    commission: Annotated[
        Decimal, typer.Option(parser=_not_negative, help="Commission per contract and fill, USD.")
    ] = Decimal("2.25"),
    initial_cash: Annotated[
        Decimal, typer.Option(parser=_positive, help="Starting equity, USD.")
    ] = Decimal(100_000),
    margin: Annotated[
        Decimal,
        typer.Option(
            "--margin",
            parser=_not_negative,
            help="Initial margin per contract, USD: an entry the equity cannot cover is "
            "rejected. 0 checks nothing.",
        ),
    ] = Decimal(0),
    maintenance_margin: Annotated[
        Decimal | None,
        typer.Option(
            "--maintenance-margin",
            parser=_not_negative,
            help="Equity a contract of the open position needs at each close, USD, or a margin "
            "call closes the position at the next open. Default: the initial margin.",
        ),
    ] = None,
    session_start: Annotated[
        time,
        typer.Option(
            parser=_utc_time,
            metavar="HH:MM",
            show_default=False,
            help="UTC time each trading day starts at: the strategy's VWAP session, the "
            "report's daily returns and DAY orders follow it (22:00 for CME's 24-hour futures).  "
            "[default: 00:00]",
        ),
    ] = MIDNIGHT,
    out: Annotated[
        Path | None,
        typer.Option(
            file_okay=False,
            help="Write round_trips.csv, report.json and equity.png into this directory.",
        ),
    ] = None,
    create_schema: Annotated[
        bool,
        typer.Option(
            "--create-schema",
            help=f"Run the migrations on a fresh {SQLITE_MEMORY_URL} database first "
            "(only for that URL; migrate other databases with `db upgrade`).",
        ),
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on a terminal.")] = True,
    json_summary: Annotated[Path | None, typer.Option(hidden=True, dir_okay=False)] = None,
) -> None:
    """Run the VWAP-streak backtest: store the bars, replay them, print the report."""
    with running(database_url) as container:
        strategy = VwapStreakStrategy(
            streak_length=streak,
            quantity=quantity,
            stop_ticks=stop_ticks,
            target_ticks=target_ticks,
            session_boundary=session_start,
        )
        settings = BacktestSettings(
            commission_per_contract=commission,
            initial_cash=initial_cash,
            session_start=session_start,
            margin_per_contract=margin,
            maintenance_margin_per_contract=maintenance_margin,
        )
        try:
            bars = _bars(csv_file, bar_count, seed)
        except KeyboardInterrupt:
            source = "generating the bars" if csv_file is None else f"reading {csv_file}"
            raise BacktestInterrupted(f"interrupted while {source}; nothing was stored") from None
        strategy.check_fit(reference_instrument(), bars, settings.commission_per_contract)
        # matplotlib takes a second to import: only runs that write files pay for it.
        report_files = None if out is None else _report_files(out)
        errors = Console(stderr=True)
        with replay_progress(errors, enabled=progress and errors.is_terminal) as advance:
            where, run = backtest_on(
                container,
                bars,
                strategy=strategy,
                settings=settings,
                create_schema=create_schema,
                on_progress=advance,
            )
        result = run.result
        console = Console()
        console.print(
            f"{where}: {result.bar_count:,} bar{'' if result.bar_count == 1 else 's'} stored "
            f"in {run.store_seconds:.2f} s, "
            f"replayed in {run.replay_seconds:.2f} s, "
            f"{run.statements_per_bar:.2f} SQL statements per bar",
            soft_wrap=True,
        )
        console.print(report_table(result.report, title="Backtest report"))
        if report_files is not None:
            from .adapters.report_files import write_report_files

            try:
                files = write_report_files(
                    report_files,
                    report=result.report,
                    round_trips=result.round_trips,
                    equity=result.equity,
                )
            except OSError as error:
                raise _unwritable(out, error) from None
            console.print(
                f"wrote {files.round_trips_csv}, {files.report_json} and {files.equity_png}",
                soft_wrap=True,
            )
        if json_summary is not None:
            RunSummary.of(run, where).write(json_summary)


def _bench_help() -> str:
    references = ", ".join(str(backend.url) for backend in REFERENCE_BACKENDS)
    beside = (
        f" Beside them, as reference rows, the synchronous flavour's own backtest on {references}."
        if references
        else ""
    )
    return (
        "Run the same backtest on every backend, check the reports agree, time single "
        f"operations.\n\nBackends: {MEMORY_URL}, {SQLITE_MEMORY_URL}, a new migrated SQLite file "
        f"per run, and PostgreSQL when a URL is given.{beside} Exits with 1 when a backend fails "
        "or any report differs."
    )


@app.command("bench", help=_bench_help())
def bench(
    bar_count: Annotated[
        int, typer.Option("--bars", min=1, help="Bars of the backtest on every backend.")
    ] = DEFAULT_BAR_COUNT,
    seed: Annotated[int, typer.Option(help="Seed of the bar generator.")] = 7,
    repeat: Annotated[
        int, typer.Option(min=1, help="Runs per backend, each in a new process; the median counts.")
    ] = 3,
    postgres_url: Annotated[
        str | None,
        typer.Option(
            envvar=BENCH_POSTGRES_URL_VAR,
            show_envvar=True,
            help="Also bench PostgreSQL at this URL. It must be a dedicated database: before "
            "every run the bench migrates it down to base and up again, which drops its tables "
            "and their data. So it refuses the application's and the tests' database, and any "
            "database holding a table it did not create: give it an empty one, which it marks "
            "as its own and reuses.",
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option(file_okay=False, help="Directory for bench.json and bench.png.")
    ] = Path("results/bench"),
    micro: Annotated[bool, typer.Option(help="Run the micro-benchmarks too.")] = True,
    micro_ops: Annotated[
        int, typer.Option(min=1, help="Operations per timed micro-benchmark round.")
    ] = 300,
    micro_rounds: Annotated[int, typer.Option(min=1, help="Timed rounds; the median counts.")] = 5,
    micro_orders: Annotated[
        int, typer.Option(min=1, help="Orders in the table during the micro-benchmarks.")
    ] = 1_000,
    bulk_rows: Annotated[int, typer.Option(min=1, help="Bars per bulk insert.")] = 100_000,
    bulk_rounds: Annotated[
        int, typer.Option(min=1, help="Timed bulk inserts, each beside a raw executemany.")
    ] = 5,
    micro_passes: Annotated[
        int,
        typer.Option(
            min=1,
            help="Passes of the micro-benchmarks on fresh databases; the median pass counts.",
        ),
    ] = 3,
    scale: Annotated[
        bool, typer.Option(help=f"Run the {MEMORY_URL} scale checks (per bar, memory) too.")
    ] = True,
    scale_orders: Annotated[
        int, typer.Option(min=1, help="Closed orders in the table for the scale checks.")
    ] = 1_000_000,
    scale_bars: Annotated[
        int, typer.Option(min=1, help="Bars replayed beside them, and on an empty table.")
    ] = 2_000,
) -> None:
    """The bench command; its help text is `_bench_help()`, in the flavour's URL forms."""
    plan = BacktestPlan(bars=bar_count, seed=seed, repeat=repeat)
    sizes = MicroSizes(
        ops=micro_ops,
        rounds=micro_rounds,
        table_orders=micro_orders,
        bulk_rows=bulk_rows,
        bulk_rounds=bulk_rounds,
        passes=micro_passes,
    )
    # The bench draws with matplotlib, which takes a second to import: only the bench pays.
    from .bench.run import run_bench
    from .bench.scale_parts import ScaleSizes

    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 120)  # logs get whole table rows
    with one_line_errors():
        try:
            writable_folder(out)
        except OSError as error:
            raise _unwritable(out, error, "bench files") from None
        scale_sizes = ScaleSizes(orders=scale_orders, bars=scale_bars, seed=seed) if scale else None
        try:
            outcome, _ = run_bench(
                plan,
                postgres_url=postgres_url or None,
                micro=sizes if micro else None,
                scale=scale_sizes,
                out=out,
                console=console,
            )
        except KeyboardInterrupt:
            raise BacktestInterrupted(
                f"interrupted before the bench finished; its results were not written to {out}"
            ) from None
    if outcome.failed:
        typer.echo("error: the bench failed; see the messages above", err=True)
        raise typer.Exit(code=1)


def _revisions(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions)) or "base (empty)"


def main() -> None:
    app()
