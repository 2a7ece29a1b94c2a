"""Ports: the interfaces the core owns and the adapters implement."""

from .clock import Clock
from .ids import IdGenerator
from .repositories import (
    BarRepository,
    InstrumentRepository,
    OrderRepository,
    PositionRepository,
    TradeRepository,
)
from .unit_of_work import UnitOfWork

__all__ = [
    "BarRepository",
    "Clock",
    "IdGenerator",
    "InstrumentRepository",
    "OrderRepository",
    "PositionRepository",
    "TradeRepository",
    "UnitOfWork",
]
