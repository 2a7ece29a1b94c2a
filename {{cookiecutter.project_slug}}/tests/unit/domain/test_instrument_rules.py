"""Instrument: its definition is validated; prices live on the tick grid, quantities on the step."""

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.domain import (
    Instrument,
    InvalidInstrumentError,
    InvalidOrderError,
    InvalidQuantityError,
    OffTickPriceError,
)


def make_instrument(**changes: Any) -> Instrument:
    fields: dict[str, Any] = {
        "symbol": "ES",
        "tick_size": Decimal("0.25"),
        "multiplier": Decimal(50),
    }
    fields.update(changes)
    return Instrument(**fields)


class TestDefinition:
    def test_keeps_its_values_with_usd_and_whole_contracts_by_default(self) -> None:
        es = make_instrument()
        assert (es.symbol, es.tick_size, es.multiplier) == ("ES", Decimal("0.25"), Decimal(50))
        assert (es.currency, es.quantity_step) == ("USD", Decimal(1))

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("symbol", "", "symbol must be a non-empty string"),
            ("symbol", "   ", "symbol must be a non-empty string"),
            ("tick_size", Decimal(0), "ES tick_size must be positive, got 0"),
            ("tick_size", Decimal("-0.25"), "ES tick_size must be positive"),
            ("tick_size", 0.25, "ES tick_size must be a Decimal, got float"),
            ("tick_size", Decimal("NaN"), "ES tick_size must be a finite number"),
            ("multiplier", Decimal(0), "ES multiplier must be positive"),
            ("quantity_step", Decimal("-1"), "ES quantity_step must be positive"),
            ("currency", "", "ES currency must be a non-empty string"),
            # finer than an amount is stored: it would come back rounded, a tick size to 0
            (
                "tick_size",
                Decimal("0.000000001"),
                "ES tick_size 1E-9 has more than 8 decimal places, the most an amount is stored",
            ),
            ("multiplier", Decimal("0.123456789"), "ES multiplier 0.123456789 has more than 8"),
            ("quantity_step", Decimal("1E-9"), "ES quantity_step 1E-9 has more than 8"),
        ],
    )
    def test_refuses_a_bad_definition_naming_the_field(
        self, field: str, value: object, message: str
    ) -> None:
        with pytest.raises(InvalidInstrumentError, match=message):
            make_instrument(**{field: value})

    def test_accepts_integer_values_as_exact_decimals(self) -> None:
        assert make_instrument(multiplier=50).multiplier == Decimal(50)

    def test_accepts_eight_decimal_places_written_with_more_zeros(self) -> None:
        assert make_instrument(tick_size=Decimal("0.000000010")).price_precision == 8


class TestPriceGrid:
    @pytest.mark.parametrize(
        ("tick", "precision"),
        [("0.25", 2), ("0.01", 2), ("0.5", 1), ("0.0001", 4), ("1", 0), ("5", 0), ("0.10", 1)],
    )
    def test_price_precision_is_the_decimal_places_of_the_tick(
        self, tick: str, precision: int
    ) -> None:
        assert make_instrument(tick_size=Decimal(tick)).price_precision == precision

    @pytest.mark.parametrize("price", ["5000", "5000.25", "5000.5", "5000.750", "0.25"])
    def test_an_on_tick_price_comes_back_at_the_price_precision(self, price: str) -> None:
        checked = make_instrument().check_price(Decimal(price))
        assert checked == Decimal(price)
        assert checked.as_tuple().exponent == -2

    @pytest.mark.parametrize("price", ["5000.10", "5000.26", "0.01", "5000.2500001"])
    def test_an_off_tick_price_is_refused_not_rounded(self, price: str) -> None:
        with pytest.raises(OffTickPriceError, match=f"ES price {price} is not a multiple of"):
            make_instrument().check_price(Decimal(price))

    def test_an_off_tick_price_is_an_invalid_order(self) -> None:
        assert issubclass(OffTickPriceError, InvalidOrderError)

    @pytest.mark.parametrize("price", [Decimal(0), Decimal("-5000")])
    def test_a_price_must_be_positive(self, price: Decimal) -> None:
        with pytest.raises(InvalidOrderError, match="ES price must be positive"):
            make_instrument().check_price(price)

    def test_a_float_price_is_refused(self) -> None:
        with pytest.raises(InvalidOrderError, match="must be a Decimal, got float"):
            make_instrument().check_price(5000.25)  # type: ignore[arg-type]

    def test_the_label_names_what_was_checked(self) -> None:
        with pytest.raises(OffTickPriceError, match=r"order 'O-7' price 5000\.1 "):
            make_instrument().check_price(Decimal("5000.1"), label="order 'O-7' price")

    @pytest.mark.parametrize(
        ("price", "rounding", "expected"),
        [
            ("5000.10", None, "5000.00"),
            ("5000.13", None, "5000.25"),
            ("5000.125", None, "5000.00"),  # half a tick: to the even tick count
            ("5000.375", None, "5000.50"),
            ("5000.01", ROUND_CEILING, "5000.25"),
            ("5000.24", ROUND_FLOOR, "5000.00"),
            ("5000.25", ROUND_FLOOR, "5000.25"),
        ],
    )
    def test_round_to_tick_snaps_to_the_grid(
        self, price: str, rounding: str | None, expected: str
    ) -> None:
        es = make_instrument()
        snapped = (
            es.round_to_tick(Decimal(price))
            if rounding is None
            else es.round_to_tick(Decimal(price), rounding)
        )
        assert snapped == Decimal(expected)
        assert str(snapped) == expected


class TestQuantityStep:
    def test_a_whole_number_of_contracts_is_accepted(self) -> None:
        assert make_instrument().check_quantity(Decimal(3)) == 3

    def test_a_fractional_step_accepts_its_multiples_at_its_precision(self) -> None:
        btc = make_instrument(
            symbol="BTC", tick_size=Decimal("0.1"), quantity_step=Decimal("0.001")
        )
        assert str(btc.check_quantity(Decimal("0.25"))) == "0.250"

    @pytest.mark.parametrize("quantity", ["1.5", "0.999"])
    def test_an_off_step_quantity_is_refused(self, quantity: str) -> None:
        with pytest.raises(InvalidQuantityError, match="not a multiple of the quantity step 1"):
            make_instrument().check_quantity(Decimal(quantity))

    @pytest.mark.parametrize("quantity", [Decimal(0), Decimal(-2)])
    def test_a_quantity_must_be_positive(self, quantity: Decimal) -> None:
        with pytest.raises(InvalidQuantityError, match="ES quantity must be positive"):
            make_instrument().check_quantity(quantity)
