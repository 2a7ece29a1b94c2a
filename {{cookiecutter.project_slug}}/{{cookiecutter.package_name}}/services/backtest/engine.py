"""The event-driven backtest engine: stored bars replayed one at a time through the services.

Before the replay the bars are written through the bar repository's bulk path and then read back
from it in time order, a chunk at a time, so the bars replayed are the bars stored.

Each bar runs in its own unit of work, committed at the end of the bar:

1. The simulated clock moves to the bar's timestamp (the start of its interval); every order,
   fill and position event of the bar carries that time. Nothing reads the wall clock.
2. The strategy's working orders and its open position are read from the repositories. Nothing
   about orders or positions is kept from one bar to the next.
3. The simulated venue fills what the bar reaches (`venue` and `fill_model` state the rules):
   orders work from the bar after the one they were submitted on, so a market entry fills at the
   next bar's open; the intrabar path is Open-High-Low-Close, or Open-Low-High-Close when the
   close is nearer the high, and decides which of a stop-loss and a take-profit inside one bar
   fills first; a stop fills at its trigger, or at the open when the bar gaps through it; bracket
   children work once their entry has filled, and a filled child cancels its sibling. Fills go
   through `trading.fill_order`, which books them into positions (flips included).
4. The strategy sees the bar and an account view (position and working orders after the fills)
   and answers with actions, carried out through the services: `SubmitBracket` submits a market
   entry, a STOP_MARKET stop-loss and a LIMIT take-profit sharing an order list, the children
   pointing at the entry; `CancelAll` cancels every working order.
5. Equity at the close is recorded: initial cash, plus the realized PnL of every position, plus
   the unrealized PnL of the open one at the close.

The result holds the report, the round trips (one per closed position), the equity curve and
counts. One engine serves one run.
"""

from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise

from ...domain import Instrument, NotFoundError
from ...domain.bar import Bar
from ..ports import IdGenerator, UnitOfWork
from .clock import SimulatedClock
from .engine_core import (
    AccountView,
    BacktestError,
    BacktestResult,
    BacktestSettings,
    ProgressCallback,
    ReplayTally,
    StoredBars,
    account_view,
    check_bars,
    check_same_instrument,
    refuse_stored_bars,
    round_trip,
    stored_bars,
)
from .ledger import EquityLedger
from .report import RoundTrip
from .strategy import CancelAll, Strategy, SubmitBracket
from .venue import SimulatedVenue

__all__ = [
    "AccountView",
    "BacktestEngine",
    "BacktestError",
    "BacktestResult",
    "BacktestSettings",
    "ProgressCallback",
    "StoredBars",
]


class BacktestEngine:
    """Replays bars for one strategy on one instrument through the units of work it opens."""

    def __init__(
        self,
        *,
        unit_of_work: Callable[[], UnitOfWork],
        instrument: Instrument,
        strategy: Strategy,
        ids: IdGenerator,
        clock: SimulatedClock | None = None,
        settings: BacktestSettings | None = None,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._instrument = instrument
        self._strategy = strategy
        self._ids = ids
        self._clock = clock or SimulatedClock()
        self._settings = settings or BacktestSettings()
        self._venue = SimulatedVenue(
            symbol=instrument.symbol,
            strategy_id=self._settings.strategy_id,
            commission_per_contract=self._settings.commission_per_contract,
            clock=self._clock,
            ids=ids,
        )
        self._used = False

    @property
    def settings(self) -> BacktestSettings:
        return self._settings

    def run(
        self, bars: Iterable[Bar], *, on_progress: ProgressCallback | None = None
    ) -> BacktestResult:
        """Store the bars, then replay them."""
        return self.replay(self.store(bars), on_progress=on_progress)

    def store(self, bars: Iterable[Bar]) -> StoredBars:
        """Write the bars through the bulk path; the instrument is added if it is missing."""
        items = list(bars)
        check_bars(items, self._instrument.symbol)
        with self._unit_of_work() as uow:
            self._ensure_instrument(uow)
            refuse_stored_bars(self._instrument.symbol, uow.bars.count(self._instrument.symbol))
            written = uow.bars.add_many(items)
            uow.commit()
        return stored_bars(items, written, self._settings.read_chunk)

    def replay(
        self, stored: StoredBars, *, on_progress: ProgressCallback | None = None
    ) -> BacktestResult:
        """Run the strategy over the stored bars and build the report."""
        if self._used:
            raise BacktestError("this engine has already run; build a new one for another run")
        self._used = True
        tally = ReplayTally(self._settings, stored, on_progress)
        for bar in self._read_back(stored):
            tally.add(bar, *self._step(bar, tally.ledger))
        return tally.result(self._round_trips())

    def _step(self, bar: Bar, ledger: EquityLedger) -> tuple[int, int]:
        """One bar in one unit of work; returns (orders submitted, fills)."""
        symbol, strategy_id = self._instrument.symbol, self._settings.strategy_id
        with self._unit_of_work() as uow:
            self._clock.advance_to(bar.ts)
            working = uow.orders.list_open(symbol, strategy_id)
            position = uow.positions.get_open(symbol, strategy_id)
            filled = self._venue.fill_bar(uow, bar, working, position)
            ledger.record_closed(filled.closed)
            view = account_view(filled.position, len(filled.working), self._instrument.tick_size)
            submitted = 0
            for action in self._strategy.on_bar(bar, view):
                if isinstance(action, SubmitBracket):
                    submitted += len(self._venue.submit_bracket(uow, action))
                elif isinstance(action, CancelAll):
                    self._venue.cancel_all(uow, filled.working, reason="strategy cancelled all")
                    filled.working = []
                else:
                    raise BacktestError(f"the strategy returned an unknown action {action!r}")
            ledger.mark(bar.ts, filled.position, bar.close)
            uow.commit()
        return submitted, filled.fill_count

    def _read_back(self, stored: StoredBars) -> Iterator[Bar]:
        for start, end in pairwise(stored.bounds):
            with self._unit_of_work() as uow:
                chunk = uow.bars.list_range(stored.symbol, start, end)
            yield from chunk

    def _ensure_instrument(self, uow: UnitOfWork) -> None:
        wanted = self._instrument
        try:
            stored = uow.instruments.get(wanted.symbol)
        except NotFoundError:
            uow.instruments.add(wanted)
            return
        check_same_instrument(stored, wanted)

    def _round_trips(self) -> list[RoundTrip]:
        symbol, strategy_id = self._instrument.symbol, self._settings.strategy_id
        with self._unit_of_work() as uow:
            return [
                round_trip(position, uow.orders.get(position.opening_order_id).side)
                for position in uow.positions.list_closed(symbol, strategy_id)
            ]
