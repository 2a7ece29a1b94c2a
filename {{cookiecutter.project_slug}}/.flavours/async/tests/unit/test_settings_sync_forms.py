"""A synchronous URL given to the async application is refused with the async form to write."""

import pytest

from {{ cookiecutter.package_name }}.database_urls import ACCEPTED_FORMS
from {{ cookiecutter.package_name }}.errors import ConfigurationError
from {{ cookiecutter.package_name }}.settings import DATABASE_URL_VAR, parse_database_url


@pytest.mark.parametrize(
    ("url", "instead"),
    [
        ("memory://", "memory+asyncio://"),
        ("sqlite:///trading.db", "sqlite+aiosqlite:///PATH.db"),
        ("sqlite+pysqlite:///trading.db", "sqlite+aiosqlite:///PATH.db"),
    ],
)
def test_a_sync_url_is_refused_with_the_async_form_to_write(url: str, instead: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_database_url(url)

    message = str(raised.value)
    assert message.startswith(f"{DATABASE_URL_VAR}={url!r} selects driver")
    assert f"which this application does not use; write it as {instead}" in message
    assert message.endswith(f"accepted forms: {ACCEPTED_FORMS}")
