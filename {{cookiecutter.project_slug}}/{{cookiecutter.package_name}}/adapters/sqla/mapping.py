"""Imperative mapping of the plain domain classes onto the tables."""

from sqlalchemy.orm import registry

from ...domain import Instrument, Order, Position, Trade
from .tables import instruments, metadata, orders, positions, trades

mapper_registry = registry(metadata=metadata)


def start_mappers() -> None:
    """Map the domain classes once per process; later calls do nothing."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(Instrument, instruments)
    mapper_registry.map_imperatively(Order, orders)
    mapper_registry.map_imperatively(Trade, trades)
    mapper_registry.map_imperatively(Position, positions)
    mapper_registry.configure()
