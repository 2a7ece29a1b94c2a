"""Order parameters: validated against the instrument when the order is created."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.domain import (
    InvalidOrderError,
    InvalidQuantityError,
    OffTickPriceError,
    Order,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
)

NewOrder = Callable[..., Order]
CREATED = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)


class TestFreshOrder:
    def test_starts_initialized_with_nothing_filled(self, new_order: NewOrder) -> None:
        order = new_order()
        assert order.status is OrderStatus.INITIALIZED
        assert (order.filled_qty, order.leaves_qty, order.quantity) == (
            Decimal(0),
            Decimal(2),
            Decimal(2),
        )
        assert order.avg_px is None
        assert order.commission == 0
        assert order.reason is None

    def test_only_its_creation_time_is_set(self, new_order: NewOrder) -> None:
        order = new_order()
        assert order.ts_init == order.ts_last == CREATED
        assert [order.ts_submitted, order.ts_accepted, order.ts_triggered, order.ts_closed] == [
            None
        ] * 4

    def test_stores_the_symbol_not_the_instrument(self, new_order: NewOrder) -> None:
        order = new_order()
        assert order.symbol == "ES"
        assert not hasattr(order, "instrument")

    def test_keeps_its_grouping_ids_and_defaults(self, new_order: NewOrder) -> None:
        order = new_order(parent_order_id="O-0", order_list_id="OCO-1", position_id="P-1")
        assert (order.parent_order_id, order.order_list_id, order.position_id) == (
            "O-0",
            "OCO-1",
            "P-1",
        )
        assert order.time_in_force is TimeInForce.GTC
        assert order.reduce_only is False

    def test_a_child_order_must_belong_to_an_order_list(self, new_order: NewOrder) -> None:
        with pytest.raises(InvalidOrderError, match="parent order, so it needs"):
            new_order(parent_order_id="O-0")

    def test_strategy_defaults_to_default(self, new_order: NewOrder) -> None:
        order = new_order(strategy_id="default")
        assert order.strategy_id == "default"

    def test_prices_are_kept_at_the_instrument_precision(self, new_order: NewOrder) -> None:
        order = new_order(price=Decimal("5000.5"))
        assert str(order.price) == "5000.50"

    def test_a_creation_time_in_another_zone_is_stored_in_utc(self, new_order: NewOrder) -> None:
        new_york = timezone(timedelta(hours=-5))
        order = new_order(ts_init=datetime(2025, 1, 2, 9, 30, tzinfo=new_york))
        assert order.ts_init == CREATED
        assert order.ts_init.tzinfo is UTC


class TestPricesByOrderType:
    def test_a_market_order_has_neither_price(self, new_order: NewOrder) -> None:
        order = new_order(order_type=OrderType.MARKET, price=None)
        assert (order.price, order.trigger_price) == (None, None)
        assert not order.has_price
        assert not order.has_trigger_price

    def test_a_stop_limit_order_has_both(self, new_order: NewOrder) -> None:
        order = new_order(
            order_type=OrderType.STOP_LIMIT,
            price=Decimal("5002.00"),
            trigger_price=Decimal("5001.00"),
        )
        assert (order.price, order.trigger_price) == (Decimal(5002), Decimal(5001))
        assert order.has_price
        assert order.has_trigger_price

    @pytest.mark.parametrize(
        ("order_type", "price", "trigger", "message"),
        [
            (OrderType.MARKET, "5000", None, "MARKET and takes no price"),
            (OrderType.MARKET, None, "5000", "MARKET and takes no trigger price"),
            (OrderType.LIMIT, None, None, "LIMIT and needs a limit price"),
            (OrderType.LIMIT, "5000", "4999", "LIMIT and takes no trigger price"),
            (OrderType.STOP_MARKET, None, None, "STOP_MARKET and needs a trigger price"),
            (OrderType.STOP_MARKET, "5000", "4999", "STOP_MARKET and takes no price"),
            (OrderType.STOP_LIMIT, None, "4999", "STOP_LIMIT and needs a limit price"),
            (OrderType.STOP_LIMIT, "5000", None, "STOP_LIMIT and needs a trigger price"),
        ],
    )
    def test_refuses_a_missing_or_extra_price(
        self,
        new_order: NewOrder,
        order_type: OrderType,
        price: str | None,
        trigger: str | None,
        message: str,
    ) -> None:
        with pytest.raises(InvalidOrderError, match=f"order 'O-1' is {message}"):
            new_order(
                order_type=order_type,
                price=Decimal(price) if price else None,
                trigger_price=Decimal(trigger) if trigger else None,
            )

    def test_refuses_an_off_tick_limit_price(self, new_order: NewOrder) -> None:
        with pytest.raises(OffTickPriceError, match=r"order 'O-1' price 5000\.10 is not a"):
            new_order(price=Decimal("5000.10"))

    def test_refuses_an_off_tick_trigger_price(self, new_order: NewOrder) -> None:
        with pytest.raises(OffTickPriceError, match=r"order 'O-1' trigger price 4999\.9 "):
            new_order(order_type=OrderType.STOP_MARKET, price=None, trigger_price=Decimal("4999.9"))


class TestQuantity:
    @pytest.mark.parametrize(
        ("quantity", "message"),
        [
            (Decimal(0), "order 'O-1' quantity must be positive"),
            (Decimal(-1), "order 'O-1' quantity must be positive"),
            (Decimal("1.5"), "order 'O-1' quantity 1.5 is not a multiple of the quantity step"),
            (2.0, "order 'O-1' quantity must be a Decimal, got float"),
        ],
    )
    def test_refuses_a_bad_quantity(
        self, new_order: NewOrder, quantity: object, message: str
    ) -> None:
        with pytest.raises(InvalidQuantityError, match=message):
            new_order(quantity=quantity)


class TestTimeInForce:
    def test_a_gtd_order_keeps_an_expire_time_after_its_creation(self, new_order: NewOrder) -> None:
        expiry = CREATED + timedelta(hours=1)
        order = new_order(time_in_force=TimeInForce.GTD, expire_time=expiry)
        assert order.expire_time == expiry

    def test_a_gtd_order_needs_an_expire_time(self, new_order: NewOrder) -> None:
        with pytest.raises(InvalidOrderError, match="order 'O-1' is GTD and needs an expire"):
            new_order(time_in_force=TimeInForce.GTD)

    @pytest.mark.parametrize("offset", [timedelta(0), timedelta(minutes=-1)])
    def test_a_gtd_order_must_expire_after_its_creation(
        self, new_order: NewOrder, offset: timedelta
    ) -> None:
        with pytest.raises(InvalidOrderError, match=r"expires at .* not after its creation"):
            new_order(time_in_force=TimeInForce.GTD, expire_time=CREATED + offset)

    def test_a_gtd_expire_time_must_be_aware(self, new_order: NewOrder) -> None:
        with pytest.raises(InvalidOrderError, match="expire_time must be timezone-aware"):
            new_order(time_in_force=TimeInForce.GTD, expire_time=datetime(2025, 1, 3))

    @pytest.mark.parametrize(
        "tif", [TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.DAY]
    )
    def test_other_times_in_force_take_no_expire_time(
        self, new_order: NewOrder, tif: TimeInForce
    ) -> None:
        with pytest.raises(InvalidOrderError, match=f"is {tif}; only GTD orders take an expire"):
            new_order(time_in_force=tif, expire_time=CREATED + timedelta(hours=1))

    def test_only_a_gtd_order_expires_by_the_clock(self, new_order: NewOrder) -> None:
        expiry = CREATED + timedelta(hours=1)
        gtd = new_order(time_in_force=TimeInForce.GTD, expire_time=expiry)
        assert not gtd.is_expired_at(expiry - timedelta(seconds=1))
        assert gtd.is_expired_at(expiry)
        assert not new_order(time_in_force=TimeInForce.DAY).is_expired_at(expiry)


class TestOtherFields:
    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"order_id": ""}, "order_id must be a non-empty string"),
            ({"strategy_id": " "}, "order 'O-1' strategy_id must be a non-empty string"),
            ({"position_id": ""}, "order 'O-1' position_id must be a non-empty string"),
            ({"side": "HOLD"}, "order 'O-1' side must be one of BUY, SELL; got 'HOLD'"),
            ({"order_type": "ICEBERG"}, "order_type must be one of MARKET, LIMIT"),
            ({"time_in_force": "GTX"}, "time_in_force must be one of GTC, IOC"),
            ({"reduce_only": 1}, "order 'O-1' reduce_only must be True or False, got 1"),
            ({"ts_init": datetime(2025, 1, 2, 14, 30)}, "ts_init must be timezone-aware"),
            ({"instrument": "ES"}, "order 'O-1' needs an Instrument, got str"),
        ],
    )
    def test_refuses_bad_fields_naming_the_order_and_field(
        self, new_order: NewOrder, changes: dict[str, object], message: str
    ) -> None:
        with pytest.raises(InvalidOrderError, match=message):
            new_order(**changes)

    def test_enum_fields_may_be_given_as_their_text(self, new_order: NewOrder) -> None:
        order = new_order(side="SELL", order_type="LIMIT", time_in_force="DAY")
        assert (order.side, order.order_type, order.time_in_force) == (
            OrderSide.SELL,
            OrderType.LIMIT,
            TimeInForce.DAY,
        )

    def test_a_sell_has_negative_signed_quantities(self, new_order: NewOrder) -> None:
        order = new_order(side=OrderSide.SELL)
        assert (order.is_sell, order.is_buy) == (True, False)
        assert order.signed_quantity == order.signed_leaves == -2
