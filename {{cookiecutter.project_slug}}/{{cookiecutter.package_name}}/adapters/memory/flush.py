"""The fast flush of `MemorySession`: INSERTs and UPDATEs of plainly mapped rows, on the store.

A flush qualifies when nothing is deleted and every pending or changed object belongs to a
mapper of one table with no relationships, no column defaults or `onupdate`, no version
counter and no mapper events. The rows are then written in the unit of work's order (mappers
by their sort key; per mapper, UPDATEs of changed persistent objects by primary key, then
INSERTs of pending objects by the order they were added), with the values and bind processing
the unit of work would use, through the dialect's own DML plans. A write that fails is undone
and the general flush runs instead, so errors are the general path's errors.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from sqlalchemy import ClauseElement, Table, bindparam, insert, update
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.properties import ColumnProperty

from . import dbapi
from .dml import DMLResult, InsertPlan, UpdatePlan
from .execution import plan_for
from .expressions import Env
from .storage import STORABLE, WriteContext

Processor = Callable[[Any], Any] | None
Binding = tuple[str, str, Processor]
"""(bind name, attribute key, bind processor) of one parameter."""

PK_BIND_PREFIX = "memory_flush_pk_"

_plain_types: set[type] = set(STORABLE)
"""Value types known not to be SQL expressions (grown as values are checked)."""


def is_plain_value(value: Any) -> bool:
    """False for SQL expressions assigned to attributes: the general flush renders those."""
    kind = type(value)
    if kind in _plain_types:
        return True
    if isinstance(value, ClauseElement) or hasattr(value, "__clause_element__"):
        return False
    if isinstance(kind, type) and not hasattr(kind, "__clause_element__"):
        _plain_types.add(kind)
    return True


class UpdateForm:
    """A compiled `UPDATE table SET <columns> WHERE <primary key>` and its parameters."""

    __slots__ = ("bindings", "compiled")

    def __init__(self, compiled: Any, bindings: list[Binding]) -> None:
        self.compiled = compiled
        self.bindings = bindings


class MapperWrites:
    """How the objects of one plainly mapped table are written."""

    def __init__(self, mapper: Mapper[Any], dialect: Any) -> None:
        table = mapper.local_table
        assert isinstance(table, Table)
        self.mapper = mapper
        self.table = table
        self.dialect = dialect
        self.sort_key: str = mapper._sort_key
        self.persistent_order: Callable[[Any], Any] = mapper._persistent_sortkey_fn
        self.attribute_of = {str(prop.columns[0].key): prop.key for prop in mapper.column_attrs}
        self.pk_attributes = [self.attribute_of[str(column.key)] for column in mapper.primary_key]
        self.pk_set = frozenset(self.pk_attributes)
        self.attributes = frozenset(self.attribute_of.values())
        keys = [column.key for column in table.c]
        self.insert = insert(table).compile(dialect=dialect, column_keys=keys)
        pairs = [(key, self.attribute_of[key]) for key in keys]
        self.insert_bindings = self._bindings(self.insert, pairs)
        self._updates: dict[frozenset[str], UpdateForm] = {}

    def _bindings(self, compiled: Any, pairs: list[tuple[str, str]]) -> list[Binding]:
        processors = compiled._bind_processors
        return [(bind, key, processors.get(bind)) for bind, key in pairs]

    def update_form(self, changed: frozenset[str]) -> UpdateForm:
        """The UPDATE of the attributes in `changed` (never primary-key attributes)."""
        form = self._updates.get(changed)
        if form is None:
            columns = {self.mapper.get_property(key).columns[0].key: key for key in changed}
            criteria = [
                column == bindparam(f"{PK_BIND_PREFIX}{i}", type_=column.type)
                for i, column in enumerate(self.mapper.primary_key)
            ]
            statement = update(self.table).where(*criteria)
            compiled = statement.compile(dialect=self.dialect, column_keys=list(columns))
            pairs = list(columns.items()) + [
                (f"{PK_BIND_PREFIX}{i}", key) for i, key in enumerate(self.pk_attributes)
            ]
            form = self._updates[changed] = UpdateForm(compiled, self._bindings(compiled, pairs))
        return form


def has_write_events(mapper: Mapper[Any]) -> bool:
    """Listeners may be added at any time, so this is asked at every flush."""
    dispatch = mapper.dispatch
    return bool(
        dispatch.before_insert
        or dispatch.after_insert
        or dispatch.before_update
        or dispatch.after_update
    )


def writable_mapper(mapper: Mapper[Any]) -> bool:
    """One table, every column mapped plainly, nothing computed at flush time."""
    table = mapper.local_table
    if not isinstance(table, Table) or mapper.inherits is not None or mapper._inheriting_mappers:
        return False
    if mapper.polymorphic_on is not None or mapper.version_id_col is not None:
        return False
    if not mapper.batch or mapper.relationships or mapper._readonly_props:
        return False
    orm_defaults = getattr(mapper, "_insert_orm_defaults", None)
    if orm_defaults is not None and orm_defaults.get(table):
        return False
    mapped: set[Any] = set()
    for prop in mapper.iterate_properties:
        if not isinstance(prop, ColumnProperty) or len(prop.columns) != 1:
            return False
        column = prop.columns[0]
        if column.table is not table or prop.deferred:
            return False
        mapped.add(column)
    for column in table.c:
        if column not in mapped or column.key.startswith(PK_BIND_PREFIX):
            return False
        if (
            column.default is not None
            or column.server_default is not None
            or column.onupdate is not None
            or column.server_onupdate is not None
            or column.computed is not None
            or column.identity is not None
            or column.type.should_evaluate_none
        ):
            return False
    return bool(mapper.primary_key)


def insert_parameters(writes: MapperWrites, state_dict: dict[str, Any]) -> dict[str, Any] | None:
    """Processed INSERT parameters of one pending object, or None to leave it to the ORM."""
    params: dict[str, Any] = {}
    for bind, key, process in writes.insert_bindings:
        value = state_dict.get(key)
        if value is not None and not is_plain_value(value):
            return None
        params[bind] = process(value) if process is not None else value
    for key in writes.pk_attributes:
        if state_dict.get(key) is None:
            return None
    return params


def changed_attributes(state: Any, writes: MapperWrites) -> frozenset[str] | None:
    """Attributes whose value differs from the committed one; None to leave it to the ORM."""
    committed = state.committed_state
    if not committed:
        return frozenset()
    state_dict = state.dict
    manager = state.manager
    changed = []
    for key in committed:
        if key not in writes.attributes:
            return None
        if key in writes.pk_set or key not in state_dict:
            return None
        value = state_dict[key]
        if not is_plain_value(value):
            return None
        if manager[key].impl.is_equal(value, committed[key]) is not True:
            changed.append(key)
    for key in writes.pk_attributes:
        if state_dict.get(key) is None:
            return None
    return frozenset(changed)


def update_parameters(form: UpdateForm, state_dict: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for bind, key, process in form.bindings:
        value = state_dict[key]
        params[bind] = process(value) if process is not None else value
    return params


Write = tuple[Any, dict[str, Any]]
"""(compiled statement, processed parameters) of one write."""


def plan_writes(
    states: list[Any],
    writes_of: Callable[[Mapper[Any]], MapperWrites | None],
    identity_map: Any,
) -> list[Write] | None:
    """The statements the unit of work would run for `states`, in its order; None to decline."""
    planned: list[Write] = []
    if len(states) == 1 and states[0].key is not None:  # one changed object: nothing to order
        writes = _writable(states[0].manager.mapper, writes_of)
        return planned if writes is not None and _add_updates(states, writes, planned) else None
    by_mapper: dict[Mapper[Any], tuple[MapperWrites, list[Any], list[Any]]] = {}
    for state in states:
        mapper = state.manager.mapper
        entry = by_mapper.get(mapper)
        if entry is None:
            writes = _writable(mapper, writes_of)
            if writes is None:
                return None
            entry = by_mapper[mapper] = (writes, [], [])
        (entry[2] if state.key is not None else entry[1]).append(state)
    for writes, pending, persistent in sorted(
        by_mapper.values(), key=lambda entry: entry[0].sort_key
    ):
        try:
            persistent.sort(key=writes.persistent_order)
        except TypeError:
            return None  # the general path reports keys it cannot sort
        if not _add_updates(persistent, writes, planned):
            return None
        pending.sort(key=attrgetter("insert_order"))
        identity_class = writes.mapper._identity_class
        for state in pending:
            params = insert_parameters(writes, state.dict)
            if params is None:
                return None
            key = tuple([state.dict[name] for name in writes.pk_attributes])
            if (identity_class, key, None) in identity_map:
                return None  # a pending object taking a persistent one's identity
            planned.append((writes.insert, params))
    return planned


def _writable(
    mapper: Mapper[Any], writes_of: Callable[[Mapper[Any]], MapperWrites | None]
) -> MapperWrites | None:
    """How `mapper`'s objects are written, unless the general flush must write them."""
    writes = writes_of(mapper)
    return None if writes is None or has_write_events(mapper) else writes


def _add_updates(persistent: list[Any], writes: MapperWrites, planned: list[Write]) -> bool:
    """Append the UPDATE of each object whose values changed, in order; False to decline."""
    for state in persistent:
        changed = changed_attributes(state, writes)
        if changed is None:
            return False
        if changed:
            form = writes.update_form(changed)
            planned.append((form.compiled, update_parameters(form, state.dict)))
    return True


def run_writes(memory: dbapi.Connection, planned: list[Write], dialect: Any) -> bool:
    """Run the writes in `memory`'s transaction; on any failure undo them and return False."""
    db = memory.db
    txn = memory.txn
    with db.mutex:
        owner = db.write_lock.owner
        if owner is not None and owner is not txn:
            return False  # the general path waits for the lock and reports a timeout
        db.begin_write(txn, memory.timeout)
        mark = len(txn.undo)
        try:
            for compiled, params in planned:
                dml = plan_for(memory, compiled, dialect).dml
                if not isinstance(dml, (InsertPlan, UpdatePlan)):
                    raise LookupError("not a planned write")
                result = DMLResult()
                context = WriteContext(txn)
                dml.execute(memory, Env(params, memory), context, result)
                context.finish()
                if result.rowcount != 1:
                    raise LookupError("the row to update is gone")
        except Exception:
            txn.rollback_to(mark)
            return False
    return True
