"""Unit-of-work port: one atomic business transaction over the repositories, awaited."""

from types import TracebackType
from typing import Protocol, Self

from .repositories import (
    BarRepository,
    InstrumentRepository,
    OrderRepository,
    PositionRepository,
    TradeRepository,
)


class UnitOfWork(Protocol):
    """Commits only when asked; rolls back whatever is not committed when the block ends."""

    @property
    def instruments(self) -> InstrumentRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def trades(self) -> TradeRepository: ...

    @property
    def positions(self) -> PositionRepository: ...

    @property
    def bars(self) -> BarRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
