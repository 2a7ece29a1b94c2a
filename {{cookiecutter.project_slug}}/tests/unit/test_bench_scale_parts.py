"""The bench's scale checks, the parts both flavours share: inputs, rows and the ratios."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Connection, func, insert, select

from {{ cookiecutter.package_name }}.adapters.sqla.tables import bars, metadata, orders
from {{ cookiecutter.package_name }}.bench.scale_parts import (
    ScaleResult,
    ScaleSizes,
    clear_replayed_rows,
    closed_order_rows,
    load_closed_orders,
    measure_main,
)

LOADED = 1_234


def load_and_count(connection: Connection) -> int:
    """Load `LOADED` closed orders for the strategy `history`; answer the rows in the table."""
    metadata.create_all(connection)
    load_closed_orders(connection, LOADED, "history")
    count: int = connection.execute(select(func.count()).select_from(orders)).scalar_one()
    return count


def replay_cleared_counts(connection: Connection) -> tuple[int, int]:
    """Load the history, add an order and a bar as a replay would, clear what the replay wrote;
    answer the orders and bars left."""
    load_and_count(connection)
    replayed = {**next(closed_order_rows(1, "history")), "order_id": "O-1"}
    connection.execute(insert(orders), replayed)
    bar = {"symbol": "ES", "ts": datetime(2025, 1, 2, tzinfo=UTC), "volume": 1}
    prices = dict.fromkeys(("open", "high", "low", "close"), Decimal("5900.25"))
    connection.execute(insert(bars), {**bar, **prices})
    connection.commit()
    clear_replayed_rows(connection)
    orders_left, bars_left = (
        connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in (orders, bars)
    )
    return orders_left, bars_left


@pytest.mark.parametrize("field", ["orders", "bars", "rounds"])
def test_sizes_must_be_positive(field: str) -> None:
    with pytest.raises(ValueError, match=f"scale {field} must be at least 1"):
        ScaleSizes(**{field: 0})


def test_ratios_compare_loaded_with_empty_and_memory_with_sqlite() -> None:
    result = ScaleResult(10, 5, 0.002, 0.003, 600, 200)
    assert result.per_bar_ratio == pytest.approx(1.5)
    assert result.footprint_ratio == pytest.approx(3.0)


def test_historical_orders_are_all_closed() -> None:
    rows = list(closed_order_rows(6, "s"))
    assert {row["status"] for row in rows} == {"FILLED", "CANCELED"}
    assert len({row["order_id"] for row in rows}) == 6
    assert all(row["leaves_qty"] == 0 and row["ts_closed"] is not None for row in rows)


def test_a_measurement_process_prints_its_answer_as_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    asked: list[object] = []

    def memory(sizes: ScaleSizes) -> tuple[float, float, int]:
        asked.append(sizes)
        return 0.25, 0.375, 4096

    measure_main(["memory", "5", "60", "11", "3"], memory, lambda count: 0)
    measure_main(["sqlite", "5"], memory, lambda count: 2048)

    assert asked == [ScaleSizes(orders=5, bars=60, seed=11, rounds=3)]
    assert capsys.readouterr().out == (
        '{"empty_seconds_per_bar": 0.25, "loaded_seconds_per_bar": 0.375, "bytes": 4096}\n'
        '{"bytes": 2048}\n'
    )


@pytest.mark.parametrize(
    "arguments", [[], ["memory", "1", "2", "3"], ["sqlite"], ["disk", "5"]], ids=repr
)
def test_a_measurement_process_refuses_other_arguments(arguments: list[str]) -> None:
    with pytest.raises(SystemExit, match="usage: scale memory ORDERS BARS SEED ROUNDS"):
        measure_main(arguments, lambda sizes: (0.0, 0.0, 0), lambda count: 0)
