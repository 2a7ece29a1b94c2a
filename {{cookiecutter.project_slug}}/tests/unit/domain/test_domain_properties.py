"""Properties that hold for any sequence of fills: quantity is conserved, PnL adds up,
and an order's quantities stay consistent.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.domain import (
    Instrument,
    InvalidTransitionError,
    LiquiditySide,
    Order,
    OrderSide,
    OrderStatus,
    OrderType,
    OverfillError,
    Position,
    PositionSide,
    Trade,
    apply_fill,
)

START = datetime(2025, 1, 2, 14, 30, tzinfo=UTC)
TICK = Decimal("0.25")
HALF_UNIT = Decimal("0.000000005")  # half the last place kept by the 8-place rounding rule

# Reproducible runs: the same examples every time, no example database, no timing flakes.
FAST = settings(max_examples=150, deadline=None, derandomize=True, database=None)

# One fill: side, whole contracts, price in ticks (4750.00 to 5250.00), commission in cents.
fill_steps = st.tuples(
    st.sampled_from(OrderSide),
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=19_000, max_value=21_000),
    st.integers(min_value=0, max_value=500),
)
fill_sequences = st.lists(fill_steps, min_size=1, max_size=30)
multipliers = st.sampled_from([Decimal(1), Decimal(50), Decimal("12.5"), Decimal("0.1")])

Step = tuple[OrderSide, int, int, int]


def make_trade(n: int, side: OrderSide, quantity: int, ticks: int, cents: int) -> Trade:
    return Trade(
        trade_id=f"T-{n}",
        order_id=f"O-{n}",
        symbol="ES",
        strategy_id="prop",
        side=side,
        quantity=Decimal(quantity),
        price=ticks * TICK,
        commission=Decimal(cents) / 100,
        liquidity_side=LiquiditySide.TAKER,
        ts_event=START + timedelta(minutes=n),
    )


def route_all(steps: list[Step], multiplier: Decimal) -> tuple[list[Trade], list[Position]]:
    """Apply every fill to the open position, as the services do; return fills and positions."""
    ids = (f"P-{n}" for n in count(1))
    trades: list[Trade] = []
    positions: list[Position] = []
    current: Position | None = None
    for n, step in enumerate(steps):
        trade = make_trade(n, *step)
        touched = apply_fill(current, trade, multiplier=multiplier, new_position_id=ids.__next__)
        positions.extend(p for p in touched if p not in positions)
        trades.append(trade)
        current = touched[-1]
    return trades, positions


def closing_step(steps: list[Step]) -> list[Step]:
    """The fill (if any) that brings the net quantity of `steps` back to zero."""
    net = sum(side.sign * qty for side, qty, _, _ in steps)
    if net == 0:
        return []
    return [(OrderSide.SELL if net > 0 else OrderSide.BUY, abs(net), 20_000, 125)]


@FAST
@given(steps=fill_sequences, multiplier=multipliers)
def test_fills_conserve_quantity_across_the_positions_they_make(
    steps: list[Step], multiplier: Decimal
) -> None:
    trades, positions = route_all(steps, multiplier)
    assert sum(p.signed_qty for p in positions) == sum(t.signed_quantity for t in trades)
    assert sum(p.commissions for p in positions) == sum(t.commission for t in trades)
    open_positions = [p for p in positions if p.is_open]
    assert open_positions in ([], [positions[-1]])
    for position in positions:
        assert position.quantity == abs(position.signed_qty) <= position.peak_qty
        expected_side = (
            PositionSide.FLAT
            if position.signed_qty == 0
            else PositionSide.LONG
            if position.signed_qty > 0
            else PositionSide.SHORT
        )
        assert position.side is expected_side
        assert position.is_closed is (position.signed_qty == 0)
    ids = {p.position_id for p in positions}
    assert len(ids) == len(positions)
    assert all(t.position_id in ids for t in trades)


@FAST
@given(steps=fill_sequences, multiplier=multipliers)
def test_realized_pnl_of_a_round_trip_is_its_cash_flow_less_commissions(
    steps: list[Step], multiplier: Decimal
) -> None:
    """Summed over every position, flips included, exactly: a partial close takes a rounded
    share of the cost basis, and the close takes the rest."""
    steps = steps + closing_step(steps)
    trades, positions = route_all(steps, multiplier)
    assert all(p.is_closed for p in positions)

    cash = sum((-t.signed_quantity * t.price for t in trades), Decimal(0))
    commissions = sum((t.commission for t in trades), Decimal(0))
    realized = sum((p.realized_pnl for p in positions), Decimal(0))
    assert realized == cash * multiplier - commissions
    assert all(p.cost_basis == 0 for p in positions)


ES = Instrument(symbol="ES", tick_size=TICK, multiplier=Decimal(50))
LIMIT = Decimal("5000.00")

# One fill attempt on an order: contracts, ticks better than the limit, commission in cents.
fill_attempts = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=15),
        st.integers(min_value=0, max_value=8),
        st.integers(min_value=0, max_value=300),
    ),
    min_size=1,
    max_size=20,
)


@FAST
@given(
    quantity=st.integers(min_value=1, max_value=40),
    side=st.sampled_from(OrderSide),
    attempts=fill_attempts,
)
def test_an_order_stays_consistent_under_any_fills(
    quantity: int, side: OrderSide, attempts: list[tuple[int, int, int]]
) -> None:
    order = Order(
        order_id="O-1",
        instrument=ES,
        side=side,
        order_type=OrderType.LIMIT,
        quantity=Decimal(quantity),
        price=LIMIT,
        ts_init=START,
    )
    order.submit(START)
    order.accept(START)
    applied: list[Trade] = []
    for n, (qty, better_ticks, cents) in enumerate(attempts, start=1):
        trade = Trade(
            trade_id=f"T-{n}",
            order_id="O-1",
            symbol="ES",
            strategy_id="default",
            side=side,
            quantity=Decimal(qty),
            price=LIMIT - side.sign * better_ticks * TICK,
            commission=Decimal(cents) / 100,
            liquidity_side=LiquiditySide.MAKER,
            ts_event=START + timedelta(minutes=n),
        )
        before = dict(vars(order))
        if order.status is OrderStatus.FILLED:
            refused: type[Exception] | None = InvalidTransitionError
        elif trade.quantity > order.leaves_qty:
            refused = OverfillError
        else:
            refused = None
        try:
            order.apply_fill(trade)
        except (InvalidTransitionError, OverfillError) as error:
            assert type(error) is refused
            assert vars(order) == before
        else:
            assert refused is None
            applied.append(trade)

        assert order.filled_qty + order.leaves_qty == order.quantity
        assert order.filled_qty == sum(t.quantity for t in applied)
        assert order.leaves_qty >= 0
        assert order.commission == sum((t.commission for t in applied), Decimal(0))
        assert order.status is (
            OrderStatus.FILLED
            if order.leaves_qty == 0
            else OrderStatus.PARTIALLY_FILLED
            if applied
            else OrderStatus.ACCEPTED
        )
        assert (order.ts_closed is not None) is (order.status is OrderStatus.FILLED)
        if applied:
            vwap = sum(t.price * t.quantity for t in applied) / order.filled_qty
            assert order.avg_px is not None
            assert abs(order.avg_px - vwap) <= HALF_UNIT * len(applied)
            assert min(t.price for t in applied) <= order.avg_px <= max(t.price for t in applied)
