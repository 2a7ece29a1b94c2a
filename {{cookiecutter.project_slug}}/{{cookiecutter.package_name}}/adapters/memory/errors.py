"""PEP 249 exception hierarchy raised by the in-memory DBAPI."""

from __future__ import annotations


class Warning(Exception):  # name fixed by PEP 249
    """Important warnings such as data truncation."""


class Error(Exception):
    """Base class of every error raised by the in-memory DBAPI."""


class InterfaceError(Error):
    """Misuse of the DBAPI interface itself."""


class DatabaseError(Error):
    """Errors related to the database."""


class DataError(DatabaseError):
    """Problems with the processed data (bad value for a column)."""


class OperationalError(DatabaseError):
    """Operational problems, such as a lock that could not be acquired."""


class IntegrityError(DatabaseError):
    """A primary key, unique, NOT NULL or foreign key constraint failed."""


class InternalError(DatabaseError):
    """The database reached an inconsistent internal state."""


class ProgrammingError(DatabaseError):
    """Programming errors: missing table, wrong number of parameters."""


class NotSupportedError(DatabaseError):
    """A construct the in-memory database cannot execute."""
