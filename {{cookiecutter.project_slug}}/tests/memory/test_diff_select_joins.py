"""Joins, subqueries, derived tables, CTEs and compound selects, in Core and through the ORM."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import and_, exists, func, select, union, union_all
from sqlalchemy.orm import Session, aliased

from .diff_schema import Account, Fill, Instrument, Order, accounts, fills, instruments, orders
from .diffkit import EnginePair

o = orders.c
i = instruments.c
f = fills.c
a = accounts.c
other = orders.alias("other")

totals = (
    select(o.instrument_id, func.sum(o.qty).label("total")).group_by(o.instrument_id).subquery()
)
open_orders = select(o.id, o.instrument_id, o.qty).where(o.status == "open").cte("open_orders")
no_orders = select(o.id).where(o.id < 0).subquery("no_orders")
no_fills = select(f.id, f.order_id).where(f.id < 0).subquery("no_fills")
busy = select(o.instrument_id).group_by(o.instrument_id).having(func.count() > 2).cte("busy")

CORE: dict[str, Any] = {
    "inner join": select(o.id, i.symbol).join_from(orders, instruments).order_by(o.id),
    "inner join with extra condition": select(o.id, i.symbol)
    .join(instruments, and_(o.instrument_id == i.id, i.active))
    .order_by(o.id),
    "left outer join keeps orders without fills": select(o.id, f.id, f.qty)
    .outerjoin(fills, f.order_id == o.id)
    .order_by(o.id, f.id),
    "left outer join to a nullable key": select(o.id, a.code)
    .outerjoin(accounts, o.account_id == a.id)
    .order_by(o.id),
    "three tables": select(i.symbol, o.id, f.price)
    .join_from(fills, orders)
    .join(instruments)
    .order_by(f.id),
    "self join through an alias": select(o.id, other.c.id)
    .join(other, and_(other.c.instrument_id == o.instrument_id, other.c.id > o.id))
    .order_by(o.id, other.c.id),
    "join with aggregate": select(i.symbol, func.count(o.id), func.sum(o.qty))
    .outerjoin(orders)
    .group_by(i.symbol)
    .order_by(i.symbol),
    "full outer join": select(o.id, f.id)
    .join(fills, f.order_id == o.id, full=True)
    .order_by(o.id, f.id),
    "full outer join, nothing on the left": select(no_orders.c.id, f.id)
    .select_from(no_orders.join(fills, f.order_id == no_orders.c.id, full=True))
    .order_by(f.id),
    "full outer join, nothing on the right": select(o.id, no_fills.c.id)
    .select_from(orders.join(no_fills, no_fills.c.order_id == o.id, full=True))
    .order_by(o.id),
    "full outer join after an inner one, nothing on its left": select(i.symbol, o.id, f.id)
    .select_from(
        instruments.join(orders, and_(o.instrument_id == i.id, o.id < 0)).join(
            fills, f.order_id == o.id, full=True
        )
    )
    .order_by(f.id),
    "full outer join of a join on the right": select(o.id, no_fills.c.id, i.symbol)
    .select_from(
        no_fills.join(
            orders.join(instruments, o.instrument_id == i.id),
            no_fills.c.order_id == o.id,
            full=True,
        )
    )
    .order_by(o.id),
    "scalar subquery in select (correlated)": select(
        o.id,
        select(func.count()).where(f.order_id == o.id).scalar_subquery(),
        select(func.sum(f.qty)).where(f.order_id == o.id).scalar_subquery(),
    ).order_by(o.id),
    "scalar subquery in where": select(o.id)
    .where(o.qty > select(func.avg(o.qty)).scalar_subquery())
    .order_by(o.id),
    "IN subquery": select(o.id).where(o.id.in_(select(f.order_id))).order_by(o.id),
    "NOT IN subquery": select(o.id).where(o.id.not_in(select(f.order_id))).order_by(o.id),
    "IN subquery with ORDER BY and LIMIT": select(o.id)
    .where(o.id.in_(select(f.order_id).order_by(f.qty.desc(), f.id).limit(2)))
    .order_by(o.id),
    "correlated subquery in HAVING": select(o.instrument_id, func.count())
    .group_by(o.instrument_id)
    .having(
        func.count()
        > select(func.count()).where(other.c.account_id == o.instrument_id).scalar_subquery()
    )
    .order_by(o.instrument_id),
    "EXISTS": select(i.symbol)
    .where(exists().where(o.instrument_id == i.id, o.status == "open"))
    .order_by(i.symbol),
    "NOT EXISTS": select(i.symbol)
    .where(~exists().where(o.instrument_id == i.id, o.status == "filled"))
    .order_by(i.symbol),
    "correlated subquery in where": select(o.id, o.limit_price)
    .where(
        o.limit_price
        == select(func.max(other.c.limit_price))
        .where(other.c.instrument_id == o.instrument_id)
        .scalar_subquery()
    )
    .order_by(o.id),
    "derived table": select(i.symbol, totals.c.total)
    .join(totals, totals.c.instrument_id == i.id)
    .order_by(i.symbol),
    "CTE": select(open_orders.c.id, i.symbol)
    .join(instruments, open_orders.c.instrument_id == i.id)
    .order_by(open_orders.c.id),
    "two CTEs": select(open_orders.c.id)
    .where(open_orders.c.instrument_id.in_(select(busy.c.instrument_id)))
    .order_by(open_orders.c.id),
    "union removes duplicates": union(
        select(o.status).where(o.side == "BUY"), select(o.status).where(o.side == "SELL")
    ).order_by("status"),
    "union all keeps them": union_all(
        select(o.status).where(o.side == "BUY"), select(o.status).where(o.side == "SELL")
    ).order_by("status"),
    "union with limit": union(select(o.qty), select(f.qty)).order_by("qty").limit(4),
    "union of two tables": union_all(
        select(i.symbol.label("name")), select(a.code.label("name"))
    ).order_by("name"),
}


@pytest.mark.parametrize("name", list(CORE))
def test_core(seeded: EnginePair, name: str) -> None:
    answer = seeded.check_rows(CORE[name], what=name)
    assert answer


def test_not_in_a_subquery_holding_null_keeps_nothing(seeded: EnginePair) -> None:
    statement = select(a.id).where(a.id.not_in(select(o.account_id))).order_by(a.id)
    assert seeded.check_rows(statement) == []
    with_nulls_removed = a.id.not_in(select(o.account_id).where(o.account_id.is_not(None)))
    seeded.check_rows(select(a.id).where(with_nulls_removed).order_by(a.id))


def test_orm_joins_along_relationships(seeded: EnginePair) -> None:
    def work(session: Session) -> list[Any]:
        by_symbol = session.execute(
            select(Order.id, Instrument.symbol).join(Order.instrument).order_by(Order.id)
        ).all()
        per_account = session.execute(
            select(Account.code, func.count(Order.id))
            .outerjoin(Account.orders)
            .group_by(Account.code)
            .order_by(Account.code)
        ).all()
        filled = session.scalars(
            select(Order).join(Order.fills).where(Fill.qty >= 25).distinct().order_by(Order.id)
        ).all()
        both = session.execute(
            select(Order, Instrument)
            .join(Order.instrument)
            .where(Order.qty > 20)
            .order_by(Order.id)
        ).all()
        return [
            [tuple(row) for row in by_symbol],
            [tuple(row) for row in per_account],
            [order.id for order in filled],
            [(order.id, instrument.symbol) for order, instrument in both],
        ]

    answer = seeded.check_session(work)
    assert all(answer)


def test_orm_aliased_self_join(seeded: EnginePair) -> None:
    later = aliased(Order)

    def work(session: Session) -> list[tuple[int, int]]:
        rows = session.execute(
            select(Order.id, later.id)
            .join(later, and_(later.instrument_id == Order.instrument_id, later.id > Order.id))
            .where(later.side != Order.side)
            .order_by(Order.id, later.id)
        ).all()
        return [(first, second) for first, second in rows]

    assert seeded.check_session(work)


def test_orm_relationship_any_and_has(seeded: EnginePair) -> None:
    def work(session: Session) -> list[list[int]]:
        with_big_fill = session.scalars(
            select(Order.id).where(Order.fills.any(Fill.qty > 30)).order_by(Order.id)
        ).all()
        on_active = session.scalars(
            select(Order.id).where(Order.instrument.has(Instrument.active)).order_by(Order.id)
        ).all()
        return [list(with_big_fill), list(on_active)]

    answer = seeded.check_session(work)
    assert all(answer)
