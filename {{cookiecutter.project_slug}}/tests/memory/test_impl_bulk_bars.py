"""The `memory://` bulk path for bars stores exactly what Core's insert() stores there."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.adapters.memory.bulk import column_storers
from {{ cookiecutter.package_name }}.adapters.sqla import bulk_bars
from {{ cookiecutter.package_name }}.adapters.sqla.repositories import SqlAlchemyBarRepository
from {{ cookiecutter.package_name }}.adapters.sqla.tables import bars, instruments, metadata
from {{ cookiecutter.package_name }}.domain.bar import Bar

from ..bulk_bar_samples import START, engine_with_es, es_bars
from .diffkit import assert_same


def odd_bars() -> list[Bar]:
    """Times far from today and in other zones; prices integral, with trailing zeros, in
    exponent form, long."""
    east = timezone(timedelta(hours=5, minutes=30))
    times = [
        datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),
        datetime(999, 3, 4, 5, 6, 7, tzinfo=UTC),
        datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2025, 3, 1, 2, 0, tzinfo=east),
    ]
    prices = [
        (Decimal("1.00"), Decimal("1"), Decimal("1.00"), Decimal("1.000")),
        (Decimal("12"), Decimal("12.5"), Decimal("11.99999999"), Decimal("12.00000000")),
        (Decimal("0.1"), Decimal("1e3"), Decimal("0.1"), Decimal("123.45678901")),
        (Decimal("5E+0"), Decimal("5.25"), Decimal("4.75"), Decimal("5")),
    ]
    return [
        Bar("ES", ts, open_, high, low, close, volume)
        for (ts, (open_, high, low, close), volume) in zip(
            times, prices, [0, 1, 2**40, 7], strict=True
        )
    ]


@pytest.fixture
def memory_engine() -> Iterator[Engine]:
    yield from engine_with_es("memory://")


def stored_rows(engine: Engine) -> list[tuple[Any, ...]]:
    """The rows as the store holds them, before any result processing (which would turn an
    integer and a float of the same value into the same `Decimal`)."""
    with engine.connect() as connection:
        memory = connection.connection.dbapi_connection.memory_connection  # type: ignore[union-attr]
        return sorted(memory.db.table("bars").rows.values(), key=lambda row: row[:2])


def store_with_core(engine: Engine, items: Sequence[Bar]) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(bars),
            [{column.key: getattr(bar, column.key) for column in bars.columns} for bar in items],
        )


def store_with_bulk_path(engine: Engine, items: Sequence[Bar]) -> int:
    with Session(engine) as session:
        written = SqlAlchemyBarRepository(session).add_many(iter(items))
        session.commit()
    return written


@pytest.mark.parametrize("count", [1, 250, bulk_bars.CHUNK + 123])
def test_the_bulk_path_stores_what_core_stores(memory_engine: Engine, count: int) -> None:
    items = es_bars(count, microseconds=250_001) + odd_bars()
    reference = create_engine("memory://")
    metadata.create_all(reference, tables=[instruments, bars])
    with reference.begin() as connection:
        connection.execute(insert(instruments).values(symbol="ES", tick_size=0.25, multiplier=50,
                                                      currency="USD", quantity_step=1))  # fmt: skip
    store_with_core(reference, items)

    assert store_with_bulk_path(memory_engine, items) == len(items)
    assert_same(stored_rows(reference), stored_rows(memory_engine), "stored bars")
    reference.dispose()


def memory_store(connection: Connection) -> Any:
    return connection.connection.dbapi_connection.memory_connection.db.table("bars")  # type: ignore[union-attr]


def test_the_columns_are_what_the_types_bind_and_the_prices_what_the_store_keeps(
    memory_engine: Engine,
) -> None:
    items = es_bars(3) + es_bars(2, microseconds=7)[1:] + odd_bars()
    dialect = memory_engine.dialect
    expected: dict[str, list[Any]] = {}
    with memory_engine.connect() as connection:
        store = memory_store(connection)
        for column in bars.columns:
            process = column.type._cached_bind_processor(dialect)
            values = [getattr(bar, column.key) for bar in items]
            bound = values if process is None else [process(v) for v in values]
            if column.key in bulk_bars.PRICE_COLUMNS:
                bound = store.prepare_column(store.positions[column.name], bound)
            expected[column.key] = bound
        columns = bulk_bars.memory_columns(items, bulk_bars.stored_prices(connection))

    assert_same(expected, columns, "bar columns")


def test_the_four_price_columns_share_one_look_up(memory_engine: Engine) -> None:
    with memory_engine.connect() as connection:
        prices = bulk_bars.stored_prices(connection)
    assert len(prices) == 4
    assert all(lookup is prices[0] for lookup in prices)


def test_the_storers_of_columns_that_store_alike_compare_equal(memory_engine: Engine) -> None:
    with memory_engine.connect() as connection:
        storers = column_storers(connection, bars, ["open", "close", "ts", "volume"])
    assert storers["open"] == storers["close"]
    assert storers["open"] != storers["ts"]
    assert storers["open"] != storers["volume"]


def test_a_bar_whose_time_is_naive_is_refused(memory_engine: Engine) -> None:
    bar = es_bars(1)[0]
    object.__setattr__(bar, "ts", bar.ts.replace(tzinfo=None))  # what `Bar` itself never allows
    with memory_engine.connect() as connection:
        prices = bulk_bars.stored_prices(connection)
    with pytest.raises(ValueError, match="bar timestamps must be timezone-aware"):
        bulk_bars.memory_columns([bar], prices)


def test_the_stored_bars_read_back_equal(memory_engine: Engine) -> None:
    items = es_bars(150, microseconds=3)
    with Session(memory_engine) as session:
        repository = SqlAlchemyBarRepository(session)
        repository.add_many(items)
        session.commit()
        back = repository.list_range("ES", items[0].ts, items[-1].ts + timedelta(seconds=1))
        middle = repository.list_range("ES", items[10].ts, items[20].ts)

    assert back == items
    assert middle == items[10:20]


def test_a_duplicate_bar_fails_its_whole_chunk(memory_engine: Engine) -> None:
    items = es_bars(120)
    with Session(memory_engine) as session:
        with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: bars\.symbol"):
            SqlAlchemyBarRepository(session).add_many([*items, items[5]])
        assert session.execute(select(bars.c.ts)).all() == []


def test_a_bar_of_an_unknown_instrument_fails_its_whole_chunk(memory_engine: Engine) -> None:
    items = es_bars(3)
    stranger = Bar("NQ", START, Decimal(1), Decimal(1), Decimal(1), Decimal(1), 1)
    with Session(memory_engine) as session:
        with pytest.raises(IntegrityError, match=r"bars\.symbol -> instruments\.symbol"):
            SqlAlchemyBarRepository(session).add_many([*items, stranger])
        assert session.execute(select(bars.c.ts)).all() == []
