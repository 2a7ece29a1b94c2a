"""In-memory SQLAlchemy dialect: `memory://` and `memory+asyncio://`."""
