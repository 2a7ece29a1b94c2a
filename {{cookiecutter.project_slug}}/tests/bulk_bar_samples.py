"""Bars and a bars table shared by the tests of the bar repository's bulk paths."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, create_engine, insert

from {{ cookiecutter.package_name }}.adapters.sqla.mapping import start_mappers
from {{ cookiecutter.package_name }}.adapters.sqla.tables import bars, instruments, metadata
from {{ cookiecutter.package_name }}.domain.bar import Bar

START = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)


def es_bars(count: int, *, microseconds: int = 0) -> list[Bar]:
    """One-minute ES bars from `START` (shifted by `microseconds`), each a point higher."""
    return [
        Bar(
            symbol="ES",
            ts=START + timedelta(minutes=i, microseconds=microseconds),
            open=Decimal("5900.25") + i,
            high=Decimal("5901.75") + i,
            low=Decimal("5899") + i,
            close=Decimal("5900.50") + i,
            volume=1_000 + i,
        )
        for i in range(count)
    ]


def engine_with_es(url: str) -> Iterator[Engine]:
    """A new engine at `url` with the instruments and bars tables and the ES instrument."""
    start_mappers()
    engine = create_engine(url)
    metadata.create_all(engine, tables=[instruments, bars])
    with engine.begin() as connection:
        connection.execute(
            insert(instruments).values(
                symbol="ES", tick_size=0.25, multiplier=50, currency="USD", quantity_step=1
            )
        )
    yield engine
    engine.dispose()
