"""The quickstart: the same SQLAlchemy code on SQLite and in memory; only the URL changes."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import Numeric, String, create_engine, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from .diffkit import baseline_mode

SYNC_URLS = ["sqlite://", "memory://"]
ASYNC_URLS = ["sqlite+aiosqlite://", "memory+asyncio://"]


def url_under_test(url: str) -> str:
    """In the SQLite self-check the memory URLs fall back to SQLite."""
    if baseline_mode() and url.startswith("memory"):
        return "sqlite+aiosqlite://" if "asyncio" in url else "sqlite://"
    return url


class Base(DeclarativeBase):
    pass


class Trade(Base):
    __tablename__ = "trades"

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(12))
    qty: Mapped[int]
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))


@pytest.mark.parametrize("url", SYNC_URLS)
def test_quickstart(url: str) -> None:
    engine = create_engine(url_under_test(url))
    Base.metadata.create_all(engine)
    Session = sessionmaker(engine)

    with Session() as session:
        session.add_all(
            [
                Trade(symbol="AAPL", qty=10, price=Decimal("189.50")),
                Trade(symbol="MSFT", qty=5, price=Decimal("410.10")),
            ]
        )
        session.commit()

    with Session() as session:
        trades = session.scalars(select(Trade).where(Trade.qty > 1).order_by(Trade.symbol)).all()
        assert [(t.id, t.symbol, t.qty, t.price) for t in trades] == [
            (1, "AAPL", 10, Decimal("189.50")),
            (2, "MSFT", 5, Decimal("410.10")),
        ]
        session.delete(trades[0])
        session.commit()

    with Session() as session:
        assert session.scalars(select(Trade.symbol)).all() == ["MSFT"]
        assert session.get(Trade, 1) is None

    engine.dispose()


@pytest.mark.parametrize("url", ASYNC_URLS)
def test_async_quickstart(url: str) -> None:
    async def main() -> None:
        engine = create_async_engine(url_under_test(url))
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        Session = async_sessionmaker(engine, expire_on_commit=False)

        async with Session() as session:
            session.add(Trade(symbol="ES", qty=2, price=Decimal("5120.25")))
            await session.commit()

        async with Session() as session:
            trade = (await session.scalars(select(Trade).where(Trade.symbol == "ES"))).one()
            assert (trade.id, trade.qty, trade.price) == (1, 2, Decimal("5120.25"))
            await session.delete(trade)
            await session.commit()

        async with Session() as session:
            assert (await session.scalars(select(Trade))).all() == []

        await engine.dispose()

    asyncio.run(main())
