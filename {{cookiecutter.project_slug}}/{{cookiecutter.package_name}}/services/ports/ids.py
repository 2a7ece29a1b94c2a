"""Identifier port: client-generated ids, so no repository depends on the database for them."""

from typing import Protocol


class IdGenerator(Protocol):
    """Returns a new unique id starting with the given prefix (e.g. "O" for orders)."""

    def next_id(self, prefix: str) -> str: ...
