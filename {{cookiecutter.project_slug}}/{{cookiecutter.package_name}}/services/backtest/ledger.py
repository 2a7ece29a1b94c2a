"""The equity ledger: initial cash, plus realized PnL of all positions, plus unrealized PnL."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from ...domain import Position, round_amount


class EquityLedger:
    """Accumulates the realized PnL of closed positions and records one equity point per bar.

    Positions are not kept: the engine reports each position it saw close, and shows the open
    position (read from the repository) and the bar's fill count when it marks a bar.
    """

    def __init__(self, initial_cash: Decimal) -> None:
        if not initial_cash.is_finite() or initial_cash <= 0:
            raise ValueError(f"initial cash must be positive, got {initial_cash}")
        self.initial_cash = initial_cash
        self.closed_pnl = Decimal(0)
        self.points: list[tuple[datetime, float]] = []
        self.bars_in_position = 0
        self.last_equity = initial_cash

    def record_closed(self, positions: Iterable[Position]) -> None:
        """Book the realized PnL of positions that have just closed; give each only once."""
        for position in positions:
            if not position.is_closed:
                raise ValueError(f"position {position.position_id!r} is still open")
            self.closed_pnl = round_amount(self.closed_pnl + position.realized_pnl)

    def mark(
        self, ts: datetime, open_position: Position | None, close: Decimal, *, fills: int = 0
    ) -> Decimal:
        """Record the equity at a bar's close; return it.

        The bar counts as in the market when a position is open at its close or it had `fills`:
        a position opened and closed within the bar was in the market too.
        """
        equity = self.initial_cash + self.closed_pnl
        if open_position is not None:
            equity += open_position.total_pnl(close)
        if open_position is not None or fills:
            self.bars_in_position += 1
        self.last_equity = round_amount(equity)
        self.points.append((ts, float(self.last_equity)))
        return self.last_equity
