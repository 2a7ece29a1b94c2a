"""The SQLAlchemy unit of work: one session per business transaction."""

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...domain import ConflictError
from .repositories import (
    SqlAlchemyBarRepository,
    SqlAlchemyInstrumentRepository,
    SqlAlchemyOrderRepository,
    SqlAlchemyPositionRepository,
    SqlAlchemyTradeRepository,
)


class SqlAlchemyUnitOfWork:
    """Commits only when asked, rolls back on exit, turns integrity errors into `ConflictError`."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return self._session

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("the unit of work is already open")
        session = self._session_factory()
        self._session = session
        self.instruments = SqlAlchemyInstrumentRepository(session)
        self.orders = SqlAlchemyOrderRepository(session)
        self.trades = SqlAlchemyTradeRepository(session)
        self.positions = SqlAlchemyPositionRepository(session)
        self.bars = SqlAlchemyBarRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        self._session = None
        try:
            session.rollback()
        finally:
            session.close()
        if isinstance(exc, IntegrityError):
            raise _conflict(exc) from exc

    def commit(self) -> None:
        try:
            self.session.commit()
        except IntegrityError as error:
            self.session.rollback()
            raise _conflict(error) from error

    def rollback(self) -> None:
        self.session.rollback()


def _conflict(error: IntegrityError) -> ConflictError:
    return ConflictError(f"the write conflicts with stored data: {error.orig}")
