"""Settings of a backtest run are checked when they are made."""

from datetime import UTC, time, timedelta, timezone
from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.services.backtest.engine import BacktestError, BacktestSettings


def test_the_defaults_are_the_reference_run() -> None:
    settings = BacktestSettings()

    assert (settings.commission_per_contract, settings.initial_cash) == (
        Decimal("2.25"),
        Decimal(100_000),
    )


def test_the_maintenance_margin_is_the_initial_one_unless_given() -> None:
    margin = Decimal(12_000)
    assert BacktestSettings(margin_per_contract=margin).maintenance_margin == margin
    given = BacktestSettings(margin_per_contract=margin, maintenance_margin_per_contract=margin / 2)
    assert given.maintenance_margin == Decimal(6_000)


def test_a_session_start_given_in_utc_is_kept_as_a_plain_time() -> None:
    assert BacktestSettings(session_start=time(22, 0, tzinfo=UTC)).session_start == time(22, 0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"strategy_id": " "}, "strategy id must not be empty"),
        ({"commission_per_contract": Decimal("-0.01")}, "commission per contract must not be"),
        ({"commission_per_contract": Decimal("Infinity")}, "commission per contract must not be"),
        ({"initial_cash": Decimal(0)}, "initial cash must be positive"),
        # a float of 0 in the report, after the whole run was stored
        ({"initial_cash": Decimal("1e-330")}, "initial cash 1E-330 has more than 8 decimal"),
        # rounded to no commission at all
        ({"commission_per_contract": Decimal("4e-9")}, "commission per contract 4E-9 has more"),
        ({"initial_cash": Decimal(10) ** 12}, "initial cash 1000000000000 is not below 1,000,000"),
        ({"commission_per_contract": Decimal("1e20")}, "commission per contract 1E[+]20 is not"),
        ({"read_chunk": 0}, "read_chunk must be at least 1"),
        ({"progress_every": 0}, "progress_every must be at least 1"),
        ({"margin_per_contract": Decimal(-1)}, "margin per contract must not be negative"),
        (
            {"margin_per_contract": Decimal(100), "maintenance_margin_per_contract": Decimal(101)},
            "maintenance margin 101 is above the initial margin 100",
        ),
        ({"maintenance_margin_per_contract": Decimal(-1)}, "maintenance margin must not be"),
        # with no initial margin every entry opens, and each would be called at the next close
        ({"maintenance_margin_per_contract": Decimal(1)}, "above the initial margin 0"),
        ({"margin_per_contract": Decimal("0.000000001")}, "margin 1E-9 has more than 8"),
        (
            {"session_start": time(17, 0, tzinfo=timezone(timedelta(hours=-6)))},
            "the session start is a UTC time, got 17:00:00-06:00",
        ),
    ],
)
def test_bad_settings_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(BacktestError, match=message):
        BacktestSettings(**changes)  # type: ignore[arg-type]
