"""The venue's rules for orders at the start and end of a bar: acknowledgement, time in force."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from {{ cookiecutter.package_name }}.domain import (
    Instrument,
    Order,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from {{ cookiecutter.package_name }}.domain.bar import Bar
from {{ cookiecutter.package_name }}.services.backtest.fill_model import SimulatedFill
from {{ cookiecutter.package_name }}.services.backtest.venue_core import (
    REDUCE_ONLY_FOK_REASON,
    REDUCE_ONLY_REASON,
    needs_start_of_bar,
    one_bar_orders,
    one_bar_reason,
    orders_out_of_time,
    orders_to_accept,
    reduce_only_fill,
)

MADE = datetime(2025, 1, 2, 20, 0, tzinfo=UTC)
ES = Instrument(symbol="ES", tick_size=Decimal("0.25"), multiplier=Decimal(50))


def order(order_id: str, *, accepted: bool = True, **fields: Any) -> Order:
    made = Order(
        order_id=order_id,
        instrument=ES,
        side=OrderSide.BUY,
        order_type=OrderType.LIMIT,
        quantity=Decimal(1),
        price=Decimal(100),
        ts_init=MADE,
        **fields,
    )
    made.submit(MADE)
    if accepted:
        made.accept(MADE)
    return made


def bar_at(ts: datetime) -> Bar:
    return Bar("ES", ts, Decimal(100), Decimal(100), Decimal(100), Decimal(100), 1)


def test_only_orders_still_submitted_are_to_be_accepted() -> None:
    working = [order("A"), order("B", accepted=False)]

    assert [o.order_id for o in orders_to_accept(working)] == ["B"]


def test_a_gtd_order_is_out_of_time_from_the_bar_starting_at_its_expire_time() -> None:
    expiry = MADE + timedelta(minutes=10)
    gtd = order("G", time_in_force=TimeInForce.GTD, expire_time=expiry)

    assert orders_out_of_time(bar_at(expiry - timedelta(minutes=1)), [gtd]) == []
    assert orders_out_of_time(bar_at(expiry), [gtd]) == [gtd]


def test_a_day_order_is_out_of_time_from_the_first_bar_of_a_later_utc_day() -> None:
    day = order("D", time_in_force=TimeInForce.DAY)
    midnight = datetime(2025, 1, 3, tzinfo=UTC)

    assert orders_out_of_time(bar_at(midnight - timedelta(minutes=1)), [day]) == []
    assert orders_out_of_time(bar_at(midnight), [day]) == [day]


def test_a_day_order_lasts_the_trading_day_the_run_starts_at_another_utc_time() -> None:
    day = order("D", time_in_force=TimeInForce.DAY)  # made on Thursday at 20:00 UTC
    cme = time(22, 0)
    friday_open = datetime(2025, 1, 3, 14, 30, tzinfo=UTC)  # a later UTC day

    assert orders_out_of_time(bar_at(MADE + timedelta(hours=1, minutes=59)), [day], cme) == []
    assert orders_out_of_time(bar_at(MADE + timedelta(hours=2)), [day], cme) == [day]
    assert orders_out_of_time(bar_at(friday_open), [day]) == [day]


def test_a_gtc_order_is_never_out_of_time() -> None:
    assert orders_out_of_time(bar_at(MADE + timedelta(days=400)), [order("C")]) == []


def test_ioc_and_fok_orders_get_one_bar_and_the_others_keep_working() -> None:
    ioc = order("I", time_in_force=TimeInForce.IOC)
    fok = order("F", time_in_force=TimeInForce.FOK)

    assert one_bar_orders([order("C"), ioc, fok]) == [ioc, fok]
    assert one_bar_reason(ioc) == "IOC: not filled on the bar it worked on"


def test_an_order_acknowledged_at_a_bar_keeps_its_submission() -> None:
    (late,) = orders_to_accept([order("L", accepted=False)])

    assert (late.status, late.ts_submitted) == (OrderStatus.SUBMITTED, MADE)


def test_the_start_of_a_bar_has_work_only_for_unacknowledged_or_timed_orders() -> None:
    assert not needs_start_of_bar([order("C"), order("D")])
    assert needs_start_of_bar([order("C"), order("S", accepted=False)])
    assert needs_start_of_bar([order("I", time_in_force=TimeInForce.IOC)])


def test_a_reduce_only_fill_is_cut_to_the_position_or_dropped() -> None:
    fill = SimulatedFill("X", Decimal(100), Decimal(2), 1)
    gtc, fok = order("X"), order("X", time_in_force=TimeInForce.FOK)

    assert reduce_only_fill(gtc, fill, Decimal(5)) is fill
    assert reduce_only_fill(gtc, fill, Decimal(1)) == SimulatedFill(
        "X", Decimal(100), Decimal(1), 1
    )
    assert reduce_only_fill(gtc, fill, Decimal(0)) == REDUCE_ONLY_REASON
    # fill or kill: all of it or nothing
    assert reduce_only_fill(fok, fill, Decimal(2)) is fill
    assert reduce_only_fill(fok, fill, Decimal(1)) == REDUCE_ONLY_FOK_REASON
