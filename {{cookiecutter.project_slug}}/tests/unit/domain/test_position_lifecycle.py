"""Positions: open, add, reduce, close and flip, with PnL and commissions worked by hand.

ES futures throughout: $50 per point, so a 1-point move on 2 contracts is $100.
"""

from collections.abc import Callable
from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.domain import (
    FillMismatchError,
    InvalidTradeError,
    OrderSide,
    OutOfOrderEventError,
    Position,
    PositionClosedError,
    PositionSide,
    Trade,
    apply_fill,
)

BUY, SELL = OrderSide.BUY, OrderSide.SELL
MakeTrade = Callable[..., Trade]
ES_MULTIPLIER = Decimal(50)


class Ids:
    """Position ids P-1, P-2, ... and a record of how many were asked for."""

    def __init__(self) -> None:
        self.issued: list[str] = []

    def __call__(self) -> str:
        self.issued.append(f"P-{len(self.issued) + 1}")
        return self.issued[-1]


def qty(*values: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


def route(position: Position | None, trade: Trade, ids: Ids) -> list[Position]:
    return apply_fill(position, trade, multiplier=ES_MULTIPLIER, new_position_id=ids)


class TestOpen:
    def test_a_buy_opens_a_long_paying_its_commission(self, make_trade: MakeTrade) -> None:
        trade = make_trade(BUY, "2", "5000.00", commission="4.20", order_id="O-1")
        [position] = route(None, trade, Ids())
        assert (position.position_id, position.side) == ("P-1", PositionSide.LONG)
        assert (position.signed_qty, position.quantity, position.peak_qty) == qty(2, 2, 2)
        assert position.avg_px_open == Decimal(5000)
        assert (position.realized_pnl, position.commissions) == (Decimal("-4.20"), Decimal("4.20"))
        assert (position.opening_order_id, position.closing_order_id) == ("O-1", None)
        assert position.ts_opened == position.ts_last == trade.ts_event
        assert position.ts_closed is None
        assert (position.is_open, position.is_closed, position.direction) == (True, False, 1)
        assert (position.symbol, position.strategy_id) == ("ES", "vwap-trend")
        assert position.multiplier == Decimal(50)
        assert position.avg_px_close is None

    def test_the_fill_is_stamped_with_its_position(self, make_trade: MakeTrade) -> None:
        trade = make_trade(SELL, "1", "5000.00")
        route(None, trade, Ids())
        assert trade.position_id == "P-1"

    def test_a_sell_opens_a_short(self, make_trade: MakeTrade) -> None:
        [position] = route(None, make_trade(SELL, "3", "5000.00"), Ids())
        assert position.side is PositionSide.SHORT
        assert (position.signed_qty, position.quantity) == qty(-3, 3)
        assert position.is_short
        assert position.direction == -1

    def test_a_fill_after_a_closed_position_opens_a_new_one(self, make_trade: MakeTrade) -> None:
        ids = Ids()
        [first] = route(None, make_trade(BUY, "1", "5000.00", minute=1), ids)
        route(first, make_trade(SELL, "1", "5001.00", minute=2), ids)
        [second] = route(first, make_trade(BUY, "1", "5002.00", minute=3), ids)
        assert second is not first
        assert (second.position_id, second.avg_px_open) == ("P-2", Decimal(5002))

    def test_open_may_take_part_of_a_fill(self, make_trade: MakeTrade) -> None:
        trade = make_trade(BUY, "5", "5000.00", commission="5.00")
        position = Position.open(
            position_id="P-9",
            trade=trade,
            quantity=Decimal(3),
            commission=Decimal("3.00"),
            multiplier=ES_MULTIPLIER,
        )
        assert (position.quantity, position.commissions) == (Decimal(3), Decimal("3.00"))

    @pytest.mark.parametrize(
        ("quantity", "commission", "message"),
        [
            ("6", "1.00", "takes 6 of fill 'T-1', which is only 5"),
            ("0", "1.00", "quantity must be positive"),
            ("2", "5.01", "commission 5.01 is not between 0 and the 5.00"),
            ("2", "-1", "commission -1 is not between 0"),
        ],
    )
    def test_open_refuses_a_share_the_fill_does_not_have(
        self, make_trade: MakeTrade, quantity: str, commission: str, message: str
    ) -> None:
        trade = make_trade(BUY, "5", "5000.00", commission="5.00")
        with pytest.raises(InvalidTradeError, match=message):
            Position.open(
                position_id="P-9",
                trade=trade,
                quantity=Decimal(quantity),
                commission=Decimal(commission),
                multiplier=ES_MULTIPLIER,
            )


class TestAddReduceClose:
    """Long 2 @ 5000, add 1 @ 5003, sell 2 @ 5010, sell 1 @ 4998; $2.10 a contract."""

    def test_adding_re_weights_the_average_open_price(self, make_trade: MakeTrade) -> None:
        ids = Ids()
        [position] = route(None, make_trade(BUY, "2", "5000.00", commission="4.20"), ids)
        touched = route(position, make_trade(BUY, "1", "5003.00", commission="2.10"), ids)
        assert touched == [position]
        assert position.avg_px_open == Decimal("5001.00")  # (2 * 5000 + 5003) / 3
        assert (position.signed_qty, position.peak_qty) == qty(3, 3)
        assert position.realized_pnl == Decimal("-6.30")
        assert ids.issued == ["P-1"]

    def test_reducing_realizes_pnl_on_the_closed_part(self, make_trade: MakeTrade) -> None:
        ids = Ids()
        [position] = route(None, make_trade(BUY, "2", "5000.00", commission="4.20"), ids)
        route(position, make_trade(BUY, "1", "5003.00", commission="2.10", minute=2), ids)
        route(position, make_trade(SELL, "2", "5010.00", commission="4.20", minute=3), ids)
        # (5010 - 5001) * 2 * 50 = 900, less 4.20 = 895.80; after -6.30 paid: 889.50
        assert position.realized_pnl == Decimal("889.50")
        assert position.side is PositionSide.LONG
        assert (position.signed_qty, position.peak_qty) == qty(1, 3)
        assert position.avg_px_open == Decimal("5001.00")
        assert position.avg_px_close == Decimal("5010.00")
        assert position.is_open

    def test_closing_makes_it_flat_and_averages_the_closing_prices(
        self, make_trade: MakeTrade
    ) -> None:
        ids = Ids()
        [position] = route(None, make_trade(BUY, "2", "5000.00", commission="4.20"), ids)
        route(position, make_trade(BUY, "1", "5003.00", commission="2.10", minute=2), ids)
        route(position, make_trade(SELL, "2", "5010.00", commission="4.20", minute=3), ids)
        last = make_trade(SELL, "1", "4998.00", commission="2.10", minute=4, order_id="O-4")
        route(position, last, ids)
        # (4998 - 5001) * 1 * 50 = -150, less 2.10: 889.50 - 152.10 = 737.40
        assert position.realized_pnl == Decimal("737.40")
        # cash flow: sold 15018 - bought 15003 = 15 points * 50 = 750, less 12.60 commissions
        assert position.commissions == Decimal("12.60")
        assert position.avg_px_close == Decimal("5006.00")  # (2 * 5010 + 4998) / 3
        assert position.side is PositionSide.FLAT
        assert (position.signed_qty, position.quantity) == qty(0, 0)
        assert (position.closing_order_id, position.ts_closed) == ("O-4", last.ts_event)
        assert (position.is_closed, position.direction) == (True, 0)
        assert position.peak_qty == 3

    def test_a_short_profits_when_the_price_falls(self, make_trade: MakeTrade) -> None:
        ids = Ids()
        [position] = route(None, make_trade(SELL, "3", "5000.00", commission="3.00"), ids)
        route(position, make_trade(BUY, "1", "4990.00", commission="1.00", minute=2), ids)
        # (4990 - 5000) * 1 * 50 * -1 = 500, less 1.00; after -3.00 paid: 496
        assert position.realized_pnl == Decimal("496.00")
        assert position.signed_qty == -2

    def test_a_short_loses_when_the_price_rises(self, make_trade: MakeTrade) -> None:
        ids = Ids()
        [position] = route(None, make_trade(SELL, "1", "5000.00"), ids)
        route(position, make_trade(BUY, "1", "5002.25", minute=2), ids)
        assert position.realized_pnl == Decimal("-112.50")
        assert position.is_closed


class TestFlip:
    """Long 2 @ 5000 ($2 commission), then SELL 5 @ 5004 ($5): close 2, open short 3."""

    def test_a_fill_through_zero_closes_and_opens_the_rest(self, make_trade: MakeTrade) -> None:
        ids = Ids()
        [long] = route(None, make_trade(BUY, "2", "5000.00", commission="2.00"), ids)
        flip = make_trade(SELL, "5", "5004.00", commission="5.00", minute=2, order_id="O-2")
        touched = route(long, flip, ids)
        assert [p.position_id for p in touched] == ["P-1", "P-2"]
        closed, short = touched
        assert closed is long
        # (5004 - 5000) * 2 * 50 = 400 less 2/5 of 5.00; after -2.00 paid: 396
        assert closed.realized_pnl == Decimal("396.00")
        assert closed.commissions == Decimal("4.00")
        assert (closed.is_closed, closed.closing_order_id) == (True, "O-2")
        assert (short.side, short.signed_qty) == (PositionSide.SHORT, Decimal(-3))
        assert short.avg_px_open == Decimal(5004)
        assert (short.realized_pnl, short.commissions) == (Decimal("-3.00"), Decimal("3.00"))
        assert (short.opening_order_id, short.ts_opened) == ("O-2", flip.ts_event)
        assert flip.position_id == "P-1"

    def test_an_uneven_commission_split_still_adds_up(self, make_trade: MakeTrade) -> None:
        ids = Ids()
        [long] = route(None, make_trade(BUY, "2", "5000.00"), ids)
        closed, short = route(long, make_trade(SELL, "3", "5000.00", commission="1.00"), ids)
        assert closed.commissions == Decimal("0.66666667")
        assert short.commissions == Decimal("0.33333333")
        assert closed.commissions + short.commissions == Decimal("1.00")

    def test_a_bad_new_id_leaves_the_position_untouched(self, make_trade: MakeTrade) -> None:
        [long] = route(None, make_trade(BUY, "2", "5000.00"), Ids())
        before = dict(vars(long))
        with pytest.raises(InvalidTradeError, match="new position id must be a non-empty"):
            apply_fill(
                long,
                make_trade(SELL, "3", "5001.00"),
                multiplier=ES_MULTIPLIER,
                new_position_id=lambda: "",
            )
        assert vars(long) == before


class TestCostBasis:
    """Buy 1 @ 100.00, buy 2 @ 100.25: 300.50 points for 3, an average of 100.1666..."""

    def _three_long(self, make_trade: MakeTrade, ids: Ids) -> Position:
        [position] = route(None, make_trade(BUY, "1", "100.00"), ids)
        route(position, make_trade(BUY, "2", "100.25", minute=2), ids)
        return position

    def test_the_cost_basis_is_what_the_open_quantity_cost(self, make_trade: MakeTrade) -> None:
        position = self._three_long(make_trade, Ids())
        assert position.cost_basis == Decimal("15025.00")  # 300.50 points * 50
        assert position.avg_px_open == Decimal("100.16666667")  # rounded, for display

    def test_closing_realizes_the_cash_flows_exactly(self, make_trade: MakeTrade) -> None:
        ids = Ids()
        position = self._three_long(make_trade, ids)
        route(position, make_trade(SELL, "3", "100.25", minute=3), ids)
        # sold 300.75 - bought 300.50 = 0.25 points * 50; the rounded average gives 12.4999995
        assert position.realized_pnl == Decimal("12.50")
        assert position.cost_basis == 0

    def test_partial_closes_take_their_share_and_the_last_one_the_rest(
        self, make_trade: MakeTrade
    ) -> None:
        ids = Ids()
        position = self._three_long(make_trade, ids)
        route(position, make_trade(SELL, "1", "100.25", minute=3), ids)
        assert position.cost_basis == Decimal("10016.66666667")  # 15025 * 2 / 3, rounded
        assert position.realized_pnl == Decimal("4.16666667")  # 5012.50 - 5008.33333333
        assert position.unrealized_pnl(Decimal("100.25")) == Decimal("8.33333333")
        route(position, make_trade(SELL, "2", "100.25", minute=4), ids)
        assert position.realized_pnl == Decimal("12.50")

    def test_a_flip_opens_the_rest_at_the_fill_price(self, make_trade: MakeTrade) -> None:
        ids = Ids()
        position = self._three_long(make_trade, ids)
        closed, short = route(position, make_trade(SELL, "5", "100.50", minute=3), ids)
        assert closed.realized_pnl == Decimal("50.00")  # (3 * 100.50 - 300.50) points * 50
        assert (short.cost_basis, short.avg_px_open) == (Decimal("10050.00"), Decimal("100.50"))

    def test_a_flip_into_a_cost_past_the_limit_leaves_the_position_untouched(
        self, make_trade: MakeTrade
    ) -> None:
        ids = Ids()
        [position] = route(None, make_trade(BUY, "1", "5000.00"), ids)
        before = dict(vars(position))
        huge = make_trade(SELL, "9000000", "5000000.00", minute=2)
        with pytest.raises(InvalidTradeError, match="the cost basis of position 'P-2' would reach"):
            route(position, huge, ids)
        assert vars(position) == before

    def test_a_cost_basis_past_the_amount_limit_is_refused(self, make_trade: MakeTrade) -> None:
        [position] = route(None, make_trade(BUY, "1", "5000.00"), Ids())
        before = dict(vars(position))
        huge = make_trade(BUY, "9000000", "5000000.00", minute=2)
        with pytest.raises(InvalidTradeError, match="the cost basis of position 'P-1' would reach"):
            position.add(huge, huge.quantity, huge.commission)
        assert vars(position) == before


class TestMarkToMarket:
    def test_a_long_gains_when_the_price_rises(self, make_trade: MakeTrade) -> None:
        [position] = route(None, make_trade(BUY, "2", "5001.00"), Ids())
        assert position.unrealized_pnl(Decimal("5005.00")) == Decimal(400)
        assert position.unrealized_pnl(Decimal("4999.50")) == Decimal(-150)

    def test_a_short_gains_when_the_price_falls(self, make_trade: MakeTrade) -> None:
        [position] = route(None, make_trade(SELL, "3", "5004.00", commission="3.00"), Ids())
        assert position.unrealized_pnl(Decimal("5000.00")) == Decimal(600)
        assert position.total_pnl(Decimal("5000.00")) == Decimal("597.00")

    def test_a_flat_position_has_nothing_unrealized(self, make_trade: MakeTrade) -> None:
        ids = Ids()
        [position] = route(None, make_trade(BUY, "1", "5000.00"), ids)
        route(position, make_trade(SELL, "1", "5010.00", minute=2), ids)
        assert position.unrealized_pnl(Decimal("6000.00")) == 0

    def test_the_unrealized_pnl_is_never_stored(self, make_trade: MakeTrade) -> None:
        [position] = route(None, make_trade(BUY, "1", "5000.00"), Ids())
        before = dict(vars(position))
        position.unrealized_pnl(Decimal("5100.00"))
        assert vars(position) == before

    def test_the_last_price_must_be_a_positive_decimal(self, make_trade: MakeTrade) -> None:
        [position] = route(None, make_trade(BUY, "1", "5000.00"), Ids())
        with pytest.raises(InvalidTradeError, match="position 'P-1' last price must be a Decimal"):
            position.unrealized_pnl(5000.0)  # type: ignore[arg-type]


class TestRefusedFills:
    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"symbol": "NQ"}, "is for NQ/vwap-trend but position 'P-1' is ES/vwap-trend"),
            ({"strategy_id": "mean-rev"}, "is for ES/mean-rev but position 'P-1'"),
        ],
    )
    def test_a_fill_of_another_symbol_or_strategy_is_refused(
        self, make_trade: MakeTrade, changes: dict[str, str], message: str
    ) -> None:
        [position] = route(None, make_trade(BUY, "1", "5000.00"), Ids())
        before = dict(vars(position))
        with pytest.raises(FillMismatchError, match=message):
            route(position, make_trade(BUY, "1", "5000.00", **changes), Ids())
        assert vars(position) == before

    def test_a_fill_with_another_multiplier_is_refused(self, make_trade: MakeTrade) -> None:
        [position] = route(None, make_trade(BUY, "1", "5000.00"), Ids())
        with pytest.raises(FillMismatchError, match="multiplier 5 but position 'P-1' has 50"):
            apply_fill(
                position,
                make_trade(BUY, "1", "5000.00"),
                multiplier=Decimal(5),
                new_position_id=Ids(),
            )

    def test_a_fill_earlier_than_the_last_one_is_refused(self, make_trade: MakeTrade) -> None:
        [position] = route(None, make_trade(BUY, "1", "5000.00", minute=5), Ids())
        with pytest.raises(OutOfOrderEventError, match="is earlier than the last event"):
            route(position, make_trade(SELL, "1", "5000.00", minute=4), Ids())
        assert position.is_open

    def test_a_closed_position_takes_no_more_fills(self, make_trade: MakeTrade) -> None:
        ids = Ids()
        [position] = route(None, make_trade(BUY, "1", "5000.00"), ids)
        route(position, make_trade(SELL, "1", "5000.00", minute=2), ids)
        with pytest.raises(PositionClosedError, match="position 'P-1' closed at"):
            position.add(make_trade(BUY, "1", "5000.00", minute=3), Decimal(1), Decimal(0))

    def test_add_and_reduce_refuse_the_wrong_direction(self, make_trade: MakeTrade) -> None:
        [position] = route(None, make_trade(BUY, "2", "5000.00"), Ids())
        with pytest.raises(FillMismatchError, match="is a SELL, which reduces LONG position"):
            position.add(make_trade(SELL, "1", "5000.00"), Decimal(1), Decimal(0))
        with pytest.raises(FillMismatchError, match="is a BUY, which adds to LONG position"):
            position.reduce(make_trade(BUY, "1", "5000.00"), Decimal(1), Decimal(0))

    def test_reduce_refuses_more_than_is_open(self, make_trade: MakeTrade) -> None:
        [position] = route(None, make_trade(BUY, "2", "5000.00"), Ids())
        with pytest.raises(InvalidTradeError, match="closing 3 exceeds the 2 open"):
            position.reduce(make_trade(SELL, "3", "5000.00"), Decimal(3), Decimal(0))

    def test_only_a_trade_can_be_routed(self) -> None:
        with pytest.raises(InvalidTradeError, match="apply_fill needs a Trade, got str"):
            apply_fill(None, "T-1", multiplier=ES_MULTIPLIER, new_position_id=Ids())  # type: ignore[arg-type]


class TestAmountLimit:
    def test_commissions_past_the_limit_are_refused_and_change_nothing(
        self, make_trade: MakeTrade
    ) -> None:
        fee = "600000000000"
        [position] = route(None, make_trade(BUY, "1", "5000.00", commission=fee), Ids())
        before = (position.signed_qty, position.avg_px_open, position.commissions)

        with pytest.raises(
            InvalidTradeError, match="of position 'P-1' would reach -1,200,000,000,000"
        ):
            trade = make_trade(BUY, "1", "5001.00", commission=fee, minute=2)
            position.add(trade, Decimal(1), Decimal(fee))

        assert (position.signed_qty, position.avg_px_open, position.commissions) == before
