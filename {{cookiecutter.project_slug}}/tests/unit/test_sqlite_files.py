"""Where a SQLite URL keeps its database, `file:` URIs included."""

from pathlib import Path

import pytest
from sqlalchemy import make_url

from {{ cookiecutter.package_name }}.adapters.sqla.sqlite_files import (
    cannot_create,
    missing_database,
    missing_folder,
    sqlite_file,
    sqlite_in_memory,
)


@pytest.mark.parametrize(
    ("url", "in_memory", "file"),
    [
        ("sqlite:///trading.db", False, "trading.db"),
        ("sqlite:///:memory:", True, None),
        ("sqlite://", True, None),
        ("sqlite:///file:trading.db?uri=true", False, "trading.db"),
        ("sqlite:///file:trading.db?uri=1", False, "trading.db"),
        ("sqlite:///file:///data/my%20trades.db?uri=true", False, "/data/my trades.db"),
        ("sqlite:///file::memory:?uri=true", True, None),
        ("sqlite:///file:shared?mode=memory&uri=true", True, None),
        ("memory://", False, None),
    ],
)
def test_the_file_of_a_sqlite_url(url: str, in_memory: bool, file: str | None) -> None:
    parsed = make_url(url)

    assert sqlite_in_memory(parsed) is in_memory
    assert sqlite_file(parsed) == (None if file is None else Path(file))


def test_a_missing_file_named_by_a_uri_is_missing_too(tmp_path: Path) -> None:
    url = make_url(f"sqlite:///file:{tmp_path / 'absent.db'}?uri=true")

    assert missing_database(url) is not None
    (tmp_path / "absent.db").touch()
    assert missing_database(url) is None


def test_a_folder_where_the_file_should_be_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "runs.db").mkdir()
    url = make_url(f"sqlite:///{tmp_path / 'runs.db'}")

    assert missing_folder(url) == f"{tmp_path / 'runs.db'} is a folder, not a SQLite database file"
    assert missing_database(url) == missing_folder(url)


def test_a_read_only_uri_is_tried_read_only_and_creates_nothing(tmp_path: Path) -> None:
    read_only = make_url(f"sqlite:///file:{tmp_path / 'absent.db'}?mode=ro&uri=true")
    writable = make_url(f"sqlite:///{tmp_path / 'new.db'}")

    assert cannot_create(read_only) == (
        f"cannot open the SQLite database {tmp_path / 'absent.db'}: check that the file and its "
        "folder can be read and written"
    )
    assert not (tmp_path / "absent.db").exists()
    assert cannot_create(writable) is None
