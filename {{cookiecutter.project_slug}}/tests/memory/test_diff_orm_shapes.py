"""ORM features whose SQL has shapes of its own: a many-to-many or joined-inheritance join nested
in parentheses, `select(...).from_statement()` for a joined subclass's columns, `Query.count()`
and a dynamic relationship's count (a subquery selected whole), multi-row VALUES with Python
defaults, and the ORM's bulk upsert naming `excluded`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import Column, ForeignKey, MetaData, String, Table, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
    with_polymorphic,
)

from .diffkit import EnginePair

PairFactory = Callable[..., EnginePair]


class ShapeBase(DeclarativeBase):
    metadata = MetaData()


book_tags = Table(
    "book_tags",
    ShapeBase.metadata,
    Column("book_id", ForeignKey("books.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
)


def _new_code() -> str:
    return "B-new"


class Book(ShapeBase):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), default=_new_code)
    size: Mapped[int] = mapped_column(default=0)
    tags: Mapped[list[Tag]] = relationship(secondary=book_tags, order_by="Tag.id")
    fills: Mapped[list[BookFill]] = relationship(lazy="dynamic", order_by="BookFill.id")


class Tag(ShapeBase):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(16))


class BookFill(ShapeBase):
    __tablename__ = "book_fills"

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"))
    quantity: Mapped[int]


class Trader(ShapeBase):
    __tablename__ = "traders"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(16))
    __mapper_args__: ClassVar[dict[str, Any]] = {
        "polymorphic_on": "kind",
        "polymorphic_identity": "trader",
    }


class Quant(Trader):
    __tablename__ = "quants"

    id: Mapped[int] = mapped_column(ForeignKey("traders.id"), primary_key=True)
    language: Mapped[str] = mapped_column(String(16))
    __mapper_args__: ClassVar[dict[str, Any]] = {"polymorphic_identity": "quant"}


def _seeded(pair_factory: PairFactory) -> EnginePair:
    pair = pair_factory(ShapeBase.metadata)

    def seed(engine: Any) -> None:
        with Session(engine) as session:
            red, blue, green = (
                Tag(id=1, name="red"),
                Tag(id=2, name="blue"),
                Tag(id=3, name="green"),
            )
            session.add_all(
                [
                    Book(id=1, tags=[blue, red]),
                    Book(id=2, tags=[green]),
                    Book(id=3),
                    BookFill(id=1, book_id=1, quantity=5),
                    BookFill(id=2, book_id=1, quantity=-2),
                    BookFill(id=3, book_id=2, quantity=7),
                    Trader(id=1, name="ann"),
                    Quant(id=2, name="bob", language="python"),
                    Quant(id=3, name="cy", language="q"),
                ]
            )
            session.commit()

    pair.run(seed)
    return pair


def test_joined_eager_loading_of_a_many_to_many(pair_factory: PairFactory) -> None:
    pair = _seeded(pair_factory)
    pair.check_session(
        lambda s: [
            (book.id, [tag.name for tag in book.tags])
            for book in s.scalars(select(Book).options(joinedload(Book.tags)).order_by(Book.id))
            .unique()
            .all()
        ]
    )
    pair.check_session(
        lambda s: s.execute(
            select(Book.id, Tag.name).outerjoin(Book.tags).order_by(Book.id, Tag.id)
        ).all()
    )


def test_joins_to_a_joined_subclass(pair_factory: PairFactory) -> None:
    pair = _seeded(pair_factory)
    pair.check_session(
        lambda s: s.execute(
            select(BookFill.id, Quant.language)
            .join(Quant, Quant.id == BookFill.book_id)
            .order_by(BookFill.id)
        ).all()
    )
    pair.check_session(
        lambda s: s.execute(
            select(Book.id, Quant.name).outerjoin(Quant, Quant.id == Book.id).order_by(Book.id)
        ).all()
    )


def test_subclass_columns_of_objects_loaded_through_the_base(pair_factory: PairFactory) -> None:
    pair = _seeded(pair_factory)
    pair.check_session(
        lambda s: [
            (type(t).__name__, t.name, getattr(t, "language", None))
            for t in s.scalars(select(Trader).order_by(Trader.id))
        ]
    )
    pair.check_session(lambda s: s.get(Trader, 3).language)  # type: ignore[union-attr]
    pair.check_session(
        lambda s: [
            (t.id, getattr(t, "language", None))
            for t in s.scalars(select(with_polymorphic(Trader, [Quant])).order_by(Trader.id))
        ]
    )
    pair.check_session(
        lambda s: [
            (t.id, t.name)
            for t in s.scalars(
                select(Trader).from_statement(
                    select(Trader.__table__).where(Trader.__table__.c.id > 1)
                )
            )
        ]
    )


def test_query_count_and_a_dynamic_relationship(pair_factory: PairFactory) -> None:
    pair = _seeded(pair_factory)
    pair.check_session(lambda s: s.query(Book).count())
    pair.check_session(lambda s: s.query(BookFill).filter(BookFill.quantity > 0).count())
    pair.check_session(lambda s: s.query(BookFill.book_id).group_by(BookFill.book_id).count())
    pair.check_session(
        lambda s: [
            (b.id, b.fills.count(), [f.quantity for f in b.fills.filter(BookFill.quantity > 0)])
            for b in s.scalars(select(Book).order_by(Book.id))
        ]
    )
    pair.check_session(
        lambda s: s.scalar(select(func.count()).select_from(select(Book).subquery().alias()))
    )


def test_multi_row_values_with_python_defaults(pair_factory: PairFactory) -> None:
    pair = _seeded(pair_factory)

    def insert_rows(s: Session) -> list[Any]:
        s.execute(insert(Book).values([{"id": 10}, {"id": 11, "size": 4}, {"id": 12}]))
        upsert = sqlite_insert(Book).values([{"id": 1, "size": 9}, {"id": 13}])
        s.execute(upsert.on_conflict_do_nothing())
        return s.execute(select(Book.id, Book.code, Book.size).order_by(Book.id)).all()

    pair.check_session(insert_rows)


def test_orm_bulk_upsert_reading_excluded(pair_factory: PairFactory) -> None:
    pair = _seeded(pair_factory)

    def upsert(s: Session) -> list[Any]:
        statement = sqlite_insert(Book)
        statement = statement.on_conflict_do_update(
            index_elements=[Book.id], set_={"size": statement.excluded.size + Book.size}
        )
        s.execute(statement, [{"id": 1, "size": 9}, {"id": 4, "size": 2}, {"id": 2, "size": 1}])
        return s.execute(select(Book.id, Book.code, Book.size).order_by(Book.id)).all()

    pair.check_session(upsert)


def _fill_totals() -> Any:
    fills = BookFill.__table__
    return (
        select(fills.c.book_id, func.sum(fills.c.quantity).label("total"))
        .group_by(fills.c.book_id)
        .subquery("totals")
    )


def test_update_from_another_table(pair_factory: PairFactory) -> None:
    pair = _seeded(pair_factory)
    books, fills = Book.__table__, BookFill.__table__

    def run(statement: Any) -> Callable[[Session], Any]:
        def work(s: Session) -> Any:
            outcome = s.execute(statement)
            returned = outcome.all() if statement._returning else outcome.rowcount  # type: ignore[attr-defined]
            return [returned, s.execute(select(books).order_by(books.c.id)).all()]

        return work

    totals = _fill_totals()
    other = books.alias("other")
    statements = {
        "from a table": update(books)
        .where(fills.c.book_id == books.c.id, fills.c.quantity > 0)
        .values(size=books.c.size + fills.c.quantity),
        "from a grouped subquery, returning": update(books)
        .where(totals.c.book_id == books.c.id)
        .values(size=totals.c.total, code="T-" + books.c.code)
        .returning(books.c.id, books.c.size),
        "nothing matches": update(books)
        .where(fills.c.book_id == books.c.id, fills.c.quantity > 100)
        .values(size=-1),
        "from the same table aliased": update(books)
        .where(books.c.id == other.c.id + 1)
        .values(size=other.c.id * 10 + other.c.size),
    }
    for name, statement in statements.items():
        pair.check_session(run(statement), what=name)
    returning_from = update(books).where(totals.c.book_id == books.c.id).values(size=0)
    pair.check_error(
        lambda engine: engine.connect().execute(returning_from.returning(totals.c.total)).all(),
        names=("total",),
    )


def test_orm_update_with_criteria_on_another_entity(pair_factory: PairFactory) -> None:
    pair = _seeded(pair_factory)
    for synchronize in ("auto", "fetch", False):

        def work(s: Session, synchronize: Any = synchronize) -> Any:
            loaded = s.scalars(select(Book).order_by(Book.id)).all()
            statement = (
                update(Book)
                .where(BookFill.book_id == Book.id, BookFill.quantity < 0)
                .values(size=Book.size + 1)
                .execution_options(synchronize_session=synchronize)
            )
            count = s.execute(statement).rowcount
            return [count, [(b.id, b.size) for b in loaded]]

        pair.check_session(work, what=f"synchronize_session={synchronize}")
