"""Repository ports, awaited: collection-like access to the aggregates, one per aggregate."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from ...domain import Instrument, Order, Position, Trade
from ...domain.bar import Bar


class InstrumentRepository(Protocol):
    """Instruments by symbol."""

    def add(self, instrument: Instrument) -> None: ...

    async def get(self, symbol: str) -> Instrument:
        """Return the instrument or raise `NotFoundError`."""
        ...


class OrderRepository(Protocol):
    """Orders by id, and the working orders of a strategy."""

    def add(self, order: Order) -> None: ...

    async def get(self, order_id: str) -> Order:
        """Return the order or raise `NotFoundError`."""
        ...

    async def list_open(self, symbol: str, strategy_id: str) -> Sequence[Order]:
        """Open orders of one strategy on one instrument, oldest first."""
        ...

    async def list_in_group(self, order_list_id: str) -> Sequence[Order]:
        """Every order of one order list (a bracket or OCO group), oldest first."""
        ...

    async def count(self) -> int: ...


class TradeRepository(Protocol):
    """Fills, append-only."""

    def add(self, trade: Trade) -> None: ...

    async def exists(self, trade_id: str) -> bool: ...

    async def list_for_order(self, order_id: str) -> Sequence[Trade]: ...


class PositionRepository(Protocol):
    """Positions; at most one open per instrument and strategy."""

    def add(self, position: Position) -> None: ...

    async def get(self, position_id: str) -> Position:
        """Return the position or raise `NotFoundError`."""
        ...

    async def get_open(self, symbol: str, strategy_id: str) -> Position | None: ...

    async def list_closed(self, symbol: str, strategy_id: str) -> Sequence[Position]:
        """Closed positions, in the order they were closed."""
        ...


class BarRepository(Protocol):
    """Price bars, written in bulk."""

    async def add_many(self, bars: Iterable[Bar]) -> int:
        """Insert bars through the bulk path; return how many were written."""
        ...

    async def count(self, symbol: str) -> int: ...

    async def list_range(self, symbol: str, start: datetime, end: datetime) -> Sequence[Bar]:
        """Bars with start <= ts < end, in time order."""
        ...
