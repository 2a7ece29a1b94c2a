"""A root session transaction that makes its restoration records when it first needs them."""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy.engine.util import TransactionalContext
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.session import (
    SessionTransactionOrigin,
    SessionTransactionState,
    _SessionCloseState,
)

_RECORDS = frozenset({"_new", "_deleted", "_dirty", "_key_switches"})
"""What `SessionTransaction._take_snapshot` creates for a transaction that begins: the
objects added, deleted, changed and re-keyed under it, each a weak-keyed dictionary."""

_BEGINNINGS = (SessionTransactionOrigin.BEGIN, SessionTransactionOrigin.AUTOBEGIN)


class LazyRecordsTransaction(SessionTransaction):
    """`SessionTransaction` whose four restoration records start out absent and are made
    empty on first access, as `_take_snapshot` would have made them.

    A transaction that only reads never touches them; making them costs about a quarter of
    beginning and committing such a transaction on `memory://`. Every other step, nested and
    subtransactions included, is `SessionTransaction`'s own.
    """

    def __init__(
        self,
        session: Session,
        origin: SessionTransactionOrigin,
        parent: SessionTransaction | None = None,
    ) -> None:
        if (
            parent is not None
            or origin not in _BEGINNINGS
            or session._close_state is _SessionCloseState.CLOSED
            or session.dispatch.after_transaction_create
        ):
            super().__init__(session, origin, parent)
            return
        # `SessionTransaction.__init__` for a root transaction, with no one to tell of it.
        TransactionalContext._trans_ctx_check(session)
        self.session = session
        self._connections = {}
        self._parent = None
        self.nested = False
        self.origin = origin
        self._state = SessionTransactionState.ACTIVE
        session._transaction = self

    def _take_snapshot(self) -> None:
        if self._is_transaction_boundary and self.origin in _BEGINNINGS:
            attributes = self.__dict__
            if not _RECORDS.isdisjoint(attributes):
                for name in _RECORDS:
                    attributes.pop(name, None)
            return
        super()._take_snapshot()

    def __getattr__(self, name: str) -> Any:
        if name in _RECORDS:
            record: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
            self.__dict__[name] = record
            return record
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
