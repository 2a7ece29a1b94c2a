"""The equity ledger: cash, realized PnL of closed positions, and the open position at the close."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.domain import LiquiditySide, OrderSide, Position, Trade
from {{ cookiecutter.package_name }}.services.backtest.ledger import EquityLedger

OPEN = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)


def fill(trade_id: str, side: OrderSide, price: str, minute: int) -> Trade:
    return Trade(
        trade_id=trade_id,
        order_id=f"O-{trade_id}",
        symbol="ES",
        strategy_id="s",
        side=side,
        quantity=Decimal(1),
        price=Decimal(price),
        commission=Decimal("2.25"),
        liquidity_side=LiquiditySide.TAKER,
        ts_event=OPEN + timedelta(minutes=minute),
    )


def long_at(price: str) -> Position:
    trade = fill("1", OrderSide.BUY, price, 0)
    return Position.open(
        position_id="P-1",
        trade=trade,
        quantity=Decimal(1),
        commission=trade.commission,
        multiplier=Decimal(50),
    )


def test_flat_equity_is_the_initial_cash() -> None:
    ledger = EquityLedger(Decimal(100_000))

    assert ledger.mark(OPEN, None, Decimal(5900)) == Decimal(100_000)
    assert (ledger.points, ledger.bars_in_position) == ([(OPEN, 100_000.0)], 0)


def test_an_open_position_counts_its_commission_and_unrealized_pnl() -> None:
    ledger = EquityLedger(Decimal(100_000))

    equity = ledger.mark(OPEN, long_at("5900"), Decimal("5902.5"))

    assert equity == Decimal(100_000) - Decimal("2.25") + Decimal("2.5") * 50
    assert ledger.bars_in_position == 1


def test_a_closed_position_stays_in_equity_once_booked() -> None:
    ledger = EquityLedger(Decimal(100_000))
    position = long_at("5900")
    position.reduce(fill("2", OrderSide.SELL, "5910", 1), Decimal(1), Decimal("2.25"))

    ledger.record_closed([position])
    ledger.mark(OPEN, None, Decimal(5900))
    final = ledger.mark(OPEN + timedelta(minutes=1), None, Decimal(5800))

    assert final == Decimal(100_000) + 10 * 50 - Decimal("4.5")
    assert ledger.last_equity == final


def test_a_bar_counts_as_in_the_market_with_a_position_at_its_close_or_a_fill() -> None:
    ledger = EquityLedger(Decimal(100_000))

    ledger.mark(OPEN, None, Decimal(5900))
    ledger.mark(OPEN, None, Decimal(5900), fills=2)  # opened and closed within the bar
    ledger.mark(OPEN, long_at("5900"), Decimal(5900))

    assert ledger.bars_in_position == 2


def test_booking_a_position_that_is_still_open_is_refused() -> None:
    with pytest.raises(ValueError, match="still open"):
        EquityLedger(Decimal(100_000)).record_closed([long_at("5900")])


@pytest.mark.parametrize("cash", [Decimal(0), Decimal(-1), Decimal("NaN")])
def test_initial_cash_must_be_positive(cash: Decimal) -> None:
    with pytest.raises(ValueError, match="initial cash must be positive"):
        EquityLedger(cash)
