"""Run the same work on SQLite and on the in-memory dialect, and compare the answers exactly.

SQLite is the reference. With ``MEMORY_DIFF_BASELINE=sqlite`` the side under test becomes a second
SQLite engine, which proves the tests themselves are well-formed before the dialect exists.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import os
import pprint
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ClauseElement, Engine, MetaData, create_engine, event, inspect
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.pool import StaticPool

from {{ cookiecutter.package_name }}.adapters.memory.session import MemorySession

T = TypeVar("T")

BASELINE_VAR = "MEMORY_DIFF_BASELINE"
MEMORY_URL = "memory://"

SESSION_MODES = ("fast", "general")
"""How sessions on ``memory://`` answer: `MemorySession` with its fast path, or plain `Session`."""
_session_mode = {"current": SESSION_MODES[0]}


def set_session_mode(mode: str) -> None:
    if mode not in SESSION_MODES:
        raise ValueError(f"session mode must be one of {SESSION_MODES}, got {mode!r}")
    _session_mode["current"] = mode


def session_mode() -> str:
    return _session_mode["current"]


def new_session(bind: Any, **kw: Any) -> Session:
    """A session of the current mode (`MemorySession` does nothing special on SQLite)."""
    if _session_mode["current"] == "fast":
        return MemorySession(bind, **kw)
    return Session(bind, **kw)


MEMORY_ASYNC_URL = "memory+asyncio://"
SQLITE_URL = "sqlite://"
SQLITE_ASYNC_URL = "sqlite+aiosqlite://"


def cpython_driver() -> bool:
    """False when the tests run on another SQLite release through pysqlite3
    (`tests/sqlite_release.py`), a driver that differs from Python's own in how it waits
    for a lock and how it reports a Python function's overflow."""
    import sqlite3

    return sqlite3.__name__ == "sqlite3"


def baseline_mode() -> bool:
    """True when the side under test is a second SQLite engine instead of ``memory://``."""
    value = os.environ.get(BASELINE_VAR, "").strip().lower()
    if value in ("", "memory"):
        return False
    if value == "sqlite":
        return True
    raise RuntimeError(f"{BASELINE_VAR} must be 'sqlite', 'memory' or unset, not {value!r}")


# --- engines ---------------------------------------------------------------------------------


def _make_faithful(sync_engine: Engine, begin: str = "BEGIN") -> None:
    """Enforce foreign keys, and let SQLAlchemy emit BEGIN so savepoints nest correctly.

    pysqlite otherwise begins transactions lazily on its own, which breaks SAVEPOINT semantics.
    """

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=OFF")  # test files need no durability
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin)


def sqlite_engine(
    path: str | None = None, *, timeout: float | None = None, begin: str = "BEGIN", **kw: Any
) -> Engine:
    """SQLite in memory (one shared connection) or, given ``path``, in a file.

    ``begin="BEGIN IMMEDIATE"`` takes the write lock up front, which concurrent writers need to
    wait for each other instead of failing on a lock upgrade.
    """
    connect_args: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    if path is None:
        engine = create_engine(SQLITE_URL, poolclass=StaticPool, connect_args=connect_args, **kw)
    else:
        engine = create_engine(f"sqlite:///{path}", connect_args=connect_args, **kw)
    _make_faithful(engine, begin)
    return engine


def memory_engine(
    *,
    timeout: float | None = None,
    file_for_baseline: str | None = None,
    baseline_begin: str = "BEGIN",
    **kw: Any,
) -> Engine:
    """The engine under test: ``memory://``, or SQLite in baseline mode.

    Tests of concurrent connections pass ``file_for_baseline``: an in-memory SQLite database has a
    single connection, so the baseline uses a file there.
    """
    if baseline_mode():
        return sqlite_engine(file_for_baseline, timeout=timeout, begin=baseline_begin, **kw)
    url = MEMORY_URL if timeout is None else f"{MEMORY_URL}?timeout={timeout}"
    return create_engine(url, **kw)


def sqlite_async_engine(**kw: Any) -> AsyncEngine:
    engine = create_async_engine(SQLITE_ASYNC_URL, poolclass=StaticPool, **kw)
    _make_faithful(engine.sync_engine)
    return engine


def memory_async_engine(**kw: Any) -> AsyncEngine:
    if baseline_mode():
        return sqlite_async_engine(**kw)
    return create_async_engine(MEMORY_ASYNC_URL, **kw)


# --- exact comparison ------------------------------------------------------------------------

_SCALARS = (
    type(None),
    bool,
    int,
    float,
    Decimal,
    str,
    bytes,
    dt.datetime,
    dt.date,
    dt.time,
    dt.timedelta,
    uuid.UUID,
    enum.Enum,
)


def canonical(value: object) -> object:
    """A form in which equal means identical: every scalar is tagged with its type and repr.

    ``Decimal('1.0')``, ``Decimal('1.00')``, ``1.0``, ``1`` and ``True`` all differ, and so do a
    naive and an aware datetime of the same wall time.
    """
    if isinstance(value, _SCALARS):
        return (type(value).__qualname__, repr(value))
    if isinstance(value, Row | tuple):
        return tuple(canonical(item) for item in value)
    if isinstance(value, list):
        return [canonical(item) for item in value]
    if isinstance(value, Mapping):
        return {repr(key): canonical(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((canonical(item) for item in value), key=repr)
    raise TypeError(
        f"cannot compare a {type(value).__qualname__} exactly; return plain values "
        "(tuples, lists, dicts, scalars), not ORM objects or results"
    )


def _readable(value: object) -> object:
    if isinstance(value, Row):
        return tuple(_readable(item) for item in value)
    if isinstance(value, tuple | list):
        return type(value)(_readable(item) for item in value)
    if isinstance(value, Mapping):
        return {key: _readable(item) for key, item in value.items()}
    return value


def _lines(value: object) -> list[str]:
    if isinstance(value, list):
        return [line for item in value for line in pprint.pformat(item, width=100).splitlines()]
    return pprint.pformat(value, width=100).splitlines()


def describe_difference(sqlite_answer: object, memory_answer: object) -> str:
    """A unified diff of the two answers, one item per line, types visible through repr."""
    left = _lines(_readable(sqlite_answer))
    right = _lines(_readable(memory_answer))
    diff = list(difflib.unified_diff(left, right, "sqlite", "memory", lineterm="", n=2))
    if not diff:
        diff = ["(the printed forms agree; the values differ in type or exact representation)"]
        diff += [f"sqlite: {canonical(sqlite_answer)!r}", f"memory: {canonical(memory_answer)!r}"]
    return "\n".join(diff)


def assert_same(sqlite_answer: object, memory_answer: object, what: str = "") -> None:
    if canonical(sqlite_answer) != canonical(memory_answer):
        title = f"memory diverges from SQLite{f' on {what}' if what else ''}:"
        raise AssertionError(f"{title}\n{describe_difference(sqlite_answer, memory_answer)}")


def rows_or_error(statement: Any, *, with_message: bool = False) -> Callable[[Engine], object]:
    """Work for `EnginePair.check`: the statement's rows, or the class of its error (and the
    message, when asked), so answers and failures compare alike."""

    def work(engine: Engine) -> object:
        try:
            with engine.connect() as conn:
                return conn.execute(statement).all()
        except Exception as error:
            if with_message:
                return ("error", type(error).__name__, str(getattr(error, "orig", error)))
            return ("error", type(error).__name__)

    return work


def multiset(rows: Iterable[Any]) -> list[Any]:
    """Rows in a canonical order, for answers whose order SQL leaves open."""
    return sorted(rows, key=lambda row: repr(canonical(row)))


# --- ORM objects -----------------------------------------------------------------------------

_OBJECT_STATES = ("transient", "pending", "persistent", "deleted", "detached")


def object_status(obj: object) -> str:
    """The object's state in the ORM's words: transient, pending, persistent, deleted, detached."""
    state = inspect(obj)
    return next(name for name in _OBJECT_STATES if getattr(state, name))


def object_view(obj: object) -> tuple[Any, ...]:
    """An object as its session holds it, read without loading anything.

    Its class, identity, status, loaded column values (a SQL expression waiting for the flush as
    its text), the columns not loaded, and whether it has changes to flush.
    """
    state = inspect(obj)
    columns = [attr.key for attr in state.mapper.column_attrs]
    values = {}
    for key in columns:
        if key in state.dict:
            value = state.dict[key]
            values[key] = ("sql", str(value)) if isinstance(value, ClauseElement) else value
    return (
        type(obj).__name__,
        None if state.key is None else tuple(state.key[1]),
        object_status(obj),
        values,
        sorted(key for key in columns if key in state.unloaded),
        state.modified,
    )


def held_objects(session: Session) -> list[Any]:
    """Every object of the identity map and every pending one, as `object_view` shows them."""
    return multiset(object_view(obj) for obj in [*session.identity_map.values(), *session.new])


# --- errors ----------------------------------------------------------------------------------


def database_message(exc: BaseException) -> str:
    """The driver's own message, without the SQL text SQLAlchemy appends (it names every table)."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig)
    if isinstance(exc, StatementError):
        return str(exc.orig) if exc.orig is not None else exc.args[0] if exc.args else ""
    return str(exc).split("\n[SQL:")[0]


def error_outcome(exc: BaseException) -> tuple[str, str | None, str | None]:
    """An error as it compares across engines: its class, the driver error's class, its kind.

    The kind is the driver message up to its first colon ("UNIQUE constraint failed"); the rest
    names tables and columns only on some engines.
    """
    orig = getattr(exc, "orig", None)
    kind = database_message(exc).split(":")[0] if isinstance(exc, DBAPIError) else None
    return (type(exc).__name__, None if orig is None else type(orig).__name__, kind)


def assert_same_error(
    sqlite_error: BaseException,
    memory_error: BaseException | None,
    names: Sequence[str],
    sqlite_names_them: bool,
) -> BaseException:
    """Memory raised what SQLite raised, and its message names ``names``; answers memory's error.

    ``sqlite_names_them=False`` marks errors SQLite reports without naming table or column
    (foreign keys): then the names are only required from ``memory://``.
    """
    if memory_error is None:
        raise AssertionError(
            f"memory did not raise; SQLite raised {type(sqlite_error).__name__}: "
            f"{database_message(sqlite_error)}"
        )
    if type(memory_error) is not type(sqlite_error):
        raise AssertionError(
            f"memory raised {type(memory_error).__module__}.{type(memory_error).__name__} "
            f"({database_message(memory_error)}), SQLite raised "
            f"{type(sqlite_error).__module__}.{type(sqlite_error).__name__} "
            f"({database_message(sqlite_error)})"
        )
    if sqlite_names_them or not baseline_mode():
        message = database_message(memory_error)
        missing = [name for name in names if name not in message]
        if missing:
            raise AssertionError(f"the memory error {message!r} does not name {missing}")
    return memory_error


def _raised(work: Callable[[], object]) -> BaseException | None:
    try:
        work()
    except Exception as exc:
        return exc
    return None


# --- the pair --------------------------------------------------------------------------------


@dataclass
class EnginePair:
    """A SQLite reference engine and the engine under test, with the same tables."""

    sqlite: Engine
    memory: Engine
    metadata: MetaData | None = None

    def sides(self) -> tuple[tuple[str, Engine], tuple[str, Engine]]:
        return (("sqlite", self.sqlite), ("memory", self.memory))

    def check(self, work: Callable[[Engine], T], what: str = "") -> T:
        """Run ``work`` on both engines, assert equal answers, return SQLite's."""
        sqlite_answer = work(self.sqlite)
        memory_answer = work(self.memory)
        assert_same(sqlite_answer, memory_answer, what)
        return sqlite_answer

    def check_rows(
        self,
        statement: Any,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        what: str = "",
        *,
        ordered: bool = True,
    ) -> list[Any]:
        """Execute a statement on a fresh connection of each engine; compare the rows.

        Pass ``ordered=False`` when the statement leaves the order open.
        """

        def rows(engine: Engine) -> list[Any]:
            with engine.connect() as conn:
                result = [tuple(row) for row in conn.execute(statement, params)]
            return result if ordered else multiset(result)

        return self.check(rows, what or str(statement))

    def check_session(self, work: Callable[[Session], T], what: str = "") -> T:
        """Run ``work`` in a new Session on each engine; compare its answers."""

        def in_session(engine: Engine) -> T:
            with new_session(engine) as session:
                return work(session)

        return self.check(in_session, what)

    def run(self, work: Callable[[Engine], object]) -> None:
        """Run set-up work on both engines, without comparing."""
        for _, engine in self.sides():
            work(engine)

    def check_error(
        self,
        work: Callable[[Engine], object],
        *,
        names: Sequence[str],
        sqlite_names_them: bool = True,
    ) -> BaseException:
        """Both engines raise the same exception class; memory's message names ``names``.

        ``sqlite_names_them=False`` marks errors SQLite reports without naming table or column
        (foreign keys): then the names are only required from ``memory://``.
        """
        sqlite_error = _raised(lambda: work(self.sqlite))
        if sqlite_error is None:
            raise AssertionError("the SQLite reference did not raise: the test is malformed")
        memory_error = _raised(lambda: work(self.memory))
        return assert_same_error(sqlite_error, memory_error, names, sqlite_names_them)

    def check_statement_error(self, statement: Any, *, names: Sequence[str] = ()) -> BaseException:
        """`check_error` for running `statement` on a fresh connection and fetching its rows."""

        def work(engine: Engine) -> object:
            with engine.connect() as conn:
                return conn.execute(statement).all()

        return self.check_error(work, names=names)

    def dispose(self) -> None:
        for engine in (self.sqlite, self.memory):
            engine.dispose()


def make_pair(metadata: MetaData | None = None, **memory_kw: Any) -> EnginePair:
    """Two fresh engines; ``metadata``'s tables are created on both."""
    pair = EnginePair(sqlite_engine(), memory_engine(**memory_kw), metadata)
    if metadata is not None:
        for _, engine in pair.sides():
            metadata.create_all(engine)
    return pair


@contextmanager
def pair_of(metadata: MetaData | None = None, **memory_kw: Any) -> Iterator[EnginePair]:
    pair = make_pair(metadata, **memory_kw)
    try:
        yield pair
    finally:
        pair.dispose()


@contextmanager
def seeded_pair(
    metadata: MetaData, *contents: tuple[Any, Sequence[Mapping[str, Any]]]
) -> Iterator[EnginePair]:
    """Both engines with `metadata`'s tables, and the same rows in each (table, rows) given."""
    with pair_of(metadata) as pair:

        def seed(engine: Engine) -> None:
            with engine.begin() as conn:
                for table, rows in contents:
                    conn.execute(table.insert(), rows)

        pair.run(seed)
        yield pair


class PairedSessionSteps:
    """The transaction steps of a driver that applies each operation to a pair of sessions.

    A driver sets `savepoints` (one list per side) and defines `apply(what, action)`, which runs
    `action(session, side)` on both sides and compares the outcomes.
    """

    savepoints: list[list[SessionTransaction]]

    def apply(self, what: str, action: Callable[[Session, int], Any]) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        self.apply("flush", lambda s, _: s.flush())

    def commit(self) -> None:
        self.apply("commit", lambda s, _: s.commit())
        self.savepoints = [[], []]

    def rollback(self) -> None:
        self.apply("rollback", lambda s, _: s.rollback())
        self.savepoints = [[], []]

    def begin_nested(self) -> None:
        self.apply("begin_nested", lambda s, side: self.savepoints[side].append(s.begin_nested()))

    def end_nested(self, commit: bool) -> None:
        if not self.savepoints[0]:
            return

        def action(_: Session, side: int) -> None:
            savepoint = self.savepoints[side].pop()
            if commit:
                savepoint.commit()
            else:
                savepoint.rollback()

        self.apply("release savepoint" if commit else "rollback to savepoint", action)

    def expire_all(self) -> None:
        self.apply("expire_all", lambda s, _: s.expire_all())
