"""One SQLAlchemy implementation of each repository port on `AsyncSession`, for every backend."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ...domain import Instrument, NotFoundError, Order, Position, Trade
from ...domain.bar import Bar
from .bulk_bars import write_memory, write_sqlite
from .rows import BULK_CHUNK, OPEN_STATUSES, bar_rows, bars_from_rows, chunks
from .statements import statements
from .tables import bars


class SqlAlchemyInstrumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, instrument: Instrument) -> None:
        self._session.add(instrument)

    async def get(self, symbol: str) -> Instrument:
        instrument = await self._session.get(Instrument, symbol)
        if instrument is None:
            raise NotFoundError("instrument", symbol)
        return instrument


class SqlAlchemyOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, order: Order) -> None:
        self._session.add(order)

    async def get(self, order_id: str) -> Order:
        order = await self._session.get(Order, order_id)
        if order is None:
            raise NotFoundError("order", order_id)
        return order

    async def list_open(self, symbol: str, strategy_id: str) -> Sequence[Order]:
        params = {"symbol": symbol, "strategy_id": strategy_id, "statuses": OPEN_STATUSES}
        return (await self._session.scalars(statements().open_orders, params)).all()

    async def list_in_group(self, order_list_id: str) -> Sequence[Order]:
        params = {"order_list_id": order_list_id}
        return (await self._session.scalars(statements().orders_in_group, params)).all()

    async def count(self) -> int:
        count: int = (await self._session.execute(statements().order_count)).scalar_one()
        return count


class SqlAlchemyTradeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, trade: Trade) -> None:
        self._session.add(trade)

    async def exists(self, trade_id: str) -> bool:
        await self._session.flush()  # a pending trade with this id counts too
        return await self._session.get(Trade, trade_id) is not None

    async def list_for_order(self, order_id: str) -> Sequence[Trade]:
        found = await self._session.scalars(statements().trades_for_order, {"order_id": order_id})
        return found.all()


class SqlAlchemyPositionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, position: Position) -> None:
        self._session.add(position)

    async def get(self, position_id: str) -> Position:
        position = await self._session.get(Position, position_id)
        if position is None:
            raise NotFoundError("position", position_id)
        return position

    async def get_open(self, symbol: str, strategy_id: str) -> Position | None:
        params = {"symbol": symbol, "strategy_id": strategy_id}
        return (await self._session.scalars(statements().open_position, params)).one_or_none()

    async def list_closed(self, symbol: str, strategy_id: str) -> Sequence[Position]:
        params = {"symbol": symbol, "strategy_id": strategy_id}
        return (await self._session.scalars(statements().closed_positions, params)).all()


class SqlAlchemyBarRepository:
    """Bars through executemany with parameter lists, not one ORM object per row.

    SQLite takes a faster path (`bulk_bars.write_sqlite`): rows converted once, multi-row
    inserts; the other backends get Core's `insert()` with a list of parameter dictionaries.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_many(self, items: Iterable[Bar]) -> int:
        await self._session.flush()  # a pending instrument must be stored before its bars
        connection = await self._session.connection()
        if connection.dialect.name == "sqlite":
            return await connection.run_sync(write_sqlite, items)
        if connection.dialect.name == "memory":
            return await connection.run_sync(write_memory, items)
        statement = insert(bars)
        written = 0
        for chunk in chunks(bar_rows(items), BULK_CHUNK):
            await connection.execute(statement, chunk)
            written += len(chunk)
        return written

    async def count(self, symbol: str) -> int:
        found = await self._session.execute(statements().bar_count, {"symbol": symbol})
        count: int = found.scalar_one()
        return count

    async def list_range(self, symbol: str, start: datetime, end: datetime) -> Sequence[Bar]:
        params = {"symbol": symbol, "start": start, "end": end}
        return bars_from_rows(await self._session.execute(statements().bar_range, params))
