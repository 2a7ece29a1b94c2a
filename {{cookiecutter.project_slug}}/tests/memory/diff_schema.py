"""A small trading schema and its seed rows, shared by the differential tests."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Enum, ForeignKey, Index, MetaData, Numeric, String, insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Side(enum.Enum):
    BUY = "buy"
    SELL = "sell"


class AssetClass(enum.Enum):
    EQUITY = "equity"
    FUTURE = "future"
    CRYPTO = "crypto"


class Base(DeclarativeBase):
    metadata = MetaData()


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    owner: Mapped[str | None] = mapped_column(String(64))

    orders: Mapped[list[Order]] = relationship(back_populates="account", order_by="Order.id")


class Instrument(Base):
    __tablename__ = "instruments"

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str | None] = mapped_column(String(64))
    asset_class: Mapped[AssetClass] = mapped_column(Enum(AssetClass))
    tick_size: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    active: Mapped[bool] = mapped_column(default=True)
    listed_on: Mapped[date | None]

    orders: Mapped[list[Order]] = relationship(
        back_populates="instrument", cascade="all, delete-orphan", order_by="Order.id"
    )


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_instrument_status", "instrument_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    side: Mapped[Side] = mapped_column(Enum(Side))
    qty: Mapped[int | None]
    limit_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str | None] = mapped_column(String(64))
    placed_at: Mapped[datetime]

    instrument: Mapped[Instrument] = relationship(back_populates="orders")
    account: Mapped[Account | None] = relationship(back_populates="orders")
    fills: Mapped[list[Fill]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Fill.id"
    )


class Fill(Base):
    __tablename__ = "fills"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    qty: Mapped[int]
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    filled_at: Mapped[datetime]

    order: Mapped[Order] = relationship(back_populates="fills")


OPENING = datetime(2024, 3, 1, 9, 30)

ACCOUNTS = [
    {"id": 1, "code": "ALPHA", "owner": "Ada"},
    {"id": 2, "code": "BETA", "owner": None},
    {"id": 3, "code": "GAMMA", "owner": "Grace"},
]

INSTRUMENTS = [
    {
        "id": 1,
        "symbol": "AAPL",
        "name": "Apple Inc.",
        "asset_class": AssetClass.EQUITY,
        "tick_size": Decimal("0.01"),
        "active": True,
        "listed_on": date(1980, 12, 12),
    },
    {
        "id": 2,
        "symbol": "MSFT",
        "name": "Microsoft Corp.",
        "asset_class": AssetClass.EQUITY,
        "tick_size": Decimal("0.01"),
        "active": True,
        "listed_on": date(1986, 3, 13),
    },
    {
        "id": 3,
        "symbol": "ES_F",
        "name": "E-mini S&P 500 (100% margin)",
        "asset_class": AssetClass.FUTURE,
        "tick_size": Decimal("0.25"),
        "active": True,
        "listed_on": None,
    },
    {
        "id": 4,
        "symbol": "BTC-USD",
        "name": None,
        "asset_class": AssetClass.CRYPTO,
        "tick_size": Decimal("0.5"),
        "active": False,
        "listed_on": date(2009, 1, 3),
    },
    {
        "id": 5,
        "symbol": "aapl.old",
        "name": "apple inc. (delisted)",
        "asset_class": AssetClass.EQUITY,
        "tick_size": Decimal("0.0001"),
        "active": False,
        "listed_on": date(1980, 12, 12),
    },
]


def _order(
    id_: int,
    instrument_id: int,
    account_id: int | None,
    side: Side,
    qty: int | None,
    price: str | None,
    status: str,
    note: str | None,
    minute: int,
) -> dict[str, object]:
    return {
        "id": id_,
        "instrument_id": instrument_id,
        "account_id": account_id,
        "side": side,
        "qty": qty,
        "limit_price": None if price is None else Decimal(price),
        "status": status,
        "note": note,
        "placed_at": OPENING + timedelta(minutes=minute),
    }


ORDERS = [
    _order(1, 1, 1, Side.BUY, 100, "189.50", "filled", "opening buy", 0),
    _order(2, 1, 1, Side.SELL, 40, "191.25", "open", None, 3),
    _order(3, 1, 2, Side.BUY, None, None, "cancelled", "Rush: market", 5),
    _order(4, 2, 2, Side.BUY, 25, "410.00", "open", "rush_hour", 7),
    _order(5, 2, None, Side.SELL, 25, "410.00", "filled", "50% off", 11),
    _order(6, 3, 3, Side.BUY, 2, "5120.25", "open", "", 13),
    _order(7, 3, 3, Side.SELL, 3, None, "open", "RUSH", 17),
    _order(8, 4, 1, Side.BUY, 0, "0.05", "rejected", "tiny_%_lot", 19),
    _order(9, 4, None, Side.SELL, -5, "67000.50", "open", None, 23),
    _order(10, 5, 2, Side.BUY, 7, "12.34", "filled", "old symbol", 29),
    _order(11, 2, 1, Side.BUY, 25, "409.99", "open", "Rush order", 31),
    _order(12, 1, 3, Side.SELL, None, "190.00", "open", "a\\b", 37),
]

FILLS = [
    {
        "id": id_,
        "order_id": order_id,
        "qty": qty,
        "price": Decimal(price),
        "filled_at": OPENING + timedelta(minutes=minute, microseconds=250_000),
    }
    for id_, order_id, qty, price, minute in [
        (1, 1, 60, "189.50", 1),
        (2, 1, 40, "189.45", 2),
        (3, 5, 25, "410.00", 12),
        (4, 10, 7, "12.30", 30),
        (5, 2, 10, "191.25", 40),
    ]
]


def seed(engine: Engine) -> None:
    """Insert the seed rows through Core executemany."""
    with engine.begin() as conn:
        conn.execute(insert(Account), ACCOUNTS)
        conn.execute(insert(Instrument), INSTRUMENTS)
        conn.execute(insert(Order), ORDERS)
        conn.execute(insert(Fill), FILLS)


accounts = Base.metadata.tables["accounts"]
instruments = Base.metadata.tables["instruments"]
orders = Base.metadata.tables["orders"]
fills = Base.metadata.tables["fills"]
