"""One SQLAlchemy implementation of each repository port; it serves every backend."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ...domain import Instrument, NotFoundError, Order, Position, Trade
from ...domain.bar import Bar
from .bulk_bars import write_memory, write_sqlite
from .rows import BULK_CHUNK, OPEN_STATUSES, bar_rows, bars_from_rows, chunks
from .statements import statements
from .tables import bars


class SqlAlchemyInstrumentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, instrument: Instrument) -> None:
        self._session.add(instrument)

    def get(self, symbol: str) -> Instrument:
        instrument = self._session.get(Instrument, symbol)
        if instrument is None:
            raise NotFoundError("instrument", symbol)
        return instrument


class SqlAlchemyOrderRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, order: Order) -> None:
        self._session.add(order)

    def get(self, order_id: str) -> Order:
        order = self._session.get(Order, order_id)
        if order is None:
            raise NotFoundError("order", order_id)
        return order

    def list_open(self, symbol: str, strategy_id: str) -> Sequence[Order]:
        params = {"symbol": symbol, "strategy_id": strategy_id, "statuses": OPEN_STATUSES}
        return self._session.scalars(statements().open_orders, params).all()

    def list_in_group(self, order_list_id: str) -> Sequence[Order]:
        params = {"order_list_id": order_list_id}
        return self._session.scalars(statements().orders_in_group, params).all()

    def count(self) -> int:
        count: int = self._session.execute(statements().order_count).scalar_one()
        return count


class SqlAlchemyTradeRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, trade: Trade) -> None:
        self._session.add(trade)

    def exists(self, trade_id: str) -> bool:
        self._session.flush()  # a pending trade with this id counts too
        return self._session.get(Trade, trade_id) is not None

    def list_for_order(self, order_id: str) -> Sequence[Trade]:
        return self._session.scalars(statements().trades_for_order, {"order_id": order_id}).all()


class SqlAlchemyPositionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, position: Position) -> None:
        self._session.add(position)

    def get(self, position_id: str) -> Position:
        position = self._session.get(Position, position_id)
        if position is None:
            raise NotFoundError("position", position_id)
        return position

    def get_open(self, symbol: str, strategy_id: str) -> Position | None:
        params = {"symbol": symbol, "strategy_id": strategy_id}
        return self._session.scalars(statements().open_position, params).one_or_none()

    def list_closed(self, symbol: str, strategy_id: str) -> Sequence[Position]:
        params = {"symbol": symbol, "strategy_id": strategy_id}
        return self._session.scalars(statements().closed_positions, params).all()


class SqlAlchemyBarRepository:
    """Bars through executemany with parameter lists, not one ORM object per row.

    SQLite takes a faster path (`bulk_bars.write_sqlite`): rows converted once, multi-row
    inserts; `memory://` loads column by column (`memory.bulk.insert_columns`, same checks and
    transaction); the other backends get Core's `insert()` with a list of parameter dictionaries.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_many(self, items: Iterable[Bar]) -> int:
        self._session.flush()  # a pending instrument must be stored before its bars
        connection = self._session.connection()
        if connection.dialect.name == "sqlite":
            return write_sqlite(connection, items)
        if connection.dialect.name == "memory":
            return write_memory(connection, items)
        statement = insert(bars)
        written = 0
        for chunk in chunks(bar_rows(items), BULK_CHUNK):
            connection.execute(statement, chunk)
            written += len(chunk)
        return written

    def count(self, symbol: str) -> int:
        count: int = self._session.execute(statements().bar_count, {"symbol": symbol}).scalar_one()
        return count

    def list_range(self, symbol: str, start: datetime, end: datetime) -> Sequence[Bar]:
        params = {"symbol": symbol, "start": start, "end": end}
        return bars_from_rows(self._session.execute(statements().bar_range, params))
