"""The memory dialect's own guarantees: isolation, locking, threads, engine lifecycle."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import ArgumentError, OperationalError

from .diffkit import new_session

metadata = MetaData()
counters = Table(
    "counters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False, unique=True),
    Column("value", Integer, nullable=False),
)


def make_engine(url: str = "memory://?timeout=0.2") -> Engine:
    engine = create_engine(url)
    metadata.create_all(engine)
    return engine


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = make_engine()
    yield engine
    engine.dispose()


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(counters)) or 0)


def test_a_second_writer_times_out_with_operational_error(engine: Engine) -> None:
    """GIVEN one connection holding an open write WHEN another writes THEN it fails fast."""
    with engine.connect() as first, engine.connect() as second:
        first.execute(insert(counters).values(name="a", value=1))
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            second.execute(insert(counters).values(name="b", value=1))
        waited = time.monotonic() - started
        assert 0.15 <= waited < 2.0
        second.rollback()
        first.commit()
    assert count(engine) == 1


def test_the_waiting_writer_proceeds_once_the_lock_is_released() -> None:
    engine = make_engine("memory://?timeout=5")
    released = threading.Event()

    def hold_then_commit() -> None:
        with engine.connect() as conn:
            conn.execute(insert(counters).values(name="held", value=1))
            released.set()
            time.sleep(0.2)
            conn.commit()

    holder = threading.Thread(target=hold_then_commit)
    holder.start()
    released.wait(2)
    with engine.begin() as conn:
        conn.execute(insert(counters).values(name="waiter", value=2))
    holder.join()
    assert count(engine) == 2
    engine.dispose()


def test_readers_see_only_committed_rows_while_another_connection_writes(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(counters).values(name="kept", value=1))
    with engine.connect() as writer, engine.connect() as reader:
        writer.execute(update(counters).where(counters.c.name == "kept").values(value=99))
        writer.execute(insert(counters).values(name="pending", value=2))
        by_index = select(counters.c.value).where(counters.c.name == "kept")
        assert reader.scalars(by_index).all() == [1]
        assert reader.scalars(select(counters.c.name)).all() == ["kept"]
        assert writer.scalars(by_index).all() == [99]
        writer.commit()
        assert reader.scalars(by_index).all() == [99]


def test_index_look_ups_of_a_reader_see_rows_the_writer_moved_away(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(counters), [{"name": "kept", "value": 1}, {"name": "x", "value": 2}])
    by_name = select(counters.c.value).where(counters.c.name == bindparam("name"))
    with engine.connect() as writer, engine.connect() as reader:
        writer.execute(update(counters).where(counters.c.name == "kept").values(name="moved"))
        writer.execute(update(counters).where(counters.c.name == "x").values(name="kept"))
        assert reader.scalars(by_name, {"name": "kept"}).all() == [1]
        assert reader.scalars(by_name, {"name": "moved"}).all() == []
        assert writer.scalars(by_name, {"name": "kept"}).all() == [2]
        writer.rollback()


def test_threads_with_their_own_sessions_end_consistent() -> None:
    engine = make_engine("memory://?timeout=10")
    with engine.begin() as conn:
        conn.execute(insert(counters).values(name="shared", value=0))
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(25):
                with new_session(engine) as session, session.begin():
                    session.execute(
                        update(counters)
                        .where(counters.c.name == "shared")
                        .values(value=counters.c.value + 1)
                    )
                    session.execute(insert(counters).values(name=f"w{worker}-{i}", value=i))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as conn:
        shared = conn.scalar(select(counters.c.value).where(counters.c.name == "shared"))
    assert shared == 100
    assert count(engine) == 101
    engine.dispose()


def test_each_engine_is_its_own_database_and_dispose_discards_it() -> None:
    first, second = make_engine(), create_engine("memory://")
    with first.begin() as conn:
        conn.execute(insert(counters).values(name="x", value=1))
    assert inspect(second).get_table_names() == []
    first.dispose()
    assert inspect(first).get_table_names() == []
    second.dispose()


def test_autocommit_isolation_level_commits_each_statement(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(insert(counters).values(name="auto", value=1))
        assert count(engine) == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("memory://?timeout=soon", "number of seconds"),
        ("memory://?timeout=-1", "must not be negative"),
        ("memory://?colour=red", "unknown memory:// URL option 'colour'"),
        ("memory://somehost/db", "take no host"),
    ],
)
def test_bad_urls_are_rejected_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        create_engine(url).connect()


def test_a_positional_paramstyle_is_rejected() -> None:
    with pytest.raises(ArgumentError, match="'named' paramstyle"):
        create_engine("memory://", paramstyle="qmark")


def test_unknown_connect_arguments_are_rejected() -> None:
    engine = create_engine("memory://", connect_args={"check_same_thread": False})
    with pytest.raises(ArgumentError, match="check_same_thread"):
        engine.connect()
