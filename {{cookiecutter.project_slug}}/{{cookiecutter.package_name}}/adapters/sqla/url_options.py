"""Engine creation's refusal of a URL option, reported as a configuration error."""

from collections.abc import Iterator
from contextlib import contextmanager

from ...errors import ConfigurationError
from ...settings import redacted


@contextmanager
def options_checked(url: str) -> Iterator[None]:
    """Turn a driver's refusal of an option in `url` (`?timeout=abc`) into one clear error."""
    try:
        yield
    except (ValueError, TypeError) as error:
        raise ConfigurationError(
            f"the database URL {redacted(url)!r} has an option its driver refuses: {error}"
        ) from None
