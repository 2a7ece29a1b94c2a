"""The comparison itself: equal must mean identical, and a divergence must read clearly."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from .casecount import Tally, case_key
from .diff_schema import Side, accounts
from .diffkit import BASELINE_VAR, EnginePair, assert_same, baseline_mode, canonical, multiset


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (Decimal("1.0"), Decimal("1.00")),
        (Decimal("1"), 1.0),
        (1, 1.0),
        (1, True),
        (0, False),
        (datetime(2024, 1, 1, 12), datetime(2024, 1, 1, 12, tzinfo=UTC)),
        ("BUY", Side.BUY),
        (b"x", "x"),
        ([(1, "a")], [(1, "b")]),
        ({"a": [1, 2]}, {"a": (1, 2)}),
        (0.0, -0.0),
    ],
)
def test_values_equal_in_python_but_not_identical_are_a_divergence(
    left: object, right: object
) -> None:
    with pytest.raises(AssertionError, match="memory diverges from SQLite"):
        assert_same(left, right)


def test_identical_values_pass() -> None:
    value = [(1, Decimal("1.50"), datetime(2024, 1, 1), None, Side.SELL), {"k": [1.5, "x"]}]
    assert_same(
        value, [(1, Decimal("1.50"), datetime(2024, 1, 1), None, Side.SELL), {"k": [1.5, "x"]}]
    )


def test_the_failure_message_is_a_diff_naming_both_sides() -> None:
    with pytest.raises(AssertionError) as failure:
        assert_same([(1, "a"), (2, "b")], [(1, "a"), (2, "B")], "two rows")
    message = str(failure.value)
    assert "on two rows" in message
    assert "--- sqlite" in message and "+++ memory" in message
    assert "\n-(2, 'b')\n+(2, 'B')" in message


def test_a_type_only_difference_is_spelled_out() -> None:
    with pytest.raises(AssertionError) as failure:
        assert_same([Decimal("2.50")], [Decimal("2.5")])
    assert "Decimal('2.50')" in str(failure.value) and "Decimal('2.5')" in str(failure.value)


def test_objects_without_an_exact_form_are_refused() -> None:
    with pytest.raises(TypeError, match="return plain values"):
        canonical(object())


def test_multiset_orders_rows_whatever_their_types() -> None:
    assert multiset([(2, None), (1, "a"), (1, None)]) == multiset([(1, None), (2, None), (1, "a")])


def test_baseline_switch_rejects_unknown_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BASELINE_VAR, "postgres")
    with pytest.raises(RuntimeError, match="must be 'sqlite', 'memory' or unset, not 'postgres'"):
        baseline_mode()


def test_the_sides_are_two_different_engines(trading: EnginePair) -> None:
    assert trading.sqlite is not trading.memory
    assert trading.sqlite.dialect.name == "sqlite"
    expected = "sqlite" if baseline_mode() else "memory"
    assert trading.memory.dialect.name == expected


def test_check_error_refuses_a_reference_that_did_not_raise(trading: EnginePair) -> None:
    def harmless(engine: Engine) -> object:
        with engine.connect() as conn:
            return conn.execute(select(1)).all()

    with pytest.raises(AssertionError, match="the SQLite reference did not raise"):
        trading.check_error(harmless, names=())


def test_check_error_requires_the_names_in_the_message(trading: EnginePair) -> None:
    def duplicate_account(engine: Engine) -> None:
        with engine.begin() as conn:
            conn.execute(accounts.insert(), {"id": 1, "code": "DUP"})

    error = trading.check_error(duplicate_account, names=("accounts.id",))
    assert isinstance(error, IntegrityError)
    with pytest.raises(AssertionError, match="does not name"):
        trading.check_error(duplicate_account, names=("no_such_table",))


def test_check_compares_the_answers_of_the_two_engines(trading: EnginePair) -> None:
    with pytest.raises(AssertionError, match="on engine identity"):
        trading.check(lambda engine: id(engine), "engine identity")
    assert trading.check(lambda engine: engine.url.query.get("absent", "same")) == "same"


def test_the_case_floor_applies_only_when_every_property_test_ran() -> None:
    full = Tally.merge(
        [
            {
                "registered": ["test_prop_a::one", "test_prop_a::two"],
                "ran": {"test_prop_a::one": 600},
            },
            {
                "registered": ["test_prop_b::three"],
                "ran": {"test_prop_a::two": 300, "test_prop_b::three": 150},
            },
        ]
    )
    assert full.total == 1050
    assert full.per_module() == {"test_prop_a": 900, "test_prop_b": 150}
    assert full.covers_suite(["test_prop_a", "test_prop_b"])
    assert not full.covers_suite(["test_prop_a", "test_prop_b", "test_prop_c"])
    one_skipped = Tally.merge(
        [{"registered": ["test_prop_a::one", "test_prop_a::two"], "ran": {"test_prop_a::one": 5}}]
    )
    assert not one_skipped.covers_suite(["test_prop_a"])


def test_case_keys_ignore_the_package_the_tests_live_in() -> None:
    assert case_key("tests.memory.test_prop_x", "test_y") == case_key("test_prop_x", "test_y")
