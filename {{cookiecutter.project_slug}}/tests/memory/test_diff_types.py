"""Types: what comes back after a round trip must equal SQLite's read-back exactly.

SQLite quirks the reference shows: Numeric is stored as a float and read back at the column's
scale (so ``Decimal('1.005')`` reads as ``Decimal('1.00')``); DateTime keeps the wall time of an
aware value and reads it back naive; String lengths are not enforced.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Enum,
    Float,
    Integer,
    Interval,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Time,
    Uuid,
    cast,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
    type_coerce,
)
from sqlalchemy.types import TypeDecorator

from .diff_schema import Side
from .diffkit import EnginePair, new_session

PairFactory = Callable[..., EnginePair]


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, stored naive."""

    impl = DateTime()
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Venue(enum.StrEnum):
    NASDAQ = "xnas"
    CME = "xcme"


metadata = MetaData()
samples = Table(
    "samples",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("price", Numeric(12, 2)),
    Column("ratio", Numeric(10, 4, asdecimal=False)),
    Column("plain_numeric", Numeric),
    Column("side", Enum(Side)),
    Column("at", DateTime),
    Column("at_tz", DateTime(timezone=True)),
    Column("day", Date),
    Column("clock", Time),
    Column("span", Interval),
    Column("flag", Boolean),
    Column("doc", JSON),
    Column("ref", Uuid),
    Column("ref_text", Uuid(as_uuid=False)),
    Column("blob", LargeBinary),
    Column("label", String(8)),
    Column("real", Float),
    Column("count", Integer),
    Column("big", BigInteger),
    Column("qty8", Numeric(20, 8)),
    Column("utc", UTCDateTime),
    Column(
        "venue",
        Enum(Venue, native_enum=False, values_callable=lambda members: [m.value for m in members]),
    ),
)

ID = uuid.UUID("12345678-1234-5678-1234-567812345678")
PARIS = timezone(timedelta(hours=2))

VALUES: dict[str, list[Any]] = {
    "price": [
        Decimal("1.005"),
        Decimal("1.015"),
        Decimal("2.675"),
        1.005,
        Decimal("-0.5"),
        Decimal("12345678.9"),
        7,
        Decimal("0"),
        Decimal("0.001"),
        None,
    ],
    "ratio": [Decimal("0.1"), 0.3333, 2, Decimal("1.23456"), None],
    "plain_numeric": [Decimal("1.23456789012345"), Decimal("10"), 0.5, None],
    "side": [Side.BUY, "SELL", None],
    "at": [
        datetime(2024, 3, 1, 9, 30),
        datetime(2024, 3, 1, 9, 30, 0, 123456),
        datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        datetime(2024, 3, 1, 9, 30, tzinfo=PARIS),
        datetime(1, 1, 1),
        None,
    ],
    "at_tz": [
        datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        datetime(2024, 3, 1, 9, 30, tzinfo=PARIS),
        datetime(2024, 3, 1, 9, 30, 5),
        None,
    ],
    "day": [date(2024, 2, 29), date(1, 1, 1), date(9999, 12, 31), None],
    "clock": [time(9, 30), time(23, 59, 59, 999999), None],
    "span": [timedelta(days=1, seconds=5), timedelta(0), timedelta(microseconds=-1), None],
    "flag": [True, False, None],
    "doc": [
        {"a": 1, "b": [1, 2.5, None]},
        [1, "x", None, True],
        "text",
        3.5,
        {"nested": {"pair": (1, 2)}},
        {1: "int key"},
        {"u": "é ✓"},
        False,
        None,
    ],
    "ref": [ID, uuid.UUID(int=0), None],
    "ref_text": [str(ID), None],
    "blob": [b"\x00\x01\xff", bytearray(b"ab"), b"", memoryview(b"mv"), None],
    "label": ["", "héllo", "longer than eight chars", " padded ", None],
    "real": [0.1, 1e300, -0.0, 3, 2.5e-10, None],
    "count": [0, -1, 2**62, True, None],
    "big": [2**63 - 1, -(2**63), None],
    "qty8": [
        Decimal("12345678.12345678"),
        Decimal("0.00000001"),
        Decimal("99999999999.99999999"),
        Decimal("-0.000000005"),
        Decimal("1E+3"),
        None,
    ],
    "utc": [
        datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        datetime(2024, 3, 1, 11, 30, tzinfo=PARIS),
        None,
    ],
    "venue": [Venue.CME, "xnas", None],
}

# Values SQL can look up with ``=``; floats, JSON and binaries are only read back.
LOOKUPS = {
    "price",
    "qty8",
    "utc",
    "venue",
    "plain_numeric",
    "side",
    "at",
    "at_tz",
    "day",
    "clock",
    "flag",
    "ref",
    "ref_text",
    "label",
    "count",
    "big",
}


def round_trip(column: str) -> Callable[[Engine], list[Any]]:
    values = VALUES[column]

    def work(engine: Engine) -> list[Any]:
        target = samples.c[column]
        with engine.begin() as conn:
            conn.execute(insert(samples), [{column: value} for value in values])
        with engine.connect() as conn:
            read = [
                tuple(row)
                for row in conn.execute(select(samples.c.id, target).order_by(samples.c.id))
            ]
            found: list[Any] = []
            if column in LOOKUPS:
                for value in values:
                    if value is not None:
                        hits = conn.execute(select(samples.c.id).where(target == value)).scalars()
                        found.append(sorted(hits))
        return [read, found]

    return work


@pytest.mark.parametrize("column", list(VALUES))
def test_round_trip(pair_factory: PairFactory, column: str) -> None:
    pair = pair_factory(metadata)
    answer = pair.check(round_trip(column), column)
    assert len(answer[0]) == len(VALUES[column])


def test_numeric_reads_back_at_column_scale_through_a_float(pair_factory: PairFactory) -> None:
    pair = pair_factory(metadata)
    answer = pair.check(round_trip("price"), "price")
    # The reference's exact answers, stated so the quirk is visible here.
    assert answer[0][0][1] == Decimal("1.00") and answer[0][1][1] == Decimal("1.01")


def test_numeric_aggregates_keep_the_column_type(pair_factory: PairFactory) -> None:
    pair = pair_factory(metadata)
    prices = [Decimal("0.10"), Decimal("0.20"), Decimal("1.005"), None]

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(insert(samples), [{"price": p, "real": 0.1} for p in prices])
            row = conn.execute(
                select(
                    func.sum(samples.c.price),
                    func.min(samples.c.price),
                    func.max(samples.c.price),
                    func.sum(samples.c.real),
                )
            ).one()
        return list(row)

    pair.check(work)


def test_json_stores_a_copy_of_the_callers_value(pair_factory: PairFactory) -> None:
    pair = pair_factory(metadata)

    def work(engine: Engine) -> list[Any]:
        document: dict[str, Any] = {"levels": [1, 2], "meta": {"k": "v"}}
        with engine.begin() as conn:
            conn.execute(insert(samples).values(id=1, doc=document))
        document["levels"].append(3)
        document["meta"]["k"] = "changed"
        document["new"] = True
        with new_session(engine) as session:
            read = session.execute(select(samples.c.doc)).scalar_one()
        read["levels"].append(99)  # mutating what was read does not write back either
        with engine.connect() as conn:
            again = conn.execute(select(samples.c.doc)).scalar_one()
        return [read, again]

    answer = pair.check(work)
    assert answer[1] == {"levels": [1, 2], "meta": {"k": "v"}}


def test_json_none_is_json_null_unless_sql_null_is_asked_for(pair_factory: PairFactory) -> None:
    pair = pair_factory(metadata)

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(insert(samples), [{"id": 1, "doc": None}, {"id": 2, "doc": JSON.NULL}])
            conn.execute(insert(samples).values(id=3, doc=null()))
            conn.execute(insert(samples).values(id=4))
            is_null = conn.execute(select(samples.c.id).where(samples.c.doc.is_(None))).scalars()
            return [sorted(is_null), conn.execute(select(samples.c.id, samples.c.doc)).all()]

    pair.check(work)


def test_uuid_and_binary_equality_in_where(pair_factory: PairFactory) -> None:
    pair = pair_factory(metadata)

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(
                insert(samples),
                [{"ref": ID, "blob": b"\x00a"}, {"ref": uuid.UUID(int=5), "blob": b"a"}],
            )
            by_ref = conn.execute(select(samples.c.id).where(samples.c.ref == ID)).scalars().all()
            by_blob = conn.execute(select(samples.c.id).where(samples.c.blob == b"\x00a")).scalars()
            return [list(by_ref), list(by_blob)]

    assert pair.check(work) == [[1], [1]]


def test_a_binary_typed_expression_gives_what_sqlite_computes(pair_factory: PairFactory) -> None:
    # The driver hands a blob back as bytes and any other value as it is: 43, not bytes(43).
    pair = pair_factory(metadata)
    blob = literal(b"42", LargeBinary)
    pair.check_rows(select(blob, blob + 1, func.coalesce(blob, 1), func.length(blob)))


def test_json_equality_compares_the_stored_text(pair_factory: PairFactory) -> None:
    # SQLite compares the serialized JSON text: the same keys in another order do not match.
    pair = pair_factory(metadata)
    documents = [{"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1}, [1, 2], "x", 1]

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(insert(samples), [{"doc": doc} for doc in documents])
            return [
                sorted(conn.execute(select(samples.c.id).where(samples.c.doc == doc)).scalars())
                for doc in documents
            ]

    pair.check(work)


def test_type_coerce_hands_the_stored_value_to_the_other_type(pair_factory: PairFactory) -> None:
    # SQLite stores a UUID as 32 hex digits, a boolean as 0 or 1, an interval as the datetime
    # that far from the epoch; read through another type, that stored value is what comes back.
    pair = pair_factory(metadata)
    s = samples.c

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(
                insert(samples),
                [
                    {
                        "ref": ID,
                        "ref_text": str(ID),
                        "flag": True,
                        "span": timedelta(days=1, seconds=5),
                    },
                    {"ref": None, "ref_text": None, "flag": False, "span": None},
                ],
            )
            read = conn.execute(
                select(
                    type_coerce(s.ref, String),
                    type_coerce(s.ref_text, String),
                    type_coerce(s.flag, Integer),
                    type_coerce(s.span, String),
                ).order_by(s.id)
            )
            by_hex = conn.execute(select(s.id).where(type_coerce(s.ref, String) == ID.hex))
            return [[tuple(row) for row in read], list(by_hex.scalars())]

    answer = pair.check(work)
    assert answer == [
        [(ID.hex, ID.hex, 1, "1970-01-02 00:00:05.000000"), (None, None, 0, None)],
        [1],
    ]


def test_the_smallest_integer_as_a_real_stays_a_real(pair_factory: PairFactory) -> None:
    # A whole REAL becomes an INTEGER in an INTEGER or NUMERIC column, but -2**63 stays a REAL,
    # so a sum over it does not overflow.
    pair = pair_factory(metadata)

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            rows = [
                {"id": 1, "count": -(2.0**63), "price": -(2**63), "plain_numeric": 5},
                {"id": 2, "count": literal_column("'-9223372036854775808.0'"), "price": -1},
                {"id": 3, "count": -(2.0**62), "price": literal_column("'-9.3e18'")},
            ]
            for row in rows:
                conn.execute(insert(samples).values(**row))
            c = samples.c
            types = select(func.typeof(c.count), func.typeof(c.price)).order_by(c.id)
            sums = select(func.sum(c.count), func.sum(c.price))
            return [*conn.execute(types).all(), *conn.execute(sums).all()]

    pair.check(work)


def test_numeric_text_beyond_64_bits_is_stored_as_a_real(pair_factory: PairFactory) -> None:
    # SQLite keeps an integer only where it fits in 64 bits; a longer one becomes a REAL.
    pair = pair_factory(metadata)
    digits = "99999999999999999999"

    def work(engine: Engine) -> list[Any]:
        with engine.begin() as conn:
            conn.execute(
                insert(samples).values(
                    id=1, count=literal_column(f"'{digits}'"), label=literal_column(f"'{digits}'")
                )
            )
            c = samples.c
            stored = select(func.typeof(c.count), func.typeof(cast(c.label, Date)))
            return list(conn.execute(stored).one())

    assert pair.check(work) == ["real", "real"]
