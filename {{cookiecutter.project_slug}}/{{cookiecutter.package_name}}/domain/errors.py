"""Errors raised by the domain when a rule of trading is broken."""


class DomainError(Exception):
    """Base class of every error the domain raises."""
