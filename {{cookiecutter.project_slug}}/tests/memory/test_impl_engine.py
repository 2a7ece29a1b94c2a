"""The memory dialect's own guarantees: indexes, constraints, values, unsupported constructs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    column,
    create_engine,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import (
    CompileError,
    IntegrityError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
)

metadata = MetaData()
parents = Table(
    "parents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(10), nullable=False, unique=True),
)
children = Table(
    "children",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", ForeignKey("parents.id", ondelete="CASCADE"), nullable=False),
    Column("guardian_id", ForeignKey("parents.id", ondelete="SET NULL")),
    Column("status", String(10), nullable=False),
    Column("rank", Integer),
    Column("doc", JSON),
    Index("ix_children_status_rank", "status", "rank"),
)


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = create_engine("memory://")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def seed(engine: Engine, n: int = 30) -> None:
    with engine.begin() as conn:
        conn.execute(insert(parents), [{"code": f"P{i}"} for i in range(3)])
        if not n:
            return
        conn.execute(
            insert(children),
            [
                {
                    "parent_id": 1 + i % 3,
                    "guardian_id": 1 + (i + 1) % 3,
                    "status": "open" if i % 2 else "closed",
                    "rank": i if i % 5 else None,
                }
                for i in range(n)
            ],
        )


def access_path(engine: Engine, statement: Any) -> Any:
    """The candidate-row function the cached plan of `statement` chose (None: full scan)."""
    with engine.connect() as conn:
        result = conn.execute(statement, {"s": "open", "r": 3})
        plan: Any = getattr(result.context.compiled, "memory_plan", None)
        result.close()
    return plan.query.tree.access


def test_a_table_queried_before_its_first_insert_still_uses_its_index(engine: Engine) -> None:
    statement = select(children.c.id).where(
        children.c.status == bindparam("s"), children.c.rank == bindparam("r")
    )
    assert access_path(engine, statement) is not None
    seed(engine)
    with engine.connect() as conn:
        assert conn.scalars(statement, {"s": "open", "r": 3}).all() == [4]


def test_index_look_ups_follow_updates_deletes_and_rollbacks(engine: Engine) -> None:
    seed(engine)
    by_status = select(children.c.id).where(children.c.status == "moved").order_by(children.c.id)
    with engine.connect() as conn:
        conn.execute(update(children).where(children.c.id < 4).values(status="moved"))
        assert conn.scalars(by_status).all() == [1, 2, 3]
        savepoint = conn.begin_nested()
        conn.execute(delete(children).where(children.c.id == 2))
        conn.execute(update(children).where(children.c.id == 9).values(status="moved"))
        assert conn.scalars(by_status).all() == [1, 3, 9]
        savepoint.rollback()
        assert conn.scalars(by_status).all() == [1, 2, 3]
        conn.rollback()
        assert conn.scalars(by_status).all() == []


def test_range_and_null_look_ups_on_an_indexed_column(engine: Engine) -> None:
    seed(engine)
    ranks = Index("ix_children_rank", children.c.rank)
    with engine.begin() as conn:
        ranks.create(conn)
    with engine.connect() as conn:
        between = conn.scalars(
            select(children.c.rank).where(children.c.rank > 20, children.c.rank <= 24)
        ).all()
        nulls = conn.scalar(select(func.count()).where(children.c.rank.is_(None)))
    assert sorted(between) == [21, 22, 23, 24]
    assert nulls == 6


def test_order_by_an_indexed_column_with_limit_reads_the_index(engine: Engine) -> None:
    seed(engine)
    ranks = Index("ix_children_rank_only", children.c.rank)
    with engine.begin() as conn:
        ranks.create(conn)
    latest = (
        select(children.c.id, children.c.rank)
        .where(children.c.status == bindparam("s"))
        .order_by(children.c.rank.desc(), children.c.id.desc())
        .limit(bindparam("n"))
    )
    with engine.connect() as conn:
        conn.execute(delete(children).where(children.c.id.in_([5, 7])))
        conn.execute(update(children).where(children.c.id == 9).values(rank=None))
        savepoint = conn.begin_nested()
        conn.execute(delete(children).where(children.c.id > 20))
        savepoint.rollback()
        everything = conn.execute(select(children.c.id, children.c.rank, children.c.status)).all()
        for status in ("open", "closed"):
            expected = sorted(
                ((i, r) for i, r, s in everything if s == status),
                key=lambda pair: (pair[1] is not None, pair[1] or 0, pair[0]),
                reverse=True,
            )
            result = conn.execute(latest, {"s": status, "n": 6})
            plan: Any = getattr(result.context.compiled, "memory_plan", None)
            assert result.all() == expected[:6]
        assert plan.query.index_order is not None


def test_integrity_errors_name_table_and_columns(engine: Engine) -> None:
    seed(engine)
    with engine.connect() as conn:
        with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: parents\.code"):
            conn.execute(insert(parents).values(code="P1"))
        with pytest.raises(IntegrityError, match=r"NOT NULL constraint failed: children\.status"):
            conn.execute(insert(children).values(parent_id=1, status=None))
        with pytest.raises(IntegrityError, match=r"children\.parent_id -> parents\.id"):
            conn.execute(insert(children).values(parent_id=99, status="open"))


def test_a_failing_update_leaves_no_partial_change(engine: Engine) -> None:
    seed(engine)
    with engine.connect() as conn:
        before = conn.execute(select(parents).order_by(parents.c.id)).all()
        with pytest.raises(IntegrityError):
            conn.execute(update(parents).values(code="SAME"))
        assert conn.execute(select(parents).order_by(parents.c.id)).all() == before


def test_on_delete_cascade_and_set_null(engine: Engine) -> None:
    seed(engine, n=6)
    with engine.begin() as conn:
        conn.execute(delete(parents).where(parents.c.id == 1))
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(children.c.parent_id == 1)) == 0
        assert conn.scalar(select(func.count()).where(children.c.guardian_id == 1)) == 0
        orphans = conn.scalar(select(func.count()).where(children.c.guardian_id.is_(None)))
    assert orphans == 2


def test_stored_json_is_a_copy_of_the_callers_value(engine: Engine) -> None:
    seed(engine, n=0)
    doc: dict[str, Any] = {"tags": ["a"]}
    with engine.begin() as conn:
        conn.execute(insert(children).values(parent_id=1, status="open", doc=doc))
    doc["tags"].append("b")
    with engine.connect() as conn:
        first: Any = conn.scalar(select(children.c.doc))
        first["tags"].append("c")
        assert conn.scalar(select(children.c.doc)) == {"tags": ["a"]}


def test_values_are_stored_as_plain_immutable_values(engine: Engine) -> None:
    seed(engine, n=0)
    status = type("Status", (str,), {})("open")
    with engine.begin() as conn:
        conn.execute(insert(children).values(parent_id=1, status=status))
        stored = conn.scalar(select(children.c.status))
        assert type(stored) is str
        with pytest.raises(ProgrammingError, match=r"children\.rank: type 'list'"):
            conn.execute(insert(children).values(parent_id=1, status="x", rank=[1]))


@pytest.mark.parametrize(
    ("work", "error", "names_it"),
    [
        (lambda c: c.execute(text("SELECT 1")), NotSupportedError, "text"),
        (lambda c: c.exec_driver_sql("SELECT 1"), NotSupportedError, "SQL text"),
        (
            lambda c: c.execute(
                select(
                    func.sum(children.c.id).over(
                        order_by=children.c.id.desc().nulls_first(), range_=(-1, 0)
                    )
                )
            ),
            NotSupportedError,
            "RANGE frame with an offset over NULLS LAST ascending or NULLS FIRST descending",
        ),
        (
            lambda c: c.execute(select(func.count()).group_by(children.c.status.collate("NOCASE"))),
            NotSupportedError,
            "COLLATE NOCASE outside a comparison, IN, BETWEEN or ORDER BY",
        ),
        (
            lambda c: c.execute(select(func.json_set(children.c.status, "$.a", 1))),
            NotSupportedError,
            "json_set",
        ),
    ],
)
def test_unsupported_constructs_raise_naming_the_construct(
    engine: Engine, work: Any, error: type[Exception], names_it: str
) -> None:
    with engine.connect() as conn, pytest.raises(error, match=names_it):
        work(conn)


def test_a_text_check_constraint_it_cannot_read_is_refused_at_create_time() -> None:
    checked = MetaData()
    Table("t", checked, Column("id", Integer, primary_key=True), CheckConstraint("quote(id) > 0"))
    engine = create_engine("memory://")
    with pytest.raises((NotSupportedError, CompileError), match=r"quote\(\)"):
        checked.create_all(engine)
    engine.dispose()


def test_expression_check_constraints_are_enforced() -> None:
    checked = MetaData()
    table = Table(
        "positions",
        checked,
        Column("id", Integer, primary_key=True),
        Column("qty", Integer),
        CheckConstraint(column("qty") > 0, name="ck_positive_qty"),
    )
    engine = create_engine("memory://")
    checked.create_all(engine)
    with engine.connect() as conn:
        conn.execute(insert(table), [{"qty": 3}, {"qty": None}])
        with pytest.raises(IntegrityError, match="CHECK constraint failed: positions: ck_posi"):
            conn.execute(insert(table).values(qty=0))
        with pytest.raises(IntegrityError, match="ck_positive_qty"):
            conn.execute(update(table).values(qty=table.c.qty - 3))
        assert conn.scalars(select(table.c.qty).order_by(table.c.id)).all() == [3, None]
    engine.dispose()


def test_row_ids_are_reused_unless_the_table_asks_for_autoincrement() -> None:
    ids = MetaData()
    plain = Table("plain", ids, Column("id", Integer, primary_key=True))
    strict = Table(
        "strict", ids, Column("id", Integer, primary_key=True), sqlite_autoincrement=True
    )
    engine = create_engine("memory://")
    ids.create_all(engine)
    with engine.begin() as conn:
        for table in (plain, strict):
            conn.execute(insert(table), [{}, {}])
            conn.execute(delete(table).where(table.c.id == 2))
            conn.execute(insert(table))
        assert conn.scalars(select(plain.c.id)).all() == [1, 2]
        assert conn.scalars(select(strict.c.id)).all() == [1, 3]
    engine.dispose()


def test_missing_table_is_an_operational_error() -> None:
    engine = create_engine("memory://")
    with engine.connect() as conn, pytest.raises(OperationalError, match="no such table"):
        conn.execute(select(parents.c.id))
    engine.dispose()


def test_statements_are_served_from_the_statement_cache(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    seed(engine, n=3)
    statement = select(children.c.id).where(children.c.status == bindparam("s"))
    engine.echo = True
    with caplog.at_level(logging.INFO, logger="sqlalchemy.engine"), engine.connect() as conn:
        for value in ("open", "closed", "open"):
            conn.execute(statement, {"s": value}).all()
            conn.execute(update(children).where(children.c.id == 1).values(rank=5))
    engine.echo = False
    log = caplog.text
    assert "cached since" in log
    assert "[no key" not in log
    assert "does not support caching" not in log
