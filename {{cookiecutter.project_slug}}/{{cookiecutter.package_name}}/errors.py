"""Errors of the application's setup, shown to the user as one line."""


class ApplicationError(Exception):
    """Base of the errors an entry point reports as a one-line message."""


class ConfigurationError(ApplicationError, ValueError):
    """A setting is missing or malformed; the message names the variable and the accepted forms."""


class SchemaNotCurrentError(ApplicationError):
    """The database is not at the latest migration; the message says how to migrate."""
