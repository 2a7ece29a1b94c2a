"""The engine's functional core: settings, results and the decisions of a replay that do no I/O.

The backtest engine (`engine.py`) is the shell around it: it opens the units of work, reads and
writes through the repositories and the services, and hands what it read to these functions.

How a run goes: stored bars are replayed one at a time through the services.

Before the replay the bars are written through the bar repository's bulk path and then read back
from it in time order, a chunk at a time, so the bars replayed are the bars stored.

Each chunk is replayed in one unit of work, and each bar in it is one transaction, committed at
the end of the bar. A failing bar is rolled back; the bars before it stay committed.

1. The simulated clock moves to the bar's timestamp (the start of its interval); every order,
   fill and position event of the bar carries that time. Nothing reads the wall clock.
2. The strategy's working orders and its open position are read from the repositories. The
   engine keeps nothing about orders or positions from one bar to the next.
3. The simulated venue fills what the bar reaches (`venue` and `fill_model` state the rules):
   orders work from the bar after the one they were submitted on, so a market entry fills at the
   next bar's open; the intrabar path is Open-High-Low-Close, or Open-Low-High-Close when the
   close is nearer the high, and decides which of a stop-loss and a take-profit inside one bar
   fills first; a stop fills at its trigger, or at the open when the bar gaps through it; bracket
   children work once their entry has filled, and a filled child cancels its sibling. Fills go
   through `trading.fill_order`, which books them into positions (flips included).
4. Equity at the close is recorded: initial cash, plus the realized PnL of every position, plus
   the unrealized PnL of the open one at the close. At zero or less the account is wiped out:
   from then on the strategy is not asked again, its working orders are cancelled and its
   position is closed at market (at the next bar's open); the report says when. Below the open
   position's maintenance margin, a margin call does the same for this bar only.
5. The strategy sees the bar and an account view (position and working orders after the fills,
   with a margin call's closing order) and answers with actions, carried out through the
   services: `SubmitBracket` submits a market entry, a STOP_MARKET stop-loss and a LIMIT
   take-profit sharing an order list, the children pointing at the entry (an entry the equity
   cannot cover is rejected, `venue_core.margin_rejection`); `CancelAll` cancels every working
   order but a margin call's.

The result holds the report, the round trips (one per closed position), the equity curve and
counts. One engine serves one run.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from ...domain import (
    AMOUNT_PLACES,
    DomainError,
    Instrument,
    OrderSide,
    Position,
    PositionSide,
    round_amount,
)
from ...domain.amounts import AMOUNT_LIMIT, within_limit
from ...domain.bar import Bar
from .ledger import EquityLedger
from .report import BacktestReport, OpenPosition, RoundTrip, build_report, trade_return_pct
from .sessions import MIDNIGHT, check_session_start

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
    """Bars read back from the repository per query, and replayed in one unit of work."""
    progress_every: int = 100
    """Bars between two progress calls."""
    session_start: time = MIDNIGHT
    """The UTC time each trading day starts at: it groups the daily returns and ends DAY orders."""
    margin_per_contract: Decimal = Decimal(0)
    """Initial margin a contract of the position needs; 0 leaves entries unchecked."""
    maintenance_margin_per_contract: Decimal | None = None
    """Equity a contract of the open position needs at each close, or a margin call closes it;
    None: the initial margin, 0: no margin calls."""

    @property
    def maintenance_margin(self) -> Decimal:
        """The maintenance margin per contract in force: the initial margin unless given."""
        given = self.maintenance_margin_per_contract
        return self.margin_per_contract if given is None else given

    def __post_init__(self) -> None:
        if not self.strategy_id.strip():
            raise BacktestError("the strategy id must not be empty")
        fee = self.commission_per_contract
        if not fee.is_finite() or fee < 0:
            raise BacktestError(f"commission per contract must not be negative, got {fee}")
        cash = self.initial_cash
        if not cash.is_finite() or cash <= 0:
            raise BacktestError(f"initial cash must be positive, got {cash}")
        margin = self.margin_per_contract
        if not margin.is_finite() or margin < 0:
            raise BacktestError(f"margin per contract must not be negative, got {margin}")
        maintenance = self.maintenance_margin
        if not maintenance.is_finite() or maintenance < 0:
            raise BacktestError(f"maintenance margin must not be negative, got {maintenance}")
        if maintenance > margin:
            raise BacktestError(
                f"maintenance margin {maintenance} is above the initial margin {margin}: a "
                "position would be called as soon as it opened"
            )
        amounts = (
            ("commission per contract", fee),
            ("initial cash", cash),
            ("margin", margin),
            ("maintenance margin", maintenance),
        )
        for name, amount in amounts:
            if not within_limit(amount):  # before rounding, which cannot take such numbers
                raise BacktestError(f"{name} {amount} is not below {AMOUNT_LIMIT:,}")
            if amount != round_amount(amount):
                raise BacktestError(f"{name} {amount} has more than {AMOUNT_PLACES} decimal places")
        try:
            object.__setattr__(self, "session_start", check_session_start(self.session_start))
        except ValueError as error:
            raise BacktestError(str(error)) from None
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


def stored_bars(items: Sequence[Bar], written: int, read_chunk: int) -> StoredBars:
    """The chunk bounds for reading back `items`, written in time order."""
    starts = [bar.ts for bar in items[::read_chunk]]
    return StoredBars(items[0].symbol, written, (*starts, items[-1].ts + _LAST_CHUNK_MARGIN))


def refuse_stored_bars(symbol: str, already: int) -> None:
    """A backtest stores its own bars: refuse a database that holds some already."""
    if already:
        raise BacktestError(
            f"the database already holds {already} {symbol} bars; a backtest stores its "
            "own bars, orders and positions, so run it on a fresh database"
        )


def check_same_instrument(stored: Instrument, wanted: Instrument) -> None:
    """Refuse a stored instrument whose contract terms differ from the backtest's."""
    if (stored.tick_size, stored.multiplier) != (wanted.tick_size, wanted.multiplier):
        raise BacktestError(
            f"the database's {wanted.symbol} has tick size {stored.tick_size} and multiplier "
            f"{stored.multiplier}; the backtest expects {wanted.tick_size} and "
            f"{wanted.multiplier}"
        )


def account_view(position: Position | None, working: int, tick_size: Decimal) -> AccountView:
    """What the strategy sees after the bar's fills."""
    return AccountView(
        position_quantity=signed_quantity(position),
        open_order_count=working,
        tick_size=tick_size,
    )


class ReplayTally:
    """What a replay has seen so far, its equity ledger and its progress calls."""

    def __init__(
        self,
        settings: BacktestSettings,
        stored: StoredBars,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.ledger = EquityLedger(settings.initial_cash)
        self._settings = settings
        self._stored = stored
        self._on_progress = on_progress
        self._first: Bar | None = None
        self._last: Bar | None = None
        self._replayed = self._orders = self._fills = 0
        if on_progress is not None:
            on_progress(0, stored.count)

    def add(self, bar: Bar, orders: int, fills: int) -> None:
        """Count one replayed bar with the orders it submitted and the fills it had."""
        self._first = self._first or bar
        self._last = bar
        self._orders += orders
        self._fills += fills
        self._replayed += 1
        done, total = self._replayed, self._stored.count
        if self._on_progress is not None and (
            done % self._settings.progress_every == 0 or done == total
        ):
            self._on_progress(done, total)

    @property
    def last_close(self) -> Decimal | None:
        return None if self._last is None else self._last.close

    def result(
        self,
        round_trips: Sequence[RoundTrip],
        *,
        open_position: OpenPosition | None = None,
        wiped_out_at: datetime | None = None,
        margin_calls: int = 0,
    ) -> BacktestResult:
        """The result of the whole replay; every stored bar must have been replayed."""
        first, last, replayed = self._first, self._last, self._replayed
        if first is None or last is None or replayed != self._stored.count:
            raise BacktestError(
                f"{self._stored.count} bars were stored but {replayed} were read back from the "
                "database"
            )
        report = build_report(
            equity=self.ledger.points,
            round_trips=round_trips,
            initial_cash=self._settings.initial_cash,
            bars_in_position=self.ledger.bars_in_position,
            first_price=first.open,
            last_price=last.close,
            wiped_out_at=wiped_out_at,
            open_position=open_position,
            session_start=self._settings.session_start,
            margin_calls=margin_calls,
        )
        return BacktestResult(
            report=report,
            round_trips=tuple(round_trips),
            equity=tuple(self.ledger.points),
            final_equity=self.ledger.last_equity,
            bar_count=replayed,
            order_count=self._orders,
            fill_count=self._fills,
        )


def round_trip(position: Position, opening_side: OrderSide) -> RoundTrip:
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
        return_pct=trade_return_pct(
            position.realized_pnl, position.avg_px_open, position.closed_qty, position.multiplier
        ),
    )


def open_position_at(position: Position, close: Decimal) -> OpenPosition:
    """A position still open when the bars end, marked at the last close."""
    return OpenPosition(
        signed_quantity=position.signed_qty,
        pnl=position.total_pnl(close),
        commission=position.commissions,
    )


def signed_quantity(position: Position | None) -> Decimal:
    return Decimal(0) if position is None else position.signed_qty


def check_bars(bars: Sequence[Bar], instrument: Instrument) -> None:
    """Refuse bars that are none, for another symbol, out of time order or off the tick grid,
    before anything is stored."""
    symbol = instrument.symbol
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
    _check_bar_prices(bars, instrument)


def _check_bar_prices(bars: Sequence[Bar], instrument: Instrument) -> None:
    """Every price on the instrument's tick grid; each distinct price is checked once."""
    prices: set[Decimal] = set()
    for bar in bars:
        prices.update((bar.open, bar.high, bar.low, bar.close))
    tick = instrument.tick_size
    off_grid = {price for price in prices if price % tick != 0}
    if not off_grid:
        return
    for index, bar in enumerate(bars):
        for name in ("open", "high", "low", "close"):
            price = getattr(bar, name)
            if price in off_grid:
                raise BacktestError(
                    f"bar {index} at {bar.ts.isoformat()}: its {name} {price} is not a multiple "
                    f"of the {instrument.symbol} tick size {tick.normalize():f}"
                )
