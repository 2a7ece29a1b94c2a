"""One in-memory database: its tables, its statement mutex and its write lock."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from .errors import OperationalError
from .storage import TableStore
from .transactions import Transaction, WriteLock

_serials = itertools.count(1)


class Database:
    """The catalog of tables of one engine, shared by all of its connections.

    Statements run one at a time under `mutex`; a connection that writes holds the
    write lock until it commits or rolls back, and other connections read the last
    committed state meanwhile.
    """

    def __init__(self) -> None:
        self.tables: dict[str, TableStore] = {}
        self.mutex = threading.RLock()
        self.write_lock = WriteLock(self.mutex)
        self.schema_version = 0
        self.serial = next(_serials)
        """Tells this database from earlier ones (an engine's is replaced on dispose)."""

    def committed_state_stamp(self) -> tuple[int, int, int] | None:
        """What tells the committed state apart, or None while a transaction may be writing.

        With no write transaction open, every connection sees the committed state, and it has
        not changed while no transaction has taken the write lock since (DDL takes it too): two
        equal stamps mean the same rows for every reader.
        """
        lock = self.write_lock
        if lock.owner is not None:
            return None
        return self.serial, lock.grants, self.schema_version

    def table(self, name: str) -> TableStore:
        store = self.tables.get(name)
        if store is None:
            raise OperationalError(f"no such table: {name}")
        return store

    def visible_rows(self, store: TableStore, txn: Transaction) -> Any:
        """Rows of `store` as `txn` may see them (hides another writer's changes)."""
        owner = self.write_lock.owner
        if owner is None or owner is txn or store not in owner.touched:
            return store.scan()
        return store.committed_rows(owner).values()

    def reads_committed_only(self, store: TableStore, txn: Transaction) -> bool:
        owner = self.write_lock.owner
        return owner is not None and owner is not txn and store in owner.touched

    # schema changes (undoable) ------------------------------------------------------
    def add_table(self, store: TableStore, txn: Transaction) -> None:
        if store.name in self.tables:
            raise OperationalError(f"table {store.name} already exists")
        self.tables[store.name] = store
        self.schema_version += 1
        txn.record(self._restore_table, store.name, None)

    def remove_table(self, name: str, txn: Transaction) -> None:
        store = self.table(name)
        del self.tables[name]
        self.schema_version += 1
        txn.record(self._restore_table, name, store)

    def _restore_table(self, name: str, store: TableStore | None) -> None:
        if store is None:
            self.tables.pop(name, None)
        else:
            self.tables[name] = store
        self.schema_version += 1

    # transactions -----------------------------------------------------------------
    def begin_write(self, txn: Transaction, timeout: float) -> None:
        self.write_lock.acquire(txn, timeout)

    def commit(self, txn: Transaction) -> None:
        with self.mutex:
            txn.reset()
            self.write_lock.release(txn)

    def rollback(self, txn: Transaction) -> None:
        with self.mutex:
            txn.rollback_to(0)
            txn.reset()
            self.write_lock.release(txn)
