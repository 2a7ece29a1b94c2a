"""`MemorySession`: a `Session` answering plain entity SELECTs on `memory://` in the session.

A statement such as `select(Order).where(...).order_by(...)` is answered here when it is safe:
its compiled form and the dialect's plan are cached by SQLAlchemy's cache key, and the shape
found is remembered on the statement object itself, the way SQLAlchemy memoizes the key, so a
prebuilt statement skips the key and a fresh one is not kept alive by the cache; a fresh one of
a common grammar is found by its fingerprint (`shapes.py`) instead of its key. The plan runs
on the session's own connection, and its rows are reused while nothing can have changed them;
rows become objects as the ORM loader would make them (identity map first, new persistent
objects otherwise). Flushes and commits of plainly mapped objects are written by the session
too (`flush.py`), a commit that is its transaction's only write on a connection of its own.
Everything else, and any case this module is unsure of, goes
through `Session`'s general path. `fast_path=off` in the engine URL turns the fast path off.
"""

from __future__ import annotations

import datetime as dt
import inspect
import weakref
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.engine import IteratorResult, Result
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.orm import Mapper, Session, SessionTransaction
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.base import DEFAULT_STATE_ATTR
from sqlalchemy.orm.instrumentation import ClassManager
from sqlalchemy.orm.loading import _new_runid
from sqlalchemy.orm.properties import ColumnProperty
from sqlalchemy.orm.relationships import RelationshipProperty
from sqlalchemy.orm.session import SessionTransactionOrigin, SessionTransactionState
from sqlalchemy.orm.state import InstanceState
from sqlalchemy.sql.selectable import Select

from . import dbapi, shapes
from .access import StalePlan
from .execution import plan_for
from .expressions import Env
from .flush import MapperWrites, Write, plan_writes, run_writes, writable_mapper
from .session_transaction import LazyRecordsTransaction
from .shapes import Fingerprint
from .storage import STORABLE

SHAPE_ATTRIBUTE = "_memory_fast_shape"
"""Where a statement object keeps its shape: a memoized attribute, dropped by its copies."""

ROW_CACHE_LIMIT = 4096
"""Stored rows per statement shape whose processed values are kept for the next load."""

TUPLE_KEY_LIMIT = 256
"""Tuples given as IN-list parameters whose keys are kept (see `_list_key`)."""

RESULT_CACHE_LIMIT = 64
"""Parameter sets per statement shape whose rows are kept until the database is written."""

FINGERPRINT_LIMIT = 1024
"""Fingerprints kept per engine; the cache starts again when full."""

_UNIQUE_ARGUMENT = (
    "_create_unique_filters"
    if "_create_unique_filters" in inspect.signature(SimpleResultMetaData).parameters
    else "_unique_filters"
)


class EntityQuery:
    """How to answer one statement shape: compiled form, plan, and how rows become objects."""

    __slots__ = (
        "attribute_keys",
        "binder",
        "compiled",
        "dialect",
        "expanding",
        "extracted_binder",
        "identity_class",
        "keys",
        "label",
        "lean_instances",
        "mapper",
        "metadata",
        "pk_indexes",
        "processors",
        "result_attributes",
        "results",
        "row_cache",
    )

    def __init__(
        self,
        compiled: Any,
        mapper: Mapper[Any],
        dialect: Any,
        columns: list[tuple[str, Callable[[Any], Any] | None]],
        pk_indexes: list[int],
        label: str,
        extra: Any,
    ) -> None:
        self.compiled = compiled
        self.dialect = dialect
        self.mapper = mapper
        self.keys = [key for key, _ in columns]
        self.processors = [(i, proc) for i, (_, proc) in enumerate(columns) if proc is not None]
        self.pk_indexes = pk_indexes
        self.label = label
        self.metadata = _metadata(label, extra)
        self.expanding = {name for bp, name in compiled.bind_names.items() if bp.expanding}
        self.binder = _direct_binder(compiled)
        self.extracted_binder = None if self.binder is not None else _extracted_binder(compiled)
        self.row_cache: dict[int, LoadedRow] = {}
        """Processed values and identity by stored row (stored rows are immutable tuples)."""
        self.identity_class = mapper._identity_class
        self.lean_instances = _lean_instances(mapper)
        self.result_attributes: Any = None
        """The attributes of the ORM results made for this shape (the same every time)."""
        self.attribute_keys = frozenset(mapper.class_manager)
        self.results: dict[Any, tuple[tuple[int, int, int], list[Any]]] = {}
        """Rows by parameters, with the database state they were read in (see `_run`)."""

    def load_row(self, raw: Any) -> LoadedRow | None:
        """A stored row's processed values and identity key; None when its key is NULL."""
        row = list(raw)
        for index, process in self.processors:
            row[index] = process(row[index])
        pk = tuple([row[i] for i in self.pk_indexes])
        if all(value is None for value in pk):
            return None
        loaded = (raw, row, (self.identity_class, pk, None), dict(zip(self.keys, row, strict=True)))
        if all(type(v) in STORABLE or isinstance(v, Enum) for v in row):
            row_cache = self.row_cache
            if len(row_cache) >= ROW_CACHE_LIMIT:
                row_cache.clear()
            row_cache[id(raw)] = loaded
        return loaded


LoadedRow = tuple[Any, list[Any], tuple[Any, tuple[Any, ...], None], dict[str, Any]]
"""(stored row, processed values, identity key, attribute values) of one row of a result."""

Binder = list[tuple[str, Callable[[Any], Any] | None, bool]]
"""(parameter name, bind processor, expanding) of each bind parameter of a statement."""


def _direct_binder(compiled: Any) -> Binder | None:
    """How to bind a statement whose every parameter comes by name from the caller, if it does.

    Such a statement (`bindparam("symbol")` without a value) needs none of the work of
    `construct_params`; a statement holding values of its own still goes through it.
    """
    if getattr(compiled, "_collect_params", False):
        return None
    processors = compiled._bind_processors
    binder: Binder = []
    for bind, name in compiled.bind_names.items():
        if not bind.required or bind.callable is not None or bind.key != name:
            return None
        binder.append((name, processors.get(name), bool(bind.expanding)))
    return binder


ExtractedBinder = tuple[Binder, list[int]]
"""A `Binder` for a statement whose every parameter is a value it holds, and the position of
each parameter among the bound parameters of the statement's cache key."""


def _extracted_binder(compiled: Any) -> ExtractedBinder | None:
    """How to bind a statement whose every parameter is a literal value, if it is one.

    A statement of the same shape built again (`select(...).where(col == "ES")` per call) holds
    its values in the bound parameters its cache key extracts, in the order of the cache key
    the plan was compiled under; `construct_params` matches them up each time, this once.
    """
    if getattr(compiled, "_collect_params", False):
        return None
    cache_key = compiled.cache_key
    matched = compiled._cache_key_bind_match
    if cache_key is None or not matched:
        return None
    positions: dict[Any, int] = {}
    for index, original in enumerate(cache_key[1]):
        for bind in matched[0].get(original, ()):
            if positions.setdefault(bind, index) != index:
                return None
    processors = compiled._bind_processors
    binder: Binder = []
    indexes: list[int] = []
    for bind, name in compiled.bind_names.items():
        position = positions.get(bind)
        if position is None or bind.required or bind.callable is not None:
            return None
        binder.append((name, processors.get(name), bool(bind.expanding)))
        indexes.append(position)
    return binder, indexes


def _extracted_values(indexes: list[int], binder: Binder, extracted: Sequence[Any]) -> Any:
    """The values a statement holds, by parameter name; None when one is computed on use."""
    values: dict[str, Any] = {}
    for (name, _process, _is_list), index in zip(binder, indexes, strict=True):
        bind = extracted[index]
        if bind.callable is not None:
            return None
        values[name] = bind.value
    return values


_ZONED = (dt.datetime, dt.time)
_ZONELESS = STORABLE - frozenset(_ZONED)


def _value_key(value: Any) -> Any:
    """A value with its type, and its zone for times (equal instants may bind differently)."""
    if isinstance(value, _ZONED):
        return type(value), value, value.tzinfo
    return type(value), value


def _parameters_key(values: dict[str, Any]) -> Any:
    """A hashable key of bound values, types included (1, 1.0 and True bind differently)."""
    parts: list[Any] = ["bound"]
    for name, value in values.items():
        if type(value) is list:
            parts.append((name, tuple([_value_key(item) for item in value])))
        else:
            parts.append((name, _value_key(value)))
    key = tuple(parts)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _plain(value: Any) -> bool:
    return type(value) in STORABLE or isinstance(value, Enum)


def _given_parameters_key(binder: Binder, params: dict[str, Any] | None) -> Any:
    """A key of the parameters as given, when bound values follow from it alone.

    That holds for a statement taking every parameter by name (`binder`) given plain immutable
    values: binding is then a function of the values, so the rows read for them can be found
    before binding. None otherwise.
    """
    if not params:
        return None
    parts: list[Any] = ["given"]
    for name, _process, is_list in binder:
        value = params.get(name)
        kind = type(value)
        if is_list:
            items = _list_key(value)
            if items is None:
                return None
            parts.append((name, items))
        elif kind in _ZONELESS:
            parts.append((name, kind, value))
        elif _plain(value):
            parts.append((name, _value_key(value)))
        else:
            return None
    return tuple(parts)


_tuple_keys: dict[int, tuple[Any, tuple[Any, ...]]] = {}
"""Item keys of tuples of plain values met before, by identity; the tuple is kept alive with
its key, so its id is not reused while the entry lasts (a constant such as a status list)."""


def _list_key(value: Any) -> tuple[Any, ...] | None:
    """The key of an expanding parameter's items, None unless they are all plain values."""
    is_tuple = type(value) is tuple
    if is_tuple:
        known = _tuple_keys.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
    if not isinstance(value, (list, tuple)) or not all(_plain(item) for item in value):
        return None
    key = tuple([_value_key(item) for item in value])
    if is_tuple:
        if len(_tuple_keys) >= TUPLE_KEY_LIMIT:
            _tuple_keys.clear()
        _tuple_keys[id(value)] = (value, key)
    return key


def _lean_instances(mapper: Mapper[Any]) -> bool:
    """True when an instance can be made as `ClassManager.new_instance` makes it, its
    attribute dictionary given whole: default instrumentation of a class with a `__dict__`."""
    manager = mapper.class_manager
    return (
        type(manager) is ClassManager
        and manager.STATE_ATTR == DEFAULT_STATE_ATTR
        and getattr(mapper.class_, "__dictoffset__", 0) != 0
    )


def _unique_filters(_result: Any) -> list[Any]:
    return [id]


def _metadata(label: str, extra: Any) -> SimpleResultMetaData:
    filters: Any = _unique_filters if _UNIQUE_ARGUMENT == "_create_unique_filters" else [id]
    return SimpleResultMetaData([label], [extra], **{_UNIQUE_ARGUMENT: filters})


class FastPathCache:
    """Per engine: statement shapes by cache key and by fingerprint, the fast flush's writes,
    what a direct commit checked once, a reader."""

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect
        self.by_key: dict[Any, EntityQuery | None] = {}
        self.by_fingerprint: dict[Fingerprint, tuple[EntityQuery | None, Any, Any]] = {}
        """Per fingerprint (`shapes.py`): the shape, and the first statement with its cache
        key, kept so the identities the fingerprint names stay taken."""
        self.writes: dict[Mapper[Any], MapperWrites | None] = {}
        self._spent_connect: tuple[Any, int] | None = None
        self._reader: dbapi.Connection | None = None

    def connect_listeners_spent(self, listeners: Any) -> bool:
        """Whether the engine's pool `connect` listeners are all spent `once` listeners, as
        the set-up `create_engine` runs on the first connection is once it has run.

        Found so, the collection and its length are remembered: a listener added later
        makes it longer, and a spent one has no caller that could remove it.
        """
        known = self._spent_connect
        if known is not None and known[0] is listeners and known[1] == len(listeners):
            return True
        if not all(_spent_once(listener) for listener in listeners):
            return False
        self._spent_connect = (listeners, len(listeners))
        return True

    def shape_of(
        self, statement: Select[Any], engine: Engine
    ) -> tuple[EntityQuery | None, Sequence[Any]] | None:
        """The statement's shape (None: not for the fast path) and its bound parameters in
        cache key order; None when it has no cache key."""
        quick = shapes.fingerprint(statement)
        if quick is not None:
            known = self.by_fingerprint.get(quick[0])
            if known is not None:
                if shapes.VERIFY:
                    _check_fingerprint(statement, known[2], quick[1])
                return known[0], quick[1]
        key = statement._generate_cache_key()
        if key is None or getattr(key, "params", None):
            return None
        if key.key in self.by_key:
            query = self.by_key[key.key]
        else:
            query = self.by_key[key.key] = build_entity_query(statement, engine)
        if quick is not None and _same_objects(quick[1], key.bindparams):
            if len(self.by_fingerprint) >= FINGERPRINT_LIMIT:
                self.by_fingerprint.clear()
            self.by_fingerprint[quick[0]] = (query, statement, key.key)
        return query, key.bindparams

    def writes_for(self, mapper: Mapper[Any]) -> MapperWrites | None:
        """How the fast flush writes `mapper`'s objects; None when the general flush must."""
        try:
            return self.writes[mapper]
        except KeyError:
            found = MapperWrites(mapper, self.dialect) if writable_mapper(mapper) else None
            self.writes[mapper] = found
            return found

    def reader(self, database: Any) -> dbapi.Connection:
        """A connection that never writes: it sees what is committed, as an idle one would."""
        reader = self._reader
        if reader is None or reader.db is not database:
            reader = self._reader = dbapi.Connection(database)
        return reader


def _same_objects(first: Sequence[Any], second: Sequence[Any]) -> bool:
    return len(first) == len(second) and all(a is b for a, b in zip(first, second, strict=True))


def _check_fingerprint(statement: Select[Any], key: Any, binds: Sequence[Any]) -> None:
    """Under `shapes.VERIFY`: the cache key the fingerprint stood for is the statement's."""
    actual = statement._generate_cache_key()
    if actual is None or actual.key != key or not _same_objects(binds, actual.bindparams):
        raise AssertionError(f"the fingerprint of {statement} stands for another cache key")


def fast_path_cache(bind: Any) -> FastPathCache | None:
    """The fast path's cache of a `memory://` engine whose URL does not say `fast_path=off`,
    kept on the engine's dialect (engines made by `execution_options` share it); else None."""
    if type(bind) is not Engine and not isinstance(bind, Engine):
        return None
    dialect: Any = bind.dialect
    cache: FastPathCache | None = dialect.__dict__.get("fast_path_cache")
    if cache is None:
        if not getattr(dialect, "fast_path", False) or dialect.name != "memory":
            return None
        cache = dialect.fast_path_cache = FastPathCache(dialect)
    return cache


def has_listeners(dispatch: Any, names: tuple[str, ...]) -> bool:
    """Whether any of the events `names` has a listener on a session or its class."""
    for name in names:  # noqa: SIM110 (a generator costs more on this per-statement path)
        if getattr(dispatch, name):
            return True
    return False


def _spent_once(listener: Any) -> bool:
    """Whether `listener` is a `once=True` listener that has had its one call, as the set-up
    `create_engine` runs on the pool's first connection is after it: it will do nothing more."""
    code = getattr(listener, "__code__", None)
    if code is None or listener.__qualname__ != "only_once.<locals>.go":
        return False
    cells = dict(zip(code.co_freevars, listener.__closure__ or (), strict=True))
    once = cells.get("once")
    return once is not None and once.cell_contents == []


def _has_binds(session: Session) -> bool:
    """Binds per mapper or table (`Session(binds=...)`): `binds` since SQLAlchemy 2.1."""
    attributes = session.__dict__
    return bool(attributes.get("binds") or attributes.get("_Session__binds"))


_COMMIT_EVENTS = ("before_commit", "after_commit", "after_transaction_end")
_CONNECTION_EVENTS = ("engine_connect", "begin", "commit")
_POOL_EVENTS = ("checkout", "checkin", "reset")
"""What a commit on a connection checked out of the pool would call (a flush on `memory://` runs
no statement through the connection, and the pool's connections are made after its first)."""
_FLUSH_EVENTS = (
    "before_flush",
    "after_flush",
    "after_flush_postexec",
    "pending_to_persistent",
    "after_begin",
    "after_transaction_create",
    "after_transaction_end",
)
_FLUSH_EVENTS_LEFT = tuple(
    name for name in _FLUSH_EVENTS if name not in _COMMIT_EVENTS and name != "after_begin"
)
"""The flush events a direct commit has not looked at already."""


LAZY_ON_ACCESS = frozenset({"select", "raise", "raise_on_sql"})
"""Relationship loaders that leave a freshly loaded object alone until the attribute is read."""


def _simple_mapper(mapper: Mapper[Any]) -> bool:
    """No inheritance, plain columns of one table, relationships loaded on first access."""
    mapper._check_configure()  # relationship strategies exist once the mappers are configured
    if mapper.inherits is not None or mapper.polymorphic_on is not None or mapper.always_refresh:
        return False
    if mapper._inheriting_mappers:
        return False
    for prop in mapper.iterate_properties:
        if isinstance(prop, RelationshipProperty):
            if prop.lazy not in LAZY_ON_ACCESS or not prop.strategy.is_class_level:
                return False
            continue
        if not isinstance(prop, ColumnProperty):
            return False
        if prop.deferred or len(prop.columns) != 1:
            return False
        if prop.columns[0].table is not mapper.local_table:
            return False
    return True


_REFUSED_FEATURES = (
    "_with_options",
    "_with_context_options",
    "_compile_state_funcs",
    "_execution_options",
    "_setup_joins",
    "_memoized_select_entities",
    "_group_by_clauses",
    "_having_criteria",
    "_distinct",
    "_distinct_on",
    "_independent_ctes",
    "_hints",
    "_statement_hints",
    "_prefixes",
    "_suffixes",
)
"""Select attributes (named differently across SQLAlchemy versions) that send it the long way."""


def _plain_entity_select(statement: Select[Any]) -> bool:
    if getattr(statement, "_for_update_arg", None) is not None:
        return False
    return not any(getattr(statement, name, None) for name in _REFUSED_FEATURES)


def build_entity_query(statement: Select[Any], engine: Engine) -> EntityQuery | None:
    """The fast form of `statement`, or None when the general path must answer it."""
    if statement._propagate_attrs.get("compile_state_plugin") != "orm":
        return None
    if not _plain_entity_select(statement):
        return None
    descriptions = statement.column_descriptions
    if len(descriptions) != 1:
        return None
    entity = descriptions[0]["entity"]
    if entity is None or descriptions[0]["expr"] is not entity:
        return None
    mapper = _mapper_of(entity)
    if mapper is None or not _simple_mapper(mapper):
        return None
    dialect = engine.dialect
    compiled: Any = statement._compile_w_cache(
        dialect,
        compiled_cache={},
        column_keys=[],
        for_executemany=False,
        schema_translate_map=None,
    )[0]
    if compiled.escaped_bind_names or getattr(compiled, "literal_execute_params", None):
        return None
    state = compiled.compile_state
    entities = getattr(state, "_entities", None)
    if not entities or len(entities) != 1:
        return None
    by_column = {prop.columns[0]: prop.key for prop in mapper.column_attrs}
    result_columns = compiled._result_columns
    if len(result_columns) != len(by_column):
        return None
    columns: list[tuple[str, Callable[[Any], Any] | None]] = []
    positions: dict[Any, int] = {}
    for index, entry in enumerate(result_columns):
        found = [obj for obj in entry[2] if _base(obj) in by_column]
        if not found:
            return None
        column = _base(found[0])
        positions[column] = index
        columns.append((by_column[column], entry[3]._cached_result_processor(dialect, None)))
    if len({key for key, _ in columns}) != len(by_column):
        return None
    pk_indexes = [positions[column] for column in mapper.primary_key]
    return EntityQuery(
        compiled,
        mapper,
        dialect,
        columns,
        pk_indexes,
        entities[0]._label_name,
        entities[0]._extra_entities,
    )


_GENERAL = object()
"""Marks an answer the general path must give."""

_pk_lookups: dict[Any, tuple[Mapper[Any], Select[Any], list[str]] | None] = {}


def _pk_lookup(entity: Any) -> tuple[Mapper[Any], Select[Any], list[str]] | None:
    """`select(entity)` by primary key, with its bind names; None for other entities."""
    try:
        return _pk_lookups[entity]
    except (KeyError, TypeError):
        pass
    mapper = _mapper_of(entity)
    found: tuple[Mapper[Any], Select[Any], list[str]] | None = None
    if mapper is not None and mapper.class_ is entity and _simple_mapper(mapper):
        names = [f"memory_pk_{i}" for i in range(len(mapper.primary_key))]
        criteria = [
            column == bindparam(name, type_=column.type)
            for column, name in zip(mapper.primary_key, names, strict=True)
        ]
        found = (mapper, select(entity).where(*criteria), names)
    try:
        _pk_lookups[entity] = found
    except TypeError:
        return None
    return found


def _mapper_of(entity: Any) -> Mapper[Any] | None:
    from sqlalchemy import inspect as sa_inspect

    found = sa_inspect(entity, raiseerr=False)
    return found if isinstance(found, Mapper) else None


def _base(obj: Any) -> Any:
    deannotate = getattr(obj, "_deannotate", None)
    return deannotate() if deannotate is not None else obj


class MemorySession(Session):
    """A `Session` with the fast path for entity SELECTs on `memory://` (see the module)."""

    def execute(self, statement: Any, params: Any = None, *args: Any, **kw: Any) -> Any:
        if not args and not kw:
            objects = self._fast_entities(statement, params)
            if objects is not None:
                return self._entity_result(objects)
        return super().execute(statement, params, *args, **kw)

    def scalars(self, statement: Any, params: Any = None, *args: Any, **kw: Any) -> Any:
        if not args and not kw:
            objects = self._fast_entities(statement, params)
            if objects is not None:
                return self._entity_result(objects).scalars()
        return super().scalars(statement, params, *args, **kw)

    def scalar(self, statement: Any, params: Any = None, *args: Any, **kw: Any) -> Any:
        if not args and not kw:
            objects = self._fast_entities(statement, params)
            if objects is not None:
                return objects[1][0] if objects[1] else None
        return super().scalar(statement, params, *args, **kw)

    def get(self, entity: Any, ident: Any, *args: Any, **kw: Any) -> Any:
        if not args and not kw:
            found = self._fast_get(entity, ident)
            if found is not _GENERAL:
                return found
        return super().get(entity, ident, *args, **kw)

    def commit(self) -> None:
        transaction = self._transaction
        if transaction is None:
            transaction = self._autobegin_t()  # as `Session.commit` begins one, or its error
        if self._lean_commit(transaction):
            return
        super().commit()

    def _autobegin_t(self, begin: bool = False) -> SessionTransaction:
        """`Session._autobegin_t`, beginning a `LazyRecordsTransaction`."""
        transaction = self._transaction
        if transaction is not None or (not begin and not self.autobegin):
            return super()._autobegin_t(begin)  # the session's own transaction, or its error
        origin = SessionTransactionOrigin.BEGIN if begin else SessionTransactionOrigin.AUTOBEGIN
        return LazyRecordsTransaction(self, origin)

    def _lean_commit(self, transaction: SessionTransaction) -> bool:
        """Commit a root transaction on `memory://` as `Session.commit` does, in fewer steps.

        The steps are those of `SessionTransaction.commit` for a root transaction holding at
        most the engine's own connection: flush, commit the connection's transaction, expire
        the loaded objects and detach the deleted ones, close. What is left out is its
        state-machine bookkeeping and the events, so any listener that could see a commit,
        a nested or two-phase transaction, or a second connection sends it the long way.
        """
        if (
            transaction._parent is not None
            or transaction.nested
            or transaction._state is not SessionTransactionState.ACTIVE
            or self.twophase
            or self._flushing
        ):
            return False
        bind: Any = self.bind
        cache = fast_path_cache(bind)
        if cache is None or _has_binds(self) or has_listeners(self.dispatch, _COMMIT_EVENTS):
            return False
        connections = transaction._connections
        if not self._is_clean():
            if not connections and self._direct_commit(transaction, cache):
                return True
            self.flush()
            if self._transaction is not transaction or not self._is_clean():
                return False  # the general commit flushes again and reports what it finds
        # A transaction that only read through the shared reader holds no connection.
        entry = None
        if connections:
            entries = set(connections.values())
            if len(entries) > 1:
                return False
            entry = entries.pop()
            if entry[0].engine is not bind:
                return False
        transaction._state = SessionTransactionState.PREPARED
        if entry is not None and entry[2]:
            entry[1].commit()
        self._end_lean_commit(transaction)
        if entry is not None:
            connection, connection_transaction, should_commit, autoclose = entry
            if should_commit and connection_transaction.is_active:
                connection_transaction.close()
            if autoclose:
                connection.close()
        transaction._state = SessionTransactionState.CLOSED
        return True

    def _end_lean_commit(self, transaction: SessionTransaction) -> None:
        """After the database commit: expire and detach as `SessionTransaction.commit` does."""
        transaction._state = SessionTransactionState.COMMITTED
        if self.expire_on_commit:
            identity_map = self.identity_map
            modified = identity_map._modified
            for state in identity_map.all_states():
                state._expire(state.dict, modified)
            InstanceState._detach_states(list(transaction._deleted), self)
            transaction._deleted.clear()
        self._transaction = None

    def _direct_commit(self, transaction: SessionTransaction, cache: FastPathCache) -> bool:
        """Flush and commit a transaction that holds no connection on a connection of its own
        to the database, without checking one out of the engine's pool: what the fast flush
        would write, committed at once. False, having changed nothing, when the fast flush
        would decline, the writes fail, or the engine has listeners a checkout would call."""
        if self._flushing or self.dispatch.after_begin:
            return False
        bind: Any = self.bind
        pool = bind.pool
        if (
            bind._execution_options  # an isolation level, for one, would apply to a checkout
            or bind.dialect.isolation_level is not None
            or has_listeners(bind.dispatch, _CONNECTION_EVENTS)
            or has_listeners(pool.dispatch, _POOL_EVENTS)
        ):
            return False
        if not cache.connect_listeners_spent(pool.dispatch.connect):
            return False
        found = self._planned_flush(cache, _FLUSH_EVENTS_LEFT)
        if found is None:
            return False
        states, planned = found
        dialect = bind.dialect
        memory = dbapi.Connection(dialect.database)
        if planned and not run_writes(memory, planned, dialect):
            memory.rollback()  # gives the write lock back; the general path reports the error
            return False
        memory.commit()
        transaction._state = SessionTransactionState.PREPARED
        if self._new:  # among `states`
            self._register_persistent(set(states))
        elif not self.expire_on_commit:
            # What `_register_persistent` does for objects that stay in the identity map under
            # their key; recording them for a rollback is moot once committed.
            for state in states:
                state._orphaned_outside_of_session = False
            InstanceState._commit_all_states(
                ((state, state.dict) for state in states), self.identity_map
            )
        # With `expire_on_commit`, the commit's expiry clears what marked them changed.
        self._end_lean_commit(transaction)
        self._shrink_bookkeeping()
        transaction._state = SessionTransactionState.CLOSED
        return True

    def flush(self, objects: Any = None) -> None:
        if (
            objects is None
            and not self._flushing
            and (self._new or self.identity_map._modified)
            and self._fast_flush()
        ):
            return
        super().flush(objects)

    def _fast_flush(self) -> bool:
        """Write pending and changed objects without the unit of work (see `flush.py`)."""
        bind: Any = self.bind
        cache = fast_path_cache(bind)
        if cache is None or _has_binds(self):
            return False
        transaction = self._autobegin_t()
        if not transaction.is_active:
            return False  # the general path raises the right error
        found = self._planned_flush(cache)
        if found is None:
            return False
        states, planned = found
        dialect = bind.dialect
        self._flushing = True
        try:
            # The unit of work takes a connection even when no row changed.
            raw: Any = self.connection().connection.dbapi_connection
            memory: dbapi.Connection = raw.memory_connection
            if planned and (memory.autocommit or not run_writes(memory, planned, dialect)):
                return False
            self._register_persistent(set(states))
        finally:
            self._flushing = False
        self._shrink_bookkeeping()
        return True

    def _planned_flush(
        self, cache: FastPathCache, events: tuple[str, ...] = _FLUSH_EVENTS
    ) -> tuple[list[Any], list[Write]] | None:
        """The pending and changed objects, and the writes the fast flush would make for them
        on the engine of `cache` (the session's only bind); None when it declines (see
        `flush.py`). `events`: the flush events still to look for listeners of."""
        if self._deleted:
            return None  # deletes are the unit of work's: the fast flush writes no DELETE
        if has_listeners(self.dispatch, events):
            return None  # the general flush opens a subtransaction these listeners would see
        new = self._new
        modified = self.identity_map._modified
        if new:
            states = [*new, *(state for state in modified if state not in new)]
        else:
            states = list(modified)
        try:
            planned = plan_writes(states, cache.writes_for, self.identity_map)
        except Exception:
            return None  # a value a bind processor refuses: the general flush reports it
        return None if planned is None else (states, planned)

    def _shrink_bookkeeping(self) -> None:
        """Give the session's pending dict and modified set fresh storage once they are empty.

        A dict or set keeps the table it grew to, and iterating it walks that table: after a
        flush of 10,000 objects every later flush and commit would pay some 20 µs to find the
        one changed object. `Session.expunge_all` replaces `_new` the same way.
        """
        if not self._new:
            self._new = {}
        identity_map: Any = self.identity_map
        if not identity_map._modified:
            identity_map._modified = set()

    def _fast_get(self, entity: Any, ident: Any) -> Any:
        """An object by primary key: the identity map's if it holds it unexpired, as
        `Session.get` finds it there, else read through the plan."""
        lookup = _pk_lookup(entity)
        if lookup is None or isinstance(ident, (list, dict)):
            return _GENERAL
        mapper, statement, names = lookup
        values = ident if isinstance(ident, tuple) else (ident,)
        if len(values) != len(names) or any(value is None for value in values):
            return _GENERAL
        key = (mapper._identity_class, values, None)
        identity_map = self.identity_map
        held = identity_map.get(key)
        if held is not None:
            return _GENERAL if instance_state(held).expired else held
        if key in identity_map:
            return _GENERAL  # the general path settles the remaining cases
        answer = self._fast_entities(statement, dict(zip(names, values, strict=True)))
        if answer is None:
            return _GENERAL
        objects = answer[1]
        return objects[0] if objects else None

    def _entity_result(self, answer: tuple[EntityQuery, list[Any]]) -> Result[Any]:
        query, objects = answer
        # A single-entity source holds the objects themselves; rows wrap them on demand.
        result: Result[Any] = IteratorResult(
            query.metadata, iter(objects), _source_supports_scalars=True
        )
        attributes = query.result_attributes
        if attributes is None:
            attributes = query.result_attributes = result._attributes.union(
                {"filtered": True, "is_single_entity": True}
            )
        result._attributes = attributes
        return result

    def _fast_entities(self, statement: Any, params: Any) -> tuple[EntityQuery, list[Any]] | None:
        if type(statement) is not Select or (params is not None and type(params) is not dict):
            return None
        bind: Any = self.bind
        cache = fast_path_cache(bind)
        if cache is None or _has_binds(self):
            return None
        dispatch = self.dispatch
        if dispatch.do_orm_execute or dispatch.loaded_as_persistent:
            return None
        found = self._entity_query(cache, bind, statement)
        if found is None:
            return None
        query, extracted = found
        manager = query.mapper.class_manager
        if manager.dispatch.load:
            return None
        binder = query.binder
        given = params
        if binder is None and not params and query.extracted_binder is not None:
            binder, indexes = query.extracted_binder
            given = _extracted_values(indexes, binder, extracted)
            if given is None:
                binder = None
        key = None if binder is None else _given_parameters_key(binder, given)
        values = None
        if key is None:
            values = self._bind_values(query, binder, given, params, extracted)
            if values is None:
                return None
            key = _parameters_key(values)
        if self._new or self._deleted or self.identity_map._modified:
            self._autoflush()  # pending changes are flushed first, as before a query

        def bound() -> dict[str, Any] | None:
            if values is not None:
                return values
            return self._bind_values(query, binder, given, params, extracted)

        rows = self._run(cache, bind, query, key, bound)
        if rows is None:
            return None
        objects = self._load(query, rows)
        return None if objects is None else (query, objects)

    def _entity_query(
        self, cache: FastPathCache, engine: Engine, statement: Select[Any]
    ) -> tuple[EntityQuery, Sequence[Any]] | None:
        entry = statement.__dict__.get(SHAPE_ATTRIBUTE)
        if entry is None or entry[0]() is not cache:
            found = cache.shape_of(statement, engine)
            if found is None:
                return None
            # A weak reference: a module-level statement must not keep a disposed database.
            entry = (weakref.ref(cache), *found)
            statement._set_memoized_attribute(SHAPE_ATTRIBUTE, entry)
        if entry[1] is None:
            return None
        return entry[1], entry[2]

    @staticmethod
    def _bind_values(
        query: EntityQuery,
        binder: Binder | None,
        given: dict[str, Any] | None,
        params: dict[str, Any] | None,
        extracted: Sequence[Any],
    ) -> dict[str, Any] | None:
        """The bound values: of `given` by `binder` when there is one, else as
        `construct_params` makes them of `params` and the statement's `extracted` values."""
        if binder is not None and given:
            bound: dict[str, Any] = {}
            for name, process, is_list in binder:
                if name not in given:
                    return None  # the general path reports the missing value
                value = given[name]
                if is_list:
                    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
                        return None
                    bound[name] = list(value) if process is None else [process(v) for v in value]
                else:
                    bound[name] = value if process is None else process(value)
            return bound
        compiled = query.compiled
        try:
            raw: dict[str, Any] = compiled.construct_params(
                params=params or None, extracted_parameters=extracted, escape_names=True
            )
        except Exception:
            return None  # the general path raises its own error for bad parameters
        processors = compiled._bind_processors
        expanding = query.expanding
        for name, value in raw.items():
            process = processors.get(name)
            if name in expanding:
                if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
                    return None
                raw[name] = list(value) if process is None else [process(v) for v in value]
            elif process is not None:
                raw[name] = process(value)
        return raw

    def _reading_connection(self, cache: FastPathCache, engine: Engine) -> dbapi.Connection | None:
        """The session's connection to `engine` if it has one, else a shared reader.

        A connection that has not written sees the committed state, exactly as the reader
        does, so no connection is checked out for reads; the session transaction still
        begins, as it would on the general path.
        """
        transaction = self._transaction
        if transaction is None:
            if not self.autobegin:
                return None
            transaction = self._autobegin_t()
        if not transaction.is_active:
            return None  # the general path raises the right error
        entry = transaction._connections.get(engine)
        connection: Any
        if entry is not None:
            connection = entry[0]
        else:
            if (
                transaction._parent is not None
                or transaction.nested
                or self.dispatch.after_begin
                or engine.dispatch.engine_connect
                or engine.dispatch.begin
            ):
                connection = self.connection()
            else:
                return cache.reader(engine.dialect.database)  # type: ignore[attr-defined]
        raw = connection.connection.dbapi_connection
        memory: dbapi.Connection = raw.memory_connection
        memory.check_open()
        return memory

    def _run(
        self,
        cache: FastPathCache,
        engine: Engine,
        query: EntityQuery,
        key: Any,
        bound: Callable[[], dict[str, Any] | None],
    ) -> list[Any] | None:
        """The stored rows answering `query` for the parameters `key` stands for; rows read in
        the same committed state of the database (`Database.committed_state_stamp`) are reused."""
        memory = self._reading_connection(cache, engine)
        if memory is None:
            return None
        db = memory.db
        stamp = db.committed_state_stamp()
        if stamp is None:
            key = None
        if key is not None:
            found = query.results.get(key)
            if found is not None and found[0] == stamp:
                return found[1]
        values = bound()
        if values is None:
            return None
        with db.mutex:
            plan = plan_for(memory, query.compiled, query.dialect)
            if plan.query is None or plan.writes:
                return None
            try:
                rows: list[Any] = plan.query.run(Env(values, memory))
            except StalePlan:
                return None
            if memory.autocommit:
                db.commit(memory.txn)
            stamp = db.committed_state_stamp()
            if key is not None and stamp is not None:
                results = query.results
                if len(results) >= RESULT_CACHE_LIMIT:
                    results.clear()
                results[key] = (stamp, rows)
        return rows

    def _load(self, query: EntityQuery, rows: list[Any]) -> list[Any] | None:
        """Rows as objects: the identity map's when present, else new persistent ones."""
        row_cache = query.row_cache
        loaded: list[LoadedRow] = []
        for raw in rows:
            cached = row_cache.get(id(raw))
            if cached is None or cached[0] is not raw:
                cached = query.load_row(raw)
                if cached is None:
                    return None
            loaded.append(cached)
        states = self.identity_map._dict
        manager = query.mapper.class_manager
        if len(manager) != len(query.attribute_keys):  # attributes added since
            query.attribute_keys = frozenset(manager)
        attribute_keys = query.attribute_keys
        objects: list[Any] = []
        fresh: list[tuple[Any, LoadedRow]] = []
        for entry in loaded:
            state: Any = states.get(entry[2])
            existing = None if state is None else state.obj()
            if existing is None:
                fresh.append((len(objects), entry))
            elif not attribute_keys.issubset(state.dict) and state.unloaded:
                return None  # the general loader refreshes expired attributes
            objects.append(existing)
        if fresh:
            self._new_objects(query, objects, fresh)
        return objects

    def _new_objects(
        self, query: EntityQuery, objects: list[Any], fresh: list[tuple[int, LoadedRow]]
    ) -> None:
        """Persistent objects for rows the identity map lacks, as the ORM loader makes them."""
        identity_map = self.identity_map
        mapper = query.mapper
        manager = mapper.class_manager
        class_: Any = mapper.class_
        make_state = manager._state_constructor
        lean = query.lean_instances
        path = mapper._path_registry
        runid = _new_runid()
        session_id = self.hash_key
        for position, (_raw, row, key, attributes) in fresh:
            existing = identity_map.get(key)  # the same row twice in one result
            if existing is None:
                if lean:
                    existing = class_.__new__(class_)
                    state = make_state(existing, manager)
                    values = attributes.copy()
                    values[DEFAULT_STATE_ATTR] = state
                    existing.__dict__ = values
                else:
                    existing = manager.new_instance()
                    state = instance_state(existing)
                    existing.__dict__.update(zip(query.keys, row, strict=True))
                state.key = key
                state.identity_token = None
                state.session_id = session_id
                identity_map._add_unpresent(state, key)
                state.load_path = path
                state.runid = runid
            objects[position] = existing
