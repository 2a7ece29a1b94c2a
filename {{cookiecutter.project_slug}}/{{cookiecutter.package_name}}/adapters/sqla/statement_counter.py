"""Counts the SQL statements an engine sends to its database, through SQLAlchemy's events."""

from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, event


class StatementCounter:
    """Counts `before_cursor_execute` events of one engine while attached.

    An executemany counts once: it is one statement sent with many parameter sets.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.count = 0
        self._attached = False

    def attach(self) -> Self:
        if not self._attached:
            event.listen(self._engine, "before_cursor_execute", self._on_execute)
            self._attached = True
        return self

    def detach(self) -> None:
        if self._attached:
            event.remove(self._engine, "before_cursor_execute", self._on_execute)
            self._attached = False

    def __enter__(self) -> Self:
        return self.attach()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.detach()

    def _on_execute(self, *_args: Any) -> None:
        self.count += 1
