"""The SQLAlchemy unit of work: one `AsyncSession` per business transaction."""

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

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

    def __init__(self, session_factory: Callable[[], AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use it in an `async with` block")
        return self._session

    async def __aenter__(self) -> Self:
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

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        self._session = None
        try:
            await session.rollback()
        finally:
            await session.close()
        if isinstance(exc, IntegrityError):
            raise _conflict(exc) from exc

    async def commit(self) -> None:
        try:
            await self.session.commit()
        except IntegrityError as error:
            await self.session.rollback()
            raise _conflict(error) from error

    async def rollback(self) -> None:
        await self.session.rollback()


def _conflict(error: IntegrityError) -> ConflictError:
    return ConflictError(f"the write conflicts with stored data: {error.orig}")
