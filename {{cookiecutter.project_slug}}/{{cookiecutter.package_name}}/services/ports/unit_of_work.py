"""Unit-of-work port: one atomic business transaction over the repositories."""

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

    instruments: InstrumentRepository
    orders: OrderRepository
    trades: TradeRepository
    positions: PositionRepository
    bars: BarRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
