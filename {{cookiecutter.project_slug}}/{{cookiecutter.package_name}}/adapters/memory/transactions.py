"""Per-connection transaction state: an undo log, savepoints and the write lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import OperationalError, ProgrammingError

if TYPE_CHECKING:
    from .storage import TableStore

UndoFn = Callable[[Any, Any], None]


class Transaction:
    """The open transaction of one connection.

    Writes are applied in place; every change appends an undo entry, so commit is
    O(1) and rollback is O(changed rows).
    """

    __slots__ = ("savepoints", "touched", "undo")

    def __init__(self) -> None:
        self.undo: list[tuple[UndoFn, Any, Any]] = []
        self.savepoints: list[tuple[str, int]] = []
        self.touched: set[TableStore] = set()

    def record(self, fn: UndoFn, a: Any, b: Any) -> None:
        self.undo.append((fn, a, b))

    def rollback_to(self, mark: int) -> None:
        undo = self.undo
        while len(undo) > mark:
            fn, a, b = undo.pop()
            fn(a, b)

    def savepoint(self, name: str) -> None:
        self.savepoints.append((name, len(self.undo)))

    def _find(self, name: str) -> int:
        for i in range(len(self.savepoints) - 1, -1, -1):
            if self.savepoints[i][0] == name:
                return i
        raise ProgrammingError(f"no such savepoint: {name}")

    def rollback_to_savepoint(self, name: str) -> None:
        i = self._find(name)
        self.rollback_to(self.savepoints[i][1])
        del self.savepoints[i + 1 :]

    def release_savepoint(self, name: str) -> None:
        del self.savepoints[self._find(name) :]

    def reset(self) -> None:
        self.undo.clear()
        self.savepoints.clear()
        self.touched.clear()


class WriteLock:
    """One writer at a time per database; waiters give up after their timeout."""

    __slots__ = ("_cond", "grants", "owner")

    def __init__(self, mutex: threading.RLock) -> None:
        self._cond = threading.Condition(mutex)
        self.owner: Transaction | None = None
        self.grants = 0
        """How many times a transaction has taken the lock: no data changes while it stays."""

    def acquire(self, txn: Transaction, timeout: float) -> None:
        """Take the lock for `txn` (the caller holds the database mutex)."""
        if self.owner is txn:
            return
        if self.owner is not None:
            deadline = time.monotonic() + timeout
            while self.owner is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._cond.wait(remaining):
                    if self.owner is None:
                        break
                    raise OperationalError(
                        f"database is locked: another connection holds the write lock "
                        f"(waited {timeout:g} s)"
                    )
        self.owner = txn
        self.grants += 1

    def release(self, txn: Transaction) -> None:
        if self.owner is txn:
            self.owner = None
            self._cond.notify_all()
