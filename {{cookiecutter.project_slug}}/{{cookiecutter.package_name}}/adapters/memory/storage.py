"""Row storage of one table: rows as tuples keyed by row id, indexes and constraints."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any

from .errors import IntegrityError, OperationalError, ProgrammingError
from .indexes import HashIndex, bucket_rowids
from .transactions import Transaction
from .types import AFFINITY_CONVERTERS

Row = tuple[Any, ...]

#: value types a row may hold: immutable, so the store never shares a caller's object
STORABLE = frozenset(
    {
        type(None),
        bool,
        int,
        float,
        str,
        bytes,
        Decimal,
        dt.datetime,
        dt.date,
        dt.time,
        dt.timedelta,
        uuid.UUID,
    }
)


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One stored column."""

    name: str
    position: int
    nullable: bool
    server_default: Callable[[], Any] | None
    type_name: str
    affinity: str | None = None
    type_: Any = None
    default_text: str | None = None


@dataclass(frozen=True, slots=True)
class ForeignKeySpec:
    """A foreign key from `child` columns to `parent` columns."""

    child: str
    child_columns: tuple[str, ...]
    child_positions: tuple[int, ...]
    parent: str
    parent_columns: tuple[str, ...]
    ondelete: str
    onupdate: str

    def describe(self) -> str:
        cols = ", ".join(f"{self.child}.{c}" for c in self.child_columns)
        pcols = ", ".join(f"{self.parent}.{c}" for c in self.parent_columns)
        return f"{cols} -> {pcols}"


class WriteContext:
    """State of one executing write statement: its transaction and deferred checks."""

    __slots__ = ("deferred", "txn")

    def __init__(self, txn: Transaction) -> None:
        self.txn = txn
        self.deferred: list[Callable[[], None]] = []

    def finish(self) -> None:
        """Run the checks SQL defers to the end of the statement."""
        checks, self.deferred = self.deferred, []
        for check in checks:
            check()


def _key_getter(positions: list[int]) -> Callable[[Row], tuple[Any, ...]]:
    """The values at `positions` of a row, always as a tuple."""
    if len(positions) == 1:
        (position,) = positions
        return lambda row: (row[position],)
    getter = itemgetter(*positions)
    return lambda row: tuple(getter(row))


def _fk_error(fk: ForeignKeySpec) -> IntegrityError:
    return IntegrityError(f"FOREIGN KEY constraint failed: {fk.describe()}")


class TableStore:
    """Rows of one table plus the indexes and constraints that guard them."""

    def __init__(
        self,
        name: str,
        columns: list[ColumnSpec],
        rowid_alias: int | None,
        indexes: list[HashIndex],
        foreign_keys: list[ForeignKeySpec],
        catalog: dict[str, TableStore],
    ) -> None:
        self.name = name
        self.columns = columns
        self.column_names = tuple(c.name for c in columns)
        self.positions = {c.name: c.position for c in columns}
        self.width = len(columns)
        self.rowid_alias = rowid_alias
        self.indexes = indexes
        self.unique_indexes = [i for i in indexes if i.unique]
        self.foreign_keys = foreign_keys
        self.catalog = catalog
        self._referencing_cache: (
            tuple[tuple[TableStore, ...], list[tuple[TableStore, ForeignKeySpec, Any, Any]]] | None
        ) = None
        self.not_null = tuple(c.position for c in columns if not c.nullable)
        self.checks: list[tuple[str, Callable[[Row], bool]]] = []
        self.server_defaults = tuple(c.server_default for c in columns)
        self.affinity = tuple(
            (c.position, *AFFINITY_CONVERTERS[c.affinity])
            for c in columns
            if c.affinity is not None
        )
        self._changing: dict[frozenset[int], Any] = {}
        self.rows: dict[int, Row] = {}
        self._next_hidden_rowid = 1
        self._max_rowid = 0
        self._max_stale = False
        self._ordered = True
        #: SQLite's AUTOINCREMENT keyword: row ids of deleted rows are never handed out again
        self.never_reuse_rowids = False
        #: foreign key columns without an index: one is built the first time a parent
        #: row's delete or key change needs to find the rows referencing it
        self._lazy_fk_indexes = {fk.child_positions: fk for fk in foreign_keys}

    def __repr__(self) -> str:
        return f"<TableStore {self.name} rows={len(self.rows)}>"

    # look-ups ---------------------------------------------------------------------
    def index_on(self, positions: tuple[int, ...]) -> HashIndex | None:
        for idx in self.indexes:
            if idx.positions == positions:
                return idx
        return None

    @property
    def ordered(self) -> bool:
        """Whether the rows dict is in row id order."""
        return self._ordered

    def scan(self) -> Iterable[Row]:
        """All rows in row id order (SQLite's full-scan order)."""
        if not self._ordered:
            self.rows = dict(sorted(self.rows.items()))
            self._ordered = True
        return self.rows.values()

    def scan_items(self) -> Iterable[tuple[int, Row]]:
        if not self._ordered:
            self.rows = dict(sorted(self.rows.items()))
            self._ordered = True
        return self.rows.items()

    def rowids_with_key(self, positions: tuple[int, ...], key: tuple[Any, ...]) -> Iterator[int]:
        """Row ids whose columns at `positions` equal `key` (no NULLs in key)."""
        if self.rowid_alias is not None and positions == (self.rowid_alias,):
            if key[0] in self.rows:
                yield key[0]
            return
        idx = self.index_on(positions)
        if idx is None and positions in self._lazy_fk_indexes:
            idx = self._build_fk_index(self._lazy_fk_indexes.pop(positions))
        if idx is not None:
            yield from bucket_rowids(idx.map.get(key[0] if idx.single else key))
            return
        for rowid, row in self.scan_items():
            if all(row[p] == k for p, k in zip(positions, key, strict=True)):
                yield rowid

    def _build_fk_index(self, fk: ForeignKeySpec) -> HashIndex:
        idx = HashIndex(
            f"_fk_{'_'.join(fk.child_columns)}",
            fk.child_positions,
            fk.child_columns,
            unique=False,
            origin="fk",
        )
        for rowid, row in self.rows.items():
            idx.add(idx.key(row), rowid)
        self.indexes.append(idx)
        return idx

    def has_key(self, positions: tuple[int, ...], key: tuple[Any, ...]) -> bool:
        return next(self.rowids_with_key(positions, key), None) is not None

    def committed_rows(self, writer: Transaction) -> dict[int, Row]:
        """This table as last committed, hiding the uncommitted writes of `writer`."""
        images = self.committed_images(writer)
        view = {rid: row for rid, row in self.scan_items() if rid not in images}
        for rid, old in images.items():
            if old is not None:
                view[rid] = old
        return dict(sorted(view.items()))

    def committed_rows_among(self, writer: Transaction, rowids: Iterable[int]) -> list[Row]:
        """The committed versions of the rows `rowids` picks from the current state, plus
        every row `writer` changed (whose committed version an index may not find)."""
        images = self.committed_images(writer)
        out: list[Row] = []
        stored = self.rows
        for rid in sorted(set(rowids) | images.keys()):
            if rid in images:
                old = images[rid]
                if old is not None:
                    out.append(old)
            else:
                row = stored.get(rid)
                if row is not None:
                    out.append(row)
        return out

    def committed_images(self, writer: Transaction) -> dict[int, Row | None]:
        """Row id -> committed row (None: not there) for each row `writer` changed."""
        images: dict[int, Row | None] = {}
        restore, restore_many = self._restore, self._restore_many
        for fn, rowid, old in writer.undo:
            if fn == restore and rowid not in images:
                images[rowid] = old
            elif fn == restore_many:
                for rid in rowid:
                    images.setdefault(rid, None)
        return images

    # row id allocation ------------------------------------------------------------
    def _next_rowid(self) -> int:
        if self._max_stale:
            self._max_rowid = max(self.rows, default=0)
            self._max_stale = False
        return self._max_rowid + 1

    def _note_rowid(self, rowid: int) -> None:
        # `_max_rowid` is at least every stored row id, and exactly the largest unless stale
        if rowid > self._max_rowid:
            self._max_rowid = rowid
            self._max_stale = False
        elif rowid < self._max_rowid:
            self._ordered = False

    # raw mutation (no checks), used by undo ------------------------------------------
    def _put(self, rowid: int, row: Row) -> None:
        self.rows[rowid] = row
        for idx in self.indexes:
            idx.add(idx.key(row), rowid)

    def _drop(self, rowid: int) -> Row:
        row = self.rows.pop(rowid)
        for idx in self.indexes:
            idx.remove(idx.key(row), rowid)
        if rowid >= self._max_rowid and not self.never_reuse_rowids:
            self._max_stale = True
        return row

    def _restore(self, rowid: int, old: Row | None) -> None:
        """Undo entry: put `rowid` back to `old` (None: the row did not exist)."""
        if rowid in self.rows:
            self._drop(rowid)
        if old is not None:
            self._put(rowid, old)
            self._ordered = False
            if rowid > self._max_rowid:
                self._max_rowid = rowid

    # checked mutation ---------------------------------------------------------------
    def _check_not_null(self, row: Row, unassigned_rowid: int | None = None) -> None:
        for pos in self.not_null:
            if row[pos] is None and pos != unassigned_rowid:
                raise IntegrityError(
                    f"NOT NULL constraint failed: {self.name}.{self.column_names[pos]}"
                )

    def _check_constraints(self, row: Row) -> None:
        for label, check in self.checks:
            if not check(row):
                raise IntegrityError(f"CHECK constraint failed: {self.name}: {label}")

    def _unique_error(self, idx: HashIndex) -> IntegrityError:
        cols = ", ".join(f"{self.name}.{c}" for c in idx.columns)
        return IntegrityError(f"UNIQUE constraint failed: {cols}")

    def check_storable(self, row: Row) -> Row:
        """Keep only immutable plain values: subclasses of str/int/float/bytes (str enums,
        bytearray...) become the plain type, as the SQLite driver binds them; anything
        else is refused."""
        if STORABLE.issuperset(map(type, row)):
            return row
        out = list(row)
        for i, value in enumerate(row):
            if type(value) in STORABLE:
                continue
            if isinstance(value, str):
                out[i] = str.__str__(value)
            elif isinstance(value, bool):
                out[i] = bool(value)
            elif isinstance(value, int):
                out[i] = int.__int__(value)
            elif isinstance(value, float):
                out[i] = float.__float__(value)
            elif isinstance(value, bytes | bytearray | memoryview):
                out[i] = bytes(value)
            else:
                raise ProgrammingError(
                    f"Error binding parameter for {self.name}.{self.column_names[i]}: "
                    f"type {type(value).__name__!r} is not supported"
                )
        return tuple(out)

    def _columns_changing(
        self, changed: frozenset[int]
    ) -> tuple[tuple[tuple[int, type, Callable[[Any], Any]], ...], tuple[int, ...]]:
        """The affinity conversions and NOT NULL positions among the positions `changed`."""
        found = self._changing.get(changed)
        if found is None:
            found = self._changing[changed] = (
                tuple(entry for entry in self.affinity if entry[0] in changed),
                tuple(pos for pos in self.not_null if pos in changed),
            )
        return found

    def apply_affinity(
        self, row: Row, affinity: tuple[tuple[int, type, Callable[[Any], Any]], ...] | None = None
    ) -> Row:
        """Convert values as the columns' SQLite affinity would on storage (only those of
        `affinity`, a part of the columns' conversions, when given)."""
        out: list[Any] | None = None
        for pos, plain, convert in self.affinity if affinity is None else affinity:
            v = row[pos]
            t = type(v)
            if v is None or (t is plain and (plain is not float or v != 0)):
                continue
            if t is float and plain is int and not v.is_integer():
                continue  # a fractional REAL stays REAL in INTEGER/NUMERIC columns
            nv = convert(v)
            if nv is not v:
                if out is None:
                    out = list(row)
                out[pos] = nv
        return row if out is None else tuple(out)

    def insert(self, row: Row, ctx: WriteContext) -> int:
        """Insert a full row; returns its row id."""
        row = self.check_storable(row)
        if self.affinity:
            row = self.apply_affinity(row)
        alias = self.rowid_alias
        if alias is not None:
            rowid = row[alias]
            if rowid is None:
                rowid = self._next_rowid()
                row = (*row[:alias], rowid, *row[alias + 1 :])
            else:
                if type(rowid) is not int:
                    rowid = self._coerce_rowid(rowid)
                    row = (*row[:alias], rowid, *row[alias + 1 :])
                if rowid in self.rows:
                    raise IntegrityError(
                        f"UNIQUE constraint failed: {self.name}.{self.column_names[alias]}"
                    )
        else:
            rowid = self._next_hidden_rowid
            self._next_hidden_rowid += 1
        if self.not_null:
            self._check_not_null(row)
        if self.checks:
            self._check_constraints(row)
        for idx in self.unique_indexes:
            if idx.conflicts(idx.key(row)):
                raise self._unique_error(idx)
        for fk in self.foreign_keys:
            self._defer_parent_check(fk, rowid, ctx)
        self._put(rowid, row)
        self._note_rowid(rowid)
        ctx.txn.record(self._restore, rowid, None)
        ctx.txn.touched.add(self)
        return rowid

    def proposed(self, row: Row) -> Row:
        """`row` as `insert` would store it, checked for NOT NULL and CHECK but not yet for
        uniqueness: what an upsert compares with the stored keys (its `excluded` row)."""
        row = self.check_storable(row)
        if self.affinity:
            row = self.apply_affinity(row)
        alias = self.rowid_alias
        unassigned = None
        if alias is not None:
            rowid = row[alias]
            if rowid is None:
                unassigned = alias  # `insert` gives it the next row id
            elif type(rowid) is not int:
                row = (*row[:alias], self._coerce_rowid(rowid), *row[alias + 1 :])
        if self.not_null:
            self._check_not_null(row, unassigned)
        if self.checks:
            self._check_constraints(row)
        return row

    def conflicting_rowid(self, row: Row, positions: tuple[int, ...] | None) -> int | None:
        """The stored row that `row` collides with on the unique key of the columns at
        `positions` (in any order), or on any PRIMARY KEY or UNIQUE key when None."""
        alias = self.rowid_alias
        wanted = None if positions is None else frozenset(positions)
        if alias is not None and (wanted is None or wanted == {alias}):
            rowid = row[alias]
            if rowid is not None and rowid in self.rows:
                return int(rowid)
        for idx in self.unique_indexes:
            if wanted is not None and frozenset(idx.positions) != wanted:
                continue
            key = idx.key(row)
            if idx.conflicts(key):
                return next(iter(idx.lookup(key)))
        return None

    def unique_key_on(self, positions: tuple[int, ...]) -> bool:
        """Whether the columns at `positions` (in any order) are a PRIMARY KEY or UNIQUE key."""
        wanted = frozenset(positions)
        if self.rowid_alias is not None and wanted == {self.rowid_alias}:
            return True
        return any(frozenset(idx.positions) == wanted for idx in self.unique_indexes)

    def prepare_column(self, position: int, values: list[Any]) -> list[Any]:
        """Storage form of one column's values (what `check_storable` and the column's
        affinity do row by row), for loaders that work column by column."""
        return self._stored_column(position, values)[0]

    def affinity_converter(self, position: int) -> Callable[[Any], Any] | None:
        """The function applying the column's affinity to one storable value, or None."""
        for pos, _plain, convert in self.affinity:
            if pos == position:
                return convert
        return None

    def _stored_column(self, position: int, values: list[Any]) -> tuple[list[Any], bool]:
        """`prepare_column`, and whether the column holds a NULL."""
        types = set(map(type, values))
        if not STORABLE.issuperset(types):
            width = self.width
            values = [
                self.check_storable((None,) * position + (v,) + (None,) * (width - position - 1))[
                    position
                ]
                for v in values
            ]
            types = set(map(type, values))
        has_null = _NONE_TYPE in types
        for pos, plain, convert in self.affinity:
            if pos == position:
                return _with_affinity(values, types, plain, convert), has_null
        return values, has_null

    def insert_many(
        self,
        rows: Iterable[Row],
        ctx: WriteContext,
        prepared: bool = False,
        atomic: bool = False,
    ) -> int | None:
        """Insert rows one statement each (as executemany does); returns the last row id.

        Rows inserted before a failing one stay, as with SQLite's executemany, unless
        `atomic`: then a failing row takes the whole batch back. The failing row leaves no
        trace. `prepared` rows already went through `prepare_column` for every column.
        """
        inserted: list[int] = []
        alias = self.rowid_alias
        stored = self.rows
        not_null = self.not_null
        uniques = self.unique_indexes
        indexes = self.indexes
        fks = [(fk, fk.child_positions) for fk in self.foreign_keys]
        not_null_get: Any = itemgetter(*not_null) if not_null else None
        single_not_null = len(not_null) == 1
        verified: set[tuple[int, tuple[Any, ...]]] = set()
        affinity = self.affinity
        try:
            for row in rows:
                if not prepared:
                    row = self.check_storable(row)
                    if affinity:
                        row = self.apply_affinity(row)
                if alias is not None:
                    rowid = row[alias]
                    if rowid is None:
                        rowid = self._next_rowid()
                        row = (*row[:alias], rowid, *row[alias + 1 :])
                    else:
                        if type(rowid) is not int:
                            rowid = self._coerce_rowid(rowid)
                            row = (*row[:alias], rowid, *row[alias + 1 :])
                        if rowid in stored:
                            raise IntegrityError(
                                f"UNIQUE constraint failed: {self.name}.{self.column_names[alias]}"
                            )
                else:
                    rowid = self._next_hidden_rowid
                    self._next_hidden_rowid += 1
                if not_null:
                    missing = not_null_get(row)
                    if missing is None if single_not_null else None in missing:
                        self._check_not_null(row)
                if self.checks:
                    self._check_constraints(row)
                for idx in uniques:
                    key = idx.key(row)
                    if key in idx.map and not idx.key_has_null(key):
                        raise self._unique_error(idx)
                for n, (fk, positions) in enumerate(fks):
                    key = tuple([row[p] for p in positions])
                    if None in key or (n, key) in verified:
                        continue
                    if not self._parent_has(fk, key) and not self._self_reference(fk, key, row):
                        raise _fk_error(fk)
                    verified.add((n, key))
                stored[rowid] = row
                for idx in indexes:
                    idx.add(idx.key(row), rowid)
                self._note_rowid(rowid)
                inserted.append(rowid)
        except BaseException:
            if atomic:
                self._restore_many(inserted, None)
                inserted = []
            raise
        finally:
            if inserted:
                ctx.txn.record(self._restore_many, inserted, None)
                ctx.txn.touched.add(self)
        return inserted[-1] if inserted else None

    def insert_columns(
        self,
        columns: list[list[Any]],
        ctx: WriteContext,
        atomic: bool = True,
        stored_positions: frozenset[int] = frozenset(),
        null_free_positions: frozenset[int] = frozenset(),
    ) -> int | None:
        """Insert rows given as one list of values per column (every column, in table order,
        as the driver binds them); returns the last row id.

        The batch is checked as a whole (NOT NULL, CHECK, uniqueness, foreign keys) and
        applied with bulk index updates and one undo entry. A batch those checks do not clear
        goes row by row through `insert_many`, which finds the row that fails, or inserts
        what the whole-batch checks could not prove (rows referencing rows of the same
        batch, NULLs in unique keys). `atomic`: as for `insert_many`. The columns at
        `stored_positions` hold their storage form already (`prepare_column`'s values); of
        those, the ones at `null_free_positions` hold no NULL.
        """
        prepared: list[list[Any]] = []
        nullable: list[bool] = []
        for position, values in enumerate(columns):
            if position in stored_positions:
                prepared.append(values)
                free = position in null_free_positions
                nullable.append(not free and _NONE_TYPE in set(map(type, values)))
                continue
            stored, has_null = self._stored_column(position, values)
            prepared.append(stored)
            nullable.append(has_null)
        if not prepared or not prepared[0]:
            return None
        batch = self._checked_batch(prepared, nullable)
        if batch is None:
            rows = zip(*prepared, strict=True)
            return self.insert_many(rows, ctx, prepared=True, atomic=atomic)
        rowids, rows_, entries = batch
        self.rows.update(zip(rowids, rows_, strict=True))
        for idx, keys in entries:
            if isinstance(keys, dict):
                idx.add_new(keys)
            else:
                for key, rowid in zip(keys, rowids, strict=True):
                    idx.add(key, rowid)
        if self.rowid_alias is None:
            self._next_hidden_rowid = rowids[-1] + 1
        self._note_rowids(rowids)
        ctx.txn.record(self._restore_many, rowids, None)
        ctx.txn.touched.add(self)
        return rowids[-1]

    def _checked_batch(
        self, columns: list[list[Any]], nullable: list[bool]
    ) -> tuple[Sequence[int], list[Row], list[tuple[HashIndex, Any]]] | None:
        """Row ids, rows and the index entries still to add of a batch that breaks no
        constraint, or None when the batch must go row by row.

        The batch's keys of unique indexes it holds no NULL for are added here, as the last
        check; a None leaves every index as it was.
        """
        count = len(columns[0])
        alias = self.rowid_alias
        rowids: Sequence[int]
        if alias is None:
            rowids = range(self._next_hidden_rowid, self._next_hidden_rowid + count)
        else:
            given = columns[alias]
            types = set(map(type, given))
            if types == {_NONE_TYPE}:
                start = self._next_rowid()
                rowids = range(start, start + count)
                columns = [*columns[:alias], list(rowids), *columns[alias + 1 :]]
                nullable = [*nullable[:alias], False, *nullable[alias + 1 :]]
            elif types == {int} and len(set(given)) == count:
                if not self.rows.keys().isdisjoint(given):
                    return None
                rowids = given
            else:
                return None
        if any(nullable[p] for p in self.not_null):
            return None
        rows = list(zip(*columns, strict=True))
        for _label, check in self.checks:
            if not all(map(check, rows)):
                return None
        entries: list[tuple[HashIndex, Any]] = []
        merging: list[tuple[HashIndex, list[Any]]] = []
        for idx in self.indexes:
            keys = _index_keys(idx, columns)
            if idx.unique and not any(nullable[p] for p in idx.positions):
                merging.append((idx, keys))
                continue
            new = dict(zip(keys, rowids, strict=True))
            if len(new) == count and idx.map.keys().isdisjoint(new.keys()):
                entries.append((idx, new))
            elif idx.unique:
                return None
            else:
                entries.append((idx, keys))
        for fk in self.foreign_keys:
            if not self._parents_exist(fk, columns):
                return None
        if not self._merged_unique_keys(merging, rowids):
            return None
        return rowids, rows, entries

    def _merged_unique_keys(
        self, merging: list[tuple[HashIndex, list[Any]]], rowids: Sequence[int]
    ) -> bool:
        """Add each batch's keys to its unique index; when one is held already or repeats,
        leave every index as it was and return False."""
        merged: list[tuple[HashIndex, list[Any]]] = []
        for idx, keys in merging:
            if idx.merge_new(keys, rowids):
                merged.append((idx, keys))
                continue
            wanted = set(keys)
            key = idx.key
            for rowid, row in self.rows.items():
                if key(row) in wanted:
                    idx.map[key(row)] = rowid  # a unique key without NULL: one row
            for done, done_keys in merged:
                done.drop_new(done_keys)
            return False
        return True

    def _parents_exist(self, fk: ForeignKeySpec, columns: list[list[Any]]) -> bool:
        """Whether every non-NULL key of `fk` in the batch is a stored parent row's key."""
        if len(fk.child_positions) == 1:
            keys = {(value,) for value in set(columns[fk.child_positions[0]])}
        else:
            keys = set(zip(*(columns[p] for p in fk.child_positions), strict=True))
        try:
            return all(None in key or self._parent_has(fk, key) for key in keys)
        except OperationalError:
            return False

    def _note_rowids(self, rowids: Sequence[int]) -> None:
        """`_note_rowid` for a batch: the rows stay in row id order only if the batch ascends
        from above every stored row id."""
        ascending = isinstance(rowids, range) or list(rowids) == sorted(rowids)
        if not ascending or rowids[0] < self._max_rowid:
            self._ordered = False
        top = rowids[-1] if ascending else max(rowids)
        if top > self._max_rowid:
            self._max_rowid = top
            self._max_stale = False

    def _restore_many(self, rowids: Sequence[int], _unused: None) -> None:
        """Undo entry of `insert_many`: remove the rows it added."""
        for rowid in reversed(rowids):
            if rowid in self.rows:
                self._drop(rowid)

    def _coerce_rowid(self, value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, bool):
            return int(value)
        raise IntegrityError(
            f"datatype mismatch: {self.name}.{self.column_names[self.rowid_alias or 0]} "
            f"must be an integer, got {value!r}"
        )

    def update(
        self, rowid: int, new: Row, ctx: WriteContext, changed: frozenset[int] | None = None
    ) -> int:
        """Replace the row at `rowid`; returns its (possibly moved) row id.

        `changed`, when given, holds the only positions where `new` may differ from the stored
        row: the keys, indexes and foreign keys of the other columns are not looked at.
        """
        old = self.rows[rowid]
        if changed is None:
            new = self.check_storable(new)
            if self.affinity:
                new = self.apply_affinity(new)
            if self.not_null:
                self._check_not_null(new)
        else:
            # The other values are stored ones: storable, converted and not NULL already.
            affinity, not_null = self._columns_changing(changed)
            for pos in changed:
                if type(new[pos]) not in STORABLE:
                    new = self.check_storable(new)
                    break
            if affinity:
                new = self.apply_affinity(new, affinity)
            for pos in not_null:
                if new[pos] is None:
                    self._check_not_null(new)
        if self.checks:
            self._check_constraints(new)
        new_rowid = rowid
        alias = self.rowid_alias
        if alias is not None and (changed is None or alias in changed) and new[alias] != old[alias]:
            new_rowid = new[alias]
            if new_rowid is None:
                new_rowid = self._next_rowid()
                new = (*new[:alias], new_rowid, *new[alias + 1 :])
            elif type(new_rowid) is not int:
                new_rowid = self._coerce_rowid(new_rowid)
                new = (*new[:alias], new_rowid, *new[alias + 1 :])
            if new_rowid in self.rows:
                raise IntegrityError(
                    f"UNIQUE constraint failed: {self.name}.{self.column_names[alias]}"
                )
        for idx in self.unique_indexes:
            if changed is not None and changed.isdisjoint(idx.positions):
                continue
            key = idx.key(new)
            if key != idx.key(old) and idx.conflicts(key, rowid):
                raise self._unique_error(idx)
        for fk in self.foreign_keys:
            if changed is not None and changed.isdisjoint(fk.child_positions):
                continue
            if any(old[p] != new[p] for p in fk.child_positions):
                self._defer_parent_check(fk, new_rowid, ctx)
        self._parent_key_changes(old, new, ctx, changed)
        txn = ctx.txn
        if new_rowid == rowid:
            for idx in self.indexes:
                if changed is not None and changed.isdisjoint(idx.positions):
                    continue
                ko, kn = idx.key(old), idx.key(new)
                if ko != kn or (ko is None) != (kn is None):
                    idx.remove(ko, rowid)
                    idx.add(kn, rowid)
            self.rows[rowid] = new
            txn.record(self._restore, rowid, old)
        else:
            self._drop(rowid)
            txn.record(self._restore, rowid, old)
            self._put(new_rowid, new)
            self._note_rowid(new_rowid)
            txn.record(self._restore, new_rowid, None)
        txn.touched.add(self)
        return new_rowid

    def delete(self, rowid: int, ctx: WriteContext) -> None:
        old = self.rows.get(rowid)
        if old is None:
            return
        self._drop(rowid)
        ctx.txn.record(self._restore, rowid, old)
        ctx.txn.touched.add(self)
        self._parent_key_removed(old, ctx)

    # foreign keys ------------------------------------------------------------------
    def _parent_store(self, fk: ForeignKeySpec) -> TableStore:
        parent = self.catalog.get(fk.parent)
        if parent is None:
            raise OperationalError(f"no such table: {fk.parent} (foreign key {fk.describe()})")
        return parent

    def _defer_parent_check(self, fk: ForeignKeySpec, rowid: int, ctx: WriteContext) -> None:
        def check() -> None:
            row = self.rows.get(rowid)
            if row is None:
                return
            key = tuple(row[p] for p in fk.child_positions)
            if None in key:
                return
            parent = self._parent_store(fk)
            ppos = tuple(parent.positions[c] for c in fk.parent_columns)
            if not parent.has_key(ppos, key):
                raise _fk_error(fk)

        ctx.deferred.append(check)

    def _parent_has(self, fk: ForeignKeySpec, key: tuple[Any, ...]) -> bool:
        parent = self._parent_store(fk)
        return parent.has_key(tuple(parent.positions[c] for c in fk.parent_columns), key)

    def _self_reference(self, fk: ForeignKeySpec, key: tuple[Any, ...], row: Row) -> bool:
        """A row of a self-referencing table may reference itself."""
        if fk.parent != self.name:
            return False
        return tuple(row[self.positions[c]] for c in fk.parent_columns) == key

    def _referencing(self) -> Iterator[tuple[TableStore, ForeignKeySpec]]:
        for store in self.catalog.values():
            for fk in store.foreign_keys:
                if fk.parent == self.name:
                    yield store, fk

    def _parent_key_removed(self, old: Row, ctx: WriteContext) -> None:
        for child, fk, key_of, _positions in self._referencing_keys():
            key = key_of(old)
            if None in key:
                continue
            self._apply_parent_action(child, fk, fk.ondelete, key, None, ctx)

    def _parent_key_changes(
        self, old: Row, new: Row, ctx: WriteContext, changed: frozenset[int] | None = None
    ) -> None:
        for child, fk, key_of, positions in self._referencing_keys():
            if changed is not None and changed.isdisjoint(positions):
                continue
            okey = key_of(old)
            nkey = key_of(new)
            if okey == nkey or None in okey:
                continue
            self._apply_parent_action(child, fk, fk.onupdate, okey, nkey, ctx)

    def _referencing_keys(
        self,
    ) -> list[tuple[TableStore, ForeignKeySpec, Callable[[Row], tuple[Any, ...]], frozenset[int]]]:
        """Foreign keys pointing here, each with its parent key getter and the positions it
        reads; rebuilt when the catalog's tables change."""
        signature = tuple(self.catalog.values())  # held, so compared by identity safely
        cached = self._referencing_cache
        if cached is None or cached[0] != signature:
            found = []
            for child, fk in self._referencing():
                positions = [self.positions[c] for c in fk.parent_columns]
                found.append((child, fk, _key_getter(positions), frozenset(positions)))
            cached = self._referencing_cache = (signature, found)
        return cached[1]

    def _apply_parent_action(
        self,
        child: TableStore,
        fk: ForeignKeySpec,
        action: str,
        key: tuple[Any, ...],
        new_key: tuple[Any, ...] | None,
        ctx: WriteContext,
    ) -> None:
        rowids = list(child.rowids_with_key(fk.child_positions, key))
        if action == "CASCADE":
            for rid in rowids:
                if new_key is None:
                    child.delete(rid, ctx)
                else:
                    row = list(child.rows[rid])
                    for p, v in zip(fk.child_positions, new_key, strict=True):
                        row[p] = v
                    child.update(rid, tuple(row), ctx)
        elif action in ("SET NULL", "SET DEFAULT"):
            for rid in rowids:
                row = list(child.rows[rid])
                for p in fk.child_positions:
                    default = child.server_defaults[p] if action == "SET DEFAULT" else None
                    row[p] = default() if default is not None else None
                child.update(rid, tuple(row), ctx)
        elif action == "RESTRICT":
            if rowids:
                raise _fk_error(fk)
        elif rowids:

            def check() -> None:
                if child.has_key(fk.child_positions, key) and not self.has_key(
                    tuple(self.positions[c] for c in fk.parent_columns), key
                ):
                    raise _fk_error(fk)

            ctx.deferred.append(check)

    def truncate_for_drop(self) -> None:
        self.rows.clear()
        for idx in self.indexes:
            idx.clear()


_NONE_TYPE = type(None)


def _with_affinity(
    values: list[Any], types: set[type], plain: type, convert: Callable[[Any], Any]
) -> list[Any]:
    """`values` as a column of affinity (`plain`, `convert`) stores them (see
    `apply_affinity`); a float column converts each distinct value that changes once."""
    if plain is not float and types <= {plain, _NONE_TYPE}:
        return values
    if plain in (int, float) and types <= {float, _NONE_TYPE}:
        distinct = set(values)
        distinct.discard(None)
        if plain is int:  # integral floats become integers
            changed = {v: convert(v) for v in distinct if v.is_integer()}
        else:  # -0.0 becomes 0.0
            changed = {v: convert(v) for v in distinct if v == 0}
        # equal floats (0.0 and -0.0 too) convert to equal values
        return list(map(changed.get, values, values)) if changed else values
    if plain is int:

        def stored(v: Any) -> Any:
            if v is None or type(v) is int or (type(v) is float and not v.is_integer()):
                return v
            return convert(v)

    else:

        def stored(v: Any) -> Any:
            return v if v is None or (type(v) is plain and v != 0) else convert(v)

    return list(map(stored, values))


def _index_keys(idx: HashIndex, columns: list[list[Any]]) -> list[Any]:
    """The keys `idx` gives the rows of a batch held column by column."""
    if idx.single:
        return columns[idx.positions[0]]
    return list(zip(*(columns[p] for p in idx.positions), strict=True))
