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

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from ...domain import DomainError, Instrument, NotFoundError, OrderSide, Position, PositionSide
from ...domain.bar import Bar
from ..ports import IdGenerator, UnitOfWork
from .clock import SimulatedClock
from .ledger import EquityLedger
from .report import BacktestReport, RoundTrip, build_report, price_return_pct
from .strategy import CancelAll, Strategy, SubmitBracket
from .venue import SimulatedVenue

ProgressCallback = Callable[[int, int], None]
"""Called with (bars replayed, bars in total) as the replay goes on."""

_LAST_CHUNK_MARGIN = timedelta(microseconds=1)


class BacktestError(DomainError):
    """A backtest cannot run on the given bars, settings or database."""


@dataclass(frozen=True)
class BacktestSettings:
    """Parameters of a run that are not the strategy's."""

    strategy_id: str = "vwap-streak"
    commission_per_contract: Decimal = Decimal("2.25")
    initial_cash: Decimal = Decimal(100_000)
    read_chunk: int = 2_000
    """Bars read back from the repository per query."""
    progress_every: int = 100
    """Bars between two progress calls."""

    def __post_init__(self) -> None:
        if not self.strategy_id.strip():
            raise BacktestError("the strategy id must not be empty")
        fee = self.commission_per_contract
        if not fee.is_finite() or fee < 0:
            raise BacktestError(f"commission per contract must not be negative, got {fee}")
        cash = self.initial_cash
        if not cash.is_finite() or cash <= 0:
            raise BacktestError(f"initial cash must be positive, got {cash}")
        for name in ("read_chunk", "progress_every"):
            if getattr(self, name) < 1:
                raise BacktestError(f"{name} must be at least 1, got {getattr(self, name)}")


@dataclass(frozen=True)
class StoredBars:
    """Bars written for a run: how many, and the time bounds of each chunk to read back."""

    symbol: str
    count: int
    bounds: tuple[datetime, ...]
    """Start of each chunk, then the exclusive end of the last one."""


@dataclass(frozen=True)
class BacktestResult:
    """Everything a run produced."""

    report: BacktestReport
    round_trips: tuple[RoundTrip, ...]
    equity: tuple[tuple[datetime, float], ...]
    final_equity: Decimal
    """Exact final equity; `report.final_equity` is the same as a float."""
    bar_count: int
    order_count: int
    fill_count: int


@dataclass(frozen=True)
class AccountView:
    """The `StrategyView` the engine builds from what it read on the bar."""

    position_quantity: Decimal
    open_order_count: int
    tick_size: Decimal


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

    async def run(
        self, bars: Iterable[Bar], *, on_progress: ProgressCallback | None = None
    ) -> BacktestResult:
        """Store the bars, then replay them."""
        return await self.replay(await self.store(bars), on_progress=on_progress)

    async def store(self, bars: Iterable[Bar]) -> StoredBars:
        """Write the bars through the bulk path; the instrument is added if it is missing."""
        items = list(bars)
        _check_bars(items, self._instrument.symbol)
        symbol = self._instrument.symbol
        async with self._unit_of_work() as uow:
            await self._ensure_instrument(uow)
            already = await uow.bars.count(symbol)
            if already:
                raise BacktestError(
                    f"the database already holds {already} {symbol} bars; a backtest stores its "
                    "own bars, orders and positions, so run it on a fresh database"
                )
            written = await uow.bars.add_many(items)
            await uow.commit()
        chunk = self._settings.read_chunk
        starts = [bar.ts for bar in items[::chunk]]
        return StoredBars(symbol, written, (*starts, items[-1].ts + _LAST_CHUNK_MARGIN))

    async def replay(
        self, stored: StoredBars, *, on_progress: ProgressCallback | None = None
    ) -> BacktestResult:
        """Run the strategy over the stored bars and build the report."""
        if self._used:
            raise BacktestError("this engine has already run; build a new one for another run")
        self._used = True
        ledger = EquityLedger(self._settings.initial_cash)
        every = self._settings.progress_every
        first: Bar | None = None
        last: Bar | None = None
        replayed = orders = fills = 0
        if on_progress is not None:
            on_progress(0, stored.count)
        async for bar in self._read_back(stored):
            first = first or bar
            last = bar
            step_orders, step_fills = await self._step(bar, ledger)
            orders += step_orders
            fills += step_fills
            replayed += 1
            if on_progress is not None and (replayed % every == 0 or replayed == stored.count):
                on_progress(replayed, stored.count)
        if first is None or last is None or replayed != stored.count:
            raise BacktestError(
                f"{stored.count} bars were stored but {replayed} were read back from the database"
            )
        round_trips = await self._round_trips()
        report = build_report(
            equity=ledger.points,
            round_trips=round_trips,
            initial_cash=self._settings.initial_cash,
            bars_in_position=ledger.bars_in_position,
            first_price=first.open,
            last_price=last.close,
        )
        return BacktestResult(
            report=report,
            round_trips=tuple(round_trips),
            equity=tuple(ledger.points),
            final_equity=ledger.last_equity,
            bar_count=replayed,
            order_count=orders,
            fill_count=fills,
        )

    async def _step(self, bar: Bar, ledger: EquityLedger) -> tuple[int, int]:
        """One bar in one unit of work; returns (orders submitted, fills)."""
        symbol, strategy_id = self._instrument.symbol, self._settings.strategy_id
        async with self._unit_of_work() as uow:
            self._clock.advance_to(bar.ts)
            working = await uow.orders.list_open(symbol, strategy_id)
            position = await uow.positions.get_open(symbol, strategy_id)
            filled = await self._venue.fill_bar(uow, bar, working, position)
            ledger.record_closed(filled.closed)
            view = AccountView(
                position_quantity=_signed_quantity(filled.position),
                open_order_count=len(filled.working),
                tick_size=self._instrument.tick_size,
            )
            submitted = 0
            for action in self._strategy.on_bar(bar, view):
                if isinstance(action, SubmitBracket):
                    submitted += len(await self._venue.submit_bracket(uow, action))
                elif isinstance(action, CancelAll):
                    await self._venue.cancel_all(
                        uow, filled.working, reason="strategy cancelled all"
                    )
                    filled.working = []
                else:
                    raise BacktestError(f"the strategy returned an unknown action {action!r}")
            ledger.mark(bar.ts, filled.position, bar.close)
            await uow.commit()
        return submitted, filled.fill_count

    async def _read_back(self, stored: StoredBars) -> AsyncIterator[Bar]:
        for start, end in pairwise(stored.bounds):
            async with self._unit_of_work() as uow:
                chunk = await uow.bars.list_range(stored.symbol, start, end)
            for bar in chunk:
                yield bar

    async def _ensure_instrument(self, uow: UnitOfWork) -> None:
        wanted = self._instrument
        try:
            stored = await uow.instruments.get(wanted.symbol)
        except NotFoundError:
            uow.instruments.add(wanted)
            return
        if (stored.tick_size, stored.multiplier) != (wanted.tick_size, wanted.multiplier):
            raise BacktestError(
                f"the database's {wanted.symbol} has tick size {stored.tick_size} and multiplier "
                f"{stored.multiplier}; the backtest expects {wanted.tick_size} and "
                f"{wanted.multiplier}"
            )

    async def _round_trips(self) -> list[RoundTrip]:
        symbol, strategy_id = self._instrument.symbol, self._settings.strategy_id
        async with self._unit_of_work() as uow:
            return [
                _round_trip(position, (await uow.orders.get(position.opening_order_id)).side)
                for position in await uow.positions.list_closed(symbol, strategy_id)
            ]


def _round_trip(position: Position, opening_side: OrderSide) -> RoundTrip:
    side = PositionSide.opened_by(opening_side)
    if position.ts_closed is None or position.avg_px_close is None:
        raise BacktestError(f"position {position.position_id!r} is not closed")
    return RoundTrip(
        symbol=position.symbol,
        side=side,
        quantity=position.closed_qty,
        entry_ts=position.ts_opened,
        exit_ts=position.ts_closed,
        entry_price=position.avg_px_open,
        exit_price=position.avg_px_close,
        pnl=position.realized_pnl,
        commission=position.commissions,
        return_pct=price_return_pct(side, position.avg_px_open, position.avg_px_close),
    )


def _signed_quantity(position: Position | None) -> Decimal:
    return Decimal(0) if position is None else position.signed_qty


def _check_bars(bars: Sequence[Bar], symbol: str) -> None:
    if not bars:
        raise BacktestError("there are no bars to replay")
    previous: Bar | None = None
    for index, bar in enumerate(bars):
        if bar.symbol != symbol:
            raise BacktestError(
                f"bar {index} is for {bar.symbol}, but the backtest trades {symbol}"
            )
        if previous is not None and bar.ts <= previous.ts:
            raise BacktestError(
                f"bar {index} at {bar.ts.isoformat()} does not come after bar {index - 1} "
                f"at {previous.ts.isoformat()}; bars must be in strictly increasing time"
            )
        previous = bar
