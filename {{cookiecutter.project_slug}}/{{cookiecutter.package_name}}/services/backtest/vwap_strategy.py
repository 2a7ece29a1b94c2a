"""The reference strategy: follow a run of closes on one side of the session VWAP.

- VWAP is the volume-weighted mean of the typical price (high + low + close) / 3 over the
  session so far, this bar included; it and the run count restart when a session begins.
- A run counts consecutive closes strictly above (or below) VWAP; a close at VWAP, or before the
  session has traded any volume, ends it.
- When a run reaches `streak_length` while the strategy is flat with no working orders, it enters
  at market in the run's direction with a bracket `stop_ticks` and `target_ticks` from this close,
  and the run restarts, so a new entry needs a fresh run. If the strategy is busy, the run keeps
  counting and the entry waits until it is free.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from ...domain import Instrument
from ...domain.amounts import AMOUNT_LIMIT, within_limit
from ...domain.bar import Bar
from ...domain.enums import OrderSide
from .engine_core import BacktestError
from .strategy import Action, StrategyView, SubmitBracket


@dataclass
class SessionVwap:
    """Running VWAP of one session, compared exactly (no division) against a price."""

    weighted_sum: Decimal = Decimal(0)  # sum of (high + low + close) * volume
    volume: int = 0

    def add(self, bar: Bar) -> None:
        self.weighted_sum += (bar.high + bar.low + bar.close) * bar.volume
        self.volume += bar.volume

    @property
    def value(self) -> Decimal | None:
        """The VWAP, or None before the session has traded any volume."""
        return self.weighted_sum / (3 * self.volume) if self.volume else None

    def side_of(self, price: Decimal) -> int:
        """+1 if `price` is above VWAP, -1 if below, 0 if equal or VWAP is undefined."""
        if not self.volume:
            return 0
        difference = 3 * price * self.volume - self.weighted_sum
        return (difference > 0) - (difference < 0)


class VwapStreakStrategy:
    """Long after `streak_length` closes above session VWAP, short after as many below."""

    def __init__(
        self,
        *,
        streak_length: int = 30,
        quantity: Decimal = Decimal(1),
        stop_ticks: int = 20,
        target_ticks: int = 40,
        session_boundary: time = time(0, 0),
    ) -> None:
        for name, count in (
            ("streak_length", streak_length),
            ("stop_ticks", stop_ticks),
            ("target_ticks", target_ticks),
        ):
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ValueError(f"{name} must be a positive whole number, got {count!r}")
        if not quantity.is_finite() or quantity <= 0:
            raise ValueError(f"quantity must be positive, got {quantity}")
        self.streak_length = streak_length
        self.quantity = quantity
        self.stop_ticks = stop_ticks
        self.target_ticks = target_ticks
        self._boundary = timedelta(hours=session_boundary.hour, minutes=session_boundary.minute)
        self._session: date | None = None
        self.vwap = SessionVwap()
        self.streak = 0  # signed: +n after n closes above VWAP, -n after n below

    def check_fit(
        self,
        instrument: Instrument,
        bars: Sequence[Bar],
        commission_per_contract: Decimal = Decimal(0),
    ) -> None:
        """Refuse, before any bar is stored, settings that would fail during the replay: a
        quantity off the instrument's step, bracket prices at zero or below (a long's stop,
        a short's target) or past the amount limit for these bars, a position worth more
        than that limit (its PnL could not be stored), or a round trip (two fills) paying
        more commission than it."""
        instrument.check_quantity(self.quantity, label="strategy quantity")
        round_trip_fees = 2 * self.quantity * commission_per_contract
        if not within_limit(round_trip_fees):
            raise BacktestError(
                f"a round trip of {self.quantity} contracts pays {round_trip_fees:,} in "
                f"commission, past the amount limit {AMOUNT_LIMIT:,}"
            )
        if not bars:
            return
        tick = instrument.tick_size
        lowest = min(_on_grid(bar.close, tick) for bar in bars)
        highest = max(_on_grid(bar.close, tick) for bar in bars)
        for name, ticks in (("stop_ticks", self.stop_ticks), ("target_ticks", self.target_ticks)):
            if ticks * tick >= lowest:
                room = (lowest - tick) // tick
                raise BacktestError(
                    f"{name} {ticks} puts bracket prices at zero or below: the lowest close "
                    f"is {lowest}, so at most {room} ticks of {tick} fit"
                )
        furthest = highest + max(self.stop_ticks, self.target_ticks) * tick
        if not within_limit(furthest):
            raise BacktestError(f"bracket prices up to {furthest} pass {AMOUNT_LIMIT:,}")
        worth = self.quantity * furthest * instrument.multiplier
        if not within_limit(worth):
            raise BacktestError(
                f"a position of {self.quantity} {instrument.symbol} at up to {furthest} is worth "
                f"{worth:,}, past the amount limit {AMOUNT_LIMIT:,}"
            )

    def on_bar(self, bar: Bar, view: StrategyView) -> list[Action]:
        self._follow(bar)
        if abs(self.streak) < self.streak_length:
            return []
        if view.position_quantity != 0 or view.open_order_count > 0:
            return []
        side = OrderSide.BUY if self.streak > 0 else OrderSide.SELL
        self.streak = 0
        return [self._bracket(side, bar.close, view.tick_size)]

    def _follow(self, bar: Bar) -> None:
        session = self._session_of(bar.ts)
        if session != self._session:
            self._session = session
            self.vwap = SessionVwap()
            self.streak = 0
        self.vwap.add(bar)
        side = self.vwap.side_of(bar.close)
        if side == 0 or side * self.streak < 0:
            self.streak = side
        else:
            self.streak += side

    def _session_of(self, ts: datetime) -> date:
        return (ts - self._boundary).date()

    def _bracket(self, side: OrderSide, close: Decimal, tick: Decimal) -> SubmitBracket:
        anchor = _on_grid(close, tick)
        stop_offset, target_offset = self.stop_ticks * tick, self.target_ticks * tick
        if side is OrderSide.BUY:
            stop, target = anchor - stop_offset, anchor + target_offset
        else:
            stop, target = anchor + stop_offset, anchor - target_offset
        return SubmitBracket(side, self.quantity, stop, target)


def _on_grid(price: Decimal, tick: Decimal) -> Decimal:
    if not tick.is_finite() or tick <= 0:
        raise ValueError(f"tick size must be positive, got {tick}")
    return (price / tick).to_integral_value(rounding=ROUND_HALF_EVEN) * tick
