"""The SQLite bulk path for bars stores exactly what Core's insert() stores."""

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.adapters.sqla import bulk_bars
from {{ cookiecutter.package_name }}.adapters.sqla.repositories import SqlAlchemyBarRepository
from {{ cookiecutter.package_name }}.adapters.sqla.tables import bars, metadata
from {{ cookiecutter.package_name }}.domain.bar import Bar

from ..bulk_bar_samples import engine_with_es, es_bars


@pytest.fixture
def sqlite_engine() -> Iterator[Engine]:
    yield from engine_with_es("sqlite://")


def stored_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.exec_driver_sql("SELECT * FROM bars ORDER BY symbol, ts")
        ]


def store_with_core(engine: Engine, items: Sequence[Bar]) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(bars),
            [{column.key: getattr(bar, column.key) for column in bars.columns} for bar in items],
        )
        connection.exec_driver_sql("ALTER TABLE bars RENAME TO core_bars")


@pytest.mark.parametrize("count", [1, 99, 100, 250, bulk_bars.CHUNK + 123])
@pytest.mark.parametrize("microseconds", [0, 250_001])
def test_the_bulk_path_stores_what_core_stores(
    sqlite_engine: Engine, count: int, microseconds: int
) -> None:
    items = es_bars(count, microseconds=microseconds)
    store_with_core(sqlite_engine, items)
    metadata.create_all(sqlite_engine, tables=[bars])
    with Session(sqlite_engine) as session:
        written = SqlAlchemyBarRepository(session).add_many(iter(items))
        session.commit()

    with sqlite_engine.connect() as connection:
        core = [
            tuple(row)
            for row in connection.exec_driver_sql("SELECT * FROM core_bars ORDER BY symbol, ts")
        ]
    assert written == count
    assert stored_rows(sqlite_engine) == core


def test_the_conversion_matches_sqlalchemys_own_bind_processors(sqlite_engine: Engine) -> None:
    odd_times = [
        datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),
        datetime(999, 3, 4, 5, 6, 7, tzinfo=UTC),
        datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC),
    ]
    odd = [
        Bar("ES", ts, Decimal("0.25"), Decimal("0.5"), Decimal("0.25"), Decimal("0.5"), 0)
        for ts in odd_times
    ]
    items = es_bars(3) + es_bars(2, microseconds=7)[1:] + odd
    dialect = sqlite_engine.dialect
    processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in bars.columns]

    expected = [
        tuple(
            getattr(bar, column.key) if process is None else process(getattr(bar, column.key))
            for column, process in zip(bars.columns, processors, strict=True)
        )
        for bar in items
    ]

    assert bulk_bars.sqlite_rows(items) == expected


def test_the_stored_bars_read_back_equal(sqlite_engine: Engine) -> None:
    items = es_bars(150, microseconds=3)
    with Session(sqlite_engine) as session:
        repository = SqlAlchemyBarRepository(session)
        repository.add_many(items)
        session.commit()
        back = repository.list_range("ES", items[0].ts, items[-1].ts + timedelta(seconds=1))
        middle = repository.list_range("ES", items[10].ts, items[20].ts)

    assert back == items
    assert middle == items[10:20]


def test_a_duplicate_bar_fails_the_whole_insert(sqlite_engine: Engine) -> None:
    items = es_bars(120)
    with Session(sqlite_engine) as session, pytest.raises(IntegrityError, match="UNIQUE"):
        SqlAlchemyBarRepository(session).add_many([*items, items[5]])

    with Session(sqlite_engine) as session:
        assert session.execute(select(bars.c.ts)).all() == []
