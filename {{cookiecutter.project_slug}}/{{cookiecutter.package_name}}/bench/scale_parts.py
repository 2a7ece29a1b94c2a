"""Scale checks of the memory backend, what both flavours share: sizes, results, rows, processes.

The checks compare the per-bar time of a backtest beside many closed orders with an empty table's,
and the memory those orders take with SQLite `:memory:`'s. Each backend's measurement runs in a
fresh process (`python -m <package>.bench.scale ...`, the flavour's own module, which measures), so
that one measurement's garbage and caches do not reach another's. The per-bar times are taken in
one process, in alternating rounds on an empty database and on the loaded one (each has what a
replay wrote deleted after every round), and their medians compared: a machine whose speed drifts
over the seconds the loading takes slows both alike.
"""

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy import Connection, delete, insert

from ..adapters.memory.bulk import insert_rows
from ..adapters.sqla.tables import bars, instruments, orders, positions, trades
from ..runner.reference import reference_instrument
from .processes import last_error_line, run_module

SCALE_MODULE = f"{__name__.partition('.')[0]}.bench.scale"
"""The flavour's module that runs one measurement (`python -m`)."""
CHUNK = 5_000
"""Rows per load call: small, so that the rows in flight barely count in the footprint."""
SCALE_TIMEOUT_SECONDS = 1800
PER_BAR_TARGET = 1.5
"""Per-bar time beside the closed orders may be at most this multiple of the empty table's."""
FOOTPRINT_TARGET = 3.0
"""Memory for the order rows may be at most this multiple of SQLite :memory:'s."""
_T0 = datetime(2020, 1, 2, 14, 30, tzinfo=UTC)
HISTORY_PREFIX = "HIST-"
"""Order ids of the loaded closed orders start with this; the replays' own orders do not."""


@dataclass(frozen=True)
class ScaleSizes:
    orders: int = 1_000_000
    """Closed orders in the table for both checks."""
    bars: int = 2_000
    """Bars replayed for the per-bar comparison."""
    seed: int = 7
    rounds: int = 3
    """Replays on each table, alternating; the medians are compared."""

    def __post_init__(self) -> None:
        for name in ("orders", "bars", "rounds"):
            if getattr(self, name) < 1:
                raise ValueError(f"scale {name} must be at least 1")


@dataclass(frozen=True)
class ScaleResult:
    orders: int
    bars: int
    empty_seconds_per_bar: float
    loaded_seconds_per_bar: float
    memory_bytes: int
    sqlite_bytes: int

    @property
    def per_bar_ratio(self) -> float:
        return self.loaded_seconds_per_bar / self.empty_seconds_per_bar

    @property
    def footprint_ratio(self) -> float:
        return self.memory_bytes / max(self.sqlite_bytes, 1)


def closed_order_rows(count: int, strategy_id: str) -> Iterator[dict[str, Any]]:
    """Closed (filled or cancelled) ES orders of the strategy, a minute apart, before the bars."""
    symbol = reference_instrument().symbol
    for number in range(count):
        ts = _T0 + timedelta(minutes=number)
        filled = number % 2 == 0
        yield {
            "order_id": f"{HISTORY_PREFIX}{number:08d}",
            "symbol": symbol,
            "strategy_id": strategy_id,
            "position_id": None,
            "parent_order_id": None,
            "order_list_id": None,
            "side": "BUY" if filled else "SELL",
            "order_type": "MARKET" if filled else "LIMIT",
            "quantity": Decimal(1),
            "price": None if filled else Decimal("5900.25"),
            "trigger_price": None,
            "time_in_force": "GTC",
            "expire_time": None,
            "reduce_only": False,
            "status": "FILLED" if filled else "CANCELED",
            "filled_qty": Decimal(1) if filled else Decimal(0),
            "leaves_qty": Decimal(0),
            "avg_px": Decimal("5900.25") if filled else None,
            "commission": Decimal("2.25") if filled else Decimal(0),
            "reason": None if filled else "history",
            "ts_init": ts,
            "ts_submitted": ts,
            "ts_accepted": ts,
            "ts_triggered": None,
            "ts_closed": ts,
            "ts_last": ts,
        }


def load_closed_orders(connection: Connection, count: int, strategy_id: str) -> None:
    """The instrument and `count` closed orders, committed; bulk-loaded on the memory backend."""
    instrument = reference_instrument()
    connection.execute(
        insert(instruments),
        {
            "symbol": instrument.symbol,
            "tick_size": instrument.tick_size,
            "multiplier": instrument.multiplier,
            "currency": instrument.currency,
            "quantity_step": instrument.quantity_step,
        },
    )
    rows = closed_order_rows(count, strategy_id)
    if connection.dialect.name == "memory":
        while chunk := list(islice(rows, CHUNK)):
            insert_rows(connection, orders, chunk)
    else:
        _load_through_driver(connection, rows)
    connection.commit()


def _load_through_driver(connection: Connection, rows: Iterator[dict[str, Any]]) -> None:
    """The values as SQLAlchemy would send them, handed to the driver's executemany directly."""
    compiled: Any = insert(orders).compile(
        dialect=connection.dialect, column_keys=[column.key for column in orders.c]
    )
    names = list(compiled.positiontup)
    processors = [compiled._bind_processors.get(name) for name in names]
    steps = list(zip(names, processors, strict=True))
    sql = str(compiled)
    processed: dict[tuple[str, Any], Any] = {}  # the rows repeat most of their values

    def value(name: str, process: Any, raw: Any) -> Any:
        if process is None:
            return raw
        key = (name, raw)
        if key not in processed:
            processed[key] = process(raw)
        return processed[key]

    while chunk := list(islice(rows, CHUNK)):
        values = [tuple(value(name, proc, row[name]) for name, proc in steps) for row in chunk]
        connection.exec_driver_sql(sql, values)
        processed.clear()


def clear_replayed_rows(connection: Connection) -> None:
    """Delete what a replay wrote (bars, trades, positions, its own orders); keep the history."""
    for table in (trades, positions, bars):
        connection.execute(delete(table))
    connection.execute(delete(orders).where(orders.c.order_id.not_like(f"{HISTORY_PREFIX}%")))
    connection.commit()


def grown_by_loading(connection: Connection, count: int, strategy_id: str) -> int:
    """Resident bytes the process gains while `count` closed orders are loaded and committed."""
    warm_up = list(closed_order_rows(CHUNK, "warm-up"))  # the rows in flight, counted once
    del warm_up
    before = _resident_bytes()
    load_closed_orders(connection, count, strategy_id)
    return _resident_bytes() - before


def run_scale(sizes: ScaleSizes) -> ScaleResult:
    """Two processes: memory (both per-bar times and the footprint), then SQLite's footprint."""
    memory = _in_process(
        "memory", str(sizes.orders), str(sizes.bars), str(sizes.seed), str(sizes.rounds)
    )
    sqlite = _in_process("sqlite", str(sizes.orders))
    return ScaleResult(
        sizes.orders,
        sizes.bars,
        float(memory["empty_seconds_per_bar"]),
        float(memory["loaded_seconds_per_bar"]),
        int(memory["bytes"]),
        int(sqlite["bytes"]),
    )


def _in_process(*arguments: str) -> dict[str, Any]:
    finished = run_module(SCALE_MODULE, arguments, timeout=SCALE_TIMEOUT_SECONDS)
    if finished.returncode != 0:
        raise RuntimeError(f"scale check {' '.join(arguments)} failed: {last_error_line(finished)}")
    answer: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return answer


def _resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


MemoryMeasures = Callable[[ScaleSizes], tuple[float, float, int]]
"""(empty per-bar seconds, loaded per-bar seconds, resident bytes of the closed orders)."""


def measure_main(
    arguments: list[str],
    memory_measures: MemoryMeasures,
    sqlite_footprint_bytes: Callable[[int], int],
) -> None:
    """One process's measurements, as `run_scale` asks for them; prints them as a line of JSON."""
    if arguments[:1] == ["memory"] and len(arguments) == 5:
        orders_count, bar_count, seed, rounds = (int(value) for value in arguments[1:])
        empty, loaded, grown = memory_measures(ScaleSizes(orders_count, bar_count, seed, rounds))
        answer: dict[str, float] = {
            "empty_seconds_per_bar": empty,
            "loaded_seconds_per_bar": loaded,
            "bytes": grown,
        }
    elif arguments[:1] == ["sqlite"] and len(arguments) == 2:
        answer = {"bytes": sqlite_footprint_bytes(int(arguments[1]))}
    else:
        raise SystemExit("usage: scale memory ORDERS BARS SEED ROUNDS | scale sqlite ORDERS")
    print(json.dumps(answer))
