"""INSERT, UPDATE and DELETE: single rows, executemany, multi-row VALUES, RETURNING, ORM bulk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from .diff_schema import ORDERS, Account, Order, accounts, fills, orders
from .diffkit import EnginePair

o = orders.c
a = accounts.c


def table_rows(engine: Engine, table: Any = orders) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))]


def after(statement_work: Callable[[Any], object], table: Any = orders) -> Callable[[Engine], Any]:
    """Run a DML step in a committed transaction; answer what it returned and the table after."""

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            returned = statement_work(conn)
        return [returned, table_rows(engine, table)]

    return work


@dataclass(frozen=True)
class Write:
    """A DML statement, the table it changes, and the parameter sets of an executemany."""

    statement: Any
    table: Any = orders
    params: list[dict[str, Any]] | None = None


WRITES = {
    "insert multi-row values": Write(
        insert(accounts).values([{"code": "M1"}, {"code": "M2", "owner": "Mo"}]), accounts
    ),
    "insert from select": Write(
        insert(accounts).from_select(
            ["code", "owner"], select(("ACC-" + o.status).label("code"), o.note).where(o.id < 3)
        ),
        accounts,
    ),
    "update with where and expression": Write(
        update(orders).where(o.status == "open").values(qty=o.qty + 1)
    ),
    "update numeric and null expressions": Write(
        update(orders)
        .where(o.limit_price.is_not(None))
        .values(limit_price=o.limit_price * 2 + Decimal("0.01"), note=None)
    ),
    "update where subquery": Write(
        update(orders)
        .where(o.id.in_(select(fills.c.order_id)))
        .values(status="filled", qty=o.qty * 0)
    ),
    "update executemany with bindparams": Write(
        update(orders).where(o.id == bindparam("order_id")).values(qty=bindparam("new_qty")),
        params=[
            {"order_id": 1, "new_qty": 11},
            {"order_id": 3, "new_qty": 33},
            {"order_id": 99, "new_qty": 0},
        ],
    ),
    "update returning": Write(
        update(orders).where(o.side == "SELL").values(qty=o.qty - 1).returning(o.id, o.qty)
    ),
    "delete with where": Write(delete(orders).where(o.qty.is_(None) | (o.status == "rejected"))),
    "delete returning": Write(delete(orders).where(o.instrument_id == 3).returning(o.id, o.note)),
}
"""Statements whose answer and effect both engines must agree on; the async suite runs them too."""


def answer_of(result: Any) -> object:
    """What a DML statement answers: its rows, sorted, when it returns any, else its rowcount."""
    return sorted(tuple(row) for row in result) if result.returns_rows else result.rowcount


def written(name: str) -> Callable[[Engine], Any]:
    """Commit the `WRITES` entry ``name``; answer what it answered and its table after."""
    write = WRITES[name]
    return after(lambda conn: answer_of(conn.execute(write.statement, write.params)), write.table)


def insert_returning_one_and_many(conn: Connection) -> object:
    """RETURNING from a single-row insert and from an executemany, in parameter order."""
    one = conn.execute(insert(accounts).values(code="R1").returning(a.id, a.code, a.owner))
    many = conn.execute(
        insert(accounts).returning(a.id, a.code, sort_by_parameter_order=True),
        [{"code": "R2"}, {"code": "R3", "owner": "Ro"}],
    )
    return [[tuple(row) for row in one], [tuple(row) for row in many]]


def test_insert_one_row(trading: EnginePair) -> None:
    def one(conn: Any) -> object:
        result = conn.execute(insert(accounts).values(code="DELTA", owner="Dee"))
        return [result.rowcount, tuple(result.inserted_primary_key)]

    answer = trading.check(after(one, accounts))
    assert answer[0] == [1, (4,)]


def test_insert_executemany_reports_rowcount(trading: EnginePair) -> None:
    rows = [{"code": f"X{n}", "owner": None if n % 2 else f"o{n}"} for n in range(5)]
    answer = trading.check(
        after(lambda conn: conn.execute(insert(accounts), rows).rowcount, accounts)
    )
    assert answer[0] == 5


def test_insert_multi_row_values(trading: EnginePair) -> None:
    trading.check(written("insert multi-row values"))


def test_insert_from_select(trading: EnginePair) -> None:
    trading.check(written("insert from select"))


def test_insert_returning_one_and_many(trading: EnginePair) -> None:
    answer = trading.check(after(insert_returning_one_and_many, accounts))
    assert answer[0][1] == [(5, "R2"), (6, "R3")]


def test_update_with_where_and_expression(trading: EnginePair) -> None:
    answer = trading.check(written("update with where and expression"))
    assert answer[0] == sum(1 for row in ORDERS if row["status"] == "open")


def test_update_numeric_and_null_expressions(trading: EnginePair) -> None:
    trading.check(written("update numeric and null expressions"))


def test_update_rowcount_counts_matched_rows_even_when_unchanged(trading: EnginePair) -> None:
    statement = update(orders).where(o.status == "open").values(status="open")
    trading.check(after(lambda conn: conn.execute(statement).rowcount))


def test_update_where_subquery(trading: EnginePair) -> None:
    trading.check(written("update where subquery"))


def test_update_executemany_with_bindparams(trading: EnginePair) -> None:
    answer = trading.check(written("update executemany with bindparams"))
    assert answer[0] == 2


def test_update_returning(trading: EnginePair) -> None:
    trading.check(written("update returning"))


def test_update_matching_nothing(trading: EnginePair) -> None:
    statement = update(orders).where(o.qty > 10_000).values(qty=0)
    assert trading.check(after(lambda conn: conn.execute(statement).rowcount))[0] == 0


def test_delete_with_where(trading: EnginePair) -> None:
    answer = trading.check(written("delete with where"))
    assert answer[0] == 3


def test_delete_returning(trading: EnginePair) -> None:
    trading.check(written("delete returning"))


def test_delete_everything(trading: EnginePair) -> None:
    answer = trading.check(after(lambda conn: conn.execute(delete(fills)).rowcount, fills))
    assert answer == [5, []]


def test_orm_bulk_insert(trading: EnginePair) -> None:
    def work(session: Session) -> object:
        session.execute(insert(Account), [{"code": "B1", "owner": "Bea"}, {"code": "B2"}])
        returned = session.scalars(
            insert(Account).returning(Account, sort_by_parameter_order=True),
            [{"code": "B3"}, {"code": "B4", "owner": "Bo"}],
        ).all()
        session.commit()
        return [[(x.id, x.code, x.owner) for x in returned], table_rows_in(session, accounts)]

    trading.check_session(work)


def test_orm_bulk_update_by_primary_key(trading: EnginePair) -> None:
    def work(session: Session) -> object:
        loaded = session.get(Account, 2)
        assert loaded is not None
        session.execute(
            update(Account),
            [{"id": 1, "owner": "Ada L."}, {"id": 2, "code": "BETA2", "owner": "B"}],
        )
        session.commit()
        return [(loaded.code, loaded.owner), table_rows_in(session, accounts)]

    trading.check_session(work)


def test_orm_update_with_where_synchronizes_loaded_objects(trading: EnginePair) -> None:
    def work(session: Session) -> object:
        loaded = session.scalars(select(Order).order_by(Order.id)).all()
        result = session.execute(
            update(Order).where(Order.status == "open").values(qty=Order.qty + 10)
        )
        seen = [(order.id, order.qty) for order in loaded]
        count = session.execute(delete(Order).where(Order.qty > 30)).rowcount  # type: ignore[attr-defined]
        session.commit()
        left = session.scalar(select(func.count()).select_from(Order))
        return [result.rowcount, seen, count, left]  # type: ignore[attr-defined]

    trading.check_session(work)


def table_rows_in(session: Session, table: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key))]


def test_insert_values_computed_by_sql(trading: EnginePair) -> None:
    statement = insert(accounts).values(
        code=func.upper("delta") + "-" + func.lower("X"), owner=None
    )
    trading.check(after(lambda conn: conn.execute(statement).rowcount, accounts))


def test_update_from_a_correlated_scalar_subquery(trading: EnginePair) -> None:
    filled = select(func.coalesce(func.sum(fills.c.qty), 0)).where(fills.c.order_id == o.id)
    statement = update(orders).values(qty=filled.scalar_subquery())
    trading.check(after(lambda conn: conn.execute(statement).rowcount))


def test_delete_where_exists(trading: EnginePair) -> None:
    statement = delete(orders).where(~exists().where(fills.c.order_id == o.id), o.status != "open")
    answer = trading.check(after(lambda conn: conn.execute(statement).rowcount))
    assert answer[0] > 0


def test_a_table_without_a_primary_key(pair_factory: Callable[..., EnginePair]) -> None:
    metadata = MetaData()
    ticks = Table("ticks", metadata, Column("symbol", String(8)), Column("px", Numeric(10, 2)))
    pair = pair_factory(metadata)
    t = ticks.c

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(insert(ticks), [{"symbol": "ES", "px": p} for p in ("1.25", "1.25", "2")])
            conn.execute(insert(ticks).values(symbol=None, px=None))
            updated = conn.execute(
                update(ticks).where(t.px == Decimal("1.25")).values(px=3)
            ).rowcount
            deleted = conn.execute(delete(ticks).where(t.symbol.is_(None))).rowcount
            rows = conn.execute(select(ticks).order_by(t.px, t.symbol)).all()
        return [updated, deleted, [tuple(row) for row in rows]]

    answer = pair.check(work)
    assert answer[0] == 2 and len(answer[2]) == 3  # the two identical rows stay two rows
