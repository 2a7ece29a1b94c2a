"""The bench's scale checks, the parts both flavours share: inputs, rows and the ratios."""

import pytest
from sqlalchemy import Connection, func, select

from {{ cookiecutter.package_name }}.adapters.sqla.tables import metadata, orders
from {{ cookiecutter.package_name }}.bench.scale_parts import (
    ScaleResult,
    ScaleSizes,
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


@pytest.mark.parametrize("field", ["orders", "bars"])
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

    def memory(orders_count: int, sizes: ScaleSizes) -> tuple[float, int]:
        asked.append((orders_count, sizes))
        return 0.25, 4096

    measure_main(["memory", "0", "60", "11"], memory, lambda count: 0)

    assert asked == [(0, ScaleSizes(orders=1, bars=60, seed=11))]
    assert capsys.readouterr().out == '{"seconds_per_bar": 0.25, "bytes": 4096}\n'


@pytest.mark.parametrize("arguments", [[], ["memory", "1"], ["sqlite"], ["disk", "5"]])
def test_a_measurement_process_refuses_other_arguments(arguments: list[str]) -> None:
    with pytest.raises(SystemExit, match="usage: scale memory ORDERS BARS SEED"):
        measure_main(arguments, lambda count, sizes: (0.0, 0), lambda count: 0)
