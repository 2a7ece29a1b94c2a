"""What the memory dialect cannot run fails loudly, naming the construct, and harms nothing.

These constructs work on SQLite, so they are checked on ``memory://`` only (skipped in the
``MEMORY_DIFF_BASELINE=sqlite`` self-check).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    cast,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from .diff_schema import accounts
from .diffkit import EnginePair, baseline_mode, memory_engine

pytestmark = pytest.mark.skipif(
    baseline_mode(), reason="memory-only: SQLite supports these constructs"
)


CONSTRUCTS: dict[str, tuple[Callable[[Connection], Any], str]] = {
    "text() SELECT": (lambda conn: conn.execute(text("SELECT 1")), r"text.*SELECT 1"),
    "text() in a where clause": (
        lambda conn: conn.execute(select(accounts.c.id).where(text("id > 1"))),
        r"text.*id > 1",
    ),
    "an upsert whose key is a partial index": (
        lambda conn: conn.execute(
            sqlite_insert(accounts)
            .values(id=1, code="ALPHA")
            .on_conflict_do_nothing(index_elements=["code"], index_where=accounts.c.owner.is_(None))
        ),
        r"index_where",
    ),
    "PostgreSQL's upsert": (
        lambda conn: conn.execute(
            postgresql_insert(accounts).values(id=1, code="ALPHA").on_conflict_do_nothing()
        ),
        r"on[ _]conflict",
    ),
    "a RANGE frame with an offset over NULLS LAST": (
        lambda conn: conn.execute(
            select(
                func.sum(accounts.c.id).over(
                    order_by=accounts.c.id.asc().nulls_last(), range_=(-1, 0)
                )
            )
        ),
        r"RANGE frame with an offset over NULLS LAST",
    ),
    "json_group_array as a window function": (
        lambda conn: conn.execute(select(func.json_group_array(accounts.c.id).over())),
        r"window function json_group_array\(\)",
    ),
    "a SQL function it lacks": (
        lambda conn: conn.execute(select(func.printf("%d", accounts.c.id))),
        r"printf",
    ),
    "regexp_match with flags, which SQLite would drop": (
        lambda conn: conn.execute(select(accounts.c.code.regexp_match("^a", flags="i"))),
        r"flags 'i'.*\(\?i\)",
    ),
    "a CAST to a type with a collation": (
        lambda conn: conn.execute(select(cast(accounts.c.code, String(collation="NOCASE")) == "a")),
        r"COLLATE NOCASE",
    ),
}


@pytest.mark.parametrize("name", list(CONSTRUCTS))
def test_unsupported_construct_raises_a_clear_error(trading: EnginePair, name: str) -> None:
    run, names_it = CONSTRUCTS[name]
    with trading.memory.connect() as conn:
        with pytest.raises(SQLAlchemyError) as failure:
            run(conn)
        conn.rollback()
        assert re.search(names_it, str(failure.value), re.IGNORECASE), str(failure.value)
        assert "not supported" in str(failure.value).lower()
        # the connection is still usable, and nothing was written
        count = conn.execute(select(func.count()).select_from(accounts)).scalar_one()
    assert count == 3


@pytest.mark.parametrize("declared", [String(collation="NOCASE"), Text(collation="RTRIM")])
def test_a_column_collation_is_refused_at_create_all(declared: Any) -> None:
    metadata = MetaData()
    Table("named", metadata, Column("id", Integer, primary_key=True), Column("label", declared))
    engine = memory_engine()
    with pytest.raises(SQLAlchemyError, match=r"named\.label declares COLLATE"):
        metadata.create_all(engine)
    with engine.connect() as conn:  # nothing of the table was made
        assert not inspect(conn).has_table("named")
    engine.dispose()


def _generated_column(metadata: MetaData) -> None:
    Table(
        "made",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("twice", Integer, Computed("id * 2")),
    )


def _unique_partial_index(metadata: MetaData) -> None:
    made = Table("made", metadata, Column("id", Integer, primary_key=True), Column("code", String))
    Index("ux_made_code", made.c.code, unique=True, sqlite_where=made.c.id > 5)


def _ignoring_unique_constraint(metadata: MetaData) -> None:
    Table(
        "made",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("code", String),
        UniqueConstraint("code", sqlite_on_conflict="IGNORE"),
    )


def _replacing_not_null(metadata: MetaData) -> None:
    Table(
        "made",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("code", String, nullable=False, sqlite_on_conflict_not_null="REPLACE"),
    )


SCHEMAS: dict[str, tuple[Callable[[MetaData], None], str]] = {
    "a generated column": (_generated_column, r"made\.twice is a generated column"),
    "a unique partial index": (_unique_partial_index, r"unique partial index ux_made_code"),
    "ON CONFLICT IGNORE on a unique constraint": (
        _ignoring_unique_constraint,
        r"sqlite_on_conflict='IGNORE'",
    ),
    "ON CONFLICT REPLACE on NOT NULL": (_replacing_not_null, r"made\.code.*'REPLACE'"),
}


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_a_schema_sqlite_would_answer_differently_is_refused(name: str) -> None:
    declare, names_it = SCHEMAS[name]
    metadata = MetaData()
    declare(metadata)
    engine = memory_engine()
    with pytest.raises(SQLAlchemyError, match=names_it):
        metadata.create_all(engine)
    with engine.connect() as conn:  # create_all's transaction took the table back
        assert not inspect(conn).has_table("made")
    engine.dispose()


def test_a_partial_index_that_is_not_unique_is_kept_whole() -> None:
    metadata = MetaData()
    made = Table("made", metadata, Column("id", Integer, primary_key=True), Column("code", String))
    Index("ix_made_code", made.c.code, sqlite_where=made.c.id > 5)
    engine = memory_engine()
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(made.insert(), [{"id": 1, "code": "a"}, {"id": 9, "code": "a"}])
        found = conn.execute(select(made.c.id).where(made.c.code == "a").order_by(made.c.id))
        assert found.all() == [(1,), (9,)]
    engine.dispose()


def test_binary_collation_is_sqlite_s_default_and_accepted() -> None:
    metadata = MetaData()
    named = Table("named", metadata, Column("label", String(collation="BINARY")))
    engine = memory_engine()
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(named.insert(), [{"label": "a"}, {"label": "A"}])
        assert conn.execute(select(named.c.label).where(named.c.label == "a")).all() == [("a",)]
    engine.dispose()


def test_a_check_constraint_text_it_cannot_evaluate_is_refused_at_create_all() -> None:
    metadata = MetaData()
    Table(
        "guarded",
        metadata,
        Column("qty", Integer),
        CheckConstraint("printf('%d', qty) <> '0'", name="ck_qty"),
    )
    engine = memory_engine()
    with pytest.raises(SQLAlchemyError) as failure:
        metadata.create_all(engine)
    assert "printf()" in str(failure.value) and "ck_qty" in str(failure.value)
    engine.dispose()
