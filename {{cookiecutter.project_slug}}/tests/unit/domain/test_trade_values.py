"""Trade (a fill): validated values, a signed quantity, a commission kept to 8 places."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.domain import (
    InvalidTradeError,
    LiquiditySide,
    OrderSide,
    Trade,
)

FILL_TIME = datetime(2025, 1, 2, 14, 31, tzinfo=UTC)


def make_trade(**changes: Any) -> Trade:
    fields: dict[str, Any] = {
        "trade_id": "T-1",
        "order_id": "O-1",
        "symbol": "ES",
        "strategy_id": "vwap-trend",
        "side": OrderSide.SELL,
        "quantity": Decimal(3),
        "price": Decimal("5001.25"),
        "commission": Decimal("6.30"),
        "liquidity_side": LiquiditySide.TAKER,
        "ts_event": FILL_TIME,
    }
    fields.update(changes)
    return Trade(**fields)


def test_keeps_its_values_and_has_no_position_until_routed() -> None:
    trade = make_trade()
    assert (trade.trade_id, trade.order_id, trade.symbol) == ("T-1", "O-1", "ES")
    assert trade.quantity == Decimal(3)
    assert (trade.price, trade.commission) == (Decimal("5001.25"), Decimal("6.3"))
    assert trade.position_id is None


def test_a_sell_has_a_negative_signed_quantity_and_a_buy_a_positive_one() -> None:
    assert make_trade(side=OrderSide.SELL).signed_quantity == -3
    assert make_trade(side=OrderSide.BUY).signed_quantity == 3


def test_notional_is_price_times_quantity() -> None:
    assert make_trade().notional == Decimal("15003.75")


def test_commission_is_kept_to_8_places_half_even() -> None:
    assert make_trade(commission=Decimal("0.123456785")).commission == Decimal("0.12345678")
    assert make_trade(commission=Decimal("0.123456775")).commission == Decimal("0.12345678")


def test_an_event_time_in_another_zone_is_stored_in_utc() -> None:
    chicago = timezone(timedelta(hours=-6))
    trade = make_trade(ts_event=datetime(2025, 1, 2, 8, 31, tzinfo=chicago))
    assert trade.ts_event == FILL_TIME
    assert trade.ts_event.tzinfo is UTC


def test_sides_may_be_given_as_their_text() -> None:
    trade = make_trade(side="BUY", liquidity_side="MAKER")
    assert trade.side is OrderSide.BUY
    assert trade.liquidity_side is LiquiditySide.MAKER


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quantity", Decimal(0), "trade 'T-1' quantity must be positive, got 0"),
        ("quantity", Decimal(-1), "trade 'T-1' quantity must be positive"),
        ("price", Decimal(0), "trade 'T-1' price must be positive"),
        ("price", 5001.25, "trade 'T-1' price must be a Decimal, got float"),
        ("commission", Decimal("-0.01"), "trade 'T-1' commission must not be negative"),
        ("trade_id", "", "trade_id must be a non-empty string"),
        ("order_id", None, "trade 'T-1' order_id must be a non-empty string"),
        ("side", "LONG", "trade 'T-1' side must be one of BUY, SELL; got 'LONG'"),
        ("liquidity_side", None, "liquidity_side must be one of MAKER, TAKER"),
        ("ts_event", datetime(2025, 1, 2, 14, 31), "ts_event must be timezone-aware"),
        ("ts_event", "2025-01-02", "ts_event must be a datetime, got str"),
        ("position_id", "", "trade 'T-1' position_id must be a non-empty string"),
    ],
)
def test_refuses_bad_values_naming_the_trade_and_field(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(InvalidTradeError, match=message):
        make_trade(**{field: value})


def test_a_zero_commission_is_allowed() -> None:
    assert make_trade(commission=Decimal(0)).commission == 0
