"""A table with every kind of index, and the look-ups that exercise them."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.engine import NestedTransaction

metadata = MetaData()
quotes = Table(
    "quotes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("symbol", String(16)),
    Column("venue", String(8)),
    Column("seq", Integer),
    Column("bid", Numeric(12, 2)),
    Column("ts", DateTime),
    Column("ext_ref", String(16)),
    Index("ix_quotes_symbol", "symbol"),
    Index("ix_quotes_venue_seq", "venue", "seq", unique=True),
    Index("ix_quotes_symbol_ts", "symbol", "ts"),
    Index("ix_quotes_bid", "bid"),
    Index("ix_quotes_ext_ref", "ext_ref", unique=True),
)

SYMBOLS = ("AAA", "BBB", "CCC", None)
VENUES = ("X", "Y", None)
T0 = datetime(2024, 3, 1, 9, 30)

q = quotes.c
BATTERY: list[Any] = [
    select(q.id).where(q.symbol == "AAA").order_by(q.id),
    select(q.id).where(q.symbol.in_(["BBB", "CCC"])).order_by(q.id),
    select(q.id).where(q.symbol.is_(None)).order_by(q.id),
    select(q.id).where(q.symbol != "AAA").order_by(q.id),
    select(q.id).where(q.venue == "X", q.seq == 2),
    select(q.id, q.seq).where(q.venue == "Y", q.seq > 1).order_by(q.seq, q.id),
    select(q.id).where(q.venue == "X").order_by(q.id),
    select(q.id).where(q.venue.is_(None), q.seq == 1).order_by(q.id),
    select(q.id).where(q.symbol == "BBB", q.ts >= T0 + timedelta(minutes=2)).order_by(q.id),
    select(q.symbol, q.ts, q.id).order_by(q.symbol, q.ts, q.id),
    select(q.id).where(q.bid > Decimal("10.00")).order_by(q.id),
    select(q.id).where(q.bid.between(Decimal("5"), Decimal("15.5"))).order_by(q.id),
    select(q.id, q.bid).order_by(q.bid.desc(), q.id).limit(3),
    select(q.id).where(q.bid.is_(None)).order_by(q.id),
    select(q.id, q.bid).order_by(q.bid, q.id).offset(1).limit(4),
    select(q.id).where(q.ext_ref == "r1"),
    select(q.id).where(q.ext_ref.in_(["r1", "r2", "r9"])).order_by(q.id),
    select(q.id).where(q.ext_ref.is_(None)).order_by(q.id),
    select(q.symbol, func.count(), func.max(q.bid)).group_by(q.symbol).order_by(q.symbol),
    select(q.id).where(q.id.in_([1, 3, 5, 100])).order_by(q.id),
    select(q.id).where(q.id > 3).order_by(q.id.desc()),
]


def run_battery(conn: Connection, battery: list[Any] = BATTERY) -> list[list[tuple[Any, ...]]]:
    return [[tuple(row) for row in conn.execute(statement)] for statement in battery]


# Every other look-up: still each index, at half the cost, for checks made after every step.
SHORT_BATTERY = BATTERY[::2]

TRANSACTION_STEPS = frozenset({"commit", "rollback", "savepoint", "release", "rollback_to"})


class TransactionSteps:
    """Replays the transaction steps of a sequence of operations on one open connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.savepoints: list[NestedTransaction] = []

    def apply(self, kind: str) -> list[list[tuple[Any, ...]]] | None:
        """Take one step; the battery's answers after it, None when it has nothing to show."""
        if kind in ("commit", "rollback"):
            getattr(self.conn, kind)()
            self.savepoints.clear()
            self.conn.begin()
            return run_battery(self.conn)
        if kind == "savepoint":
            self.savepoints.append(self.conn.begin_nested())
            return None
        if not self.savepoints:
            return None  # a release or rollback with no savepoint open
        nested = self.savepoints.pop()
        if kind == "release":
            nested.commit()
        else:
            nested.rollback()
        return run_battery(self.conn)
