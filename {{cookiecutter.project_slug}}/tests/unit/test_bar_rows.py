"""Bar rows in and out of the `bars` table: the positional read matches the table and `Bar`."""

from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal

from {{ cookiecutter.package_name }}.adapters.sqla.mapping import start_mappers
from {{ cookiecutter.package_name }}.adapters.sqla.rows import BAR_FIELDS, bar_rows, bars_from_rows
from {{ cookiecutter.package_name }}.adapters.sqla.statements import statements
from {{ cookiecutter.package_name }}.adapters.sqla.tables import bars
from {{ cookiecutter.package_name }}.domain.bar import Bar


def test_the_bar_fields_are_the_columns_of_bars_in_the_order_of_bar() -> None:
    assert tuple(field.name for field in fields(Bar)) == BAR_FIELDS
    assert set(BAR_FIELDS) == set(bars.c.keys())


def test_the_range_query_selects_the_bar_fields_in_order() -> None:
    start_mappers()
    assert tuple(column.name for column in statements().bar_range.selected_columns) == BAR_FIELDS


def test_a_bar_written_as_a_row_reads_back_equal() -> None:
    bar = Bar(
        "ES",
        datetime(2025, 1, 2, 14, 30, tzinfo=UTC),
        Decimal("100.25"),
        Decimal("101"),
        Decimal("99.5"),
        Decimal("100.5"),
        7,
    )
    row = next(bar_rows([bar]))

    assert bars_from_rows([tuple(row[name] for name in BAR_FIELDS)]) == [bar]
