"""SQLAlchemy adapters: tables, mapping, repositories and unit of work for every backend."""
