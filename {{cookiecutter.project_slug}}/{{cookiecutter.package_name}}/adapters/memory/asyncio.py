"""`memory+asyncio://` without a greenlet per statement: an inline engine and `AsyncSession`.

`AsyncSession` runs every call through `greenlet_spawn`, and the dialect's adapted cursor awaits
before each statement, because a real driver may have to wait for the network. The memory
database never waits for I/O, so here the answer is computed where it is asked for:

- `inline_async_engine()` builds an `AsyncEngine` whose pooled connections hand out plain
  memory cursors: a statement never awaits, so it needs no greenlet around it.
- `InlineAsyncSession` is an `AsyncSession` whose database calls run the synchronous session
  inline; each returned awaitable is already finished when it is awaited. Its synchronous
  session is a `MemorySession`, so entity SELECTs take the same fast path as on `memory://`.

Statements still run one at a time per connection, under the database's own locks: a statement
that must wait for another connection's write lock blocks the event loop until the lock's timeout,
so the inline engine suits one writer at a time (the application's own use).
"""

import importlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.util import await_only

from . import dbapi
from .dialect import AsyncAdaptedConnection
from .session import MemorySession

# greenlet ships no type information; only its current-greenlet function is needed.
_current_greenlet: Callable[[], object] = importlib.import_module("greenlet").getcurrent


async def _ready() -> None:
    """An awaitable that is finished at once."""


class InlineCursor(dbapi.Cursor):
    """A memory cursor that awaits only when called from `greenlet_spawn`.

    `AsyncConnection.execute` insists that its statement awaited once; called from
    `InlineAsyncSession`, outside any greenlet, the statement runs straight through.
    """

    __slots__ = ()

    def execute_context(self, context: Any) -> None:
        if getattr(_current_greenlet(), "__sqlalchemy_greenlet_provider__", False):
            await_only(_ready())
        super().execute_context(context)

    async def _async_soft_close(self) -> None:
        """Rows are already buffered: nothing to release."""


class InlineConnection(AsyncAdaptedConnection):
    """The pooled connection of an inline engine: its cursors run statements directly."""

    def cursor(self) -> dbapi.Cursor:
        self.memory_connection.check_open()
        return InlineCursor(self.memory_connection)


def inline_async_engine(url: str = "memory+asyncio://", **kwargs: Any) -> AsyncEngine:
    """An `AsyncEngine` on `memory+asyncio://` whose statements complete without awaiting."""
    if not url.startswith("memory+asyncio://"):
        raise ValueError(f"an inline engine needs a memory+asyncio:// URL, got {url!r}")
    engine: AsyncEngine

    def connect() -> InlineConnection:
        adapted = engine.sync_engine.dialect.connect()
        return InlineConnection(adapted.memory_connection)

    engine = create_async_engine(url, creator=connect, **kwargs)
    return engine


class InlineAsyncSession(AsyncSession):
    """An `AsyncSession` for inline engines: database calls run without `greenlet_spawn`.

    Only the calls a unit of work makes are inlined; every other method keeps the standard
    behaviour. Bound to an engine whose driver does await, the inlined calls fail with
    SQLAlchemy's `MissingGreenlet` error rather than block.
    """

    sync_session_class = MemorySession

    async def execute(self, statement: Any, params: Any = None, **kwargs: Any) -> Result[Any]:
        return self.sync_session.execute(statement, params, **kwargs)

    async def scalar(self, statement: Any, params: Any = None, **kwargs: Any) -> Any:
        return self.sync_session.scalar(statement, params, **kwargs)

    async def scalars(self, statement: Any, params: Any = None, **kwargs: Any) -> Any:
        return self.sync_session.scalars(statement, params, **kwargs)

    async def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        return self.sync_session.get(entity, ident, **kwargs)

    async def flush(self, objects: Sequence[Any] | None = None) -> None:
        self.sync_session.flush(objects)

    async def commit(self) -> None:
        self.sync_session.commit()

    async def rollback(self) -> None:
        self.sync_session.rollback()

    async def close(self) -> None:
        self.sync_session.close()

    async def refresh(
        self,
        instance: object,
        attribute_names: Iterable[str] | None = None,
        with_for_update: Any = None,
    ) -> None:
        self.sync_session.refresh(instance, attribute_names, with_for_update)
