"""Order fills: quantities, average price, commission and status follow from the executions."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.domain import (
    FillMismatchError,
    InvalidTransitionError,
    Order,
    OrderSide,
    OrderStatus,
    OrderType,
    OutOfOrderEventError,
    OverfillError,
    Trade,
)

NewOrder = Callable[..., Order]
FillOf = Callable[..., Trade]
START = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)


def working(order: Order) -> Order:
    order.submit(START)
    order.accept(START)
    return order


class TestPartialFills:
    def test_a_partial_fill_leaves_the_rest_working(
        self, new_order: NewOrder, fill_of: FillOf
    ) -> None:
        """GIVEN a working 5-lot buy limit WHEN 2 fill THEN 3 are left and it is still open."""
        order = working(new_order(quantity=Decimal(5)))
        order.apply_fill(fill_of(order, "2", minute=3))
        assert order.status is OrderStatus.PARTIALLY_FILLED
        assert (order.filled_qty, order.leaves_qty) == (Decimal(2), Decimal(3))
        assert order.signed_leaves == 3
        assert order.is_open
        assert order.ts_last == START + timedelta(minutes=3)
        assert order.ts_closed is None

    def test_the_fill_that_completes_it_closes_it(
        self, new_order: NewOrder, fill_of: FillOf
    ) -> None:
        order = working(new_order(quantity=Decimal(5)))
        order.apply_fill(fill_of(order, "2", minute=3))
        order.apply_fill(fill_of(order, "3", minute=4))
        assert order.status is OrderStatus.FILLED
        assert (order.filled_qty, order.leaves_qty) == (Decimal(5), Decimal(0))
        assert order.ts_closed == order.ts_last == START + timedelta(minutes=4)
        assert order.is_terminal

    def test_a_submitted_order_may_fill_before_it_is_acknowledged(
        self, new_order: NewOrder, fill_of: FillOf
    ) -> None:
        order = new_order(order_type=OrderType.MARKET, price=None)
        order.submit(START)
        order.apply_fill(fill_of(order, "1", "5000.25"))
        assert order.status is OrderStatus.PARTIALLY_FILLED

    def test_a_triggered_stop_fills(self, new_order: NewOrder, fill_of: FillOf) -> None:
        order = working(
            new_order(order_type=OrderType.STOP_MARKET, price=None, trigger_price=Decimal(4990))
        )
        order.trigger(START + timedelta(minutes=1))
        order.apply_fill(fill_of(order, price="4989.75", minute=1))
        assert order.status is OrderStatus.FILLED
        assert order.avg_px == Decimal("4989.75")


class TestAveragePriceAndCommission:
    def test_average_price_is_weighted_by_quantity(
        self, new_order: NewOrder, fill_of: FillOf
    ) -> None:
        """1 @ 5000.00 then 3 @ 4999.00: (5000 + 3 * 4999) / 4 = 4999.25."""
        order = working(new_order(quantity=Decimal(4)))
        order.apply_fill(fill_of(order, "1", "5000.00"))
        assert order.avg_px == Decimal("5000.00")
        order.apply_fill(fill_of(order, "3", "4999.00", minute=2))
        assert order.avg_px == Decimal("4999.25")

    def test_average_price_is_kept_to_8_places_half_even(
        self, new_order: NewOrder, fill_of: FillOf
    ) -> None:
        """5000.00 + 5000.25 + 5000.25 over 3 lots = 5000.1666...67 at 8 places."""
        order = working(new_order(quantity=Decimal(3), price=Decimal("5000.25")))
        for minute, price in enumerate(["5000.00", "5000.25", "5000.25"], start=1):
            order.apply_fill(fill_of(order, "1", price, minute=minute))
        assert order.avg_px == Decimal("5000.16666667")

    def test_commissions_of_all_fills_add_up(self, new_order: NewOrder, fill_of: FillOf) -> None:
        order = working(new_order(quantity=Decimal(3)))
        order.apply_fill(fill_of(order, "1", commission="2.10"))
        order.apply_fill(fill_of(order, "2", commission="4.20", minute=2))
        assert order.commission == Decimal("6.30")


class TestRefusedFills:
    def test_a_fill_larger_than_the_leaves_is_an_overfill(
        self, new_order: NewOrder, fill_of: FillOf
    ) -> None:
        order = working(new_order(quantity=Decimal(3)))
        order.apply_fill(fill_of(order, "2"))
        before = dict(vars(order))
        with pytest.raises(OverfillError, match="fill of 2 exceeds the 1 still open on order"):
            order.apply_fill(fill_of(order, "2", minute=2))
        assert vars(order) == before
        assert order.status is OrderStatus.PARTIALLY_FILLED

    def test_the_overfill_error_carries_the_quantities(
        self, new_order: NewOrder, fill_of: FillOf
    ) -> None:
        order = working(new_order(quantity=Decimal(1)))
        with pytest.raises(OverfillError) as refused:
            order.apply_fill(fill_of(order, "5"))
        assert (refused.value.fill_qty, refused.value.leaves_qty) == (Decimal(5), Decimal(1))

    @pytest.mark.parametrize(
        ("field", "value"),
        [("order_id", "O-2"), ("symbol", "NQ"), ("side", OrderSide.SELL)],
    )
    def test_a_fill_of_another_order_symbol_or_side_is_refused(
        self, new_order: NewOrder, fill_of: FillOf, field: str, value: object
    ) -> None:
        order = working(new_order())
        trade = fill_of(order, "1")
        setattr(trade, field, value)
        with pytest.raises(FillMismatchError, match=f"has {field} '{value}' but order 'O-1'"):
            order.apply_fill(trade)
        assert order.filled_qty == 0

    @pytest.mark.parametrize(
        ("side", "price"), [(OrderSide.BUY, "5000.25"), (OrderSide.SELL, "4999.75")]
    )
    def test_a_fill_worse_than_the_limit_is_refused(
        self, new_order: NewOrder, fill_of: FillOf, side: OrderSide, price: str
    ) -> None:
        order = working(new_order(side=side))
        with pytest.raises(FillMismatchError, match=f"at {price} is worse than the {side} limit"):
            order.apply_fill(fill_of(order, "1", price))

    @pytest.mark.parametrize(
        ("side", "price"), [(OrderSide.BUY, "4999.75"), (OrderSide.SELL, "5000.25")]
    )
    def test_a_fill_better_than_the_limit_is_fine(
        self, new_order: NewOrder, fill_of: FillOf, side: OrderSide, price: str
    ) -> None:
        order = working(new_order(side=side))
        order.apply_fill(fill_of(order, "2", price))
        assert order.avg_px == Decimal(price)

    def test_an_initialized_order_cannot_fill(self, new_order: NewOrder, fill_of: FillOf) -> None:
        order = new_order()
        with pytest.raises(InvalidTransitionError, match="cannot go from INITIALIZED to FILLED"):
            order.apply_fill(fill_of(order))

    @pytest.mark.parametrize("order_type", [OrderType.STOP_MARKET, OrderType.STOP_LIMIT])
    @pytest.mark.parametrize("acknowledged", [False, True])
    def test_a_stop_order_cannot_fill_before_it_triggers(
        self, new_order: NewOrder, fill_of: FillOf, order_type: OrderType, acknowledged: bool
    ) -> None:
        price = Decimal(4990) if order_type is OrderType.STOP_LIMIT else None
        order = new_order(order_type=order_type, price=price, trigger_price=Decimal(4990))
        order.submit(START)
        if acknowledged:
            order.accept(START)
        before = order.status
        with pytest.raises(InvalidTransitionError, match="fills only once its trigger price"):
            order.apply_fill(fill_of(order, price="4989.75", minute=1))
        assert (order.status, order.filled_qty, order.avg_px) == (before, 0, None)

    def test_a_canceled_order_cannot_fill(self, new_order: NewOrder, fill_of: FillOf) -> None:
        order = working(new_order())
        order.cancel(START)
        with pytest.raises(InvalidTransitionError, match="from CANCELED to PARTIALLY_FILLED"):
            order.apply_fill(fill_of(order, "1"))

    def test_a_fill_timed_before_the_last_event_is_refused(
        self, new_order: NewOrder, fill_of: FillOf
    ) -> None:
        order = new_order()
        order.submit(START + timedelta(minutes=10))
        with pytest.raises(OutOfOrderEventError, match="is earlier than its last event"):
            order.apply_fill(fill_of(order, minute=5))
        assert order.filled_qty == 0

    def test_a_commission_total_past_the_amount_limit_is_refused_and_changes_nothing(
        self, new_order: NewOrder, fill_of: FillOf
    ) -> None:
        order = working(new_order(quantity=Decimal(5)))
        order.apply_fill(fill_of(order, "2", commission="600000000000", minute=3))
        with pytest.raises(FillMismatchError, match="commission of order 'O-1' would reach"):
            order.apply_fill(fill_of(order, "2", commission="600000000000", minute=4))
        assert (order.filled_qty, order.status) == (Decimal(2), OrderStatus.PARTIALLY_FILLED)

    def test_only_a_trade_can_be_applied(self, new_order: NewOrder) -> None:
        order = working(new_order())
        with pytest.raises(FillMismatchError, match="can only apply a Trade, got dict"):
            order.apply_fill({"quantity": Decimal(1)})  # type: ignore[arg-type]
