"""UUIDs as SQLite binds, stores and compares them: 32 hex digits of text.

With `as_uuid` (the default) a value must be a `uuid.UUID`; a string is refused, as SQLite's
binding refuses it. With `as_uuid=False` a string loses its dashes and is otherwise kept as
written, so an upper-case or braced UUID matches only the same text. Beside a text column, in
ORDER BY and under CAST, a UUID is its stored text.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    cast,
    func,
    insert,
    select,
    type_coerce,
)
from sqlalchemy.engine import Engine

from .diffkit import EnginePair, seeded_pair

metadata = MetaData()
refs = Table(
    "refs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ref", Uuid, index=True),
    Column("ref_text", Uuid(as_uuid=False), index=True),
    Column("label", String(40)),
)
r = refs.c

LETTERS = uuid.UUID("0000abcd-0000-4000-8000-00000000beef")
ONE = uuid.UUID(int=1)

ROWS = [
    {"id": 1, "ref": LETTERS, "ref_text": str(LETTERS).upper(), "label": LETTERS.hex},
    {"id": 2, "ref": ONE, "ref_text": "{" + str(LETTERS) + "}", "label": str(LETTERS)},
    {"id": 3, "ref": None, "ref_text": str(LETTERS), "label": "zz"},
    {"id": 4, "ref": uuid.UUID(int=0), "ref_text": None, "label": ONE.hex},
]


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    with seeded_pair(metadata, (refs, ROWS)) as made:
        yield made


other = refs.alias("other")

QUERIES: dict[str, Any] = {
    "as_uuid lookup": select(r.id).where(r.ref == LETTERS),
    "text lookup, canonical": select(r.id).where(r.ref_text == str(LETTERS)),
    "text lookup, upper case": select(r.id).where(r.ref_text == str(LETTERS).upper()),
    "text lookup, braced": select(r.id).where(r.ref_text == "{" + str(LETTERS) + "}"),
    "text lookup, no dashes": select(r.id).where(r.ref_text == LETTERS.hex),
    "text IN": select(r.id).where(r.ref_text.in_([str(LETTERS).upper(), str(ONE)])),
    "ORDER BY text forms": select(r.id, r.ref_text).order_by(r.ref_text, r.id),
    "text forms as stored": select(type_coerce(r.ref_text, String)).order_by(r.id),
    "uuid = text column": select(r.id).where(r.ref == r.label).order_by(r.id),
    "uuid > text column": select(r.id).where(r.ref > r.label).order_by(r.id),
    "uuid IN a subquery of text": select(r.id)
    .where(r.ref.in_(select(other.c.label)))
    .order_by(r.id),
    "uuid joined to text": select(r.id, other.c.id)
    .join_from(refs, other, r.ref == other.c.label)
    .order_by(r.id, other.c.id),
    "uuid and text in one ORDER BY": select(r.id).order_by(func.coalesce(r.ref, r.label)),
    "uuid CAST to text": select(cast(r.ref, String)).order_by(r.id),
    "uuid CAST to integer": select(cast(r.ref, Integer)).order_by(r.id),
    "max of text forms": select(func.max(r.ref_text), func.min(r.ref_text)),
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_uuids_compare_and_sort_as_their_stored_text(pair: EnginePair, name: str) -> None:
    pair.check_rows(QUERIES[name], what=name)


REFUSED: dict[str, Any] = {
    "a string for an as_uuid column": select(r.id).where(r.ref == str(LETTERS)),
    "a UUID for a text column": select(r.id).where(r.ref_text == LETTERS),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_value_sqlite_cannot_bind_is_refused_alike(pair: EnginePair, name: str) -> None:
    pair.check_statement_error(REFUSED[name])


def test_text_that_is_no_uuid_is_stored_and_fails_when_read(
    pair_factory: Any,
) -> None:
    made = pair_factory(metadata)

    def store(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(insert(refs), [{"id": 1, "ref_text": "not-a-uuid"}])
            return conn.execute(select(r.id).where(r.ref_text == "notauuid")).all()

    assert made.check(store) == [(1,)]

    made.check_statement_error(select(r.ref_text))
