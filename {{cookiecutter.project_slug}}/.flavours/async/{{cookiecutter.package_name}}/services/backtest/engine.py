"""The event-driven backtest engine, awaited: it opens the units of work and awaits their I/O.

How a run goes, and its rules, are told in `engine_core`, the part both flavours share.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from itertools import pairwise

from ...domain import Instrument, NotFoundError, Order
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
    open_position_at,
    refuse_stored_bars,
    round_trip,
    stored_bars,
)
from .ledger import EquityLedger
from .report import OpenPosition, RoundTrip
from .strategy import CancelAll, Strategy, SubmitBracket
from .venue import SimulatedVenue
from .venue_core import MARGIN_CALL_REASON, margin_call

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
            session_start=self._settings.session_start,
            margin_per_contract=self._settings.margin_per_contract,
            maintenance_margin_per_contract=self._settings.maintenance_margin,
            clock=self._clock,
            ids=ids,
        )
        self._used = False
        self._wiped_out_at: datetime | None = None
        self._margin_calls = 0

    @property
    def settings(self) -> BacktestSettings:
        return self._settings

    async def run(
        self, bars: Iterable[Bar], *, on_progress: ProgressCallback | None = None
    ) -> BacktestResult:
        """Store the bars, then replay them."""
        return await self.replay(await self.store(bars), on_progress=on_progress)

    async def store(self, bars: Iterable[Bar]) -> StoredBars:
        """Write the bars through the bulk path; the instrument is added if it is missing."""
        items = list(bars)
        check_bars(items, self._instrument)
        async with self._unit_of_work() as uow:
            await self._ensure_instrument(uow)
            already = await uow.bars.count(self._instrument.symbol)
            refuse_stored_bars(self._instrument.symbol, already)
            written = await uow.bars.add_many(items)
            await uow.commit()
        return stored_bars(items, written, self._settings.read_chunk)

    async def replay(
        self, stored: StoredBars, *, on_progress: ProgressCallback | None = None
    ) -> BacktestResult:
        """Run the strategy over the stored bars and build the report."""
        if self._used:
            raise BacktestError("this engine has already run; build a new one for another run")
        self._used = True
        tally = ReplayTally(self._settings, stored, on_progress)
        for start, end in pairwise(stored.bounds):
            async with self._unit_of_work() as uow:
                # Held for the chunk, so the services find it in the session without a query.
                instrument = await uow.instruments.get(stored.symbol)
                for bar in await uow.bars.list_range(stored.symbol, start, end):
                    tally.add(bar, *await self._step(uow, instrument, bar, tally.ledger))
        trips, open_position = await self._positions_at_end(tally.last_close)
        return tally.result(
            trips,
            open_position=open_position,
            wiped_out_at=self._wiped_out_at,
            margin_calls=self._margin_calls,
        )

    async def _step(
        self, uow: UnitOfWork, instrument: Instrument, bar: Bar, ledger: EquityLedger
    ) -> tuple[int, int]:
        """One bar, committed at its end; returns (orders submitted, fills)."""
        symbol, strategy_id = instrument.symbol, self._settings.strategy_id
        self._clock.advance_to(bar.ts)
        working = await uow.orders.list_open(symbol, strategy_id)
        position = await uow.positions.get_open(symbol, strategy_id)
        filled = await self._venue.fill_bar(uow, bar, working, position)
        ledger.record_closed(filled.closed)
        ledger.mark(bar.ts, filled.position, bar.close, fills=filled.fill_count)
        if self._wiped_out_at is not None:
            await uow.commit()  # the strategy no longer trades; the liquidation fills
            return 0, filled.fill_count
        if ledger.last_equity <= 0:
            self._wiped_out_at = bar.ts
            closed_out = await self._venue.liquidate(uow, filled.working, filled.position)
            await uow.commit()
            return len(closed_out), filled.fill_count
        closing: list[Order] = []
        maintenance = self._venue.maintenance_margin_per_contract
        if margin_call(filled.position, ledger.last_equity, maintenance):
            # The strategy still sees the bar (its state follows every bar), with the closing
            # order working, which it cannot cancel; its entries must pass the margin check.
            self._margin_calls += 1
            closing = await self._venue.liquidate(
                uow, filled.working, filled.position, reason=MARGIN_CALL_REASON
            )
            filled.working = []
        working_count = len(filled.working) + len(closing)
        view = account_view(filled.position, working_count, instrument.tick_size)
        submitted = len(closing)
        for action in self._strategy.on_bar(bar, view):
            if isinstance(action, SubmitBracket):
                orders = await self._venue.submit_bracket(
                    uow,
                    action,
                    working=[*filled.working, *closing],
                    position=filled.position,
                    equity=ledger.last_equity,
                )
                submitted += len(orders)
                filled.working = [*filled.working, *(o for o in orders if o.is_open)]
            elif isinstance(action, CancelAll):
                await self._venue.cancel_all(uow, filled.working, reason="strategy cancelled all")
                filled.working = []
            else:
                raise BacktestError(f"the strategy returned an unknown action {action!r}")
        await uow.commit()
        return submitted, filled.fill_count

    async def _ensure_instrument(self, uow: UnitOfWork) -> None:
        wanted = self._instrument
        try:
            stored = await uow.instruments.get(wanted.symbol)
        except NotFoundError:
            uow.instruments.add(wanted)
            return
        check_same_instrument(stored, wanted)

    async def _positions_at_end(
        self, last_close: Decimal | None
    ) -> tuple[list[RoundTrip], OpenPosition | None]:
        """The round trips, and the position still open (marked at `last_close`), if any."""
        symbol, strategy_id = self._instrument.symbol, self._settings.strategy_id
        async with self._unit_of_work() as uow:
            trips = [
                round_trip(position, (await uow.orders.get(position.opening_order_id)).side)
                for position in await uow.positions.list_closed(symbol, strategy_id)
            ]
            position = await uow.positions.get_open(symbol, strategy_id)
            if position is None or last_close is None:
                return trips, None
            return trips, open_position_at(position, last_close)
